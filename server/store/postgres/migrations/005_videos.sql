-- Uploaded videos and the state of their frame extraction. The frames
-- themselves are assets (source_type 'video_frame', video_id = videos.id).
CREATE TABLE videos (
	id BIGINT PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects(id),
	file_name TEXT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	byte_size BIGINT NOT NULL,
	-- How frames are chosen: 'fps' (fps set) or 'frames' (frames set).
	mode TEXT NOT NULL CHECK (mode IN ('fps', 'frames')),
	fps DOUBLE PRECISION,
	frames BIGINT,
	state TEXT NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'extracting', 'ready', 'failed')),
	duration_ms BIGINT NOT NULL DEFAULT 0,
	frame_rate DOUBLE PRECISION NOT NULL DEFAULT 0,
	width BIGINT NOT NULL DEFAULT 0,
	height BIGINT NOT NULL DEFAULT 0,
	rotation BIGINT NOT NULL DEFAULT 0,
	codec TEXT NOT NULL DEFAULT '',
	-- Frames the plan chose (an estimate until extraction starts) and
	-- frames stored so far (new assets and duplicates alike).
	frames_expected BIGINT NOT NULL DEFAULT 0,
	frames_extracted BIGINT NOT NULL DEFAULT 0,
	frames_duplicate BIGINT NOT NULL DEFAULT 0,
	error TEXT,
	job_id BIGINT,
	uploaded_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE TRIGGER videos_rowid BEFORE INSERT ON videos FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE INDEX videos_project ON videos(project_id, id);
