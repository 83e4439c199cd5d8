-- Whether an asset's image decodes. Every image is decoded in full once
-- (by its thumbnail job, or before an export that selects it); one that
-- fails is 'damaged', with the decoder's reason, and never exported.
-- Assets from before this migration are 'pending' and are decoded before
-- they can be exported.
ALTER TABLE assets ADD COLUMN decode_state TEXT NOT NULL DEFAULT 'pending'
	CHECK (decode_state IN ('pending', 'ok', 'damaged'));
ALTER TABLE assets ADD COLUMN damage_reason TEXT;
-- The issues panel lists a project's damaged assets.
CREATE INDEX assets_damaged ON assets(project_id, id) WHERE decode_state = 'damaged';
-- A decode's outcome is recorded for every asset with the same bytes.
CREATE INDEX assets_checksum ON assets(checksum_sha256);
