-- The asset list's file-name search (?q=): a trigram index (pg_trgm) of the
-- lower-cased file names, which lower(file_name) LIKE '%text%' uses. Where
-- the extension is not available the search scans the names as before.
DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
		CREATE EXTENSION IF NOT EXISTS pg_trgm;
		CREATE INDEX assets_file_name_trgm ON assets USING gin (lower(file_name) gin_trgm_ops);
	END IF;
END
$$;
