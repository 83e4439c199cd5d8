-- Typed annotations: an annotation's content is a typed payload, JSON text
-- with its type (contract/schema/annotation_payload.schema.json). A new
-- payload type is a new value of payload_type: no stored row is rewritten
-- for it. annotation_categories stays the per-category index of every
-- payload, which category filters, counts and exports read. NULL: no
-- content (unlabeled, skipped). The rows written so far are converted once;
-- the history keeps its category columns and gains the payloads beside them.
ALTER TABLE annotations ADD COLUMN payload_type TEXT;
ALTER TABLE annotations ADD COLUMN payload TEXT;
UPDATE annotations SET payload_type = 'classification',
	payload = '{"type":"classification","category_ids":[' || (
		SELECT string_agg(category_id::text, ',' ORDER BY category_id)
		FROM annotation_categories ac WHERE ac.asset_id = annotations.asset_id) || ']}'
WHERE EXISTS (SELECT 1 FROM annotation_categories ac WHERE ac.asset_id = annotations.asset_id);

ALTER TABLE annotation_history ADD COLUMN from_payload TEXT;
ALTER TABLE annotation_history ADD COLUMN to_payload TEXT;
UPDATE annotation_history SET
	from_payload = CASE WHEN from_categories <> '[]' THEN
		'{"type":"classification","category_ids":' || from_categories || '}' END,
	to_payload = CASE WHEN to_categories <> '[]' THEN
		'{"type":"classification","category_ids":' || to_categories || '}' END;
