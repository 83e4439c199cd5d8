-- Task types: a project is classification_single, classification_multi or
-- detection, chosen at creation and never changed (its annotations' payload
-- type follows from it). The per-category index counts the objects (boxes)
-- of each category in an image, for the detection stats; 0 for content
-- without objects (classification), which is every row written so far.
ALTER TABLE projects ADD CONSTRAINT projects_task_type_valid
	CHECK (task_type IN ('classification_single', 'classification_multi', 'detection'));
CREATE FUNCTION projects_task_type_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'task_type is immutable' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER projects_task_type_immutable BEFORE UPDATE OF task_type ON projects
	FOR EACH ROW WHEN (NEW.task_type IS DISTINCT FROM OLD.task_type)
	EXECUTE FUNCTION projects_task_type_immutable();
ALTER TABLE annotation_categories ADD COLUMN objects BIGINT NOT NULL DEFAULT 0;
