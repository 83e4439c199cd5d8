/* PostgreSQL backend: the job table, shared by every process that uses the
 * database.
 *
 * A job is claimed with FOR UPDATE SKIP LOCKED, so processes claiming at
 * once take different jobs without waiting on each other, and leased to
 * this store (jobs.owner) until jobs.lease_until. A thread renews the
 * leases of the jobs this store runs; when the process dies they run out
 * and another process claims the job again (the attempt stays counted,
 * as recover does). Enqueuing notifies the channel tessera_jobs in the
 * same transaction; a listener thread hears it, from every process, and
 * wakes the workers (watch). */
#include "store/store_jobs.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

#define TS_PG_LEASE_MS 30000
#define TS_PG_CHANNEL "tessera_jobs"
/* Whether the store named by the owner column has gone: every live store
 * holds a session advisory lock on its name (ts_pg_jobs_start), which the
 * server drops when its connection ends, so trying it succeeds only for a
 * dead one. The two-key form keeps these apart from the one-key locks of
 * store_pg.c. */
#define OWNER_GONE "pg_try_advisory_xact_lock(7465, hashtext(owner))"

enum ts_err ts_pg_job_insert(struct ts_pg_conn *c, const char *kind, int64_t ref_id, int64_t now,
			     int64_t *id, struct ts_error *err)
{
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "INSERT INTO jobs(id, ref_id, created_at, "
					        "updated_at, kind) VALUES (" TS_PG_NEXT_ID("jobs")
					        ", ?, ?, ?, ?) RETURNING id",
					     TS_PG_I64(ref_id, now, now), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	ts_pg_bind_text(st, 4, kind);
	e = ts_pg_exec_stmt(c, st, err);
	if (!e && id)
		*id = ts_pg_last_id(c);
	if (!e) {
		/* Delivered when the transaction commits, and only then. */
		st = ts_pg_prepare(c, "SELECT pg_notify('" TS_PG_CHANNEL "', ?)", err);
		if (!st)
			return TS_ERR_IO;
		ts_pg_bind_text(st, 1, kind);
		e = ts_pg_exec_stmt(c, st, err);
	}
	return e;
}

static enum ts_err pg_enqueue(struct ts_store *s, const char *kind, int64_t ref_id, int64_t *id,
			      struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_begin_write(c, err);

	if (!e)
		e = ts_pg_job_insert(c, kind, ref_id, ts_time_now_ms(), id, err);
	return ts_pg_end(s, c, e, err);
}

static void count_running(struct ts_store *s, int delta)
{
	struct ts_pg *pg = s->impl;

	pthread_mutex_lock(&pg->lock);
	pg->running = delta ? pg->running + delta : 0;
	if (pg->running < 0)
		pg->running = 0;
	pthread_mutex_unlock(&pg->lock);
}

/* Takes the oldest job of kind ?2 in the state that cond describes. */
#define CLAIM(cond)                                                                       \
	"UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?1, "     \
	"owner = ?3, lease_until = ?1 + ?4 WHERE id = (SELECT id FROM jobs WHERE kind = ?2 " \
	"AND " cond " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "                          \
	"RETURNING id, kind, ref_id, attempts"

static enum ts_err pg_claim(struct ts_store *s, const char *kind, struct ts_job *out,
			    struct ts_error *err)
{
	struct ts_pg *pg = s->impl;
	struct ts_pg_conn *c = ts_pg_acquire(s);
	int64_t now = ts_time_now_ms();
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_plain(c, err);
	/* The oldest queued job that no other claim holds at this moment;
	 * else the oldest running one whose lease ran out or whose process is
	 * gone. Two statements, so that each walks its own index range. */
	for (int i = 0; i < 2 && !e; i++) {
		st = ts_pg_prepare_i64(c, i == 0 ? CLAIM("state = 'queued'")
						 : CLAIM("state = 'running' AND (lease_until < ?1 OR "
							 OWNER_GONE ")"),
				       TS_PG_I64(now), err);
		if (!st) {
			e = TS_ERR_IO;
			break;
		}
		ts_pg_bind_text(st, 2, kind);
		ts_pg_bind_text(st, 3, pg->owner);
		ts_pg_bind_i64(st, 4, pg->lease_ms);
		e = ts_pg_step_row(c, st, "claim job", err, "no_job", "no queued job");
		if (!e) {
			out->id = ts_pg_col_i64(st, 0);
			ts_pg_text_to(st, 1, out->kind, sizeof(out->kind));
			out->ref_id = ts_pg_col_i64(st, 2);
			out->attempts = ts_pg_col_int(st, 3);
			ts_pg_reset(st);
			break;
		}
		if (e == TS_ERR_NOT_FOUND && i == 0)
			e = TS_OK;
	}
	e = ts_pg_end(s, c, e, err);
	if (!e)
		count_running(s, 1);
	return e;
}

