#include "service/imports.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/time.h"
#include "domain/annotation.h"
#include "domain/payload.h"
#include "domain/trace.h"
#include "import/archive.h"
#include "jobs/jobs.h"
#include "service/import_plan.h"
#include "storage/blobs.h"
#include "storage/remote.h"
#include "store/store_annotations.h"
#include "store/store_projects.h"
#include "core/banned.h"

/* Assets per write transaction: a labeler's write never waits long. */
#define WRITE_CHUNK 64

enum ts_err ts_svc_import_accept(struct ts_app *app, int64_t project_id, int64_t user_id,
				 const char *file_name, struct ts_upload_file *f,
				 double tolerance, struct ts_import *out, struct ts_error *err)
{
	struct ts_import_archive *ar = NULL;
	struct ts_import_new in = { 0 };
	struct ts_project proj;
	char hex[TS_SHA256_HEX_SIZE];
	const char *format = NULL;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = ts_store_project_get(app->store, project_id, &proj, err);
	if (!e && strcmp(proj.task_type, "segmentation") != 0)
		e = ts_error_set(err, TS_ERR_CONFLICT, "not_segmentation",
				 "Labels are imported into segmentation projects; this one is a %s "
				 "project.",
				 proj.task_type);
	if (!e && !(tolerance >= 0 && tolerance <= TS_TRACE_TOLERANCE_MAX))
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_tolerance",
				 "The tolerance must be 0 to %g pixels.", TS_TRACE_TOLERANCE_MAX);
	if (!e)
		e = ts_blob_writer_finish(&f->w, hex, err);
	if (!e && f->w.bytes == 0)
		e = ts_error_set(err, TS_ERR_INVALID, "empty_file", "The file is empty.");
	if (!e)
		e = ts_import_archive_open(f->w.tmp_path, &ar, err);
	if (!e) {
		format = ts_import_plan_format(ar);
		if (!format)
			e = ts_error_set(err, TS_ERR_INVALID, "nothing_to_import",
					 "The zip holds no annotations.json, no CSV of instance masks "
					 "and no PNG mask.");
	}
	ts_import_archive_close(ar);
	if (e)
		goto out;
	e = ts_blob_commit(app->cfg.data_dir, f->w.tmp_path, hex, err);
	f->w.tmp_path[0] = '\0'; /* moved into place, or removed on failure */
	if (e)
		goto out;
	in.project_id = project_id;
	in.user_id = user_id;
	in.format = format;
	in.file_name = file_name;
	in.checksum_sha256 = hex;
	in.tolerance = tolerance;
	e = ts_store_import_create(app->store, &in, out, err);
	if (!e)
		ts_jobs_notify(app->jobs, TS_IMPORT_JOB_KIND);
out:
	if (e)
		ts_upload_file_abort(f);
	return e;
}

enum ts_err ts_svc_import_get(struct ts_app *app, int64_t id, struct ts_import *out,
			      struct ts_error *err)
{
	return ts_store_import_get(app->store, id, out, err);
}

enum ts_err ts_svc_import_list(struct ts_app *app, int64_t project_id, int64_t before,
			       int limit, struct ts_import **out, size_t *n,
			       struct ts_error *err)
{
	return ts_store_import_list(app->store, project_id, before, limit, out, n, err);
}

/* --- writing ------------------------------------------------------------ */

/* Per-category object counts of a payload's objects ([{category_id}...]),
 * for the index: ids ascending, distinct. */
static size_t index_of(const json_t *objects, int64_t *ids, int64_t *counts, size_t max)
{
	size_t n = 0, i;
	json_t *o;

	json_array_foreach(objects, i, o) {
		int64_t c = json_integer_value(json_object_get(o, "category_id"));
		size_t k = 0;

		while (k < n && ids[k] < c)
			k++;
		if (k < n && ids[k] == c) {
			counts[k]++;
			continue;
		}
		if (n == max || c <= 0)
			continue;
		memmove(&ids[k + 1], &ids[k], (n - k) * sizeof(*ids));
		memmove(&counts[k + 1], &counts[k], (n - k) * sizeof(*counts));
		ids[k] = c;
		counts[k] = 1;
		n++;
	}
	return n;
}

