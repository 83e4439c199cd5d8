/* The job runner with fake kinds against a real store (SQLite in a temp
 * dir): it runs what its table names, hands each handler its context,
 * records failures, queues interrupted jobs again and gives up on jobs
 * that outlived too many processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "jobs/jobs.h"
#include "store/store_jobs.h"
#include "store/store.h"
#include "testdir.h"

#define MAX_CALLS 64

struct fake {
	pthread_mutex_t lock;
	int64_t refs[MAX_CALLS];
	void *ctxs[MAX_CALLS];
	int ncalls;
	int unavailable_left; /* answers TS_ERR_UNAVAILABLE this many times */
	int64_t fail_ref;     /* this ref fails */
	int nabandoned;
	int64_t abandoned_ref;
	char reason[256];
};

struct fixture {
	char dir[64];
	struct ts_app app;
	struct fake fake;
};

static enum ts_err fake_run(void *ctx, const struct ts_job *job, struct ts_error *err)
{
	struct fake *f = ctx;
	enum ts_err e = TS_OK;

	pthread_mutex_lock(&f->lock);
	if (f->ncalls < MAX_CALLS) {
		f->refs[f->ncalls] = job->ref_id;
		f->ctxs[f->ncalls] = ctx;
		f->ncalls++;
	}
	if (f->unavailable_left > 0) {
		f->unavailable_left--;
		e = ts_error_set(err, TS_ERR_UNAVAILABLE, "stopping", "interrupted");
	} else if (job->ref_id == f->fail_ref) {
		e = ts_error_set(err, TS_ERR_IO, "fake_failed", "the fake job failed");
	}
	pthread_mutex_unlock(&f->lock);
	return e;
}

