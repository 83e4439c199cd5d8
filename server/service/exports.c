#include "service/exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"
#include "export/build.h"
#include "export/split.h"
#include "service/ingest.h"
#include "jobs/jobs.h"
#include "export/share.h"
#include "hash/sha256.h"
#include "storage/remote.h"
#include "core/banned.h"

#define PATH_MAX_LEN 4096
#define MAX_ATTEMPTS 5

static int job_stopping(void *arg)
{
	return ts_jobs_stopping(arg);
}

static ssize_t zip_read(void *ctx, void *buf, size_t len, uint64_t pos)
{
	return ts_export_zip_pread(ctx, buf, len, pos);
}

/* The key of a version's zip in the remote store (and its path here). */
static int zip_path(const char *exports_dir, const struct ts_export *ex, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%lld/%lld.zip", exports_dir, (long long)ex->project_id,
			 (long long)ex->version);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* With a remote store, a ready version's zip goes there too (a shared zip
 * as the whole of its parts), hashed first for the payload hash; read in
 * fixed-size chunks both times (a zip above the store's part size is a
 * multipart upload, storage/s3.h). */
static enum ts_err publish_zip(void *arg, const struct ts_export *ex, struct ts_error *err)
{
	struct ts_app *app = arg;
	struct ts_blob_remote *r = ts_blob_remote_get();
	struct ts_export_zip z;
	struct ts_sha256 h;
	char exports_dir[PATH_MAX_LEN], path[PATH_MAX_LEN], hex[TS_SHA256_HEX_SIZE];
	const char *key;
	uint64_t pos = 0;
	char *buf;
	enum ts_err e;
	int n;

	if (!r)
		return TS_OK;
	n = snprintf(exports_dir, sizeof(exports_dir), "%s/exports", app->cfg.data_dir);
	if (n < 0 || (size_t)n >= sizeof(exports_dir) ||
	    zip_path(exports_dir, ex, path, sizeof(path)))
		return ts_error_set(err, TS_ERR_IO, "export_io", "data path too long");
	key = path + strlen(app->cfg.data_dir) + 1;
	e = ts_export_zip_open(exports_dir, ex, &z, err);
	if (e)
		return e;
	ts_sha256_init(&h);
	buf = ts_xmalloc(1 << 16);
	while (pos < z.size) {
		ssize_t got = ts_export_zip_pread(&z, buf, 1 << 16, pos);

		if (got <= 0) {
			e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot read the zip");
			break;
		}
		ts_sha256_update(&h, buf, (size_t)got);
		pos += (uint64_t)got;
	}
	free(buf);
	ts_sha256_final(&h, hex, NULL);
	if (!e)
		e = r->ops->put(r, key, z.size, hex, zip_read, &z, err);
	ts_export_zip_close(&z);
	/* The store refused or could not be reached: the version fails with
	 * the store's answer. Left UNAVAILABLE, the build would be queued
	 * again at once and retried in a loop for as long as the store says
	 * no. */
	if (e == TS_ERR_UNAVAILABLE) {
		e = TS_ERR_IO;
		if (err)
			err->err = e;
	}
	return e;
}

enum ts_err ts_svc_export_job_run(struct ts_app *app, const struct ts_job *job,
				  struct ts_error *err)
{
	char blobs[PATH_MAX_LEN], exports[PATH_MAX_LEN];
	struct ts_export_build_opts opts = { 0 };
	struct ts_error ignore = { 0 };
	int n1, n2;

	if (job->attempts > MAX_ATTEMPTS) {
		ts_error_set(err, TS_ERR_IO, "export_gave_up",
			     "the build was interrupted %d times; giving up", job->attempts - 1);
		ts_store_export_set_failed(app->store, job->ref_id, err->message, &ignore);
		ts_error_release(&ignore);
		return TS_ERR_IO;
	}
	n1 = snprintf(blobs, sizeof(blobs), "%s/blobs", app->cfg.data_dir);
	n2 = snprintf(exports, sizeof(exports), "%s/exports", app->cfg.data_dir);
	if (n1 < 0 || (size_t)n1 >= sizeof(blobs) || n2 < 0 || (size_t)n2 >= sizeof(exports))
		return ts_error_set(err, TS_ERR_IO, "export_io", "data path too long");
	opts.store = app->store;
	opts.blobs_dir = blobs;
	opts.exports_dir = exports;
	opts.data_dir = app->cfg.data_dir;
	opts.stop = job_stopping;
	opts.stop_arg = app->jobs;
	opts.publish = publish_zip;
	opts.publish_arg = app;
	return ts_export_build(&opts, job->ref_id, err);
}

