/* PostgreSQL backend: the job table. */
#include "store/store_jobs.h"

#include "core/time.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

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
	return e;
}

static enum ts_err pg_enqueue(struct ts_store *s, const char *kind, int64_t ref_id, int64_t *id,
			      struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_job_insert(c, kind, ref_id, ts_time_now_ms(), id, err);

	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_claim(struct ts_store *s, const char *kind, struct ts_job *out,
			    struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st;
	enum ts_err e;

	e = ts_pg_begin_write(c, err);
	if (e)
		goto out;
	st = ts_pg_prepare_i64(c, "UPDATE jobs SET state = 'running', attempts = attempts + 1, "
				  "updated_at = ? WHERE id = (SELECT id FROM jobs WHERE state = "
				  "'queued' AND kind = ? ORDER BY id LIMIT 1) "
				  "RETURNING id, kind, ref_id, attempts",
			       TS_PG_I64(ts_time_now_ms()), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 2, kind);
	e = ts_pg_step_row(c, st, "claim job", err, "no_job", "no queued job");
	if (!e) {
		out->id = ts_pg_col_i64(st, 0);
		ts_pg_text_to(st, 1, out->kind, sizeof(out->kind));
		out->ref_id = ts_pg_col_i64(st, 2);
		out->attempts = ts_pg_col_int(st, 3);
		/* Step to the end so the UPDATE completes before COMMIT. */
		e = ts_pg_exec_stmt(c, st, err);
	}
	ts_pg_reset(st);
out:
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_finish(struct ts_store *s, int64_t id, const char *error,
			     struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_stmt *st = ts_pg_prepare_i64(c, "UPDATE jobs SET updated_at = ?1, state = ?3, "
					        "error = ?4 WHERE id = ?2",
					     TS_PG_I64(ts_time_now_ms(), id), err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_pg_bind_text(st, 3, error ? "failed" : "done");
		ts_pg_bind_text(st, 4, error);
		e = ts_pg_exec_stmt(c, st, err);
	}
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_recover(struct ts_store *s, int64_t *n, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE jobs SET state = 'queued', updated_at = ? "
					  "WHERE state = 'running'",
				       TS_PG_I64(ts_time_now_ms()), err);

	if (!e && n)
		*n = ts_pg_changes(c);
	return ts_pg_end(s, c, e, err);
}

static enum ts_err pg_release(struct ts_store *s, int64_t id, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE jobs SET state = 'queued', updated_at = ?, "
					  "attempts = greatest(attempts - 1, 0) "
					  "WHERE id = ? AND state = 'running'",
				       TS_PG_I64(ts_time_now_ms(), id), err);

	return ts_pg_end(s, c, e, err);
}

const struct ts_store_job_ops ts_pg_job_ops = {
	.enqueue = pg_enqueue,
	.claim = pg_claim,
	.finish = pg_finish,
	.recover = pg_recover,
	.release = pg_release,
};
