/* The job runner: worker threads that take jobs from the job table, one
 * small pool per kind (so a long export never starves thumbnails). The
 * runner knows no kinds: the caller gives it the table of kinds to run
 * (app/app.c registers this build's kinds at start-up). A job
 * left running by a dead process is queued again at start; one started
 * cfg.job_max_attempts times without ever finishing (the server was killed
 * or crashed during each) fails instead, so a job that kills the server
 * cannot do so forever. A job stopped early by a shutdown goes back to
 * the queue without counting the attempt. */
#ifndef TS_JOBS_H
#define TS_JOBS_H

#include <stddef.h>

#include "app.h"
#include "core/error.h"
#include "store/store_jobs.h"

struct ts_jobs;

/* One kind of job: its name (jobs.kind), its worker count, its handler
 * and the handler's context. run returns TS_OK (job done),
 * TS_ERR_UNAVAILABLE (interrupted by shutdown: the job stays running and
 * is retried at the next start), or another error (job failed;
 * err->message is recorded). */
struct ts_job_kind {
	const char *kind;
	unsigned workers;
	enum ts_err (*run)(void *ctx, const struct ts_job *job, struct ts_error *err);
	/* Optional: the job is given up (too many attempts) with reason;
	 * records the failure on what the job works on. */
	void (*abandon)(void *ctx, const struct ts_job *job, const char *reason);
	void *ctx;
};

/* Starts the workers of the n kinds (the table is copied). Jobs left
 * running by a dead process are queued again first. */
struct ts_jobs *ts_jobs_start(struct ts_app *app, const struct ts_job_kind *kinds, size_t n,
			      struct ts_error *err);
/* Wakes a worker of this kind after a job was enqueued. */
void ts_jobs_notify(struct ts_jobs *j, const char *kind);
/* Enqueues and notifies in one call. */
enum ts_err ts_jobs_submit(struct ts_app *app, const char *kind, int64_t ref_id, int64_t *id,
			   struct ts_error *err);
/* Long jobs poll this and stop early (returning TS_ERR_UNAVAILABLE). */
int ts_jobs_stopping(struct ts_jobs *j);
/* Asks workers to stop, waits for them, frees j. */
void ts_jobs_stop(struct ts_jobs *j);

#endif
