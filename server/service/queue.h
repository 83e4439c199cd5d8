/* The labeling queue with leases: a labeler asks for the next images of a
 * list filter and holds them for a while, so that two labelers on the same
 * filter never get the same image. A lease is renewed by the holder's
 * annotation writes in the project and ends on skip, logout or expiry. */
#ifndef TS_SERVICE_QUEUE_H
#define TS_SERVICE_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "core/status.h"
#include "store/store_assets.h"

#define TS_QUEUE_LEASE_DEFAULT_S 300
#define TS_QUEUE_LEASE_MAX_S 3600
#define TS_QUEUE_BATCH_MAX 100

/* The next n (1..TS_QUEUE_BATCH_MAX) assets of queue (not TS_QUEUE_ALL)
 * that nobody else holds, leased to user_id for lease_s seconds (the ones
 * the user holds already come again, renewed). *out malloc'd (caller
 * frees). */
enum ts_err ts_svc_queue_next(struct ts_app *app, int64_t project_id, int64_t user_id,
			      enum ts_queue queue, int n, int lease_s, struct ts_asset **out,
			      size_t *n_out, struct ts_error *err);
/* ts_svc_queue_next, taking only images with a pending model suggestion
 * (suggested) and/or the images of the latest sampling run in its order
 * (sampling; none without a run). */
enum ts_err ts_svc_queue_next_follow(struct ts_app *app, int64_t project_id, int64_t user_id,
				     enum ts_queue queue, int n, int lease_s, int suggested,
				     int sampling, struct ts_asset **out, size_t *n_out,
				     struct ts_error *err);
/* After the user wrote asset_id's annotation: a skip releases its lease,
 * anything else renews the user's leases in the project. Best effort: a
 * failure is logged, never the write's. */
void ts_svc_queue_touch(struct ts_app *app, int64_t project_id, int64_t user_id,
			int64_t asset_id, int skipped);
/* Releases the user's lease on asset_id (0: all of them). */
enum ts_err ts_svc_queue_release(struct ts_app *app, int64_t user_id, int64_t asset_id,
				 struct ts_error *err);

#endif
