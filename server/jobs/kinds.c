/* Every kind of background job this build runs, with its worker count. */
#include "jobs/jobs.h"

#include "core/banned.h"

const struct ts_job_kind ts_job_kinds[] = {
	{ "noop", 0, NULL },
};

const size_t ts_job_kinds_count = sizeof(ts_job_kinds) / sizeof(ts_job_kinds[0]);
