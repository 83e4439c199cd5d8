-- Task type segmentation: polygons payloads (objects of one or more rings).
-- The per-category index counts a segmentation image's objects as it counts
-- a detection image's boxes; only the list of task types grows.
ALTER TABLE projects DROP CONSTRAINT projects_task_type_valid;
ALTER TABLE projects ADD CONSTRAINT projects_task_type_valid CHECK (task_type IN
	('classification_single', 'classification_multi', 'detection', 'segmentation'));
