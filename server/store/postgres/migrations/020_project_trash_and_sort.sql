-- A soft-deleted project (DELETE /api/v1/projects/{id}) keeps its row,
-- members, assets, labels and export versions; it leaves the project lists,
-- and every route under it (and under its assets, exports and videos)
-- answers 404 as for an unknown id, except POST .../restore, which clears
-- deleted_at and brings it all back as it was.
ALTER TABLE projects ADD COLUMN deleted_at BIGINT;

-- The asset grid's sorts (GET /api/v1/projects/{id}/assets?sort=): a page
-- in upload-time or file-name order is one range of these indexes, its
-- keyset cursor the (key, id) of the last row. The file-name index also
-- covers the file-name search (?q=). Names sort by their bytes, as in
-- SQLite, whatever the database's locale.
CREATE INDEX assets_project_uploaded ON assets(project_id, created_at, id);
CREATE INDEX assets_project_name ON assets(project_id, file_name COLLATE "C", id);
