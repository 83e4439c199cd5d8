-- Labeling: the history of every annotation change (CONTRACT.md: nothing is
-- overwritten without a trace). One row per change that was written; an
-- idempotent repeat writes nothing. Categories are JSON arrays of ids, as
-- they were at that moment.
CREATE TABLE annotation_history (
	id BIGINT PRIMARY KEY,
	asset_id BIGINT NOT NULL REFERENCES assets(id),
	project_id BIGINT NOT NULL REFERENCES projects(id),
	revision BIGINT NOT NULL,
	user_id BIGINT REFERENCES users(id),
	at BIGINT NOT NULL,
	from_status TEXT NOT NULL,
	from_categories TEXT NOT NULL,
	to_status TEXT NOT NULL,
	to_categories TEXT NOT NULL,
	-- 'single' (PUT annotation) or 'bulk' (a reviewer's bulk action)
	via TEXT NOT NULL DEFAULT 'single' CHECK (via IN ('single', 'bulk'))
);
CREATE TRIGGER annotation_history_rowid BEFORE INSERT ON annotation_history
	FOR EACH ROW EXECUTE FUNCTION ts_rowid();
CREATE INDEX annotation_history_asset ON annotation_history(asset_id, id);
