/* Name validation: trimming, length in characters, UTF-8, control chars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "domain/names.h"

static void trims_and_accepts(void **state)
{
	struct ts_error err = { 0 };
	char *n = ts_name_clean("  Cat \t", 100, "category name", &err);
	(void)state;

	assert_non_null(n);
	assert_string_equal(n, "Cat");
	free(n);
	n = ts_name_clean("猫 ünï", 5, "category name", &err);
	assert_non_null(n);
	free(n);
}

static void refuses(void **state)
{
	const char *bad[] = { "", "   ", "a\x01z", "a\x7fz", "a\xc2\x85z", "\xff\xfe", "\xc0\xaf",
			      "\xed\xa0\x80", "abc\xe2\x82" };
	struct ts_error err = { 0 };
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(ts_name_clean(bad[i], 100, "name", &err));
		assert_int_equal(err.err, TS_ERR_INVALID);
		assert_string_equal(err.code, "invalid_name");
	}
	assert_null(ts_name_clean("猫猫猫猫猫猫", 5, "name", &err));
}

static void counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(ts_utf8_count("abc", 3), 3);
	assert_int_equal(ts_utf8_count("猫", strlen("猫")), 1);
	assert_int_equal(ts_utf8_count("\xf0\x9f\x90\x88", 4), 1);
	assert_int_equal(ts_utf8_count("\xf4\x90\x80\x80", 4), -1); /* > U+10FFFF */
	assert_int_equal(ts_utf8_count("\xe0\x80\xaf", 3), -1);     /* overlong */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trims_and_accepts),
		cmocka_unit_test(refuses),
		cmocka_unit_test(counts_code_points),
	};
	return cmocka_run_group_tests_name("domain/names", tests, NULL, NULL);
}
