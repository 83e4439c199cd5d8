/* The exports service: previewing and creating a dataset version (the
 * build runs as the "export" job kind), listing versions, and opening a
 * ready version's zip for download. */
#ifndef TS_SERVICE_EXPORTS_H
#define TS_SERVICE_EXPORTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "app.h"
#include "core/error.h"
#include "export/share.h"
#include "store/store_exports.h"
#include "store/store_jobs.h"
#include "store/store_projects.h"

/* What an export selects: statuses are enum ts_status values
 * (core/status.h), deduplicated, n >= 1. */

/* The counts a version of these statuses would have now. */
enum ts_err ts_svc_export_preview(struct ts_app *app, int64_t project_id, const int *statuses,
				  size_t n, struct ts_export_counts *out, struct ts_error *err);

/* Creates the next version of project_id (numbered in the store, within
 * the export-version quota) and queues its build. Images of the selection
 * not decoded yet are decoded first, so a damaged one stays out. counts
 * is filled also for CONFLICT "nothing_to_export". split: the request's
 * split object (export/split.h; INVALID "invalid_split" when it is not
 * one), or NULL for none. layout: "coco" (the default; NULL too) or
 * "imagefolder", which only a classification_single project takes, with
 * a selection of labeled images only (labeled, needs_review, approved):
 * INVALID "invalid_layout" otherwise. */
enum ts_err ts_svc_export_create(struct ts_app *app, int64_t project_id, const int *statuses,
				 size_t n, const json_t *split, const char *layout, int64_t user_id,
				 const char *user_name, struct ts_export *out,
				 struct ts_export_counts *counts, struct ts_error *err);

/* Versions of project_id, newest first, before before_version (0: from
 * the newest); the caller frees *out (ts_svc_export_release each). */
enum ts_err ts_svc_export_list(struct ts_app *app, int64_t project_id, int64_t before_version,
			       int limit, struct ts_export **out, size_t *n,
			       struct ts_error *err);
enum ts_err ts_svc_export_get(struct ts_app *app, int64_t id, int with_manifest,
			      struct ts_export *out, struct ts_error *err);
/* Frees what an export read by the calls above holds (not ex itself). */
void ts_svc_export_release(struct ts_export *ex);

/* A ready version's zip, its export and project (for the file name).
 * CONFLICT "export_not_ready" when it is not ready; NOT_FOUND
 * "export_file_missing" when its zip is gone from the export folder. Close
 * z with ts_svc_export_zip_close, also on error. */
enum ts_err ts_svc_export_open_zip(struct ts_app *app, int64_t id, struct ts_export *ex,
				   struct ts_project *proj, struct ts_export_zip *z,
				   struct ts_error *err);
ssize_t ts_svc_export_zip_pread(const struct ts_export_zip *z, void *buf, size_t len,
				uint64_t pos);
void ts_svc_export_zip_close(struct ts_export_zip *z);

/* Builds export job->ref_id under app's data folder, stopping early when
 * the job runner stops. A build interrupted too many times fails. */
enum ts_err ts_svc_export_job_run(struct ts_app *app, const struct ts_job *job,
				  struct ts_error *err);
/* Records reason on an export whose job was given up. */
void ts_svc_export_abandon(struct ts_app *app, const struct ts_job *job, const char *reason);

#endif