/* The payload asset a gets (checked as any polygons payload, its new
 * objects given ids that the stored payload prev does not use), as its
 * canonical text. NULL with why filled when it cannot be stored. */
static char *payload_of(json_t *objects, const struct ts_ann_row *row, char *why, size_t len)
{
	json_t *v = json_pack("{s:s, s:O}", "type", "polygons", "objects", objects);
	struct ts_payload pl = { 0 }, prev = { 0 };
	struct ts_error err = { 0 };
	char *text = NULL;

	if (ts_payload_from_json(v, "", &pl, &err) ||
	    ts_payload_check_bounds(&pl, row->width, row->height, "", &err)) {
		snprintf(why, len, "%s", err.message);
	} else {
		if (row->payload && strcmp(row->payload_type, "polygons") == 0 &&
		    ts_payload_from_text(row->payload, &prev, &err))
			ts_payload_release(&prev);
		ts_payload_assign_ids(&pl, &prev, row->revision + 1);
		text = ts_payload_text(&pl);
	}
	ts_payload_release(&prev);
	ts_payload_release(&pl);
	ts_error_release(&err);
	json_decref(v);
	return text;
}

struct writer {
	struct ts_app *app;
	const struct ts_import *im;
	struct ts_import_plan *plan;
	int64_t images, objects;
	/* What an earlier run of this import (stopped by a crash) wrote,
	 * by asset id. */
	struct ts_import_change *done;
	size_t ndone;
};

static int cmp_change(const void *key, const void *elem)
{
	int64_t a = *(const int64_t *)key, b = ((const struct ts_import_change *)elem)->asset_id;

	return (a > b) - (a < b);
}

/* Writes asset a's objects inside tx, unless a person labeled it after
 * the import started. */
static enum ts_err write_asset(struct writer *w, struct ts_store_tx *tx,
			       struct ts_import_asset *a, struct ts_error *err)
{
	int64_t ids[TS_STORE_ANN_MAX_CATEGORIES], counts[TS_STORE_ANN_MAX_CATEGORIES];
	char from_cats[TS_STORE_ANN_IDS_TEXT], to_cats[TS_STORE_ANN_IDS_TEXT];
	struct ts_import_change ch = { 0 };
	struct ts_ann_row row;
	int64_t now = ts_time_now_ms();
	size_t ncat;
	char *payload = NULL, why[TS_ERROR_MSG_MAX];
	enum ts_err e;

