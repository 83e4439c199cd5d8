-- The asset list's file-name search (?q=): a trigram index of every file
-- name (FTS5, external content: the names stay in assets, rowid = assets.id),
-- kept by triggers. A text of 3 or more characters finds its candidate rows
-- in the index; LIKE on the name still decides (store_assets.c).
CREATE VIRTUAL TABLE asset_names USING fts5(file_name, content = 'assets',
	content_rowid = 'id', tokenize = 'trigram case_sensitive 0');
INSERT INTO asset_names(asset_names) VALUES ('rebuild');
CREATE TRIGGER asset_names_insert AFTER INSERT ON assets BEGIN
	INSERT INTO asset_names(rowid, file_name) VALUES (new.id, new.file_name);
END;
CREATE TRIGGER asset_names_delete AFTER DELETE ON assets BEGIN
	INSERT INTO asset_names(asset_names, rowid, file_name) VALUES ('delete', old.id, old.file_name);
END;
CREATE TRIGGER asset_names_update AFTER UPDATE OF id, file_name ON assets BEGIN
	INSERT INTO asset_names(asset_names, rowid, file_name) VALUES ('delete', old.id, old.file_name);
	INSERT INTO asset_names(rowid, file_name) VALUES (new.id, new.file_name);
END;
