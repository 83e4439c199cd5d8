/* PostgreSQL backend: queue leases (migration 017). A batch is chosen and
 * leased inside one write transaction, and write transactions are
 * serialised, so two labelers asking at once get disjoint batches. */
#include "store/store_assets.h"
#include "store/postgres/store_pg.h"
#include "core/banned.h"

enum ts_err ts_pg_lease_next(struct ts_store *s, int64_t project_id, int64_t user_id,
			     const char *queue, int n, int64_t now, int64_t ttl_ms, int64_t **ids,
			     size_t *n_ids, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	struct ts_pg_rows rows = { 0 };
	const int64_t *got;
	struct ts_pg_stmt *st;
	enum ts_err e;

	*ids = NULL;
	*n_ids = 0;
	e = ts_pg_begin_in_project(c, 1, project_id, err);
	if (!e)
		e = ts_pg_exec_i64(c, "DELETE FROM leases WHERE expires_at <= ?", TS_PG_I64(now), err);
	if (e)
		goto out;
	/* One range of annotations_queue; others' live leases are skipped. */
	st = ts_pg_prepare_i64(c, "SELECT n.asset_id FROM annotations n "
				  "WHERE n.project_id = ?1 AND n.queue = ?4 AND NOT EXISTS "
				  "(SELECT 1 FROM leases l WHERE l.asset_id = n.asset_id AND "
				  "l.user_id <> ?2) ORDER BY n.asset_id LIMIT ?3",
			       TS_PG_I64(project_id, user_id, n), err);
	if (!st) {
		e = TS_ERR_IO;
		goto out;
	}
	ts_pg_bind_text(st, 4, queue);
	e = ts_pg_collect(c, st, sizeof(int64_t), ts_pg_read_i64, (size_t)n, &rows,
			  "choose a queue batch", err);
	got = rows.items;
	for (size_t i = 0; i < rows.n && !e; i++)
		e = ts_pg_exec_i64(c, "INSERT INTO leases(asset_id, project_id, user_id, expires_at) "
				      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(asset_id) DO UPDATE SET "
				      "expires_at = excluded.expires_at",
				   TS_PG_I64(got[i], project_id, user_id, now + ttl_ms), err);
out:
	*ids = ts_pg_end_rows(s, c, &e, &rows, n_ids, err);
	return e;
}

enum ts_err ts_pg_lease_renew(struct ts_store *s, int64_t project_id, int64_t user_id,
			      int64_t now, int64_t ttl_ms, struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "UPDATE leases SET expires_at = ?3 WHERE user_id = ?2 AND "
					  "project_id = ?1 AND expires_at > ?4",
				       TS_PG_I64(project_id, user_id, now + ttl_ms, now), err);

	return ts_pg_end(s, c, e, err);
}

enum ts_err ts_pg_lease_release(struct ts_store *s, int64_t user_id, int64_t asset_id,
				struct ts_error *err)
{
	struct ts_pg_conn *c = ts_pg_acquire(s);
	enum ts_err e = ts_pg_exec_i64(c, "DELETE FROM leases WHERE user_id = ?1 AND "
					  "(?2 = 0 OR asset_id = ?2)",
				       TS_PG_I64(user_id, asset_id), err);

	return ts_pg_end(s, c, e, err);
}
