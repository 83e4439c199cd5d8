-- Images are measured as shown: an image's EXIF orientation (1..8) is kept,
-- its width and height are those of the picture with the orientation
-- applied (swapped for 5..8). Rows stored before this keep their raw sizes
-- and NULL, "not known"; an export snapshot carries the orientation so a
-- detection export writes the pixels as the labeler saw them.
ALTER TABLE assets ADD COLUMN orientation BIGINT;
ALTER TABLE export_items ADD COLUMN orientation BIGINT;
