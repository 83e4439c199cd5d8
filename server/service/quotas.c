#include "service/quotas.h"

#include <jansson.h>

#include "store/store_exports.h"
#include "core/banned.h"

enum ts_err ts_quota_check_upload(struct ts_app *app, int64_t project_id, uint64_t bytes,
				  struct ts_error *err)
{
	uint64_t quota = app->cfg.quota_project_bytes;
	struct ts_project_usage use;
	enum ts_err e;

	if (quota == 0)
		return TS_OK;
	e = ts_store_project_usage(app->store, project_id, &use, err);
	if (e)
		return e;
	if ((uint64_t)use.stored_bytes <= quota && bytes <= quota - (uint64_t)use.stored_bytes)
		return TS_OK;
	ts_error_set(err, TS_ERR_QUOTA, "project_quota_exceeded",
		     "this project's files take %lld bytes; the %llu bytes of this file would pass "
		     "its quota of %llu bytes (--quota-project-bytes), so the file was not stored",
		     (long long)use.stored_bytes, (unsigned long long)bytes,
		     (unsigned long long)quota);
	ts_error_details(err, json_pack("{s:I, s:I, s:I}", "stored_bytes",
					(json_int_t)use.stored_bytes, "adding_bytes",
					(json_int_t)bytes, "quota_bytes", (json_int_t)quota));
	return TS_ERR_QUOTA;
}