	e = ts_store_ann_load(tx, a->id, &row, err);
	if (e == TS_ERR_NOT_FOUND) {
		/* Deleted since the import started. */
		ts_ann_row_release(&row);
		ts_import_plan_refuse(w->plan, a->entry ? a->entry : a->name, "unknown_image",
				      "the image %s was deleted during the import", a->name);
		return TS_OK;
	}
	if (e)
		goto out;
	{
		const struct ts_import_change *mine =
			w->ndone ? bsearch(&a->id, w->done, w->ndone, sizeof(*w->done), cmp_change) :
				   NULL;

		if (mine && mine->revision == row.revision) {
			/* Written by an earlier run of this import. */
			w->images++;
			w->objects += (int64_t)json_array_size(a->objects);
			goto out;
		}
	}
	if (row.has_row && row.updated_at >= w->im->created_at && row.labeled_by &&
	    strcmp(row.status, "unlabeled") != 0) {
		ts_import_plan_refuse(w->plan, a->entry ? a->entry : a->name,
				      "labeled_since_import",
				      "%s was labeled by %s after the import started; it keeps that "
				      "label",
				      a->name, row.labeled_by_name[0] ? row.labeled_by_name : "someone");
		goto out;
	}
	payload = payload_of(a->objects, &row, why, sizeof(why));
	if (!payload) {
		ts_import_plan_refuse(w->plan, a->entry ? a->entry : a->name, "invalid_objects",
				      "the objects of %s cannot be stored: %s", a->name, why);
		goto out;
	}
	ncat = index_of(a->objects, ids, counts, TS_STORE_ANN_MAX_CATEGORIES);
	if (ts_ann_ids_text(row.category_ids, row.ncat, from_cats, sizeof(from_cats)) ||
	    ts_ann_ids_text(ids, ncat, to_cats, sizeof(to_cats))) {
		e = ts_error_set(err, TS_ERR_INTERNAL, "internal_error", "category list too long");
		goto out;
	}
	{
		struct ts_ann_write aw = {
			.asset_id = a->id,
			.project_id = row.project_id,
			.status = ts_ann_status_name(TS_ANN_LABELED),
			.queue = ts_ann_queue_of(TS_ANN_LABELED),
			.revision = row.revision + 1,
			.labeled_by = w->im->user_id,
			.updated_at = now,
			.payload_type = "polygons",
			.payload = payload,
			.replace_index = 1,
			.category_ids = ids,
			.ncat = ncat,
			.object_counts = counts,
		};
		struct ts_ann_history_add h = {
			.asset_id = a->id,
			.project_id = row.project_id,
			.revision = row.revision + 1,
			.user_id = w->im->user_id,
			.at = now,
			.from_status = row.status,
			.from_categories = from_cats,
			.from_payload = row.payload,
			.to_status = aw.status,
			.to_categories = to_cats,
			.to_payload = payload,
			.via = "bulk",
		};

		e = ts_store_ann_write(tx, &aw, err);
		if (!e)
			e = ts_store_ann_history_add(tx, &h, err);
	}
	if (e)
		goto out;
	ch.asset_id = a->id;
	ch.revision = row.revision + 1;
	snprintf(ch.prev_status, sizeof(ch.prev_status), "%s", row.status);
	ch.prev_labeled_by = row.labeled_by;
	snprintf(ch.prev_payload_type, sizeof(ch.prev_payload_type), "%s", row.payload_type);
	ch.prev_payload = row.payload;
	snprintf(ch.prev_categories, sizeof(ch.prev_categories), "%s", from_cats);
	e = ts_store_import_change_add(tx, w->im->id, &ch, err);
	if (!e) {
		w->images++;
		w->objects += (int64_t)json_array_size(a->objects);
	}
out:
	free(payload);
	ts_ann_row_release(&row);
	return e;
}

static enum ts_err write_plan(struct writer *w, struct ts_error *err)
{
	struct ts_import_plan *p = w->plan;
	struct ts_store_tx tx0;
	size_t i = 0;
	enum ts_err e0 = ts_store_begin(w->app->store, 0, &tx0, err);

	if (e0)
		return e0;
	e0 = ts_store_import_changes(&tx0, w->im->id, &w->done, &w->ndone, err);
	e0 = ts_store_end(&tx0, e0, err);
	if (e0)
		return e0;

	while (i < p->nassets) {
		struct ts_store_tx tx;
		size_t k = 0;
		enum ts_err e = ts_store_begin(w->app->store, 1, &tx, err);

		if (e)
			return e;
		for (; i < p->nassets && k < WRITE_CHUNK && !e; i++) {
			if (!p->assets[i].objects)
				continue;
			e = write_asset(w, &tx, &p->assets[i], err);
			k++;
			p->done++;
		}
		e = ts_store_end(&tx, e, err);
		if (e)
			return e;
		if (p->progress)
			p->progress(p->progress_arg, p->done, p->steps);
	}
	return TS_OK;
}

static void progress(void *arg, int64_t done, int64_t total)
{
	struct writer *w = arg;
	struct ts_error err = { 0 };

	ts_store_import_set_progress(w->app->store, w->im->id, done, total, &err);
	ts_error_release(&err);
}

static enum ts_err finish(struct ts_app *app, int64_t id, const struct ts_import_end *end)
{
	struct ts_error err = { 0 };
	enum ts_err e = ts_store_import_finish(app->store, id, end, &err);

