/* The streaming JSON writer: structure, escaping and numbers, compared with
 * what jansson prints for the same values (the views' old output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/utf8.h"

/* jansson's compact text for v (stolen). */
static char *jansson_text(json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	json_decref(v);
	assert_non_null(s);
	return s;
}

static void nested_document(void **state)
{
	struct ts_buf b;
	struct ts_jsonw w;
	char *want;
	(void)state;

	ts_buf_init(&b, 1 << 20);
	ts_jsonw_init(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "assets");
	ts_jsonw_array(&w);
	for (int i = 1; i <= 2; i++) {
		ts_jsonw_object(&w);
		ts_jsonw_kint(&w, "id", i);
		ts_jsonw_kstring(&w, "name", "a\"b");
		ts_jsonw_key(&w, "cats");
		ts_jsonw_array(&w);
		ts_jsonw_array_end(&w);
		ts_jsonw_key(&w, "empty");
		ts_jsonw_object(&w);
		ts_jsonw_object_end(&w);
		ts_jsonw_kbool(&w, "ok", i == 1);
		ts_jsonw_knull(&w, "by");
		ts_jsonw_kstring(&w, "nothing", NULL);
		ts_jsonw_object_end(&w);
	}
	ts_jsonw_array_end(&w);
	ts_jsonw_key(&w, "n");
	ts_jsonw_double(&w, 2.5);
	ts_jsonw_key(&w, "raw");
	ts_jsonw_raw(&w, "{\"a\":[1]}", 9);
	ts_jsonw_object_end(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_OK);

	want = jansson_text(json_pack("{s:[{s:i, s:s, s:[], s:{}, s:b, s:n, s:n},"
				      "{s:i, s:s, s:[], s:{}, s:b, s:n, s:n}], s:f, s:{s:[i]}}",
				      "assets", "id", 1, "name", "a\"b", "cats", "empty", "ok", 1,
				      "by", "nothing", "id", 2, "name", "a\"b", "cats", "empty",
				      "ok", 0, "by", "nothing", "n", 2.5, "raw", "a", 1));
	assert_string_equal(b.ptr, want);
	free(want);
	ts_buf_release(&b);
}

/* Every byte value alone and in context: the same text as jansson for
 * valid UTF-8; U+FFFD for bytes that are not. */
static void strings_like_jansson(void **state)
{
	static const char *const cases[] = {
		"", "plain", "quote\" back\\ slash/", "\b\f\n\r\t", "\x01\x1f\x7f",
		"caf\xC3\xA9", "\xE2\x80\xA8 \xF0\x9F\x98\x80", "\xEF\xBF\xBD",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ts_buf b;
		struct ts_jsonw w;
		char *want = jansson_text(json_string(cases[i]));

		ts_buf_init(&b, 4096);
		ts_jsonw_init(&w, &b);
		ts_jsonw_string(&w, cases[i]);
		assert_int_equal(ts_jsonw_finish(&w), TS_OK);
		assert_string_equal(b.ptr, want);
		free(want);
		ts_buf_release(&b);
	}
	for (int c = 0; c < 0x80; c++) {
		char s[4] = { 'x', (char)c, 'y', 0 };
		struct ts_buf b;
		struct ts_jsonw w;
		char *want = jansson_text(json_stringn(s, 3));

		ts_buf_init(&b, 64);
		ts_jsonw_init(&w, &b);
		ts_jsonw_stringn(&w, s, 3);
		assert_string_equal(b.ptr, want);
		free(want);
		ts_buf_release(&b);
	}
}

static void invalid_utf8_replaced(void **state)
{
	/* A lone continuation, an overlong '/', a surrogate, a cut sequence. */
	const char in[] = "a\x80" "b\xC0\xAF" "c\xED\xA0\x80" "d\xE2\x82";
	struct ts_buf b;
	struct ts_jsonw w;
	(void)state;

	ts_buf_init(&b, 4096);
	ts_jsonw_init(&w, &b);
	ts_jsonw_stringn(&w, in, sizeof(in) - 1);
	assert_int_equal(ts_jsonw_finish(&w), TS_OK);
	assert_true(ts_utf8_count(b.ptr, b.len) > 0);
	assert_string_equal(b.ptr, "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD"
				   "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
				   "d\xEF\xBF\xBD\xEF\xBF\xBD\"");
	ts_buf_release(&b);
}