static enum ts_err pg_finish(struct ts_store *s, int64_t id, const char *error,
			     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "UPDATE jobs SET updated_at = ?1, state = ?3, "
					        "error = ?4, owner = NULL, lease_until = NULL "
					        "WHERE id = ?2",
					     TS_PG_I64(ts_time_now_ms(), id), err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_pg_bind_text(st, 3, error ? "failed" : "done");
		ts_pg_bind_text(st, 4, error);
		e = ts_pg_exec_stmt(c, st, err);
	}
	count_running(s, -1);
	return ts_pg_end(s, c, e, err);
}

/* Every job this store was running, and every one whose lease ran out or
 * whose process is gone, goes back to the queue. Jobs that other live
 * processes run keep their leases. */
static enum ts_err pg_recover(struct ts_store *s, int64_t *n, struct ts_error *err)
{
	struct ts_pg *pg = s->impl;
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "UPDATE jobs SET state = 'queued', updated_at = ?1, "
					        "owner = NULL, lease_until = NULL "
					        "WHERE state = 'running' AND (owner IS NULL OR owner = ?2 "
					        "OR lease_until IS NULL OR lease_until < ?1 OR " OWNER_GONE ")",
					     TS_PG_I64(ts_time_now_ms()), err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_pg_bind_text(st, 2, pg->owner);
		e = ts_pg_exec_stmt(c, st, err);
	}
	if (!e && n)
		*n = ts_pg_changes(c);
	count_running(s, 0);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_release(struct ts_store *s, int64_t id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE jobs SET state = 'queued', updated_at = ?, "
					  "attempts = greatest(attempts - 1, 0), owner = NULL, "
					  "lease_until = NULL WHERE id = ? AND state = 'running'",
				       TS_PG_I64(ts_time_now_ms(), id), err);

	count_running(s, -1);
	return ts_pg_end(s, c, e, err);
}

/* Waits on pg->tick for ms, or until stop is set; pg->lock held. */
static void nap(struct ts_pg *pg, int64_t ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&pg->tick, &pg->lock, &until);
}