	if (e)
		ts_log_error("import %lld: cannot record its end: %s", (long long)id, err.message);
	ts_error_release(&err);
	return e;
}

enum ts_err ts_svc_import_job_run(struct ts_app *app, const struct ts_job *job,
				  struct ts_error *err)
{
	struct ts_import_plan plan = { 0 };
	struct ts_import_archive *ar = NULL;
	struct ts_import_end end = { 0 };
	struct ts_error ferr = { 0 };
	struct writer w = { 0 };
	struct ts_import im;
	char path[TS_BLOB_PATH_MAX];
	char *report = NULL;
	enum ts_err e;

	e = ts_store_import_get(app->store, job->ref_id, &im, err);
	if (e)
		return e == TS_ERR_NOT_FOUND ? TS_OK : e;
	if (strcmp(im.state, "queued") != 0 && strcmp(im.state, "running") != 0) {
		ts_import_release(&im);
		return TS_OK;
	}
	e = ts_store_import_set_running(app->store, im.id, 0, err);
	ts_import_release(&im);
	if (!e)
		e = ts_store_import_get(app->store, job->ref_id, &im, err);
	if (e)
		return e;
	w.app = app;
	w.im = &im;
	w.plan = &plan;
	e = ts_import_plan_init(app, im.project_id, im.format, im.tolerance, &plan, &ferr);
	plan.progress = progress;
	plan.progress_arg = &w;
	if (!e && ts_blob_path(app->cfg.data_dir, im.checksum_sha256, path, sizeof(path)))
		e = ts_error_set(&ferr, TS_ERR_IO, "import_file_missing", "The import's zip is gone.");
	if (!e && ts_blob_remote_get())
		e = ts_blob_remote_ensure(app->cfg.data_dir, path, im.checksum_sha256, &ferr);
	if (!e)
		e = ts_import_archive_open(path, &ar, &ferr);
	if (!e)
		e = ts_import_plan_read(&plan, ar, &ferr);
	ts_import_archive_close(ar);
	if (!e) {
		for (size_t i = 0; i < plan.nassets; i++)
			plan.steps += plan.assets[i].objects != NULL;
		progress(&w, plan.done, plan.steps);
		e = write_plan(&w, &ferr);
	}
	report = json_dumps(plan.report, JSON_COMPACT);
	end.state = e ? "failed" : "done";
	end.images = w.images;
	end.objects = w.objects;
	end.refused = plan.refused;
	end.report = report;
	end.error_code = e ? ferr.code : NULL;
	end.error = e ? ferr.message : NULL;
	if (e)
		ts_log_warn("import %lld failed: %s", (long long)im.id, ferr.message);
	e = finish(app, im.id, &end);
	if (e)
		ts_error_set(err, TS_ERR_IO, "import_io", "cannot record the import's end");
	free(report);
	ts_error_release(&ferr);
	ts_import_changes_free(w.done, w.ndone);
	ts_import_plan_release(&plan);
	ts_import_release(&im);
	return e;
}

void ts_svc_import_abandon(struct ts_app *app, const struct ts_job *job, const char *reason)
{
	struct ts_import_end end = { "failed", 0, 0, 0, "[]", NULL, NULL };
	struct ts_error err = { 0 };

	ts_error_set(&err, TS_ERR_IO, "import_gave_up", "%s", reason);
	end.error_code = err.code;
	end.error = err.message;
	finish(app, job->ref_id, &end);
	ts_error_release(&err);
}

/* --- undo --------------------------------------------------------------- */

/* The categories and object counts of a stored payload's index. */
static size_t prev_index(const struct ts_import_change *ch, int64_t *ids, int64_t *counts)
{
	json_t *p = ch->prev_payload ? json_loads(ch->prev_payload, 0, NULL) : NULL;
	json_t *objs = json_object_get(p, "objects");
	size_t n = 0;

	if (json_is_array(objs)) {
		n = index_of(objs, ids, counts, TS_STORE_ANN_MAX_CATEGORIES);
	} else {
		json_t *cats = json_loads(ch->prev_categories, 0, NULL);
		size_t i;
		json_t *v;

		json_array_foreach(cats, i, v) {
			if (n == TS_STORE_ANN_MAX_CATEGORIES)
				break;
			ids[n] = json_integer_value(v);
			counts[n++] = 0;
		}
		json_decref(cats);
	}
	json_decref(p);
	return n;
}

