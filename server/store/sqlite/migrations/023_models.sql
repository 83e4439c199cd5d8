-- Model-assisted labeling: registered models (the .onnx is a blob named by
-- its checksum), their suggestions per asset, and the runs (batch
-- suggestion, active sampling) with their progress and, for sampling, the
-- ranked assets.
CREATE TABLE models (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects(id),
	name TEXT NOT NULL,
	task_type TEXT NOT NULL,
	labels_hash TEXT NOT NULL,
	-- the metadata as registered, in its canonical JSON
	metadata TEXT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	byte_size INTEGER NOT NULL,
	active INTEGER NOT NULL DEFAULT 0,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL
);
CREATE INDEX models_project ON models(project_id, id);
CREATE UNIQUE INDEX models_one_active ON models(project_id) WHERE active = 1;

CREATE TABLE prediction_suggestions (
	id INTEGER PRIMARY KEY,
	asset_id INTEGER NOT NULL REFERENCES assets(id),
	project_id INTEGER NOT NULL REFERENCES projects(id),
	model_id INTEGER NOT NULL REFERENCES models(id),
	-- the annotation payload plus "scores"
	payload TEXT NOT NULL,
	-- the best category and its score
	category_id INTEGER NOT NULL,
	score REAL NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'accepted', 'rejected', 'superseded')),
	-- JSON array of the category ids the labeler chose, once reviewed
	chosen TEXT,
	reviewed_by INTEGER REFERENCES users(id),
	reviewed_at INTEGER,
	created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX suggestions_asset_model ON prediction_suggestions(asset_id, model_id);
CREATE INDEX suggestions_project_status ON prediction_suggestions(project_id, status, asset_id);
CREATE INDEX suggestions_model ON prediction_suggestions(model_id, status);

CREATE TABLE model_runs (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects(id),
	kind TEXT NOT NULL CHECK (kind IN ('batch', 'sampling')),
	strategy TEXT,
	-- JSON array of model ids; JSON object of the batch criteria
	model_ids TEXT NOT NULL,
	criteria TEXT,
	state TEXT NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
	done INTEGER NOT NULL DEFAULT 0,
	total INTEGER NOT NULL DEFAULT 0,
	failed INTEGER NOT NULL DEFAULT 0,
	error TEXT,
	cancel_requested INTEGER NOT NULL DEFAULT 0,
	job_id INTEGER,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	finished_at INTEGER
);
CREATE INDEX model_runs_project ON model_runs(project_id, kind, id);

CREATE TABLE sampling_ranks (
	run_id INTEGER NOT NULL REFERENCES model_runs(id),
	rank INTEGER NOT NULL,
	asset_id INTEGER NOT NULL,
	score REAL NOT NULL,
	PRIMARY KEY (run_id, rank)
) WITHOUT ROWID;
CREATE INDEX sampling_ranks_asset ON sampling_ranks(run_id, asset_id);
