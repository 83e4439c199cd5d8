-- Users, credentials, projects and categories. (PostgreSQL's dialect of
-- server/store/sqlite/migrations/001_foundation.sql: every integer is a
-- BIGINT; a table's id, when an INSERT gives none, is one above its
-- highest, as an SQLite rowid is.)
CREATE FUNCTION ts_rowid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.id IS NULL THEN
		EXECUTE format('SELECT coalesce(max(id), 0) + 1 FROM %I', TG_TABLE_NAME) INTO NEW.id;
	END IF;
	RETURN NEW;
END $$;

CREATE TABLE users (
	id BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	name_key TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	is_admin BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL
);
CREATE TRIGGER users_rowid BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION ts_rowid();

-- Session ids and API tokens are stored only as SHA-256 hashes.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL
);

CREATE TABLE projects (
	id BIGINT PRIMARY KEY,
	name TEXT NOT NULL,
	task_type TEXT NOT NULL,
	schema_version TEXT NOT NULL,
	-- The next category id: only ever incremented, so ids are never reused.
	next_category_id BIGINT NOT NULL DEFAULT 1,
	created_by BIGINT REFERENCES users(id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE TRIGGER projects_rowid BEFORE INSERT ON projects FOR EACH ROW EXECUTE FUNCTION ts_rowid();

CREATE TABLE categories (
	project_id BIGINT NOT NULL REFERENCES projects(id),
	id BIGINT NOT NULL CHECK (id > 0),
	name TEXT NOT NULL,
	name_key TEXT NOT NULL,
	display_order BIGINT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('active', 'disabled', 'deleted')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (project_id, id)
);
CREATE UNIQUE INDEX categories_live_name ON categories(project_id, name_key)
	WHERE state <> 'deleted';