void ts_svc_export_abandon(struct ts_app *app, const struct ts_job *job, const char *reason)
{
	struct ts_error err = { 0 };

	if (ts_store_export_set_failed(app->store, job->ref_id, reason, &err))
		ts_log_warn("export %lld: cannot record the failure: %s", (long long)job->ref_id,
			    err.message);
	ts_error_release(&err);
}

enum ts_err ts_svc_export_preview(struct ts_app *app, int64_t project_id, const int *statuses,
				  size_t n, struct ts_export_counts *out, struct ts_error *err)
{
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(app->store, 0, &tx, err);

	if (!e)
		e = ts_store_end(&tx, ts_store_export_counts(&tx, project_id, statuses, n, 0, out, err),
				 err);
	return e;
}

/* One write transaction: the selection is counted, judged (not empty, the
 * project under its quota of versions, so concurrent requests cannot pass
 * it together) and snapshot. counts is filled whenever the project exists. */
static enum ts_err create_version(struct ts_store *s, int64_t project_id, const int *statuses,
				  size_t n, int64_t user_id, const char *user_name,
				  const char *split, const char *layout, int64_t max_versions,
				  struct ts_export *out, struct ts_export_counts *counts,
				  struct ts_error *err)
{
	struct ts_store_tx tx;
	int64_t kept = 0;
	enum ts_err e;

	memset(counts, 0, sizeof(*counts));
	e = ts_store_begin(s, 1, &tx, err);
	if (e)
		return e;
	e = ts_store_export_counts(&tx, project_id, statuses, n, 1, counts, err);
	if (!e && counts->images == 0)
		e = ts_error_set(err, TS_ERR_INVALID, "nothing_to_export",
				 "nothing to export: no asset with a category has the selected statuses");
	if (!e && max_versions > 0)
		e = ts_store_export_count_kept(&tx, project_id, &kept, err);
	if (!e && max_versions > 0 && kept >= max_versions)
		e = ts_error_set(err, TS_ERR_CONFLICT, "export_quota_exceeded",
				 "this project already has %lld export version%s, the most "
				 "this server keeps per project (--quota-export-versions)",
				 (long long)kept, kept == 1 ? "" : "s");
	if (!e)
		e = ts_store_export_create_in(&tx, project_id, statuses, n, user_id, user_name,
					      split, layout, counts, out, err);
	return ts_store_end(&tx, e, err);
}

/* The layout a create request asks for: 0 and *imagefolder, or INVALID
 * "invalid_layout". */
static enum ts_err check_layout(struct ts_app *app, int64_t project_id, const int *statuses,
				size_t n, const char *layout, int *imagefolder,
				struct ts_error *err)
{
	struct ts_project p;
	enum ts_err e;

	*imagefolder = 0;
	if (!layout || strcmp(layout, "coco") == 0)
		return TS_OK;
	if (strcmp(layout, "imagefolder") != 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_layout",
				    "The layout must be \"coco\" (the default: images/ beside "
				    "annotations.json) or \"imagefolder\".");
	e = ts_store_project_get(app->store, project_id, &p, err);
	if (e)
		return e;
	if (strcmp(p.task_type, "classification_single") != 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_layout",
				    "The ImageFolder layout puts each image in the folder of its "
				    "one class: it is for single-label classification projects, and "
				    "this one is %s.", p.task_type);
	for (size_t i = 0; i < n; i++)
		if (statuses[i] == TS_STATUS_UNLABELED || statuses[i] == TS_STATUS_SKIPPED)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_layout",
					    "In the ImageFolder layout every image needs its class: "
					    "choose among the statuses labeled, needs_review and "
					    "approved.");
	*imagefolder = 1;
	return TS_OK;
}

enum ts_err ts_svc_export_create(struct ts_app *app, int64_t project_id, const int *statuses,
				 size_t n, const json_t *split, const char *layout, int64_t user_id,
				 const char *user_name, struct ts_export *out,
				 struct ts_export_counts *counts, struct ts_error *err)
{
	char split_text[TS_EXPORT_SPLIT_MAX] = "";
	int imagefolder = 0;
	enum ts_err e;

