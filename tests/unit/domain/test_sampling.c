/* Unit tests for the active sampling math (server/domain/sampling.c) on
 * cases worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "domain/sampling.h"
#include "core/banned.h"

static void test_entropy(void **state)
{
	const double uniform[] = { 0.25, 0.25, 0.25, 0.25 };
	const double sure[] = { 1, 0, 0 };
	const double half[] = { 0.5, 0.5 };
	const double mixed[] = { 0.5, 0.25, 0.25 };

	(void)state;
	/* ln 4 = 1.3863; 0 ln 0 counts 0; ln 2; 0.5 ln 2 + 2 * 0.25 ln 4 = 1.5 ln 2 */
	assert_true(fabs(ts_sampling_entropy(uniform, 4) - log(4)) < 1e-12);
	assert_true(fabs(ts_sampling_entropy(sure, 3)) < 1e-12);
	assert_true(fabs(ts_sampling_entropy(half, 2) - log(2)) < 1e-12);
	assert_true(fabs(ts_sampling_entropy(mixed, 3) - 1.5 * log(2)) < 1e-12);
}

static void test_margin(void **state)
{
	const double a[] = { 0.1, 0.6, 0.3 };
	const double b[] = { 0.45, 0.1, 0.45 };
	const double c[] = { 0.9, 0.05, 0.05 };

	(void)state;
	assert_true(fabs(ts_sampling_margin(a, 3) - 0.3) < 1e-12);
	assert_true(fabs(ts_sampling_margin(b, 3) - 0.0) < 1e-12);
	assert_true(fabs(ts_sampling_margin(c, 3) - 0.85) < 1e-12);
}

static void test_disagreement(void **state)
{
	/* Two models that agree: 0. Two sure models on different classes:
	 * average (0.5, 0.5), each KL = 1 * ln(1 / 0.5) = ln 2, mean ln 2. */
	const double same[] = { 0.7, 0.3, 0.7, 0.3 };
	const double opposite[] = { 1, 0, 0, 1 };
	/* (0.5, 0.5) and (1, 0): average (0.75, 0.25); KL1 = 0.5 ln(0.5/0.75)
	 * + 0.5 ln(0.5/0.25) = 0.5 ln(2/3) + 0.5 ln 2; KL2 = ln(1/0.75). */
	const double some[] = { 0.5, 0.5, 1, 0 };
	double want = (0.5 * log(2.0 / 3.0) + 0.5 * log(2) + log(4.0 / 3.0)) / 2;

	(void)state;
	assert_true(fabs(ts_sampling_disagreement(same, 2, 2)) < 1e-12);
	assert_true(fabs(ts_sampling_disagreement(opposite, 2, 2) - log(2)) < 1e-12);
	assert_true(fabs(ts_sampling_disagreement(some, 2, 2) - want) < 1e-12);
}

static void test_order_scores(void **state)
{
	struct ts_sampling_item it[] = {
		{ 5, 0.2, 0, 0 }, { 3, 0.9, 0, 0 }, { 4, 0.9, 0, 0 }, { 1, -1, 0, 0 },
	};

	(void)state;
	ts_sampling_order_scores(it, 4);
	assert_int_equal(it[0].asset_id, 3); /* 0.9, lower id first */
	assert_int_equal(it[1].asset_id, 4);
	assert_int_equal(it[2].asset_id, 5);
	assert_int_equal(it[3].asset_id, 1);
}

static void test_coverage_one_video(void **state)
{
	/* Five frames at 0..4 s: first, last, middle, then the middles of the
	 * halves: times 0 4 2 1 3. */
	struct ts_sampling_item it[] = {
		{ 12, 0, 7, 2000 }, { 10, 0, 7, 0 },	{ 14, 0, 7, 4000 },
		{ 11, 0, 7, 1000 }, { 13, 0, 7, 3000 },
	};
	const int64_t want[] = { 10, 14, 12, 11, 13 };

	(void)state;
	ts_sampling_order_coverage(it, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(it[i].asset_id, want[i]);
	assert_true(it[0].score > it[4].score);
}

static void test_coverage_turns(void **state)
{
	/* Two videos of three frames and two stand-alone images (group 0):
	 * turns in group order 0, 1, 2; within each, first, last, middle. */
	struct ts_sampling_item it[] = {
		{ 1, 0, 0, 0 },	 { 2, 0, 0, 0 },   { 20, 0, 1, 0 }, { 21, 0, 1, 500 },
		{ 22, 0, 1, 900 }, { 30, 0, 2, 0 }, { 31, 0, 2, 10 }, { 32, 0, 2, 20 },
	};
	const int64_t want[] = { 1, 20, 30, 2, 22, 32, 21, 31 };

	(void)state;
	ts_sampling_order_coverage(it, 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(it[i].asset_id, want[i]);
}

static void test_names(void **state)
{
	size_t lo, hi;

	(void)state;
	assert_int_equal(ts_sampling_parse("margin"), TS_SAMPLING_MARGIN);
	assert_int_equal(ts_sampling_parse("nope"), -1);
	assert_string_equal(ts_sampling_name(TS_SAMPLING_COVERAGE), "coverage");
	ts_sampling_models(TS_SAMPLING_DISAGREEMENT, &lo, &hi);
	assert_true(lo == 2 && hi >= 2);
	ts_sampling_models(TS_SAMPLING_ENTROPY, &lo, &hi);
	assert_true(lo == 1 && hi == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entropy),	      cmocka_unit_test(test_margin),
		cmocka_unit_test(test_disagreement),  cmocka_unit_test(test_order_scores),
		cmocka_unit_test(test_coverage_one_video), cmocka_unit_test(test_coverage_turns),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
