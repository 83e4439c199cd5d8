-- Task types: a project is classification_single, classification_multi or
-- detection, chosen at creation and never changed (its annotations' payload
-- type follows from it). The per-category index counts the objects (boxes)
-- of each category in an image, for the detection stats; 0 for content
-- without objects (classification), which is every row written so far.
CREATE TRIGGER projects_task_type_valid BEFORE INSERT ON projects
WHEN NEW.task_type NOT IN ('classification_single', 'classification_multi', 'detection')
BEGIN
	SELECT RAISE(ABORT, 'unknown task_type');
END;
CREATE TRIGGER projects_task_type_immutable BEFORE UPDATE OF task_type ON projects
WHEN NEW.task_type IS NOT OLD.task_type
BEGIN
	SELECT RAISE(ABORT, 'task_type is immutable');
END;
ALTER TABLE annotation_categories ADD COLUMN objects INTEGER NOT NULL DEFAULT 0;
