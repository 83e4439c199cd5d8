/* The status vocabulary: names, parsing, the status -> queue mapping and
 * the list filters, and the state machine's names in the same order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/annotation.h"
#include "core/status.h"

static void names_round_trip(void **state)
{
	static const char *const want[TS_STATUS_COUNT] = {
		"unlabeled", "labeled", "skipped", "needs_review", "approved",
	};
	(void)state;
	for (int i = 0; i < TS_STATUS_COUNT; i++) {
		enum ts_status st = TS_STATUS_COUNT;

		assert_string_equal(ts_status_name((enum ts_status)i), want[i]);
		assert_int_equal(ts_status_parse(want[i], &st), 0);
		assert_int_equal(st, i);
	}
}

static void unknown_names_are_refused(void **state)
{
	enum ts_status st = TS_STATUS_LABELED;
	enum ts_queue q = TS_QUEUE_DONE;

	(void)state;
	assert_int_equal(ts_status_parse(NULL, &st), -1);
	assert_int_equal(ts_status_parse("", &st), -1);
	assert_int_equal(ts_status_parse("Approved", &st), -1);
	assert_int_equal(ts_status_parse("in_review", &st), -1);
	assert_int_equal(st, TS_STATUS_LABELED);
	assert_int_equal(ts_queue_parse(NULL, &q), -1);
	assert_int_equal(ts_queue_parse("labeled", &q), -1);
	assert_int_equal(ts_queue_parse("needs_review", &q), -1);
	assert_int_equal(q, TS_QUEUE_DONE);
	/* Out of range falls back instead of reading past the table. */
	assert_string_equal(ts_status_name(TS_STATUS_COUNT), "unlabeled");
	assert_string_equal(ts_queue_name(TS_QUEUE_COUNT), "all");
}

static void each_status_has_one_queue(void **state)
{
	(void)state;
	assert_int_equal(ts_status_queue(TS_STATUS_UNLABELED), TS_QUEUE_UNLABELED);
	assert_int_equal(ts_status_queue(TS_STATUS_LABELED), TS_QUEUE_IN_REVIEW);
	assert_int_equal(ts_status_queue(TS_STATUS_NEEDS_REVIEW), TS_QUEUE_IN_REVIEW);
	assert_int_equal(ts_status_queue(TS_STATUS_APPROVED), TS_QUEUE_DONE);
	assert_int_equal(ts_status_queue(TS_STATUS_SKIPPED), TS_QUEUE_SKIPPED);
	assert_string_equal(ts_ann_queue_of(TS_ANN_NEEDS_REVIEW), "in_review");
	assert_string_equal(ts_ann_queue_of(TS_ANN_APPROVED), "done");
}

static void filters_list_their_statuses(void **state)
{
	static const char *const queues[TS_QUEUE_COUNT] = {
		"all", "unlabeled", "in_review", "done", "skipped",
	};
	(void)state;
	for (int q = 0; q < TS_QUEUE_COUNT; q++) {
		enum ts_queue got = TS_QUEUE_COUNT;
		int n = 0;

		assert_string_equal(ts_queue_name((enum ts_queue)q), queues[q]);
		assert_int_equal(ts_queue_parse(queues[q], &got), 0);
		assert_int_equal(got, q);
		for (int s = 0; s < TS_STATUS_COUNT; s++)
			n += ts_queue_has((enum ts_queue)q, (enum ts_status)s);
		/* all: every status; in_review: two; the others one each. */
		assert_int_equal(n, q == TS_QUEUE_ALL ? TS_STATUS_COUNT
				    : q == TS_QUEUE_IN_REVIEW ? 2 : 1);
	}
	assert_true(ts_queue_has(TS_QUEUE_IN_REVIEW, TS_STATUS_NEEDS_REVIEW));
	assert_false(ts_queue_has(TS_QUEUE_DONE, TS_STATUS_LABELED));
}

static void the_state_machine_keeps_the_same_names_in_the_same_order(void **state)
{
	(void)state;
	assert_int_equal(TS_ANN_STATUS_COUNT, TS_STATUS_COUNT);
	for (int i = 0; i < TS_STATUS_COUNT; i++) {
		assert_string_equal(ts_ann_status_name((enum ts_ann_status)i),
				    ts_status_name((enum ts_status)i));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(unknown_names_are_refused),
		cmocka_unit_test(each_status_has_one_queue),
		cmocka_unit_test(filters_list_their_statuses),
		cmocka_unit_test(the_state_machine_keeps_the_same_names_in_the_same_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
