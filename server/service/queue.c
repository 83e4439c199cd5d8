#include "service/queue.h"

#include <stdlib.h>

#include "core/log.h"
#include "core/time.h"
#include "service/models.h"
#include "core/banned.h"

/* The assets of ids, leaving out any deleted since they were chosen. */
static enum ts_err assets_of(struct ts_app *app, int64_t *ids, size_t n_ids,
			     struct ts_asset **out, size_t *n_out, struct ts_error *err)
{
	struct ts_asset *arr = ts_xmalloc((n_ids ? n_ids : 1) * sizeof(*arr));
	size_t k = 0;
	enum ts_err e = TS_OK;

	for (size_t i = 0; i < n_ids && !e; i++) {
		e = ts_store_asset_get(app->store, ids[i], &arr[k], err);
		/* Deleted since it was chosen: not part of the batch. */
		if (e == TS_ERR_NOT_FOUND) {
			ts_error_release(err);
			e = TS_OK;
		} else if (!e) {
			k++;
		}
	}
	free(ids);
	if (e) {
		free(arr);
		return e;
	}
	*out = arr;
	*n_out = k;
	return TS_OK;
}

enum ts_err ts_svc_queue_next(struct ts_app *app, int64_t project_id, int64_t user_id,
			      enum ts_queue queue, int n, int lease_s, struct ts_asset **out,
			      size_t *n_out, struct ts_error *err)
{
	int64_t *ids = NULL;
	size_t n_ids = 0;
	enum ts_err e;

	*out = NULL;
	*n_out = 0;
	e = ts_store_lease_next(app->store, project_id, user_id, ts_queue_name(queue), n,
				ts_time_now_ms(), (int64_t)lease_s * 1000, &ids, &n_ids, err);
	if (e)
		return e;
	return assets_of(app, ids, n_ids, out, n_out, err);
}

enum ts_err ts_svc_queue_next_follow(struct ts_app *app, int64_t project_id, int64_t user_id,
				     enum ts_queue queue, int n, int lease_s, int suggested,
				     int sampling, struct ts_asset **out, size_t *n_out,
				     struct ts_error *err)
{
	int64_t *ids = NULL;
	size_t n_ids = 0;
	enum ts_err e;

	*out = NULL;
	*n_out = 0;
	if (!suggested && !sampling)
		return ts_svc_queue_next(app, project_id, user_id, queue, n, lease_s, out, n_out,
					 err);
	e = ts_svc_models_lease_next(app, project_id, user_id, ts_queue_name(queue), n,
				     (int64_t)lease_s * 1000, suggested, sampling, &ids, &n_ids,
				     err);
	if (e)
		return e;
	return assets_of(app, ids, n_ids, out, n_out, err);
}

void ts_svc_queue_touch(struct ts_app *app, int64_t project_id, int64_t user_id,
			int64_t asset_id, int skipped)
{
	struct ts_error err = { 0 };
	enum ts_err e = skipped ? ts_store_lease_release(app->store, user_id, asset_id, &err)
				: ts_store_lease_renew(app->store, project_id, user_id,
						       ts_time_now_ms(),
						       (int64_t)TS_QUEUE_LEASE_DEFAULT_S * 1000, &err);

	if (e)
		ts_log_warn("queue lease of user %lld: %s", (long long)user_id, err.message);
	ts_error_release(&err);
}

enum ts_err ts_svc_queue_release(struct ts_app *app, int64_t user_id, int64_t asset_id,
				 struct ts_error *err)
{
	return ts_store_lease_release(app->store, user_id, asset_id, err);
}
