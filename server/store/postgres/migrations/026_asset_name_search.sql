-- The asset list's file-name search (?q=): a trigram index (pg_trgm) of the
-- lower-cased file names, which lower(file_name) LIKE '%text%' uses. Where
-- the extension is not available (or this role may not create it) the
-- search scans the names as before.
DO $$
DECLARE
	schema_name name;
BEGIN
	IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
		BEGIN
			CREATE EXTENSION IF NOT EXISTS pg_trgm;
		EXCEPTION WHEN insufficient_privilege THEN
			RAISE NOTICE 'pg_trgm not created: the file-name search scans';
		END;
	END IF;
	SELECT n.nspname INTO schema_name FROM pg_extension e
		JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
	IF schema_name IS NOT NULL THEN
		EXECUTE format('CREATE INDEX assets_file_name_trgm ON assets '
			       'USING gin (lower(file_name) %I.gin_trgm_ops)', schema_name);
	END IF;
END
$$;
