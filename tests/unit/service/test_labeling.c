/* The labeling service against a real store: typed payloads, the state
 * machine's refusals, revisions (also under concurrent writers), history,
 * bulk review and stats, with no HTTP in between. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "service/labeling.h"
#include "store/store.h"
#include "store/store_assets.h"
#include "store/store_projects.h"
#include "store/store_users.h"
#include "testdir.h"

#define NASSETS 6

struct fixture {
	char dir[64];
	struct ts_store *s;
	int64_t project, cats[2], assets[NASSETS], alice, bob;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_error err = { 0 };
	struct ts_project p;
	struct ts_category c;
	struct ts_user u;

	snprintf(f->dir, sizeof(f->dir), "/tmp/tessera-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->s = ts_store_open(NULL, f->dir, &err);
	if (!f->s || ts_store_project_create(f->s, "L", "classification_single", 0, &p, &err))
		return -1;
	f->project = p.id;
	for (int i = 0; i < 2; i++) {
		if (ts_store_category_create(f->s, p.id, i ? "dog" : "cat", &c, &err))
			return -1;
		f->cats[i] = c.id;
	}
	for (int i = 0; i < NASSETS; i++) {
		char sum[65], name[16];
		struct ts_asset a;
		int dup;

		snprintf(sum, sizeof(sum), "%064x", i + 1);
		snprintf(name, sizeof(name), "%d.png", i);
		struct ts_asset_new in = { p.id, 0, name, 4, 3, "image/png", 10, sum, NULL };
		if (ts_store_asset_insert(f->s, &in, &a, &dup, NULL, &err))
			return -1;
		f->assets[i] = a.id;
	}
	if (ts_store_user_create(f->s, "alice", "h", 1, 0, &u, &err))
		return -1;
	f->alice = u.id;
	if (ts_store_user_create(f->s, "bob", "h", 0, 0, &u, &err))
		return -1;
	f->bob = u.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_store_free(f->s);
	ts_test_rmtree(f->dir);
	free(f);
	return 0;
}

/* Sets the payload classification [category] as user, expecting revision
 * (-1: no check). */
static enum ts_err set_label(struct fixture *f, int64_t asset, int64_t category, int64_t user,
			     int64_t revision, struct ts_annotation *out, int *changed,
			     struct ts_error *err)
{
	struct ts_payload p;
	enum ts_err e;

	ts_payload_classification(&category, 1, &p);
	struct ts_ann_request req = { TS_ANN_SET_CATEGORIES, TS_ANN_UNLABELED, &p, revision, user,
				      user == f->alice ? "alice" : "bob" };
	e = ts_labeling_set(f->s, asset, &req, out, changed, err);
	ts_payload_release(&p);
	return e;
}

static enum ts_err set_status(struct fixture *f, int64_t asset, enum ts_ann_status st,
			      int64_t user, struct ts_annotation *out, struct ts_error *err)
{
	struct ts_ann_request req = { TS_ANN_SET_STATUS, st, NULL, -1, user, "x" };
	int changed;

	return ts_labeling_set(f->s, asset, &req, out, &changed, err);
}

