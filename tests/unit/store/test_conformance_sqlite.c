/* The store port's conformance suite (conformance.h) against the SQLite
 * backend, each test on a new database file in a temporary folder. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/conformance.h"
#include "testdir.h"

struct sqlite_ctx {
	char dir[64];
	char url[128];
};

static struct ts_store *sqlite_open(void *arg, int fresh)
{
	struct sqlite_ctx *c = arg;
	struct ts_error err = { 0 };
	struct ts_store *s;

	if (fresh) {
		snprintf(c->dir, sizeof(c->dir), "/tmp/tessera-conf-XXXXXX");
		if (!mkdtemp(c->dir))
			return NULL;
		snprintf(c->url, sizeof(c->url), "sqlite:%s/store.db", c->dir);
	}
	s = ts_store_open(c->url, c->dir, &err);
	if (!s)
		fprintf(stderr, "open %s: %s\n", c->url, err.message);
	ts_error_release(&err);
	return s;
}

static void sqlite_cleanup(void *arg)
{
	struct sqlite_ctx *c = arg;

	ts_test_rmtree(c->dir);
}

int main(void)
{
	static struct sqlite_ctx ctx;
	const struct ts_store_backend sqlite = { "store conformance: sqlite", sqlite_open,
						 sqlite_cleanup, &ctx };

	return ts_store_conformance(&sqlite);
}
