-- A version's train/val/test split, as given when it was created: the JSON
-- object {"seed": ..., "train": ..., "val": ..., "test": ...} (compact,
-- jansson's form), or NULL for a version without a split.
ALTER TABLE exports ADD COLUMN split TEXT;
