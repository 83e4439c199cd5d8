/* The first half of an import job: reading the zip into a plan (the
 * objects each asset will get) and the report of refused entries, without
 * writing anything. service/imports.c writes the plan. */
#ifndef TS_SERVICE_IMPORT_PLAN_H
#define TS_SERVICE_IMPORT_PLAN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "import/archive.h"

/* An asset of the project as the import matches it. */
struct ts_import_asset {
	int64_t id;
	char *name;      /* owned */
	char sha256[65];
	int64_t width, height;
	json_t *objects; /* the objects to write (a JSON array), or NULL */
	char *entry;     /* the entry that gave them; owned */
};

struct ts_import_plan {
	const char *format;      /* coco, class_masks, instance_masks */
	double tolerance;
	struct ts_import_asset *assets; /* sorted by name */
	size_t nassets;
	size_t *by_stem;         /* indexes sorted by name stem */
	int64_t *categories;     /* the project's active category ids, ascending */
	char **category_names;   /* their names, parallel; owned */
	size_t ncategories;
	json_t *report;          /* array of {entry, code, message} */
	int64_t refused;
	size_t points;
	/* progress */
	int64_t steps, done;
	void (*progress)(void *arg, int64_t done, int64_t total);
	void *progress_arg;
	struct ts_media_budget *budget;
};

/* The kind of import zip a holds: "coco", "instance_masks",
 * "class_masks", or NULL when it holds nothing to import. */
const char *ts_import_plan_format(struct ts_import_archive *a);

/* Loads project_id's assets and active categories into p. */
enum ts_err ts_import_plan_init(struct ts_app *app, int64_t project_id, const char *format,
				double tolerance, struct ts_import_plan *p, struct ts_error *err);
/* Reads every entry of a into p. An error fails the whole import. */
enum ts_err ts_import_plan_read(struct ts_import_plan *p, struct ts_import_archive *a,
				struct ts_error *err);
/* Adds a refused entry to the report. */
void ts_import_plan_refuse(struct ts_import_plan *p, const char *entry, const char *code,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ts_import_plan_release(struct ts_import_plan *p);

#endif
