-- A version whose annotations.json is identical to an earlier ready
-- version's reuses that version's files instead of copying them: its folder
-- holds hardlinks and its own manifest.json, and its zip is served as its
-- own manifest entry + a byte range of version `shares_files_with`'s zip +
-- its own central directory (export/share.c). zip_base_from and
-- zip_base_len are that byte range; all three are NULL for a plain version.
ALTER TABLE exports ADD COLUMN shares_files_with BIGINT;
ALTER TABLE exports ADD COLUMN zip_base_from BIGINT;
ALTER TABLE exports ADD COLUMN zip_base_len BIGINT;
