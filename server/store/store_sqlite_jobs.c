/* SQLite backend: the job table. */
#include "store/jobs.h"

#include "core/time.h"
#include "store/sqlite_int.h"
#include "core/banned.h"

static enum ts_err sq_enqueue(struct ts_store *s, const char *kind, int64_t ref_id, int64_t *id,
			      struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "INSERT INTO jobs(kind, ref_id, created_at, updated_at) "
					    "VALUES (?, ?, ?, ?)", err);
	int64_t now = ts_time_now_ms();
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 1, kind);
		sqlite3_bind_int64(st, 2, ref_id);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int64(st, 4, now);
		e = ts_sq_exec_stmt(c, st, err);
		if (!e && id)
			*id = sqlite3_last_insert_rowid(c->db);
	}
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_claim(struct ts_store *s, const char *kind, struct ts_job *out,
			    struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st;
	enum ts_err e;
	int rc;

	e = ts_sq_begin_write(c, err);
	if (e)
		goto out;
	st = ts_sq_prepare(c, "UPDATE jobs SET state = 'running', attempts = attempts + 1, "
			      "updated_at = ? WHERE id = (SELECT id FROM jobs WHERE state = 'queued' "
			      "AND kind = ? ORDER BY id LIMIT 1) RETURNING id, kind, ref_id, attempts",
			   err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	sqlite3_bind_int64(st, 1, ts_time_now_ms());
	ts_sq_bind_text(st, 2, kind);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		ts_sq_text_to(st, 1, out->kind, sizeof(out->kind));
		out->ref_id = sqlite3_column_int64(st, 2);
		out->attempts = sqlite3_column_int(st, 3);
		/* Step to the end so the UPDATE completes before COMMIT. */
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			e = ts_sq_fail(c, err, "claim job");
	} else if (rc == SQLITE_DONE) {
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "no_job", "no queued job");
	} else {
		e = ts_sq_fail(c, err, "claim job");
	}
	sqlite3_reset(st);
	if (!e)
		e = ts_sq_commit(c, err);
out:
	if (e)
		ts_sq_rollback(c);
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_finish(struct ts_store *s, int64_t id, const char *error,
			     struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "UPDATE jobs SET state = ?, error = ?, updated_at = ? "
					    "WHERE id = ?", err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		ts_sq_bind_text(st, 1, error ? "failed" : "done");
		ts_sq_bind_text(st, 2, error);
		sqlite3_bind_int64(st, 3, ts_time_now_ms());
		sqlite3_bind_int64(st, 4, id);
		e = ts_sq_exec_stmt(c, st, err);
	}
	ts_sq_release(s, c);
	return e;
}

static enum ts_err sq_recover(struct ts_store *s, int64_t *n, struct ts_error *err)
{
	struct ts_sq_conn *c = ts_sq_acquire(s);
	sqlite3_stmt *st = ts_sq_prepare(c, "UPDATE jobs SET state = 'queued', updated_at = ? "
					    "WHERE state = 'running'", err);
	enum ts_err e = TS_ERR_IO;

	if (st) {
		sqlite3_bind_int64(st, 1, ts_time_now_ms());
		e = ts_sq_exec_stmt(c, st, err);
		if (!e && n)
			*n = sqlite3_changes64(c->db);
	}
	ts_sq_release(s, c);
	return e;
}

const struct ts_store_job_ops ts_sq_job_ops = {
	.enqueue = sq_enqueue,
	.claim = sq_claim,
	.finish = sq_finish,
	.recover = sq_recover,
};
