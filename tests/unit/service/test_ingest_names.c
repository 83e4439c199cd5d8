/* Unit tests for ts_ingest_check_name (server/service/ingest.c): which
 * uploaded file names are stored, and how. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "service/ingest.h"
#include "core/banned.h"

static enum ts_err check(const char *name, char *out, struct ts_error *err)
{
	return ts_ingest_check_name(name, strlen(name), out, err);
}

static void test_plain_names_are_kept(void **state)
{
	char out[TS_ASSET_FILE_NAME_MAX + 1];
	struct ts_error err = { 0 };

	(void)state;
	assert_int_equal(check("cat_001.jpg", out, &err), TS_OK);
	assert_string_equal(out, "cat_001.jpg");
	assert_int_equal(check("  Ünïcödé 猫.png ", out, &err), TS_OK);
	assert_string_equal(out, "Ünïcödé 猫.png");
	assert_int_equal(check("..hidden.jpg", out, &err), TS_OK);
}

static void test_hostile_names_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "   ", ".", "..", "../etc/passwd", "a/b.jpg", "a\\b.jpg", "ctl\x01.jpg",
		"tab\t.jpg", "nl\n.jpg", "del\x7f.jpg", "c1\xc2\x85.jpg", "bad\xff\xfe.jpg",
		"over\xc0\xaf.jpg",
	};
	char out[TS_ASSET_FILE_NAME_MAX + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ts_error err = { 0 };

		assert_int_equal(check(bad[i], out, &err), TS_ERR_INVALID);
		assert_string_equal(err.code, "invalid_file_name");
		assert_true(strlen(err.message) > 10);
		assert_string_equal(out, "");
	}
}

static void test_length_limit_is_255_bytes(void **state)
{
	char name[1001], out[TS_ASSET_FILE_NAME_MAX + 1];
	struct ts_error err = { 0 };

	(void)state;
	memset(name, 'x', sizeof(name) - 1);
	name[1000] = '\0';
	assert_int_equal(check(name, out, &err), TS_ERR_INVALID);
	name[255] = '\0';
	assert_int_equal(check(name, out, &err), TS_OK);
	assert_int_equal(strlen(out), 255);
	name[255] = 'x';
	name[256] = '\0';
	assert_int_equal(check(name, out, &err), TS_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_names_are_kept),
		cmocka_unit_test(test_hostile_names_are_refused),
		cmocka_unit_test(test_length_limit_is_255_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
