-- The asset counts are kept per status instead of per list queue, so the
-- asset grid can show and filter each of the five statuses alone; a queue's
-- count is the sum of its statuses' (domain/status.h). The status filter
-- itself walks annotations_status (project_id, status, asset_id), which
-- exists since migration 002.
DROP TRIGGER asset_counts_insert;
DROP TRIGGER asset_counts_delete;
DROP TRIGGER asset_counts_update;
DROP TABLE asset_counts;

CREATE TABLE asset_counts (
	project_id INTEGER NOT NULL,
	status TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (project_id, status)
) WITHOUT ROWID;

INSERT INTO asset_counts(project_id, status, n)
	SELECT project_id, status, count(*) FROM annotations GROUP BY project_id, status;

CREATE TRIGGER asset_counts_insert AFTER INSERT ON annotations
BEGIN
	INSERT INTO asset_counts(project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
		ON CONFLICT(project_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER asset_counts_delete AFTER DELETE ON annotations
BEGIN
	UPDATE asset_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
END;

CREATE TRIGGER asset_counts_update AFTER UPDATE OF status, project_id ON annotations
	WHEN OLD.status IS NOT NEW.status OR OLD.project_id IS NOT NEW.project_id
BEGIN
	UPDATE asset_counts SET n = n - 1 WHERE project_id = OLD.project_id AND status = OLD.status;
	INSERT INTO asset_counts(project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
		ON CONFLICT(project_id, status) DO UPDATE SET n = n + 1;
END;

-- A note may go with a change to needs_review (why it needs review); NULL
-- otherwise. The annotation shows the note of its latest change.
ALTER TABLE annotation_history ADD COLUMN note TEXT;
