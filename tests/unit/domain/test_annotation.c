/* Unit tests for the annotation state machine (server/domain/annotation.c):
 * every (current status, has category) x requested change, refusals with
 * their codes, idempotent repeats, and the queue of each status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/annotation.h"
#include "core/banned.h"

static const int64_t CAT1[] = { 1 };
static const int64_t CAT2[] = { 2 };
static const enum ts_ann_cat_state ACTIVE[] = { TS_ANN_CAT_ACTIVE, TS_ANN_CAT_ACTIVE };

static struct ts_ann_state state(enum ts_ann_status s, int has_cat)
{
	struct ts_ann_state st = { s, has_cat ? CAT1 : NULL, has_cat ? 1 : 0 };

	return st;
}

static struct ts_ann_change set_cats(const int64_t *ids, const enum ts_ann_cat_state *states,
				     size_t n)
{
	struct ts_ann_change c = { TS_ANN_SET_CATEGORIES, TS_ANN_UNLABELED, ids, states, n };

	return c;
}

static struct ts_ann_change set_status(enum ts_ann_status s)
{
	struct ts_ann_change c = { TS_ANN_SET_STATUS, s, NULL, NULL, 0 };

	return c;
}

static void test_names_roundtrip(void **unused)
{
	(void)unused;
	for (int i = 0; i < TS_ANN_STATUS_COUNT; i++) {
		enum ts_ann_status s;

		assert_int_equal(ts_ann_status_parse(ts_ann_status_name((enum ts_ann_status)i), &s),
				 0);
		assert_int_equal(s, i);
	}
	enum ts_ann_status s;
	assert_int_equal(ts_ann_status_parse("Approved", &s), -1);
	assert_int_equal(ts_ann_status_parse("", &s), -1);
	assert_int_equal(ts_ann_status_parse(NULL, &s), -1);
	assert_string_equal(ts_ann_queue_of(TS_ANN_UNLABELED), "unlabeled");
	assert_string_equal(ts_ann_queue_of(TS_ANN_LABELED), "in_review");
	assert_string_equal(ts_ann_queue_of(TS_ANN_NEEDS_REVIEW), "in_review");
	assert_string_equal(ts_ann_queue_of(TS_ANN_APPROVED), "done");
	assert_string_equal(ts_ann_queue_of(TS_ANN_SKIPPED), "skipped");
	assert_int_equal(ts_ann_cat_state_parse("active"), TS_ANN_CAT_ACTIVE);
	assert_int_equal(ts_ann_cat_state_parse("disabled"), TS_ANN_CAT_DISABLED);
	assert_int_equal(ts_ann_cat_state_parse("deleted"), TS_ANN_CAT_DELETED);
	assert_int_equal(ts_ann_cat_state_parse("Active"), TS_ANN_CAT_UNKNOWN);
}

/* Assigning a category from every state. */
static void test_assign_from_every_state(void **unused)
{
	(void)unused;
	for (int s = 0; s < TS_ANN_STATUS_COUNT; s++) {
		for (int has = 0; has <= 1; has++) {
			struct ts_ann_state cur = state((enum ts_ann_status)s, has);
			struct ts_ann_change same = set_cats(CAT1, ACTIVE, 1);
			struct ts_ann_change other = set_cats(CAT2, ACTIVE, 1);
			struct ts_ann_outcome o;
			struct ts_error err = { 0 };

			/* a different label: always `labeled`, always a change */
			assert_int_equal(ts_ann_decide(&cur, &other, 1, &o, &err), TS_OK);
			assert_int_equal(o.status, TS_ANN_LABELED);
			assert_int_equal(o.ncat, 1);
			assert_int_equal(o.category_ids[0], 2);
			assert_true(o.changed);
			assert_true(o.categories_changed);

			/* the current label again */
			assert_int_equal(ts_ann_decide(&cur, &same, 1, &o, &err), TS_OK);
			assert_int_equal(o.category_ids[0], 1);
			if (has) {
				assert_false(o.categories_changed);
				if (s == TS_ANN_UNLABELED || s == TS_ANN_SKIPPED) {
					assert_int_equal(o.status, TS_ANN_LABELED);
					assert_true(o.changed);
				} else {
					/* labeled, needs_review, approved: a repeat */
					assert_int_equal(o.status, s);
					assert_false(o.changed);
				}
			} else {
				assert_int_equal(o.status, TS_ANN_LABELED);
				assert_true(o.changed);
				assert_true(o.categories_changed);
			}
		}
	}
}

