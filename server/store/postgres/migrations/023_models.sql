-- Model-assisted labeling: registered models (the .onnx is a blob named by
-- its checksum), their suggestions per asset, and the runs (batch
-- suggestion, active sampling) with their progress and, for sampling, the
-- ranked assets.
CREATE TABLE models (
	id BIGINT PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects(id),
	name TEXT NOT NULL,
	task_type TEXT NOT NULL,
	labels_hash TEXT NOT NULL,
	-- the metadata as registered, in its canonical JSON
	metadata TEXT NOT NULL,
	checksum_sha256 TEXT NOT NULL,
	byte_size BIGINT NOT NULL,
	active BIGINT NOT NULL DEFAULT 0,
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE TRIGGER models_rowid BEFORE INSERT ON models FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE INDEX models_project ON models(project_id, id);
CREATE UNIQUE INDEX models_one_active ON models(project_id) WHERE active = 1;

CREATE TABLE prediction_suggestions (
	id BIGINT PRIMARY KEY,
	asset_id BIGINT NOT NULL REFERENCES assets(id),
	project_id BIGINT NOT NULL REFERENCES projects(id),
	model_id BIGINT NOT NULL REFERENCES models(id),
	-- the annotation payload plus "scores"
	payload TEXT NOT NULL,
	-- the best category and its score
	category_id BIGINT NOT NULL,
	score DOUBLE PRECISION NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'accepted', 'rejected', 'superseded')),
	-- JSON array of the category ids the labeler chose, once reviewed
	chosen TEXT,
	reviewed_by BIGINT REFERENCES users(id),
	reviewed_at BIGINT,
	created_at BIGINT NOT NULL
);
CREATE TRIGGER prediction_suggestions_rowid BEFORE INSERT ON prediction_suggestions
	FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE UNIQUE INDEX suggestions_asset_model ON prediction_suggestions(asset_id, model_id);
CREATE INDEX suggestions_project_status ON prediction_suggestions(project_id, status, asset_id);
CREATE INDEX suggestions_model ON prediction_suggestions(model_id, status);

CREATE TABLE model_runs (
	id BIGINT PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects(id),
	kind TEXT NOT NULL CHECK (kind IN ('batch', 'sampling')),
	strategy TEXT,
	-- JSON array of model ids; JSON object of the batch criteria
	model_ids TEXT NOT NULL,
	criteria TEXT,
	state TEXT NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
	done BIGINT NOT NULL DEFAULT 0,
	total BIGINT NOT NULL DEFAULT 0,
	failed BIGINT NOT NULL DEFAULT 0,
	error TEXT,
	cancel_requested BIGINT NOT NULL DEFAULT 0,
	job_id BIGINT,
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	finished_at BIGINT
);
CREATE TRIGGER model_runs_rowid BEFORE INSERT ON model_runs FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE INDEX model_runs_project ON model_runs(project_id, kind, id);

CREATE TABLE sampling_ranks (
	run_id BIGINT NOT NULL REFERENCES model_runs(id),
	rank BIGINT NOT NULL,
	asset_id BIGINT NOT NULL,
	score DOUBLE PRECISION NOT NULL,
	PRIMARY KEY (run_id, rank)
);
CREATE INDEX sampling_ranks_asset ON sampling_ranks(run_id, asset_id);
