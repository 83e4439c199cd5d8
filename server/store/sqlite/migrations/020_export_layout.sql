-- An export version's file layout: NULL for the default (images/), or
-- "imagefolder" (<part>/<class folder>/<file_name>; CONTRACT.md, 1.3.0).
-- A file of its own (020 is this change's number) so that a database which
-- applied 020_project_trash_and_sort before the layout existed gets it too.
ALTER TABLE exports ADD COLUMN layout TEXT;
