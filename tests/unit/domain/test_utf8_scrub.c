/* ts_utf8_scrub: client text made safe for JSON and the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "domain/names.h"

#define FFFD "\xef\xbf\xbd"

static void check(const char *in, size_t len, size_t max, int no_controls, const char *want)
{
	char *out = ts_utf8_scrub(in, len, max, no_controls);

	assert_string_equal(out, want);
	assert_true(ts_utf8_count(out, strlen(out)) >= 0);
	assert_true(strlen(out) <= max);
	free(out);
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
		cmocka_unit_test(keeps_valid_text),
		cmocka_unit_test(replaces_invalid_bytes),
		cmocka_unit_test(nul_and_controls),
		cmocka_unit_test(cuts_at_a_character_boundary),
	};
	return cmocka_run_group_tests_name("domain/utf8_scrub", tests, NULL, NULL);
}
