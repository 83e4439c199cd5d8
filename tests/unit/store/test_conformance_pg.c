/* The store port's conformance suite (conformance.h) against the
 * PostgreSQL backend, each test on a new database of the server named by
 * TESSERA_TEST_PG_URL (tests/lib/pg.sh starts a throwaway one). Without
 * it the suite is skipped. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/conformance.h"

struct pg_ctx {
	const char *base;
	int n;
	char db[64];
	char url[1024];
};

/* base with its database name replaced by db. */
static int url_with_db(const char *base, const char *db, char *out, size_t len)
{
	const char *scheme = strstr(base, "://");
	const char *slash = scheme ? strchr(scheme + 3, '/') : NULL;
	const char *rest;

	if (!slash)
		return -1;
	rest = slash + strcspn(slash, "?");
	return snprintf(out, len, "%.*s/%s%s", (int)(slash - base), base, db, rest) < (int)len
		       ? 0
		       : -1;
}

static int admin(const char *base, const char *sql)
{
	PGconn *db = PQconnectdb(base);
	PGresult *r;
	int ok;

	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "connect: %s", PQerrorMessage(db));
		PQfinish(db);
		return -1;
	}
	r = PQexec(db, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(db));
	PQclear(r);
	PQfinish(db);
	return ok ? 0 : -1;
}

static struct ts_store *pg_open(void *arg, int fresh)
{
	struct pg_ctx *c = arg;
	struct ts_error err = { 0 };
	struct ts_store *s;

	if (fresh) {
		char sql[128];

		snprintf(c->db, sizeof(c->db), "conformance_%d", ++c->n);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", c->db);
		if (admin(c->base, sql) || url_with_db(c->base, c->db, c->url, sizeof(c->url)))
			return NULL;
	}
	s = ts_store_open(c->url, "/nonexistent", &err);
	if (!s)
		fprintf(stderr, "open %s: %s\n", c->url, err.message);
	ts_error_release(&err);
	return s;
}

static void pg_cleanup(void *arg)
{
	struct pg_ctx *c = arg;
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE %s WITH (FORCE)", c->db);
	admin(c->base, sql);
}

int main(void)
{
	static struct pg_ctx ctx;
	const struct ts_store_backend pg = { "store conformance: postgresql", pg_open, pg_cleanup,
					     &ctx };

	ctx.base = getenv("TESSERA_TEST_PG_URL");
	if (!ctx.base || !*ctx.base) {
		printf("store conformance: postgresql skipped (TESSERA_TEST_PG_URL is not set; "
		       "tests/lib/pg.sh run sets it)\n");
		return 0;
	}
	return ts_store_conformance(&pg);
}
