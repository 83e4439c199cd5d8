/* Every kind of background job this build runs, with its worker count. */
#include "jobs/jobs.h"

#include "export/build.h"
#include "ingest/ingest.h"
#include "ingest/video.h"
#include "store/store_assets.h"
#include "store/store_exports.h"
#include "store/store_videos.h"
#include "core/banned.h"

const struct ts_job_kind ts_job_kinds[] = {
	{ "noop", 0, NULL },
	{ TS_JOB_THUMBNAIL, 2, ts_ingest_thumbnail_job },
	{ TS_EXPORT_JOB_KIND, 1, ts_export_job_run },
	{ TS_JOB_VIDEO_EXTRACT, 1, ts_ingest_video_job },
};

const size_t ts_job_kinds_count = sizeof(ts_job_kinds) / sizeof(ts_job_kinds[0]);
