-- Assets (images and video frames), their annotation, and background jobs.
CREATE TABLE assets (
	id BIGINT PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects(id),
	file_name TEXT NOT NULL,
	width BIGINT NOT NULL,
	height BIGINT NOT NULL,
	mime_type TEXT NOT NULL,
	byte_size BIGINT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	source_type TEXT NOT NULL DEFAULT 'image' CHECK (source_type IN ('image', 'video_frame')),
	video_id BIGINT,
	-- The video's file name at extraction time, kept with the frame so an
	-- asset view never needs the videos table.
	video_file_name TEXT,
	frame_index BIGINT,
	timestamp_ms BIGINT,
	thumb_ready BIGINT NOT NULL DEFAULT 0,
	uploaded_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE TRIGGER assets_rowid BEFORE INSERT ON assets FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE UNIQUE INDEX assets_project_checksum ON assets(project_id, checksum_sha256);
-- The unfiltered list: a page is one range of this index.
CREATE INDEX assets_project ON assets(project_id, id);
CREATE INDEX assets_video ON assets(video_id, frame_index) WHERE video_id IS NOT NULL;

-- One row per asset, created with it. `queue` is the list filter the status
-- belongs to (unlabeled, in_review, done, skipped), kept so that a filtered
-- page is one index range.
CREATE TABLE annotations (
	asset_id BIGINT PRIMARY KEY REFERENCES assets(id),
	project_id BIGINT NOT NULL REFERENCES projects(id),
	status TEXT NOT NULL DEFAULT 'unlabeled'
		CHECK (status IN ('unlabeled', 'labeled', 'skipped', 'needs_review', 'approved')),
	queue TEXT NOT NULL DEFAULT 'unlabeled'
		CHECK (queue IN ('unlabeled', 'in_review', 'done', 'skipped')),
	revision BIGINT NOT NULL DEFAULT 0,
	labeled_by BIGINT REFERENCES users(id),
	updated_at BIGINT NOT NULL
);
CREATE INDEX annotations_queue ON annotations(project_id, queue, asset_id);
CREATE INDEX annotations_status ON annotations(project_id, status, asset_id);

CREATE TABLE annotation_categories (
	asset_id BIGINT NOT NULL REFERENCES assets(id),
	project_id BIGINT NOT NULL,
	category_id BIGINT NOT NULL,
	PRIMARY KEY (asset_id, category_id)
);
CREATE INDEX annotation_categories_cat ON annotation_categories(project_id, category_id, asset_id);

-- Background work: thumbnails, frame extraction, export builds. Several
-- processes share the table: a running job is leased to the process that
-- claimed it (owner) until lease_until (epoch ms), which that process keeps
-- renewing while the job runs. A job whose lease ran out (its process died)
-- is claimed again by another process.
CREATE TABLE jobs (
	id BIGINT PRIMARY KEY,
	kind TEXT NOT NULL,
	ref_id BIGINT NOT NULL,
	state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
	attempts BIGINT NOT NULL DEFAULT 0,
	error TEXT,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	owner TEXT,
	lease_until BIGINT
);
CREATE TRIGGER jobs_rowid BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE INDEX jobs_queued ON jobs(state, id);
CREATE INDEX jobs_ref ON jobs(kind, ref_id);
-- A claim walks the jobs of one kind in one state, oldest first.
CREATE INDEX jobs_claim ON jobs(kind, state, id);
