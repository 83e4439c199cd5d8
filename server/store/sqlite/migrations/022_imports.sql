-- Imports: labels brought in from a zip (COCO annotations.json, class-index
-- masks or instance masks), run as a job. An import writes each asset's
-- annotation as an ordinary labeled change by the importing user, and keeps
-- here, per asset, the revision it wrote and the annotation it replaced,
-- so that it can be undone in one step where nobody changed it since.
CREATE TABLE imports (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects(id),
	user_id INTEGER NOT NULL REFERENCES users(id),
	-- queued, running, done, failed, undone
	state TEXT NOT NULL DEFAULT 'queued',
	format TEXT NOT NULL,
	file_name TEXT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	tolerance REAL NOT NULL,
	progress_done INTEGER NOT NULL DEFAULT 0,
	progress_total INTEGER NOT NULL DEFAULT 0,
	images INTEGER NOT NULL DEFAULT 0,
	objects INTEGER NOT NULL DEFAULT 0,
	refused INTEGER NOT NULL DEFAULT 0,
	undone INTEGER NOT NULL DEFAULT 0,
	-- JSON array of {"entry", "code", "message"}: each refused entry
	report TEXT NOT NULL DEFAULT '[]',
	error_code TEXT,
	error TEXT,
	created_at INTEGER NOT NULL,
	started_at INTEGER,
	finished_at INTEGER,
	undone_at INTEGER
);
CREATE INDEX imports_project ON imports(project_id, id);

CREATE TABLE import_changes (
	import_id INTEGER NOT NULL REFERENCES imports(id),
	asset_id INTEGER NOT NULL REFERENCES assets(id),
	-- the annotation's revision this import wrote
	revision INTEGER NOT NULL,
	-- the annotation it replaced
	prev_status TEXT NOT NULL,
	prev_labeled_by INTEGER,
	prev_payload_type TEXT,
	prev_payload TEXT,
	prev_categories TEXT NOT NULL,
	PRIMARY KEY (import_id, asset_id)
);
CREATE INDEX import_changes_asset ON import_changes(asset_id);
