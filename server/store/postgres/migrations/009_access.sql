-- Access and accounts: named, expiring, revocable API tokens; disabled
-- users; project membership with roles; an audit history of project and
-- category changes.

ALTER TABLE users ADD COLUMN disabled_at BIGINT;

-- API tokens get an id (to list and revoke them), a name, an expiry, the
-- time of last use and a revocation time. A revoked token is kept so that
-- using it says "revoked" rather than "not valid".
CREATE TABLE api_tokens_v2 (
	id BIGINT PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id BIGINT NOT NULL REFERENCES users(id),
	name TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	expires_at BIGINT,
	last_used_at BIGINT,
	revoked_at BIGINT
);
CREATE TRIGGER api_tokens_rowid BEFORE INSERT ON api_tokens_v2
	FOR EACH ROW EXECUTE FUNCTION ts_rowid();
INSERT INTO api_tokens_v2(id, token_hash, user_id, created_at)
	SELECT row_number() OVER (ORDER BY created_at), token_hash, user_id, created_at
	FROM api_tokens ORDER BY created_at;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v2 RENAME TO api_tokens;
CREATE INDEX api_tokens_user ON api_tokens(user_id, id);
CREATE INDEX sessions_expiry ON sessions(expires_at);

-- Whether a reviewer may approve a label they set themselves.
ALTER TABLE projects ADD COLUMN review_own_labels BIGINT NOT NULL DEFAULT 1;

CREATE TABLE project_members (
	project_id BIGINT NOT NULL REFERENCES projects(id),
	user_id BIGINT NOT NULL REFERENCES users(id),
	role TEXT NOT NULL CHECK (role IN ('labeler', 'reviewer', 'manager')),
	added_at BIGINT NOT NULL,
	PRIMARY KEY (project_id, user_id)
);
CREATE INDEX project_members_user ON project_members(user_id, project_id);

-- Before this, every user could read and change every project. The
-- creator of a project becomes its manager, and whoever labeled in it keeps
-- labeling there; anything more is given by a manager or an admin.
INSERT INTO project_members(project_id, user_id, role, added_at)
	SELECT p.id, p.created_by, 'manager', p.created_at FROM projects p
	JOIN users u ON u.id = p.created_by;
INSERT INTO project_members(project_id, user_id, role, added_at)
	SELECT h.project_id, h.user_id, 'labeler', min(h.at) FROM annotation_history h
	JOIN users u ON u.id = h.user_id WHERE u.is_admin = 0
	GROUP BY h.project_id, h.user_id
	ON CONFLICT DO NOTHING;

-- Who changed a project, its categories or its members, when, and what.
-- detail is a JSON object (e.g. {"from": "Pets", "to": "Animals"}).
CREATE TABLE project_events (
	id BIGINT PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects(id),
	user_id BIGINT REFERENCES users(id),
	at BIGINT NOT NULL,
	action TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '{}'
);
CREATE TRIGGER project_events_rowid BEFORE INSERT ON project_events
	FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE INDEX project_events_project ON project_events(project_id, id);
