-- Soft-deleted assets (DELETE /api/v1/assets/{id}). The asset row and its
-- files stay, marked by deleted_at; its annotation row and labels move to
-- the two tables below, so every list, count (asset_counts triggers), queue,
-- stat, bulk change and new export, which all read annotations, leaves the
-- asset out without a filter of its own. Restoring moves them back. A later
-- migration that adds a column to annotations or annotation_categories adds
-- it here too (the rows are copied with SELECT *).
ALTER TABLE assets ADD COLUMN deleted_at BIGINT;
CREATE TABLE deleted_annotations AS SELECT * FROM annotations WITH NO DATA;
CREATE UNIQUE INDEX deleted_annotations_asset ON deleted_annotations(asset_id);
CREATE TABLE deleted_annotation_categories AS SELECT * FROM annotation_categories WITH NO DATA;
CREATE INDEX deleted_annotation_categories_asset ON deleted_annotation_categories(asset_id);

-- A deleted export version (DELETE /api/v1/exports/{id}) loses its files but
-- keeps its row, hash and snapshot, so "identical to version N" still names
-- something; it leaves the list and the version quota, and no later version
-- shares its files.
ALTER TABLE exports ADD COLUMN deleted_at BIGINT;

-- Queue leases (POST /api/v1/projects/{id}/queue/next): an asset handed to a
-- labeler is theirs until expires_at (epoch ms), renewed while they label
-- in the project; the next batches of others skip it. Released on skip and
-- logout; an expired row means nothing and is swept by the next batch.
CREATE TABLE leases (
	asset_id BIGINT PRIMARY KEY,
	project_id BIGINT NOT NULL,
	user_id BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX leases_user ON leases(user_id, project_id);
CREATE INDEX leases_expiry ON leases(expires_at);
