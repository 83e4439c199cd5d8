-- Ids are never given twice. A rowid table hands out max(id) + 1, so
-- deleting the newest rows (a failed video extraction removes its untouched
-- frames, their assets and queued thumbnail jobs) would let the next insert
-- take a deleted id again, which clients, caches and history may still
-- name. The highest id ever deleted is kept here, and inserts into these
-- tables start above it.
CREATE TABLE id_floors (
	name TEXT PRIMARY KEY,
	last_id INTEGER NOT NULL
);
CREATE TRIGGER assets_id_floor AFTER DELETE ON assets BEGIN
	INSERT INTO id_floors(name, last_id) VALUES ('assets', OLD.id)
	ON CONFLICT(name) DO UPDATE SET last_id = max(last_id, excluded.last_id);
END;
CREATE TRIGGER jobs_id_floor AFTER DELETE ON jobs BEGIN
	INSERT INTO id_floors(name, last_id) VALUES ('jobs', OLD.id)
	ON CONFLICT(name) DO UPDATE SET last_id = max(last_id, excluded.last_id);
END;
