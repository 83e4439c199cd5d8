-- The number of assets in each list filter of each project, kept by
-- triggers on annotations so the counts beside every list page cost one
-- index lookup instead of a scan, and stay exact whichever code changes an
-- annotation.
CREATE TABLE asset_counts (
	project_id BIGINT NOT NULL,
	queue TEXT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (project_id, queue)
);

INSERT INTO asset_counts(project_id, queue, n)
	SELECT project_id, queue, count(*) FROM annotations GROUP BY project_id, queue;

CREATE FUNCTION asset_counts_queue() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('DELETE', 'UPDATE') THEN
		UPDATE asset_counts SET n = n - 1
			WHERE project_id = OLD.project_id AND queue = OLD.queue;
	END IF;
	IF TG_OP IN ('INSERT', 'UPDATE') THEN
		INSERT INTO asset_counts(project_id, queue, n) VALUES (NEW.project_id, NEW.queue, 1)
			ON CONFLICT (project_id, queue) DO UPDATE SET n = asset_counts.n + 1;
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER asset_counts_insert AFTER INSERT ON annotations
	FOR EACH ROW EXECUTE FUNCTION asset_counts_queue();
CREATE TRIGGER asset_counts_delete AFTER DELETE ON annotations
	FOR EACH ROW EXECUTE FUNCTION asset_counts_queue();
CREATE TRIGGER asset_counts_update AFTER UPDATE OF queue, project_id ON annotations
	FOR EACH ROW WHEN (OLD.queue IS DISTINCT FROM NEW.queue
		OR OLD.project_id IS DISTINCT FROM NEW.project_id)
	EXECUTE FUNCTION asset_counts_queue();