static void fake_abandon(void *ctx, const struct ts_job *job, const char *reason)
{
	struct fake *f = ctx;

	pthread_mutex_lock(&f->lock);
	f->nabandoned++;
	f->abandoned_ref = job->ref_id;
	snprintf(f->reason, sizeof(f->reason), "%s", reason);
	pthread_mutex_unlock(&f->lock);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_error err = { 0 };

	snprintf(f->dir, sizeof(f->dir), "/tmp/tessera-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->app.store = ts_store_open(NULL, f->dir, &err);
	if (!f->app.store)
		return -1;
	f->app.cfg.job_max_attempts = 3;
	pthread_mutex_init(&f->fake.lock, NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_jobs_stop(f->app.jobs);
	ts_store_free(f->app.store);
	pthread_mutex_destroy(&f->fake.lock);
	if (ts_test_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static void start(struct fixture *f)
{
	struct ts_error err = { 0 };
	const struct ts_job_kind kinds[] = {
		{ "fake", 2, fake_run, fake_abandon, &f->fake },
		{ "idle", 0, fake_run, NULL, &f->fake },
	};

	f->app.jobs = ts_jobs_start(&f->app, kinds, 2, &err);
	assert_non_null(f->app.jobs);
}

static int calls(struct fixture *f)
{
	int n;

	pthread_mutex_lock(&f->fake.lock);
	n = f->fake.ncalls;
	pthread_mutex_unlock(&f->fake.lock);
	return n;
}

/* Waits (at most 10 s) until the fake was called n times. */
static void wait_calls(struct fixture *f, int n)
{
	for (int i = 0; i < 1000 && calls(f) < n; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(calls(f), n);
}

static void stop(struct fixture *f)
{
	ts_jobs_stop(f->app.jobs);
	f->app.jobs = NULL;
}

static void assert_queue_empty(struct fixture *f, const char *kind)
{
	struct ts_error err = { 0 };
	struct ts_job job;

	assert_int_equal(ts_store_job_claim(f->app.store, kind, &job, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

static void runs_each_job_once_with_its_context(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	int seen[6] = { 0 };
	int64_t id;

	start(f);
	for (int64_t ref = 1; ref <= 5; ref++)
		assert_int_equal(ts_jobs_submit(&f->app, "fake", ref, &id, &err), TS_OK);
	wait_calls(f, 5);
	stop(f);
	assert_int_equal(calls(f), 5);
	for (int i = 0; i < 5; i++) {
		assert_ptr_equal(f->fake.ctxs[i], &f->fake);
		assert_true(f->fake.refs[i] >= 1 && f->fake.refs[i] <= 5);
		seen[f->fake.refs[i]]++;
	}
	for (int r = 1; r <= 5; r++)
		assert_int_equal(seen[r], 1);
	assert_queue_empty(f, "fake");
}

static void a_failed_job_is_finished_not_retried(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	int64_t id;

	f->fake.fail_ref = 7;
	start(f);
	assert_int_equal(ts_jobs_submit(&f->app, "fake", 7, &id, &err), TS_OK);
	assert_int_equal(ts_jobs_submit(&f->app, "fake", 8, &id, &err), TS_OK);
	wait_calls(f, 2);
	stop(f);
	assert_int_equal(calls(f), 2);
	assert_queue_empty(f, "fake");
}

static void an_interrupted_job_runs_again(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	int64_t id;

	f->fake.unavailable_left = 1;
	start(f);
	assert_int_equal(ts_jobs_submit(&f->app, "fake", 9, &id, &err), TS_OK);
	wait_calls(f, 2);
	stop(f);
	assert_int_equal(f->fake.refs[0], 9);
	assert_int_equal(f->fake.refs[1], 9);
	assert_queue_empty(f, "fake");
}

static void kinds_outside_the_table_stay_queued(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_job job;
	int64_t id, other, idle;

	assert_int_equal(ts_store_job_enqueue(f->app.store, "other", 11, &other, &err), TS_OK);
	assert_int_equal(ts_store_job_enqueue(f->app.store, "idle", 12, &idle, &err), TS_OK);
	start(f);
	assert_int_equal(ts_jobs_submit(&f->app, "fake", 10, &id, &err), TS_OK);
	wait_calls(f, 1);
	stop(f);
	assert_int_equal(f->fake.refs[0], 10);
	/* Neither an unknown kind nor a kind with no workers was run. */
	assert_int_equal(ts_store_job_claim(f->app.store, "other", &job, &err), TS_OK);
	assert_int_equal(job.id, other);
	assert_int_equal(ts_store_job_claim(f->app.store, "idle", &job, &err), TS_OK);
	assert_int_equal(job.id, idle);
}

static void a_job_that_outlived_its_attempts_is_abandoned(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_job job;
	int64_t id, recovered;

	assert_int_equal(ts_store_job_enqueue(f->app.store, "fake", 13, &id, &err), TS_OK);
	/* Three processes claimed it and died (max attempts is 3). */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(ts_store_job_claim(f->app.store, "fake", &job, &err), TS_OK);
		assert_int_equal(job.attempts, i + 1);
		assert_int_equal(ts_store_job_recover(f->app.store, &recovered, &err), TS_OK);
		assert_int_equal(recovered, 1);
	}
	start(f);
	assert_int_equal(ts_jobs_submit(&f->app, "fake", 14, &id, &err), TS_OK);
	wait_calls(f, 1);
	stop(f);
	/* The worn-out job was never run, only abandoned with the reason. */
	assert_int_equal(f->fake.refs[0], 14);
	assert_int_equal(f->fake.nabandoned, 1);
	assert_int_equal(f->fake.abandoned_ref, 13);
	assert_non_null(strstr(f->fake.reason, "gave up after 3 attempts"));
	assert_queue_empty(f, "fake");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(runs_each_job_once_with_its_context, setup, teardown),
		cmocka_unit_test_setup_teardown(a_failed_job_is_finished_not_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(an_interrupted_job_runs_again, setup, teardown),
		cmocka_unit_test_setup_teardown(kinds_outside_the_table_stay_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(a_job_that_outlived_its_attempts_is_abandoned, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
