-- Dataset versions (exports). A version number is unique per project and
-- assigned in the same transaction that takes the snapshot, so two exports
-- started at once get distinct versions. Once `ready`, a row's content
-- fields never change again.
CREATE TABLE exports (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects(id),
	version INTEGER NOT NULL CHECK (version > 0),
	state TEXT NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'building', 'ready', 'failed')),
	statuses TEXT NOT NULL,            -- selection, comma-separated, as requested
	progress_done INTEGER NOT NULL DEFAULT 0,
	progress_total INTEGER NOT NULL DEFAULT 0,
	image_count INTEGER NOT NULL DEFAULT 0,
	excluded_deleted_category INTEGER NOT NULL DEFAULT 0,
	hash TEXT,                         -- "sha256:<hex>" of annotations.json
	categories_hash TEXT,
	manifest TEXT,                     -- manifest.json bytes, when ready
	zip_bytes INTEGER,
	identical_to INTEGER,              -- the earliest ready version with the same hash
	error TEXT,
	job_id INTEGER,
	created_by INTEGER REFERENCES users(id),
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	finished_at INTEGER,
	UNIQUE (project_id, version)
);
CREATE INDEX exports_project_hash ON exports(project_id, hash);

-- The snapshot taken at creation: the categories that were not deleted...
CREATE TABLE export_categories (
	export_id INTEGER NOT NULL REFERENCES exports(id),
	id INTEGER NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (export_id, id)
) WITHOUT ROWID;

-- ...and every selected label with the immutable asset fields it needs, so
-- that a build (or a rebuild after a crash) never reads live labels.
CREATE TABLE export_items (
	export_id INTEGER NOT NULL REFERENCES exports(id),
	asset_id INTEGER NOT NULL,
	category_id INTEGER NOT NULL,
	status TEXT NOT NULL,
	labeled_by TEXT NOT NULL DEFAULT '',
	file_name TEXT NOT NULL,
	width INTEGER NOT NULL,
	height INTEGER NOT NULL,
	mime_type TEXT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	source_type TEXT NOT NULL,
	video_id INTEGER,
	video_file_name TEXT,
	frame_index INTEGER,
	timestamp_ms INTEGER,
	PRIMARY KEY (export_id, asset_id, category_id)
) WITHOUT ROWID;
