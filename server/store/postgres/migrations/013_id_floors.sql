-- Ids are never given twice. A new row takes max(id) + 1, so deleting the
-- newest rows (a failed video extraction removes its untouched frames,
-- their assets and queued thumbnail jobs) would let the next insert take a
-- deleted id again, which clients, caches and history may still name. The
-- highest id ever deleted is kept here, and inserts into these tables start
-- above it.
CREATE TABLE id_floors (
	name TEXT PRIMARY KEY,
	last_id BIGINT NOT NULL
);
CREATE FUNCTION id_floor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO id_floors(name, last_id) VALUES (TG_TABLE_NAME, OLD.id)
	ON CONFLICT (name) DO UPDATE SET last_id = greatest(id_floors.last_id, excluded.last_id);
	RETURN NULL;
END $$;
CREATE TRIGGER assets_id_floor AFTER DELETE ON assets FOR EACH ROW EXECUTE FUNCTION id_floor();
CREATE TRIGGER jobs_id_floor AFTER DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION id_floor();
