/* Cursor encoding: round trips, and refusal of anything we did not make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/cursor.h"

static void round_trip(void **state)
{
	const int64_t cases[][2] = { { 1, 0 }, { 42, 7 }, { 9007199254740991LL, -5 }, { 0, 123456789 } };
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[TS_CURSOR_TEXT_MAX];
		int64_t back[2] = { 0, 0 };

		ts_cursor_encode(cases[i], 2, text);
		assert_true(strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
			    strlen(text));
		assert_int_equal(ts_cursor_decode(text, back, 2), 0);
		assert_int_equal(back[0], cases[i][0]);
		assert_int_equal(back[1], cases[i][1]);
	}
}

static void refuses_garbage(void **state)
{
	int64_t v[2];
	char one[TS_CURSOR_TEXT_MAX];
	const int64_t x = 5;
	(void)state;

	assert_int_equal(ts_cursor_decode("", v, 1), -1);
	assert_int_equal(ts_cursor_decode("%%%", v, 1), -1);
	assert_int_equal(ts_cursor_decode("12345", v, 1), -1);
	assert_int_equal(ts_cursor_decode("YWJj", v, 1), -1); /* "abc" */
	ts_cursor_encode(&x, 1, one);
	assert_int_equal(ts_cursor_decode(one, v, 2), -1); /* wrong arity */
	assert_int_equal(ts_cursor_decode(one, v, 1), 0);
	assert_int_equal(v[0], 5);
}

/* Three extreme values used to overflow the encoder's buffer (found by
 * tests/fuzz/fuzz_cursor.c). */
static void extreme_values(void **state)
{
	const int64_t vals[TS_CURSOR_MAX_VALUES] = { INT64_MIN, INT64_MAX, INT64_MIN };
	char text[TS_CURSOR_TEXT_MAX + 8];
	int64_t back[TS_CURSOR_MAX_VALUES] = { 0, 0, 0 };
	(void)state;

	memset(text, 'x', sizeof(text));
	ts_cursor_encode(vals, TS_CURSOR_MAX_VALUES, text);
	assert_true(strlen(text) < TS_CURSOR_TEXT_MAX);
	assert_int_equal(ts_cursor_decode(text, back, TS_CURSOR_MAX_VALUES), 0);
	assert_memory_equal(back, vals, sizeof(vals));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(refuses_garbage),
		cmocka_unit_test(extreme_values),
	};
	return cmocka_run_group_tests_name("core/cursor", tests, NULL, NULL);
}