static void label_repeat_and_stale(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_annotation a;
	int changed = -1;
	int64_t id = f->assets[0];

	assert_int_equal(ts_labeling_get(f->s, id, &a, &err), TS_OK);
	assert_int_equal(a.status, TS_ANN_UNLABELED);
	assert_string_equal(a.payload_type, "");
	assert_int_equal(set_label(f, id, f->cats[1], f->bob, 0, &a, &changed, &err), TS_OK);
	assert_int_equal(changed, 1);
	assert_int_equal(a.status, TS_ANN_LABELED);
	assert_string_equal(a.payload_type, "classification");
	assert_int_equal(a.revision, 1);
	assert_string_equal(a.labeled_by_name, "bob");
	/* A repeat writes nothing, whatever its revision. */
	assert_int_equal(set_label(f, id, f->cats[1], f->bob, 0, &a, &changed, &err), TS_OK);
	assert_int_equal(changed, 0);
	assert_int_equal(a.revision, 1);
	/* A change at an old revision is stale; out holds the current one. */
	memset(&a, 0, sizeof(a));
	assert_int_equal(set_label(f, id, f->cats[0], f->bob, 0, &a, &changed, &err),
			 TS_ERR_CONFLICT);
	assert_string_equal(err.code, "stale_revision");
	assert_int_equal(a.asset_id, id);
	assert_int_equal(a.revision, 1);
	assert_int_equal(a.category_ids[0], f->cats[1]);
	/* Refusals of the state machine keep their codes. */
	assert_int_equal(set_label(f, id, 999, f->bob, -1, &a, &changed, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "unknown_category");
	assert_int_equal(set_status(f, f->assets[1], TS_ANN_APPROVED, f->alice, &a, &err),
			 TS_ERR_CONFLICT);
	assert_string_equal(err.code, "not_labeled");
	assert_int_equal(ts_labeling_get(f->s, 987654, &a, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

static void own_label_and_history(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_label_change *h = NULL;
	struct ts_project p;
	struct ts_annotation a;
	size_t n = 0;
	int changed;
	int64_t id = f->assets[2];

	assert_int_equal(f->s->ops->projects->update(f->s, f->project, NULL, 0, 0, &p, &err), TS_OK);
	assert_int_equal(set_label(f, id, f->cats[0], f->alice, -1, &a, &changed, &err), TS_OK);
	assert_int_equal(set_status(f, id, TS_ANN_APPROVED, f->alice, &a, &err), TS_ERR_FORBIDDEN);
	assert_string_equal(err.code, "own_label");
	assert_int_equal(set_status(f, id, TS_ANN_APPROVED, f->bob, &a, &err), TS_OK);
	assert_int_equal(a.status, TS_ANN_APPROVED);
	assert_string_equal(a.labeled_by_name, "alice"); /* the reviewer keeps the labeler */
	assert_int_equal(set_status(f, id, TS_ANN_SKIPPED, f->bob, &a, &err), TS_OK);
	assert_int_equal(a.ncat, 0);
	assert_string_equal(a.payload_type, "");
	assert_int_equal(ts_labeling_history(f->s, id, &h, &n, &err), TS_OK);
	assert_int_equal(n, 3);
	assert_string_equal(h[0].to_status, "labeled");
	assert_string_equal(h[1].to_status, "approved");
	assert_string_equal(h[1].to_payload, h[0].to_payload);
	assert_string_equal(h[2].to_status, "skipped");
	assert_null(h[2].to_payload);
	assert_string_equal(h[2].to_categories, "[]");
	ts_label_changes_free(h, n);
	assert_int_equal(ts_labeling_history(f->s, 987654, &h, &n, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

static void bulk_and_stats(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_ann_bulk_result *res = NULL;
	struct ts_ann_stats st;
	struct ts_annotation a;
	size_t n = 0;
	int changed;

	for (int i = 0; i < 4; i++)
		assert_int_equal(set_label(f, f->assets[i], f->cats[i % 2], f->bob, -1, &a, &changed,
					   &err),
				 TS_OK);
	struct ts_ann_filter in_cat0 = { "in_review", f->cats[0] };
	assert_int_equal(ts_labeling_bulk(f->s, f->project, TS_ANN_BULK_APPROVE, NULL, 0, &in_cat0,
					  f->alice, &res, &n, &err),
			 TS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(res[0].asset_id, f->assets[0]);
	assert_int_equal(res[0].err, TS_OK);
	assert_int_equal(res[0].changed, 1);
	assert_int_equal(res[0].status, TS_ANN_APPROVED);
	free(res);
	const int64_t ids[] = { f->assets[1], f->assets[5], 987654 };
	assert_int_equal(ts_labeling_bulk(f->s, f->project, TS_ANN_BULK_NEEDS_REVIEW, ids, 3, NULL,
					  f->alice, &res, &n, &err),
			 TS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(res[0].err, TS_OK);
	assert_string_equal(res[1].code, "not_labeled");
	assert_string_equal(res[2].code, "asset_not_found");
	free(res);
	struct ts_ann_filter bad = { "nonsense", 0 };
	assert_int_equal(ts_labeling_bulk(f->s, f->project, TS_ANN_BULK_APPROVE, NULL, 0, &bad,
					  f->alice, &res, &n, &err),
			 TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_filter");

	assert_int_equal(ts_labeling_stats(f->s, f->project, &st, &err), TS_OK);
	assert_int_equal(st.total, NASSETS);
	assert_int_equal(st.by_status[TS_ANN_APPROVED], 2);
	assert_int_equal(st.by_status[TS_ANN_NEEDS_REVIEW], 1);
	assert_int_equal(st.by_status[TS_ANN_LABELED], 1);
	assert_int_equal(st.by_status[TS_ANN_UNLABELED], 2);
	assert_int_equal(st.ncat, 2);
	assert_int_equal(st.per_category[0].count, 2);
	assert_int_equal(st.per_category[0].by_status[TS_ANN_APPROVED], 2);
	assert_int_equal(st.per_category[1].count, 2);
	assert_int_equal(st.damaged_total, 0);
	ts_ann_stats_release(&st);
	assert_int_equal(ts_labeling_stats(f->s, 987654, &st, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

#define WRITERS 8
#define ROUNDS 25

struct writer {
	struct fixture *f;
	int64_t category;
	pthread_barrier_t *go;
	int wins, stale, fails;
};

/* Every round, all writers read the revision and then write their label at
 * it: one wins, the others find it stale or a repeat. */
static void *writer_main(void *arg)
{
	struct writer *w = arg;

	for (int r = 0; r < ROUNDS; r++) {
		struct ts_error err = { 0 };
		struct ts_annotation a;
		int changed = 0;
		enum ts_err e;

		pthread_barrier_wait(w->go);
		if (ts_labeling_get(w->f->s, w->f->assets[4], &a, &err))
			w->fails++;
		pthread_barrier_wait(w->go);
		e = set_label(w->f, w->f->assets[4], w->category, w->f->bob, a.revision, &a, &changed,
			      &err);
		if (e == TS_OK && changed)
			w->wins++;
		else if (e == TS_ERR_CONFLICT && strcmp(err.code, "stale_revision") == 0)
			w->stale++;
		else if (e != TS_OK)
			w->fails++;
		pthread_barrier_wait(w->go);
	}
	return NULL;
}

static void concurrent_writers(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct writer w[WRITERS];
	pthread_t t[WRITERS];
	pthread_barrier_t go;
	struct ts_annotation a;
	int wins = 0;

	pthread_barrier_init(&go, NULL, WRITERS);
	for (int i = 0; i < WRITERS; i++) {
		w[i] = (struct writer){ f, f->cats[i % 2], &go, 0, 0, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].fails, 0);
		wins += w[i].wins;
	}
	pthread_barrier_destroy(&go);
	/* Exactly one write per round: the revision counts the rounds. */
	assert_int_equal(wins, ROUNDS);
	assert_int_equal(ts_labeling_get(f->s, f->assets[4], &a, &err), TS_OK);
	assert_int_equal(a.revision, ROUNDS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(label_repeat_and_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(own_label_and_history, setup, teardown),
		cmocka_unit_test_setup_teardown(bulk_and_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_writers, setup, teardown),
	};
	return cmocka_run_group_tests_name("service/labeling", tests, NULL, NULL);
}
