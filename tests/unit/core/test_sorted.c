/* Binary search in sorted int64 arrays: where a key would go, and whether it
 * is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/sorted.h"

static const int64_t a[] = { -5, 0, 3, 3, 3, 9, INT64_MAX };
static const size_t n = sizeof(a) / sizeof(a[0]);

static void lower_bound_finds_the_first_not_smaller(void **state)
{
	(void)state;
	assert_int_equal(ts_sorted_lower_bound(a, n, INT64_MIN), 0);
	assert_int_equal(ts_sorted_lower_bound(a, n, -5), 0);
	assert_int_equal(ts_sorted_lower_bound(a, n, -4), 1);
	assert_int_equal(ts_sorted_lower_bound(a, n, 3), 2); /* the first of equal keys */
	assert_int_equal(ts_sorted_lower_bound(a, n, 4), 5);
	assert_int_equal(ts_sorted_lower_bound(a, n, 10), 6);
	assert_int_equal(ts_sorted_lower_bound(a, n, INT64_MAX), 6);
	assert_int_equal(ts_sorted_lower_bound(a, n - 1, INT64_MAX), n - 1); /* past the end */
}

static void empty_and_single(void **state)
{
	int64_t one = 7;

	(void)state;
	assert_int_equal(ts_sorted_lower_bound(NULL, 0, 1), 0);
	assert_false(ts_sorted_contains(NULL, 0, 1));
	assert_int_equal(ts_sorted_lower_bound(&one, 1, 6), 0);
	assert_int_equal(ts_sorted_lower_bound(&one, 1, 7), 0);
	assert_int_equal(ts_sorted_lower_bound(&one, 1, 8), 1);
	assert_true(ts_sorted_contains(&one, 1, 7));
	assert_false(ts_sorted_contains(&one, 1, 8));
}

static void contains_only_the_elements(void **state)
{
	(void)state;
	for (size_t i = 0; i < n; i++)
		assert_true(ts_sorted_contains(a, n, a[i]));
	assert_false(ts_sorted_contains(a, n, INT64_MIN));
	assert_false(ts_sorted_contains(a, n, 1));
	assert_false(ts_sorted_contains(a, n, 4));
	assert_false(ts_sorted_contains(a, n, 10));
	assert_false(ts_sorted_contains(a, n - 1, INT64_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lower_bound_finds_the_first_not_smaller),
		cmocka_unit_test(empty_and_single),
		cmocka_unit_test(contains_only_the_elements),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
