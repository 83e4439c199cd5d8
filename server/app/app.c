/* The wiring: the job kinds this build runs, registered with the runner
 * at start-up. The runner itself knows none of them. */
#include "app.h"

#include "service/ingest.h"
#include "service/frames.h"
#include "jobs/jobs.h"
#include "service/exports.h"
#include "service/models.h"
#include "service/imports.h"
#include "store/store_assets.h"
#include "store/store_exports.h"
#include "store/store_videos.h"
#include "core/banned.h"

static enum ts_err thumbnail_run(void *ctx, const struct ts_job *job, struct ts_error *err)
{
	return ts_ingest_thumbnail_job(ctx, job, err);
}

static enum ts_err export_run(void *ctx, const struct ts_job *job, struct ts_error *err)
{
	return ts_svc_export_job_run(ctx, job, err);
}

static void export_abandon(void *ctx, const struct ts_job *job, const char *reason)
{
	ts_svc_export_abandon(ctx, job, reason);
}

static enum ts_err import_run(void *ctx, const struct ts_job *job, struct ts_error *err)
{
	return ts_svc_import_job_run(ctx, job, err);
}

static void import_abandon(void *ctx, const struct ts_job *job, const char *reason)
{
	ts_svc_import_abandon(ctx, job, reason);
}

static enum ts_err video_run(void *ctx, const struct ts_job *job, struct ts_error *err)
{
	return ts_frames_job(ctx, job, err);
}

static void video_abandon(void *ctx, const struct ts_job *job, const char *reason)
{
	ts_frames_abandon(ctx, job, reason);
}

static enum ts_err model_batch_run(void *ctx, const struct ts_job *job, struct ts_error *err)
{
	return ts_svc_model_batch_job(ctx, job, err);
}

static enum ts_err model_sampling_run(void *ctx, const struct ts_job *job, struct ts_error *err)
{
	return ts_svc_model_sampling_job(ctx, job, err);
}

static void model_run_abandon(void *ctx, const struct ts_job *job, const char *reason)
{
	ts_svc_model_run_abandon(ctx, job, reason);
}

struct ts_jobs *ts_app_start_jobs(struct ts_app *app, struct ts_error *err)
{
	const struct ts_job_kind kinds[] = {
		{ "noop", 0, NULL, NULL, app },
		{ TS_JOB_THUMBNAIL, 2, thumbnail_run, NULL, app },
		{ TS_EXPORT_JOB_KIND, 1, export_run, export_abandon, app },
		{ TS_JOB_VIDEO_EXTRACT, 1, video_run, video_abandon, app },
		{ TS_JOB_MODEL_BATCH, 1, model_batch_run, model_run_abandon, app },
		{ TS_JOB_MODEL_SAMPLING, 1, model_sampling_run, model_run_abandon, app },
		{ TS_IMPORT_JOB_KIND, 1, import_run, import_abandon, app },
	};

	return ts_jobs_start(app, kinds, sizeof(kinds) / sizeof(kinds[0]), err);
}
