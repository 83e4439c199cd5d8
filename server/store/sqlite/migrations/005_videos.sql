-- Uploaded videos and the state of their frame extraction. The frames
-- themselves are assets (source_type 'video_frame', video_id = videos.id).
CREATE TABLE videos (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects(id),
	file_name TEXT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	byte_size INTEGER NOT NULL,
	-- How frames are chosen: 'fps' (fps set) or 'frames' (frames set).
	mode TEXT NOT NULL CHECK (mode IN ('fps', 'frames')),
	fps REAL,
	frames INTEGER,
	state TEXT NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'extracting', 'ready', 'failed')),
	duration_ms INTEGER NOT NULL DEFAULT 0,
	frame_rate REAL NOT NULL DEFAULT 0,
	width INTEGER NOT NULL DEFAULT 0,
	height INTEGER NOT NULL DEFAULT 0,
	rotation INTEGER NOT NULL DEFAULT 0,
	codec TEXT NOT NULL DEFAULT '',
	-- Frames the plan chose (an estimate until extraction starts) and
	-- frames stored so far (new assets and duplicates alike).
	frames_expected INTEGER NOT NULL DEFAULT 0,
	frames_extracted INTEGER NOT NULL DEFAULT 0,
	frames_duplicate INTEGER NOT NULL DEFAULT 0,
	error TEXT,
	job_id INTEGER,
	uploaded_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX videos_project ON videos(project_id, id);