static void expect_refusal(const struct ts_ann_state *cur, const struct ts_ann_change *chg,
			   int single, enum ts_err want, const char *code)
{
	struct ts_ann_outcome o;
	struct ts_error err = { 0 };

	assert_int_equal(ts_ann_decide(cur, chg, single, &o, &err), want);
	assert_int_equal(err.err, want);
	assert_string_equal(err.code, code);
	assert_true(err.message[0] != '\0');
	/* a refusal also works without an error struct */
	assert_int_equal(ts_ann_decide(cur, chg, single, &o, NULL), want);
}

static void test_assign_refusals(void **unused)
{
	static const int64_t two[] = { 1, 2 };
	static const int64_t dup[] = { 3, 3 };
	static const enum ts_ann_cat_state disabled[] = { TS_ANN_CAT_DISABLED };
	static const enum ts_ann_cat_state deleted[] = { TS_ANN_CAT_DELETED };
	static const enum ts_ann_cat_state unknown[] = { TS_ANN_CAT_UNKNOWN };
	static const enum ts_ann_cat_state mixed[] = { TS_ANN_CAT_ACTIVE, TS_ANN_CAT_DELETED };
	int64_t many[TS_ANN_MAX_CATEGORIES + 1];
	enum ts_ann_cat_state many_states[TS_ANN_MAX_CATEGORIES + 1];

	(void)unused;
	for (size_t i = 0; i < TS_ANN_MAX_CATEGORIES + 1; i++) {
		many[i] = (int64_t)i + 1;
		many_states[i] = TS_ANN_CAT_ACTIVE;
	}
	for (int s = 0; s < TS_ANN_STATUS_COUNT; s++) {
		struct ts_ann_state cur = state((enum ts_ann_status)s, s != TS_ANN_UNLABELED &&
								      s != TS_ANN_SKIPPED);
		struct ts_ann_change c;

		c = set_cats(CAT2, disabled, 1);
		expect_refusal(&cur, &c, 1, TS_ERR_CONFLICT, "category_disabled");
		c = set_cats(CAT2, deleted, 1);
		expect_refusal(&cur, &c, 1, TS_ERR_CONFLICT, "category_deleted");
		c = set_cats(CAT2, unknown, 1);
		expect_refusal(&cur, &c, 1, TS_ERR_INVALID, "unknown_category");
		c = set_cats(two, ACTIVE, 2);
		expect_refusal(&cur, &c, 1, TS_ERR_INVALID, "invalid_category_count");
		c = set_cats(NULL, NULL, 0);
		expect_refusal(&cur, &c, 1, TS_ERR_INVALID, "invalid_category_count");
		expect_refusal(&cur, &c, 0, TS_ERR_INVALID, "invalid_category_count");
		c = set_cats(dup, ACTIVE, 2);
		expect_refusal(&cur, &c, 0, TS_ERR_INVALID, "duplicate_category");
		c = set_cats(two, mixed, 2);
		expect_refusal(&cur, &c, 0, TS_ERR_CONFLICT, "category_deleted");
		c = set_cats(many, many_states, TS_ANN_MAX_CATEGORIES + 1);
		expect_refusal(&cur, &c, 0, TS_ERR_INVALID, "invalid_category_count");
	}
}

static void test_multi_label_sets(void **unused)
{
	static const int64_t ab[] = { 1, 2 }, ba[] = { 2, 1 };
	struct ts_ann_state cur = { TS_ANN_APPROVED, ab, 2 };
	struct ts_ann_change c = set_cats(ba, ACTIVE, 2);
	struct ts_ann_outcome o;

	(void)unused;
	/* the same set in another order is a repeat */
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_false(o.changed);
	assert_int_equal(o.status, TS_ANN_APPROVED);
	/* a subset is a relabel */
	c = set_cats(ab, ACTIVE, 1);
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_true(o.changed);
	assert_int_equal(o.status, TS_ANN_LABELED);
}

/* The explicit empty answers ("none of these", "no objects"): taken only
 * where the project allows them, labeled, reviewable, cleared by skip. */
static void test_empty_answer(void **unused)
{
	struct ts_ann_state cur = state(TS_ANN_UNLABELED, 0);
	struct ts_ann_change c = set_cats(NULL, NULL, 0);
	struct ts_ann_outcome o;

	(void)unused;
	/* Refused where not allowed (the multi-label default of old). */
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_ERR_INVALID);
	c.allow_empty = 1;
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_true(o.changed);
	assert_true(o.categories_changed);
	assert_int_equal(o.status, TS_ANN_LABELED);
	assert_int_equal(o.ncat, 0);
	/* The same answer again is a repeat. */
	cur.status = TS_ANN_APPROVED;
	cur.empty_answer = 1;
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_false(o.changed);
	/* It can be approved or sent back like a label; without it, not. */
	cur.status = TS_ANN_LABELED;
	c = set_status(TS_ANN_APPROVED);
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_int_equal(o.status, TS_ANN_APPROVED);
	cur.empty_answer = 0;
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_ERR_CONFLICT);
	/* Skipping clears it: a content change. */
	cur.empty_answer = 1;
	c = set_status(TS_ANN_SKIPPED);
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_true(o.categories_changed);
	/* From a labeled set to the empty answer is a change. */
	cur = state(TS_ANN_APPROVED, 1);
	c = set_cats(NULL, NULL, 0);
	c.allow_empty = 1;
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_true(o.categories_changed);
	assert_int_equal(o.status, TS_ANN_LABELED);
}