static void numbers_like_jansson(void **state)
{
	static const int64_t ints[] = { 0, -1, 42, TS_JSON_MAX_SAFE_INT, INT64_MAX, INT64_MIN };
	static const double reals[] = { 0.0, -0.0, 1.0, 0.1, 2.5, 1e20, 1e-5, 1e300, -3.25e-300,
					30000.0 / 1001.0, 123456789012345678.0 };
	(void)state;

	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		struct ts_buf b;
		struct ts_jsonw w;
		char *want = jansson_text(json_integer((json_int_t)ints[i]));

		ts_buf_init(&b, 64);
		ts_jsonw_init(&w, &b);
		ts_jsonw_int(&w, ints[i]);
		assert_string_equal(b.ptr, want);
		free(want);
		ts_buf_release(&b);
	}
	for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++) {
		struct ts_buf b;
		struct ts_jsonw w;
		char *want = jansson_text(json_real(reals[i]));

		ts_buf_init(&b, 64);
		ts_jsonw_init(&w, &b);
		ts_jsonw_double(&w, reals[i]);
		assert_int_equal(ts_jsonw_finish(&w), TS_OK);
		assert_string_equal(b.ptr, want);
		/* And it reads back as the same double. */
		assert_true(strtod(b.ptr, NULL) == reals[i]);
		free(want);
		ts_buf_release(&b);
	}
}

static void non_finite_refused(void **state)
{
	struct ts_buf b;
	struct ts_jsonw w;
	(void)state;

	ts_buf_init(&b, 64);
	ts_jsonw_init(&w, &b);
	ts_jsonw_array(&w);
	ts_jsonw_double(&w, NAN);
	ts_jsonw_int(&w, 1);
	ts_jsonw_array_end(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INVALID);
	ts_buf_reset(&b);
	ts_jsonw_init(&w, &b);
	ts_jsonw_double(&w, INFINITY);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INVALID);
	assert_int_equal(b.len, 0);
	ts_buf_release(&b);
}

static void misuse_is_an_error(void **state)
{
	struct ts_buf b;
	struct ts_jsonw w;
	(void)state;

	ts_buf_init(&b, 64);
	/* A value where a key is due. */
	ts_jsonw_init(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_int(&w, 1);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	/* A key in an array. */
	ts_jsonw_init(&w, &b);
	ts_jsonw_array(&w);
	ts_jsonw_key(&w, "k");
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	/* A key with no value, closed. */
	ts_jsonw_init(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "k");
	ts_jsonw_object_end(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	/* Mismatched and missing ends. */
	ts_jsonw_init(&w, &b);
	ts_jsonw_array(&w);
	ts_jsonw_object_end(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	ts_jsonw_init(&w, &b);
	ts_jsonw_array(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	ts_jsonw_init(&w, &b);
	ts_jsonw_array_end(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	/* Two documents in one. */
	ts_jsonw_init(&w, &b);
	ts_jsonw_null(&w);
	ts_jsonw_null(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	/* Nothing at all. */
	ts_jsonw_init(&w, &b);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_INTERNAL);
	/* Too deep. */
	ts_jsonw_init(&w, &b);
	for (int i = 0; i <= TS_JSONW_DEPTH; i++)
		ts_jsonw_array(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_TOO_LARGE);
	ts_buf_release(&b);
}

static void buffer_cap_is_an_error(void **state)
{
	struct ts_buf b;
	struct ts_jsonw w;
	(void)state;

	ts_buf_init(&b, 10);
	ts_jsonw_init(&w, &b);
	ts_jsonw_array(&w);
	ts_jsonw_string(&w, "more than ten bytes");
	ts_jsonw_array_end(&w);
	assert_int_equal(ts_jsonw_finish(&w), TS_ERR_TOO_LARGE);
	assert_true(b.len <= 10);
	ts_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nested_document),
		cmocka_unit_test(strings_like_jansson),
		cmocka_unit_test(invalid_utf8_replaced),
		cmocka_unit_test(numbers_like_jansson),
		cmocka_unit_test(non_finite_refused),
		cmocka_unit_test(misuse_is_an_error),
		cmocka_unit_test(buffer_cap_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
