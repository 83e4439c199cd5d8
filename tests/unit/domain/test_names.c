/* Name validation: trimming, length in characters, UTF-8, control chars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
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

/* The embeddings, overrides and isolates are refused, with the code point
 * in the message; the marks (LRM, RLM, ALM) and look-alikes are not. */
static void refuses_bidi_controls(void **state)
{
	static const struct {
		const char *name;
		unsigned long cp;
	} bad[] = {
		{ "cat\xe2\x80\xaagnp.exe", 0x202A }, { "\xe2\x80\xabx", 0x202B },
		{ "x\xe2\x80\xac", 0x202C },          { "a\xe2\x80\xad", 0x202D },
		{ "cat\xe2\x80\xaegnp.exe", 0x202E }, { "\xe2\x81\xa6x\xe2\x81\xa9", 0x2066 },
		{ "x\xe2\x81\xa7y", 0x2067 },         { "x\xe2\x81\xa8y", 0x2068 },
		{ "x\xe2\x81\xa9", 0x2069 },
	};
	static const char *const good[] = {
		"\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d\xe2\x80\x8f 2", /* Hebrew + RLM */
		"a\xe2\x80\x8e" "b",                     /* LRM */
		"\xd8\xb3\xd9\x84\xd8\xa7\xd9\x85\xd8\x9c", /* Arabic + ALM */
		"a\xe2\x80\xa9" "b",  /* U+2029, a separator (not a bidi control) */
		"a\xe2\x80\xaf" "b",  /* U+202F, narrow no-break space */
		"a\xe2\x81\xa5" "b",  /* U+2065, unassigned, just below the isolates */
		"a\xe2\x81\xaa" "b",  /* U+206A, just above */
		"\xe2\x82\xac 5",  /* the euro sign */
	};
	struct ts_error err = { 0 };
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char expect[16];

		assert_int_equal(ts_name_bidi_control(bad[i].name, strlen(bad[i].name)), bad[i].cp);
		assert_null(ts_name_clean(bad[i].name, 100, "category name", &err));
		assert_int_equal(err.err, TS_ERR_INVALID);
		assert_string_equal(err.code, "invalid_name");
		snprintf(expect, sizeof(expect), "U+%04lX", bad[i].cp);
		assert_non_null(strstr(err.message, expect));
		assert_non_null(strstr(err.message, "category name"));
		assert_int_equal(ts_name_check_bidi(bad[i].name, strlen(bad[i].name), "file name",
						    "invalid_file_name", &err),
				 TS_ERR_INVALID);
		assert_string_equal(err.code, "invalid_file_name");
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *n = ts_name_clean(good[i], 100, "name", &err);

		assert_int_equal(ts_name_bidi_control(good[i], strlen(good[i])), 0);
		assert_non_null(n);
		free(n);
	}
	/* A control cut off at the end of the buffer is not read past it. */
	assert_int_equal(ts_name_bidi_control("ab\xe2\x80\xae", 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trims_and_accepts),
		cmocka_unit_test(refuses),
		cmocka_unit_test(counts_code_points),
		cmocka_unit_test(refuses_bidi_controls),
	};
	return cmocka_run_group_tests_name("domain/names", tests, NULL, NULL);
}
