-- Task type segmentation: polygons payloads (objects of one or more rings).
-- The per-category index counts a segmentation image's objects as it counts
-- a detection image's boxes; only the list of task types grows.
DROP TRIGGER projects_task_type_valid;
CREATE TRIGGER projects_task_type_valid BEFORE INSERT ON projects
WHEN NEW.task_type NOT IN ('classification_single', 'classification_multi', 'detection',
	'segmentation')
BEGIN
	SELECT RAISE(ABORT, 'unknown task_type');
END;
