/* The store port's conformance suite: every operation of every port header
 * (store.h, store_<group>.h), transactions, concurrent writers and ids that
 * are never reused. It is written against the port only (no database
 * header), so every backend runs it unchanged: a test file gives a
 * backend (how to open a fresh store and reopen it) and calls
 * ts_store_conformance(). Header-only, like the other test helpers. */
#ifndef TS_TEST_STORE_CONFORMANCE_H
#define TS_TEST_STORE_CONFORMANCE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_annotations.h"
#include "store/store_assets.h"
#include "store/store_exports.h"
#include "store/store_jobs.h"
#include "store/store_members.h"
#include "store/store_projects.h"
#include "store/store_users.h"
#include "store/store_videos.h"
#include "store/tx_helpers.h"

/* A backend under test. open(ctx, 1) gives a store on a new, empty
 * database; open(ctx, 0) opens the database of the last fresh open again
 * (after the caller freed that store). cleanup removes what the fresh open
 * made. */
struct ts_store_backend {
	const char *name;
	struct ts_store *(*open)(void *ctx, int fresh);
	void (*cleanup)(void *ctx);
	void *ctx;
};

static const struct ts_store_backend *conf_backend;

struct conf {
	struct ts_store *s;
};

#define OK(call) assert_int_equal((call), TS_OK)

static int conf_setup(void **state)
{
	struct conf *f = calloc(1, sizeof(*f));

	f->s = conf_backend->open(conf_backend->ctx, 1);
	if (!f->s)
		return -1;
	*state = f;
	return 0;
}

static int conf_teardown(void **state)
{
	struct conf *f = *state;

	ts_store_free(f->s);
	conf_backend->cleanup(conf_backend->ctx);
	free(f);
	return 0;
}

static void conf_reopen(struct conf *f)
{
	ts_store_free(f->s);
	f->s = conf_backend->open(conf_backend->ctx, 0);
	assert_non_null(f->s);
}

static int64_t conf_user(struct ts_store *s, const char *name, int admin)
{
	struct ts_error err = { 0 };
	struct ts_user u;

	OK(ts_store_user_create(s, name, "hash", admin, 0, &u, &err));
	return u.id;
}

static int64_t conf_project(struct ts_store *s, const char *name)
{
	struct ts_error err = { 0 };
	struct ts_project p;

	OK(ts_store_project_create(s, name, "classification_single", 0, &p, &err));
	return p.id;
}

static int64_t conf_category(struct ts_store *s, int64_t project_id, const char *name)
{
	struct ts_error err = { 0 };
	struct ts_category c;

	OK(ts_store_category_create(s, project_id, name, &c, &err));
	return c.id;
}

/* An image asset whose checksum is made from n. */
static int64_t conf_asset_from(struct ts_store *s, int64_t project_id, int n,
			       const struct ts_asset_origin *origin)
{
	struct ts_error err = { 0 };
	char sum[65], name[32];
	struct ts_asset a;
	int dup = -1;

	snprintf(sum, sizeof(sum), "%064x", n);
	snprintf(name, sizeof(name), "img%d.png", n);
	struct ts_asset_new in = { project_id, 0, name, 4, 3, "image/png", 100, sum, origin };
	OK(ts_store_asset_insert(s, &in, &a, &dup, NULL, &err));
	assert_int_equal(dup, 0);
	return a.id;
}

static int64_t conf_asset(struct ts_store *s, int64_t project_id, int n)
{
	return conf_asset_from(s, project_id, n, NULL);
}

/* Labels asset with one category through the annotation primitives, as the
 * labeling service does: load, write revision + 1, history. */
static void conf_label(struct ts_store *s, int64_t asset_id, int64_t category_id,
		       const char *status)
{
	struct ts_error err = { 0 };
	struct ts_store_tx tx;
	struct ts_ann_row r;
	char payload[96], ids[32];

	snprintf(ids, sizeof(ids), "[%lld]", (long long)category_id);
	snprintf(payload, sizeof(payload), "{\"type\":\"classification\",\"category_ids\":%s}", ids);
	OK(ts_store_begin(s, 1, &tx, &err));
	OK(ts_store_ann_load(&tx, asset_id, &r, &err));
	struct ts_ann_write w = { asset_id, r.project_id, status,
				  strcmp(status, "approved") == 0 ? "done" : "in_review",
				  r.revision + 1, 0, 1000, "classification", payload, 1,
				  &category_id, 1 };
	struct ts_ann_history_add h = { asset_id, r.project_id, r.revision + 1, 0, 1000,
					r.status, "[]", r.payload, status, ids, payload, "single" };
	OK(ts_store_ann_write(&tx, &w, &err));
	OK(ts_store_ann_history_add(&tx, &h, &err));
	ts_ann_row_release(&r);
	OK(ts_store_commit(&tx, &err));
}

/* Counts a selection in its own read transaction (strict: as a snapshot
 * would take it). */
static enum ts_err conf_export_counts(struct ts_store *s, int64_t project_id, const int *statuses,
				      size_t n, int strict, struct ts_export_counts *out,
				      struct ts_error *err)
{
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(s, 0, &tx, err);

	if (e)
		return e;
	e = ts_store_export_counts(&tx, project_id, statuses, n, strict, out, err);
	return ts_store_end(&tx, e, err);
}

/* Creates a version in its own write transaction, from the strict counts
 * of the same transaction; *kept receives the versions that did not fail
 * before it. */
static enum ts_err conf_export_create(struct ts_store *s, int64_t project_id, const int *statuses,
				      size_t n, int64_t user_id, struct ts_export *out,
				      int64_t *kept, struct ts_error *err)
{
	struct ts_export_counts counts;
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(s, 1, &tx, err);

	if (e)
		return e;
	e = ts_store_export_counts(&tx, project_id, statuses, n, 1, &counts, err);
	if (!e)
		e = ts_store_export_count_kept(&tx, project_id, kept, err);
	if (!e)
		e = ts_store_export_create(&tx, project_id, statuses, n, user_id, "eve", NULL, &counts,
					   out, err);
	return ts_store_end(&tx, e, err);
}

/* Ends a video's extraction in its own write transaction (frames_kept as
 * given). */
static enum ts_err conf_video_finish(struct ts_store *s, int64_t id, const char *error,
				     int64_t frames_kept, struct ts_error *err)
{
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(s, 1, &tx, err);

	if (!e)
		e = ts_store_end(&tx, ts_store_video_finish(&tx, id, error, frames_kept, err), err);
	return e;
}

#include "store/conformance_ops.h"
#include "store/conformance_races.h"
#include "store/conformance_models.h"
#include "store/conformance_imports.h"

/* Runs the suite against backend; returns the number of failed tests. */
static int ts_store_conformance(const struct ts_store_backend *backend)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(conf_open_ping_and_urls, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_transactions, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_users, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_projects_and_categories, conf_setup,
						conf_teardown),
		cmocka_unit_test_setup_teardown(conf_members, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_jobs, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_assets, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_asset_names, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_annotations, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_exports, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_segmentation, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_videos, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_models, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_imports, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_concurrent_revisions, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_concurrent_creates, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_ids_never_reused, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_project_trash, conf_setup, conf_teardown),
		cmocka_unit_test_setup_teardown(conf_asset_sorts, conf_setup, conf_teardown),
	};

	conf_backend = backend;
	return cmocka_run_group_tests_name(backend->name, tests, NULL, NULL);
}

#endif
