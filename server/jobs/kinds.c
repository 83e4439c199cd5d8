/* Every kind of background job this build runs, with its worker count. */
#include "jobs/jobs.h"

#include "core/log.h"
#include "export/build.h"
#include "ingest/ingest.h"
#include "ingest/video.h"
#include "store/store_assets.h"
#include "store/store_exports.h"
#include "store/store_videos.h"
#include "core/banned.h"

static void export_abandon(struct ts_app *app, const struct ts_job *job, const char *reason)
{
	struct ts_error err = { 0 };

	if (ts_store_export_set_failed(app->store, job->ref_id, reason, &err))
		ts_log_warn("export %lld: cannot record the failure: %s", (long long)job->ref_id,
			    err.message);
	ts_error_release(&err);
}

const struct ts_job_kind ts_job_kinds[] = {
	{ "noop", 0, NULL, NULL },
	{ TS_JOB_THUMBNAIL, 2, ts_ingest_thumbnail_job, NULL },
	{ TS_EXPORT_JOB_KIND, 1, ts_export_job_run, export_abandon },
	{ TS_JOB_VIDEO_EXTRACT, 1, ts_ingest_video_job, ts_ingest_video_abandon },
};

const size_t ts_job_kinds_count = sizeof(ts_job_kinds) / sizeof(ts_job_kinds[0]);
