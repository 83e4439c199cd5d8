/* SQLite backend: the job table. */
#include "store/store_jobs.h"

#include "core/time.h"
#include "store/sqlite/store_sqlite.h"
#include "core/banned.h"

enum ts_err ts_sq_job_insert(struct ts_sq_conn *c, const char *kind, int64_t ref_id, int64_t now,
			     int64_t *id, struct ts_error *err)
{
	sqlite3_stmt *st = ts_sq_prepare_i64(c, "INSERT INTO jobs(id, ref_id, created_at, "
					        "updated_at, kind) VALUES (" TS_SQ_NEXT_ID("jobs")
					        ", ?, ?, ?, ?)",
					     TS_SQ_I64(ref_id, now, now), err);
	enum ts_err e;

	if (!st)
		return TS_ERR_IO;
	ts_sq_bind_text(st, 4, kind);
	e = ts_sq_exec_stmt(c, st, err);
	if (!e && id)
		*id = sqlite3_last_insert_rowid(c->db);
	return e;
}

static enum ts_err sq_enqueue(struct ts_store *s, const char *kind, int64_t ref_id, int64_t *id,
			      struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = ts_sq_job_insert(c, kind, ref_id, ts_time_now_ms(), id, err);

	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_claim(struct ts_store *s, const char *kind, struct ts_job *out,
			    struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st;
	enum ts_err e;

	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	st = ts_sq_prepare_i64(c, "UPDATE jobs SET state = 'running', attempts = attempts + 1, "
				  "updated_at = ? WHERE id = (SELECT id FROM jobs WHERE state = "
				  "'queued' AND kind = ? ORDER BY id LIMIT 1) "
				  "RETURNING id, kind, ref_id, attempts",
			       TS_SQ_I64(ts_time_now_ms()), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_sq_bind_text(st, 2, kind);
	e = ts_sq_step_row(c, st, "claim job", err, "no_job", "no queued job");
	if (!e) {
		out->id = sqlite3_column_int64(st, 0);
		ts_sq_text_to(st, 1, out->kind, sizeof(out->kind));
		out->ref_id = sqlite3_column_int64(st, 2);
		out->attempts = sqlite3_column_int(st, 3);
		/* Step to the end so the UPDATE completes before COMMIT. */
		e = ts_sq_exec_stmt(c, st, err);
	}
	sqlite3_reset(st);
out:
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_finish(struct ts_store *s, int64_t id, const char *error,
			     struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare_i64(c, "UPDATE jobs SET updated_at = ?1, state = ?3, "
					        "error = ?4 WHERE id = ?2",
					     TS_SQ_I64(ts_time_now_ms(), id), err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 3, error ? "failed" : "done");
		ts_sq_bind_text(st, 4, error);
		e = ts_sq_exec_stmt(c, st, err);
	}
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_recover(struct ts_store *s, int64_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = ts_sq_exec_i64(c, "UPDATE jobs SET state = 'queued', updated_at = ? "
					  "WHERE state = 'running'",
				       TS_SQ_I64(ts_time_now_ms()), err);

	if (!e && n)
		*n = sqlite3_changes64(c->db);
	return ts_sq_end(s, c, e, err);
}

static enum ts_err sq_release(struct ts_store *s, int64_t id, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	enum ts_err e = ts_sq_exec_i64(c, "UPDATE jobs SET state = 'queued', updated_at = ?, "
					  "attempts = max(attempts - 1, 0) "
					  "WHERE id = ? AND state = 'running'",
				       TS_SQ_I64(ts_time_now_ms(), id), err);

	return ts_sq_end(s, c, e, err);
}

const struct ts_store_job_ops ts_sq_job_ops = {
	.enqueue = sq_enqueue,
	.claim = sq_claim,
	.finish = sq_finish,
	.recover = sq_recover,
	.release = sq_release,
};