	e = check_layout(app, project_id, statuses, n, layout, &imagefolder, err);
	if (e)
		return e;

	if (split) {
		struct ts_split sp;
		json_t *canon;
		char *text;

		e = ts_split_parse(split, &sp, err);
		if (e)
			return e;
		canon = json_pack("{s:s, s:f, s:f, s:f}", "seed", sp.seed, "train", sp.train, "val",
				  sp.val, "test", sp.test);
		text = canon ? json_dumps(canon, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		json_decref(canon);
		if (!text || strlen(text) >= sizeof(split_text)) {
			free(text);
			return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
					    "The split's seed is too long.");
		}
		memcpy(split_text, text, strlen(text) + 1);
		free(text);
	}
	/* Images not decoded yet (their thumbnail job has not run) are
	 * decoded now: a damaged one must not enter the version. */
	e = ts_ingest_check_selection(app, project_id, statuses, n, err);
	if (e)
		return e;
	e = create_version(app->store, project_id, statuses, n, user_id, user_name,
			   split ? split_text : NULL, imagefolder ? "imagefolder" : NULL,
			   (int64_t)app->cfg.quota_export_versions, out, counts, err);
	if (!e)
		ts_jobs_notify(app->jobs, TS_EXPORT_JOB_KIND);
	return e;
}

enum ts_err ts_svc_export_list(struct ts_app *app, int64_t project_id, int64_t before_version,
			       int limit, struct ts_export **out, size_t *n,
			       struct ts_error *err)
{
	return ts_store_export_list(app->store, project_id, before_version, limit, out, n, err);
}

enum ts_err ts_svc_export_get(struct ts_app *app, int64_t id, int with_manifest,
			      struct ts_export *out, struct ts_error *err)
{
	return ts_store_export_get(app->store, id, with_manifest, out, err);
}

void ts_svc_export_release(struct ts_export *ex)
{
	ts_export_release(ex);
}

enum ts_err ts_svc_export_open_zip(struct ts_app *app, int64_t id, struct ts_export *ex,
				   struct ts_project *proj, struct ts_export_zip *z,
				   struct ts_error *err)
{
	char exports_dir[PATH_MAX_LEN];
	struct ts_error ignore = { 0 };
	enum ts_err e;
	int len;

	e = ts_store_export_get(app->store, id, 0, ex, err);
	if (!e)
		e = ts_store_project_get(app->store, ex->project_id, proj, err);
	if (e)
		return e;
	if (ex->deleted_at)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "export_deleted",
				    "Version %lld was deleted with its files; export again (a "
				    "version with the same labels says it is identical to it).",
				    (long long)ex->version);
	if (strcmp(ex->state, "ready") != 0)
		return ts_error_set(err, TS_ERR_CONFLICT, "export_not_ready",
				    "Version %lld is %s; download it once it is ready.",
				    (long long)ex->version, ex->state);
	len = snprintf(exports_dir, sizeof(exports_dir), "%s/exports", app->cfg.data_dir);
	if (len > 0 && (size_t)len < sizeof(exports_dir) && ts_blob_remote_get()) {
		/* Not here: the remote store's copy, fetched whole (a shared zip
		 * comes back as one file). */
		char path[PATH_MAX_LEN];

		if (ts_export_zip_open(exports_dir, ex, z, &ignore) == TS_OK)
			return TS_OK;
		ts_error_release(&ignore);
		if (zip_path(exports_dir, ex, path, sizeof(path)) == 0 &&
		    ts_blob_remote_ensure(app->cfg.data_dir, path, NULL, &ignore) != TS_OK)
			ts_log_warn("export %lld: %s", (long long)ex->id, ignore.message);
		ts_error_release(&ignore);
	}
	if (len < 0 || (size_t)len >= sizeof(exports_dir) ||
	    ts_export_zip_open(exports_dir, ex, z, &ignore)) {
		ts_error_release(&ignore);
		return ts_error_set(err, TS_ERR_NOT_FOUND, "export_file_missing",
				    "The zip of version %lld is missing from the server's export "
				    "folder.",
				    (long long)ex->version);
	}
	return TS_OK;
}

ssize_t ts_svc_export_zip_pread(const struct ts_export_zip *z, void *buf, size_t len,
				uint64_t pos)
{
	return ts_export_zip_pread(z, buf, len, pos);
}

void ts_svc_export_zip_close(struct ts_export_zip *z)
{
	ts_export_zip_close(z);
}
