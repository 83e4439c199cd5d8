-- Exports of the new task types: an export's snapshot keeps, beside each
-- (image, category) row, the image's boxes as they were when the version was
-- created (the annotation's payload, for detection; NULL otherwise), so the
-- build writes what was selected even if the boxes change meanwhile. An
-- image whose answer names no category ("none of these", "no objects") is
-- one row with category_id 0.
ALTER TABLE export_items ADD COLUMN payload TEXT;
