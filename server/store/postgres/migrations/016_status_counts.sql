-- The asset counts are kept per status instead of per list queue, so the
-- asset grid can show and filter each of the five statuses alone; a queue's
-- count is the sum of its statuses' (domain/status.h). The status filter
-- itself walks annotations_status (project_id, status, asset_id), which
-- exists since migration 002.
DROP TRIGGER asset_counts_insert ON annotations;
DROP TRIGGER asset_counts_delete ON annotations;
DROP TRIGGER asset_counts_update ON annotations;
DROP FUNCTION asset_counts_queue();
DROP TABLE asset_counts;

CREATE TABLE asset_counts (
	project_id BIGINT NOT NULL,
	status TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (project_id, status)
);

INSERT INTO asset_counts(project_id, status, n)
	SELECT project_id, status, count(*) FROM annotations GROUP BY project_id, status;

CREATE FUNCTION asset_counts_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE asset_counts SET n = n - 1
			WHERE project_id = OLD.project_id AND status = OLD.status;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO asset_counts(project_id, status, n) VALUES (NEW.project_id, NEW.status, 1)
			ON CONFLICT (project_id, status) DO UPDATE SET n = asset_counts.n + 1;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER asset_counts_insert AFTER INSERT ON annotations
	FOR EACH ROW EXECUTE FUNCTION asset_counts_status();
CREATE TRIGGER asset_counts_delete AFTER DELETE ON annotations
	FOR EACH ROW EXECUTE FUNCTION asset_counts_status();
CREATE TRIGGER asset_counts_update AFTER UPDATE OF status, project_id ON annotations
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
		OR OLD.project_id IS DISTINCT FROM NEW.project_id)
	EXECUTE FUNCTION asset_counts_status();

-- A note may go with a change to needs_review (why it needs review); NULL
-- otherwise. The annotation shows the note of its latest change.
ALTER TABLE annotation_history ADD COLUMN note TEXT;