enum ts_err ts_svc_import_undo(struct ts_app *app, int64_t id, int64_t user_id,
			       struct ts_import *out, struct ts_error *err)
{
	struct ts_import_change *chs = NULL;
	struct ts_store_tx tx;
	struct ts_import im;
	size_t n = 0;
	int64_t restored = 0, now = ts_time_now_ms();
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	e = ts_store_import_get(app->store, id, &im, err);
	if (e)
		return e;
	ts_import_release(&im);
	if (strcmp(im.state, "done") != 0)
		return ts_error_set(err, TS_ERR_CONFLICT, "import_not_done",
				    "Import %lld is %s; only a finished import can be undone, once.",
				    (long long)id, im.state);
	e = ts_store_begin(app->store, 1, &tx, err);
	if (e)
		return e;
	e = ts_store_import_changes(&tx, id, &chs, &n, err);
	for (size_t i = 0; i < n && !e; i++) {
		int64_t ids[TS_STORE_ANN_MAX_CATEGORIES], counts[TS_STORE_ANN_MAX_CATEGORIES];
		char to_cats[TS_STORE_ANN_IDS_TEXT], from_cats[TS_STORE_ANN_IDS_TEXT];
		enum ts_ann_status st;
		struct ts_ann_row row;
		size_t ncat;

		e = ts_store_ann_load(&tx, chs[i].asset_id, &row, err);
		if (e == TS_ERR_NOT_FOUND) {
			e = TS_OK; /* deleted since: nothing to restore */
			ts_ann_row_release(&row);
			continue;
		}
		if (e || row.revision != chs[i].revision) {
			/* Changed since the import: the change stays. */
			ts_ann_row_release(&row);
			continue;
		}
		ncat = prev_index(&chs[i], ids, counts);
		if (ts_ann_status_parse(chs[i].prev_status, &st))
			st = TS_ANN_UNLABELED;
		ts_ann_ids_text(ids, ncat, to_cats, sizeof(to_cats));
		ts_ann_ids_text(row.category_ids, row.ncat, from_cats, sizeof(from_cats));
		{
			struct ts_ann_write aw = {
				.asset_id = row.asset_id,
				.project_id = row.project_id,
				.status = ts_ann_status_name(st),
				.queue = ts_ann_queue_of(st),
				.revision = row.revision + 1,
				.labeled_by = chs[i].prev_labeled_by,
				.updated_at = now,
				.payload_type = chs[i].prev_payload_type[0] ?
							chs[i].prev_payload_type : NULL,
				.payload = chs[i].prev_payload,
				.replace_index = 1,
				.category_ids = ids,
				.ncat = ncat,
				.object_counts = counts,
			};
			struct ts_ann_history_add h = {
				.asset_id = row.asset_id,
				.project_id = row.project_id,
				.revision = row.revision + 1,
				.user_id = user_id,
				.at = now,
				.from_status = row.status,
				.from_categories = from_cats,
				.from_payload = row.payload,
				.to_status = aw.status,
				.to_categories = to_cats,
				.to_payload = aw.payload_type ? aw.payload : NULL,
				.via = "bulk",
			};

			e = ts_store_ann_write(&tx, &aw, err);
			if (!e)
				e = ts_store_ann_history_add(&tx, &h, err);
		}
		if (!e)
			restored++;
		ts_ann_row_release(&row);
	}
	if (!e)
		e = ts_store_import_set_undone(&tx, id, restored, err);
	e = ts_store_end(&tx, e, err);
	ts_import_changes_free(chs, n);
	if (!e)
		e = ts_store_import_get(app->store, id, out, err);
	return e;
}

void ts_svc_import_release(struct ts_import *im)
{
	ts_import_release(im);
}
