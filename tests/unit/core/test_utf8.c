/* core/utf8: the one UTF-8 checker (ts_utf8_count) and ts_utf8_scrub,
 * client text made safe for JSON and the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define FFFD "\xef\xbf\xbd"

static void check(const char *in, size_t len, size_t max, int no_controls, const char *want)
{
	char *out = ts_utf8_scrub(in, len, max, no_controls);

	assert_string_equal(out, want);
	assert_true(ts_utf8_count(out, strlen(out)) >= 0);
	assert_true(strlen(out) <= max);
	free(out);
}

/* Code points of valid text; -1 for every way text is not UTF-8. */
static void counts_and_checks(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		long want;
	} cases[] = {
		{ "", 0, 0 },
		{ "cat", 3, 3 },
		{ "\xe7\x8c\xab", 3, 1 },           /* U+732B */
		{ "\xf0\x9f\x90\x88", 4, 1 },       /* U+1F408 */
		{ "\xf4\x8f\xbf\xbf", 4, 1 },       /* U+10FFFF, the last */
		{ "a\0b", 3, 3 },                    /* NUL is a character */
		{ "\xc0\xaf", 2, -1 },               /* overlong '/' */
		{ "\xe0\x80\xaf", 3, -1 },           /* overlong, 3 bytes */
		{ "\xf0\x80\x80\xaf", 4, -1 },       /* overlong, 4 bytes */
		{ "\xed\xa0\x80", 3, -1 },           /* a surrogate */
		{ "\xf4\x90\x80\x80", 4, -1 },       /* over U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 5, -1 },   /* 5-byte form */
		{ "\xe7\x8c", 2, -1 },               /* truncated */
		{ "\x80", 1, -1 },                   /* a lone continuation */
		{ "\xe7\x41\xab", 3, -1 },           /* a bad continuation */
		{ "\xff", 1, -1 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(ts_utf8_count(cases[i].s, cases[i].len), cases[i].want);
}

static void keeps_valid_text(void **state)
{
	(void)state;
	check("cat 猫 🐈", strlen("cat 猫 🐈"), 100, 1, "cat 猫 🐈");
	check("", 0, 10, 1, "");
}

static void replaces_invalid_bytes(void **state)
{
	(void)state;
	check("/a\xff\xfe", 4, 100, 0, "/a" FFFD FFFD);
	check("\xc0\xaf", 2, 100, 0, FFFD FFFD);            /* overlong '/' */
	check("\xed\xa0\x80", 3, 100, 0, FFFD FFFD FFFD);    /* surrogate */
	check("ab\xe2\x82", 4, 100, 0, "ab" FFFD FFFD);      /* cut sequence */
}

static void nul_and_controls(void **state)
{
	(void)state;
	check("a\0b", 3, 100, 0, "a" FFFD "b");
	check("a\nb", 3, 100, 0, "a\nb");
	check("a\nb\x7f", 4, 100, 1, "a" FFFD "b" FFFD);
}

static void cuts_at_a_character_boundary(void **state)
{
	(void)state;
	/* 99 ASCII bytes then a 2-byte character: a 100-byte cut drops it. */
	char in[102];

	memset(in, 'a', 99);
	memcpy(in + 99, "\xc3\xa9", 2);
	in[101] = '\0';
	char *out = ts_utf8_scrub(in, 101, 100, 0);
	assert_int_equal(strlen(out), 99);
	free(out);
	check("\xff\xff\xff", 3, 5, 0, FFFD);
	check("abc", 3, 0, 0, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_and_checks),
		cmocka_unit_test(keeps_valid_text),
		cmocka_unit_test(replaces_invalid_bytes),
		cmocka_unit_test(nul_and_controls),
		cmocka_unit_test(cuts_at_a_character_boundary),
	};
	return cmocka_run_group_tests_name("core/utf8", tests, NULL, NULL);
}
