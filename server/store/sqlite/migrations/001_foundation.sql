-- Users, credentials, projects and categories.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	name_key TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	is_admin INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);

-- Session ids and API tokens are stored only as SHA-256 hashes.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL
);

CREATE TABLE projects (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	task_type TEXT NOT NULL,
	schema_version TEXT NOT NULL,
	-- The next category id: only ever incremented, so ids are never reused.
	next_category_id INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER REFERENCES users(id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE categories (
	project_id INTEGER NOT NULL REFERENCES projects(id),
	id INTEGER NOT NULL CHECK (id > 0),
	name TEXT NOT NULL,
	name_key TEXT NOT NULL,
	display_order INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('active', 'disabled', 'deleted')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX categories_live_name ON categories(project_id, name_key)
	WHERE state <> 'deleted';