/* (Re)connects pg->life and takes the lock on this store's name. */
static void hold_life(struct ts_pg *pg)
{
	const char *owner = pg->owner;
	PGresult *r;

	if (pg->life && PQstatus(pg->life) == CONNECTION_OK)
		return;
	PQfinish(pg->life);
	pg->life = PQconnectdb(pg->url);
	if (PQstatus(pg->life) != CONNECTION_OK)
		return;
	r = PQexecParams(pg->life, "SELECT pg_advisory_lock(7465, hashtext($1))", 1, NULL, &owner,
			 NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		ts_log_warn("cannot mark this process alive in the database: %s",
			    PQerrorMessage(pg->life));
	PQclear(r);
}

static void *renew_main(void *arg)
{
	struct ts_store *s = arg;
	struct ts_pg *pg = s->impl;

	pthread_mutex_lock(&pg->lock);
	while (!pg->stop) {
		nap(pg, pg->lease_ms / 3);
		if (pg->stop)
			break;
		pthread_mutex_unlock(&pg->lock);
		hold_life(pg);
		pthread_mutex_lock(&pg->lock);
		if (pg->running == 0)
			continue;
		pthread_mutex_unlock(&pg->lock);
		{
			struct ts_pg_conn *c = ts_pg_acquire(s);
			struct ts_error err = { 0 };
			struct ts_pg_stmt *st;
			int64_t now = ts_time_now_ms();
			enum ts_err e = ts_pg_begin_plain(c, &err);

			if (!e) {
				st = ts_pg_prepare_i64(c, "UPDATE jobs SET lease_until = ?1 "
							  "WHERE owner = ?2 AND state = 'running'",
						       TS_PG_I64(now + pg->lease_ms), &err);
				if (st)
					ts_pg_bind_text(st, 2, pg->owner);
				e = st ? ts_pg_exec_stmt(c, st, &err) : TS_ERR_IO;
			}
			if (ts_pg_end(s, c, e, &err))
				ts_log_warn("cannot renew the job leases: %s", err.message);
			ts_error_release(&err);
		}
		pthread_mutex_lock(&pg->lock);
	}
	pthread_mutex_unlock(&pg->lock);
	return NULL;
}

static void *listen_main(void *arg)
{
	struct ts_pg *pg = arg;
	PGconn *db = NULL;

	pthread_mutex_lock(&pg->lock);
	while (!pg->stop && pg->wake) {
		struct pollfd p;
		PGnotify *n;

		pthread_mutex_unlock(&pg->lock);
		if (!db || PQstatus(db) != CONNECTION_OK) {
			PGresult *r;
			int ok;

			PQfinish(db);
			db = PQconnectdb(pg->url);
			r = PQstatus(db) == CONNECTION_OK ? PQexec(db, "LISTEN " TS_PG_CHANNEL) : NULL;
			ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
			pthread_mutex_lock(&pg->lock);
			if (!ok) {
				nap(pg, 1000);
				continue;
			}
			/* Jobs may have come while nobody listened. */
			if (pg->wake)
				pg->wake(pg->wake_ctx, NULL);
			pthread_mutex_unlock(&pg->lock);
		}
		p.fd = PQsocket(db);
		p.events = POLLIN;
		p.revents = 0;
		poll(&p, 1, 200);
		PQconsumeInput(db);
		pthread_mutex_lock(&pg->lock);
		while ((n = PQnotifies(db)) != NULL) {
			if (pg->wake)
				pg->wake(pg->wake_ctx, n->extra);
			PQfreemem(n);
		}
	}
	pthread_mutex_unlock(&pg->lock);
	PQfinish(db);
	return NULL;
}

static void stop_listener(struct ts_pg *pg)
{
	pthread_mutex_lock(&pg->lock);
	pg->wake = NULL;
	pg->wake_ctx = NULL;
	pthread_cond_broadcast(&pg->tick);
	pthread_mutex_unlock(&pg->lock);
	if (pg->listener_started)
		pthread_join(pg->listener, NULL);
	pg->listener_started = 0;
}

static enum ts_err pg_watch(struct ts_store *s, void (*wake)(void *ctx, const char *kind),
			    void *ctx, struct ts_error *err)
{
	struct ts_pg *pg = s->impl;

	(void)err;
	stop_listener(pg);
	if (!wake)
		return TS_OK;
	pthread_mutex_lock(&pg->lock);
	pg->wake = wake;
	pg->wake_ctx = ctx;
	pthread_mutex_unlock(&pg->lock);
	if (pthread_create(&pg->listener, NULL, listen_main, pg) != 0)
		ts_die("cannot start the job listener thread");
	pg->listener_started = 1;
	return TS_OK;
}

void ts_pg_jobs_start(struct ts_store *s)
{
	struct ts_pg *pg = s->impl;
	const char *lease = getenv("TESSERA_JOB_LEASE_MS");
	char host[64] = "";

	/* A name no other process has: host, pid and start time. */
	gethostname(host, sizeof(host) - 1);
	snprintf(pg->owner, sizeof(pg->owner), "%.20s/%ld/%lld", host, (long)getpid(),
		 (long long)ts_time_now_ms());
	pg->lease_ms = lease && atoll(lease) >= 300 ? atoll(lease) : TS_PG_LEASE_MS;
	hold_life(pg);
	if (pthread_create(&pg->renewer, NULL, renew_main, s) != 0)
		ts_die("cannot start the job lease thread");
	pg->renewer_started = 1;
}

void ts_pg_jobs_stop(struct ts_store *s)
{
	struct ts_pg *pg = s->impl;

	stop_listener(pg);
	pthread_mutex_lock(&pg->lock);
	pg->stop = 1;
	pthread_cond_broadcast(&pg->tick);
	pthread_mutex_unlock(&pg->lock);
	if (pg->renewer_started)
		pthread_join(pg->renewer, NULL);
	pg->renewer_started = 0;
	PQfinish(pg->life);
	pg->life = NULL;
}

const struct ts_store_job_ops ts_pg_job_ops = {
	.enqueue = pg_enqueue,
	.claim = pg_claim,
	.finish = pg_finish,
	.recover = pg_recover,
	.release = pg_release,
	.watch = pg_watch,
};
