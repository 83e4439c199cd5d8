#include "jobs/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/banned.h"

struct worker {
	struct ts_jobs *jobs;
	const struct ts_job_kind *kind;
	pthread_t thread;
};

struct ts_jobs {
	struct ts_app *app;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	unsigned long generation; /* bumped by every notify */
	struct ts_job_kind *kinds;
	size_t nkinds;
	struct worker *workers;
	size_t nworkers;
};

/* A job claimed once more than allowed: every earlier attempt ended with
 * the process (killed, crashed, or hung until killed). It fails now, with
 * that reason on the job and, through the kind, on what it works on. */
static int give_up(struct ts_jobs *j, const struct ts_job_kind *kind, const struct ts_job *job)
{
	unsigned max = j->app->cfg.job_max_attempts;
	struct ts_error err = { 0 };
	char why[256];

	if (max == 0 || job->attempts <= (int)max)
		return 0;
	snprintf(why, sizeof(why),
		 "gave up after %u attempts: the server stopped (killed or crashed) during each",
		 max);
	ts_log_warn("job %lld (%s %lld): %s", (long long)job->id, job->kind,
		    (long long)job->ref_id, why);
	if (kind->abandon)
		kind->abandon(kind->ctx, job, why);
	if (ts_store_job_finish(j->app->store, job->id, why, &err))
		ts_log_error("cannot record the end of job %lld: %s", (long long)job->id,
			     err.message);
	ts_error_release(&err);
	return 1;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ts_jobs *j = w->jobs;
	struct ts_store *s = j->app->store;

	for (;;) {
		struct ts_error err = { 0 };
		struct ts_job job;
		unsigned long gen;
		enum ts_err e;

		pthread_mutex_lock(&j->lock);
		gen = j->generation;
		pthread_mutex_unlock(&j->lock);
		if (ts_jobs_stopping(j))
			break;
		e = ts_store_job_claim(s, w->kind->kind, &job, &err);
		if (e == TS_OK && give_up(j, w->kind, &job))
			continue;
		if (e == TS_OK) {
			struct ts_error jerr = { 0 };

			e = w->kind->run(w->kind->ctx, &job, &jerr);
			if (e == TS_ERR_UNAVAILABLE) {
				ts_log_info("job %lld (%s) interrupted; it resumes at the next start",
					    (long long)job.id, job.kind);
				if (ts_store_job_release(s, job.id, &err))
					ts_log_error("cannot queue job %lld again: %s",
						     (long long)job.id, err.message);
			} else {
				if (e)
					ts_log_warn("job %lld (%s %lld) failed: %s", (long long)job.id,
						    job.kind, (long long)job.ref_id, jerr.message);
				if (ts_store_job_finish(s, job.id, e ? jerr.message : NULL, &err))
					ts_log_error("cannot record the end of job %lld: %s",
						     (long long)job.id, err.message);
			}
			ts_error_release(&jerr);
			ts_error_release(&err);
			continue;
		}
		if (e != TS_ERR_NOT_FOUND)
			ts_log_error("job queue: %s", err.message);
		ts_error_release(&err);
		/* Nothing to do: sleep until notified (or a second, to pick up
		 * jobs enqueued by another process). */
		pthread_mutex_lock(&j->lock);
		if (!j->stopping && j->generation == gen) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&j->wake, &j->lock, &until);
		}
		pthread_mutex_unlock(&j->lock);
	}
	return NULL;
}

/* The store heard of a job enqueued (by this process or another one). */
static void heard(void *ctx, const char *kind)
{
	ts_jobs_notify(ctx, kind);
}

struct ts_jobs *ts_jobs_start(struct ts_app *app, const struct ts_job_kind *kinds, size_t n,
			      struct ts_error *err)
{
	struct ts_jobs *j = ts_xcalloc(1, sizeof(*j));
	int64_t recovered = 0;
	size_t total = 0;

	if (ts_store_job_recover(app->store, &recovered, err)) {
		free(j);
		return NULL;
	}
	if (recovered)
		ts_log_info("%lld interrupted job(s) queued again", (long long)recovered);
	j->app = app;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->wake, NULL);
	j->kinds = ts_xcalloc(n ? n : 1, sizeof(*j->kinds));
	if (n)
		memcpy(j->kinds, kinds, n * sizeof(*kinds));
	j->nkinds = n;
	for (size_t k = 0; k < n; k++)
		total += kinds[k].workers;
	j->workers = ts_xcalloc(total ? total : 1, sizeof(*j->workers));
	for (size_t k = 0; k < n; k++) {
		for (unsigned i = 0; i < j->kinds[k].workers; i++) {
			struct worker *w = &j->workers[j->nworkers];

			w->jobs = j;
			w->kind = &j->kinds[k];
			if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
				ts_die("cannot start a worker thread");
			j->nworkers++;
		}
	}
	/* Jobs enqueued by other processes sharing the database wake the
	 * workers at once where the backend can tell (PostgreSQL's
	 * LISTEN/NOTIFY); elsewhere the workers look every second. */
	if (ts_store_job_watch(app->store, heard, j, err)) {
		ts_jobs_stop(j);
		return NULL;
	}
	return j;
}

void ts_jobs_notify(struct ts_jobs *j, const char *kind)
{
	(void)kind;
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->generation++;
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->lock);
}

enum ts_err ts_jobs_submit(struct ts_app *app, const char *kind, int64_t ref_id, int64_t *id,
			   struct ts_error *err)
{
	enum ts_err e = ts_store_job_enqueue(app->store, kind, ref_id, id, err);

	if (!e)
		ts_jobs_notify(app->jobs, kind);
	return e;
}

int ts_jobs_stopping(struct ts_jobs *j)
{
	int s;

	if (!j)
		return 0;
	pthread_mutex_lock(&j->lock);
	s = j->stopping;
	pthread_mutex_unlock(&j->lock);
	return s;
}

void ts_jobs_stop(struct ts_jobs *j)
{
	if (!j)
		return;
	ts_store_job_watch(j->app->store, NULL, NULL, NULL);
	pthread_mutex_lock(&j->lock);
	j->stopping = 1;
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->lock);
	for (size_t i = 0; i < j->nworkers; i++)
		pthread_join(j->workers[i].thread, NULL);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->wake);
	free(j->workers);
	free(j->kinds);
	free(j);
}
