-- Dataset versions (exports). A version number is unique per project and
-- assigned in the same transaction that takes the snapshot, so two exports
-- started at once get distinct versions. Once `ready`, a row's content
-- fields never change again.
CREATE TABLE exports (
	id BIGINT PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects(id),
	version BIGINT NOT NULL CHECK (version > 0),
	state TEXT NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'building', 'ready', 'failed')),
	statuses TEXT NOT NULL,            -- selection, comma-separated, as requested
	progress_done BIGINT NOT NULL DEFAULT 0,
	progress_total BIGINT NOT NULL DEFAULT 0,
	image_count BIGINT NOT NULL DEFAULT 0,
	excluded_deleted_category BIGINT NOT NULL DEFAULT 0,
	hash TEXT,                         -- "sha256:<hex>" of annotations.json
	categories_hash TEXT,
	manifest TEXT,                     -- manifest.json bytes, when ready
	zip_bytes BIGINT,
	identical_to BIGINT,               -- the earliest ready version with the same hash
	error TEXT,
	job_id BIGINT,
	created_by BIGINT REFERENCES users(id),
	created_by_name TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	finished_at BIGINT,
	UNIQUE (project_id, version)
);
CREATE TRIGGER exports_rowid BEFORE INSERT ON exports FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE INDEX exports_project_hash ON exports(project_id, hash);

-- The snapshot taken at creation: the categories that were not deleted...
CREATE TABLE export_categories (
	export_id BIGINT NOT NULL REFERENCES exports(id),
	id BIGINT NOT NULL,
	name TEXT NOT NULL,
	PRIMARY KEY (export_id, id)
);

-- ...and every selected label with the immutable asset fields it needs, so
-- that a build (or a rebuild after a crash) never reads live labels.
CREATE TABLE export_items (
	export_id BIGINT NOT NULL REFERENCES exports(id),
	asset_id BIGINT NOT NULL,
	category_id BIGINT NOT NULL,
	status TEXT NOT NULL,
	labeled_by TEXT NOT NULL DEFAULT '',
	file_name TEXT NOT NULL,
	width BIGINT NOT NULL,
	height BIGINT NOT NULL,
	mime_type TEXT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	source_type TEXT NOT NULL,
	video_id BIGINT,
	video_file_name TEXT,
	frame_index BIGINT,
	timestamp_ms BIGINT,
	PRIMARY KEY (export_id, asset_id, category_id)
);
