/* The job table: background work that survives a restart. */
#ifndef TS_STORE_JOBS_H
#define TS_STORE_JOBS_H

#include <stdint.h>

#include "store/store.h"

struct ts_job {
	int64_t id;
	char kind[32];
	int64_t ref_id; /* the asset, video or export the job works on */
	int attempts; /* starts, this one included, that did not end cleanly */
};

struct ts_store_job_ops {
	enum ts_err (*enqueue)(struct ts_store *s, const char *kind, int64_t ref_id,
			       int64_t *id, struct ts_error *err);
	/* Takes the oldest queued job of this kind and marks it running.
	 * NOT_FOUND when there is none. */
	enum ts_err (*claim)(struct ts_store *s, const char *kind, struct ts_job *out,
			     struct ts_error *err);
	/* error NULL: done; else failed with that reason. */
	enum ts_err (*finish)(struct ts_store *s, int64_t id, const char *error,
			      struct ts_error *err);
	/* Puts jobs left running by a dead process back in the queue (their
	 * attempts stay counted). */
	enum ts_err (*recover)(struct ts_store *s, int64_t *n, struct ts_error *err);
	/* A running job stopped early by a shutdown goes back to the queue;
	 * the attempt it was is not counted. */
	enum ts_err (*release)(struct ts_store *s, int64_t id, struct ts_error *err);
	/* Optional (NULL for a backend that only one process uses): calls
	 * wake(ctx, kind), from a thread of the store's, whenever a job of kind
	 * is enqueued by any process sharing the database. wake NULL stops
	 * the calls; when it returns, none is running. */
	enum ts_err (*watch)(struct ts_store *s, void (*wake)(void *ctx, const char *kind),
			     void *ctx, struct ts_error *err);
};

static inline enum ts_err ts_store_job_enqueue(struct ts_store *s, const char *kind,
					       int64_t ref_id, int64_t *id, struct ts_error *err)
{
	return s->ops->jobs->enqueue(s, kind, ref_id, id, err);
}
static inline enum ts_err ts_store_job_claim(struct ts_store *s, const char *kind,
					     struct ts_job *out, struct ts_error *err)
{
	return s->ops->jobs->claim(s, kind, out, err);
}
static inline enum ts_err ts_store_job_finish(struct ts_store *s, int64_t id, const char *error,
					      struct ts_error *err)
{
	return s->ops->jobs->finish(s, id, error, err);
}
static inline enum ts_err ts_store_job_release(struct ts_store *s, int64_t id,
					       struct ts_error *err)
{
	return s->ops->jobs->release(s, id, err);
}
static inline enum ts_err ts_store_job_recover(struct ts_store *s, int64_t *n,
					       struct ts_error *err)
{
	return s->ops->jobs->recover(s, n, err);
}

static inline enum ts_err ts_store_job_watch(struct ts_store *s,
					     void (*wake)(void *ctx, const char *kind), void *ctx,
					     struct ts_error *err)
{
	return s->ops->jobs->watch ? s->ops->jobs->watch(s, wake, ctx, err) : TS_OK;
}

#endif