/* Content that changed with the same categories (a box moved) is a
 * relabel. */
static void test_content_changed(void **unused)
{
	struct ts_ann_state cur = state(TS_ANN_APPROVED, 1);
	struct ts_ann_change c = set_cats(CAT1, ACTIVE, 1);
	struct ts_ann_outcome o;

	(void)unused;
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_false(o.changed);
	c.content_changed = 1;
	assert_int_equal(ts_ann_decide(&cur, &c, 0, &o, NULL), TS_OK);
	assert_true(o.changed);
	assert_true(o.categories_changed);
	assert_int_equal(o.status, TS_ANN_LABELED);
}

/* Every status request from every state: the full table. */
static void test_status_table(void **unused)
{
	(void)unused;
	for (int s = 0; s < TS_ANN_STATUS_COUNT; s++) {
		for (int has = 0; has <= 1; has++) {
			for (int t = 0; t < TS_ANN_STATUS_COUNT; t++) {
				struct ts_ann_state cur = state((enum ts_ann_status)s, has);
				struct ts_ann_change c = set_status((enum ts_ann_status)t);
				struct ts_ann_outcome o;
				struct ts_error err = { 0 };
				enum ts_err e = ts_ann_decide(&cur, &c, 1, &o, &err);
				int needs_cat = t == TS_ANN_LABELED || t == TS_ANN_NEEDS_REVIEW ||
						t == TS_ANN_APPROVED;

				if (needs_cat && !has) {
					assert_int_equal(e, TS_ERR_CONFLICT);
					assert_string_equal(err.code, "not_labeled");
					continue;
				}
				assert_int_equal(e, TS_OK);
				assert_int_equal(o.status, t);
				if (needs_cat) {
					/* review keeps the label */
					assert_int_equal(o.ncat, 1);
					assert_int_equal(o.category_ids[0], 1);
					assert_false(o.categories_changed);
				} else {
					/* skip and unlabel clear it */
					assert_int_equal(o.ncat, 0);
					assert_int_equal(o.categories_changed, has);
				}
				assert_int_equal(o.changed, s != t || (o.categories_changed));
			}
		}
	}
}

static void test_bad_status_value(void **unused)
{
	struct ts_ann_state cur = state(TS_ANN_LABELED, 1);
	struct ts_ann_change c = set_status(TS_ANN_STATUS_COUNT);

	(void)unused;
	expect_refusal(&cur, &c, 1, TS_ERR_INVALID, "invalid_status");
	assert_string_equal(ts_ann_status_name(TS_ANN_STATUS_COUNT), "unlabeled");
}

static void test_ids_text(void **unused)
{
	static const int64_t ids[] = { 1, 22, 9007199254740991LL };
	char buf[64], tiny[7];

	(void)unused;
	assert_int_equal(ts_ann_ids_text(ids, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[]");
	assert_int_equal(ts_ann_ids_text(ids, 3, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[1,22,9007199254740991]");
	assert_int_equal(ts_ann_ids_text(ids, 2, tiny, sizeof(tiny)), 0);
	assert_string_equal(tiny, "[1,22]");
	assert_int_equal(ts_ann_ids_text(ids, 3, tiny, sizeof(tiny)), -1);
	assert_int_equal(ts_ann_ids_text(ids, 0, tiny, 2), -1);
}

static void test_may_approve(void **unused)
{
	struct ts_error err = { 0 };

	(void)unused;
	assert_int_equal(ts_ann_may_approve(1, 7, 7, NULL), TS_OK);
	assert_int_equal(ts_ann_may_approve(0, 7, 8, NULL), TS_OK);
	assert_int_equal(ts_ann_may_approve(0, 0, 8, NULL), TS_OK);
	assert_int_equal(ts_ann_may_approve(0, 7, 7, &err), TS_ERR_FORBIDDEN);
	assert_string_equal(err.code, "own_label");
	ts_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_roundtrip),
		cmocka_unit_test(test_assign_from_every_state),
		cmocka_unit_test(test_assign_refusals),
		cmocka_unit_test(test_multi_label_sets),
		cmocka_unit_test(test_empty_answer),
		cmocka_unit_test(test_content_changed),
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_bad_status_value),
		cmocka_unit_test(test_ids_text),
		cmocka_unit_test(test_may_approve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
