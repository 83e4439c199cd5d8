/* Every kind of background job this build runs, with its worker count. */
#include "jobs/jobs.h"

#include "ingest/ingest.h"
#include "store/assets.h"
#include "core/banned.h"

const struct ts_job_kind ts_job_kinds[] = {
	{ "noop", 0, NULL },
	{ TS_JOB_THUMBNAIL, 2, ts_ingest_thumbnail_job },
};

const size_t ts_job_kinds_count = sizeof(ts_job_kinds) / sizeof(ts_job_kinds[0]);
