/* Unit tests for the JSON stream (server/core/jsonstream.c): the pieces of
 * a document read in chunks of every size from 1 byte, the structure
 * around them refused where it is wrong, and the cap on a piece. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonstream.h"
#include "core/banned.h"

static const char *const split[] = { "images", "annotations", NULL };

struct feed {
	const char *text;
	size_t len, at, chunk;
};

static ssize_t feed_read(void *arg, char *buf, size_t len)
{
	struct feed *f = arg;
	size_t n = f->len - f->at;

	if (n > f->chunk)
		n = f->chunk;
	if (n > len)
		n = len;
	memcpy(buf, f->text + f->at, n);
	f->at += n;
	return (ssize_t)n;
}

static ssize_t failing_read(void *arg, char *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return -1;
}

/* The events of text as one line each ("M key value", "A key", "E i
 * value", "Z n", "D value", "END", "ERR line:col message"), read in
 * chunks of chunk bytes with pieces of at most cap bytes. */
static char *events(const char *text, size_t chunk, size_t cap, int *spaced)
{
	struct feed f = { text, strlen(text), 0, chunk };
	struct ts_jsonstream s;
	struct ts_jsonstream_item it;
	enum ts_jsonstream_event ev;
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	ts_jsonstream_init(&s, cap, split, feed_read, &f);
	do {
		ev = ts_jsonstream_next(&s, &it);
		switch (ev) {
		case TS_JSONSTREAM_MEMBER:
			fprintf(m, "M %.*s %.*s\n", (int)it.key_len, it.key, (int)it.len, it.value);
			break;
		case TS_JSONSTREAM_ARRAY:
			fprintf(m, "A %.*s\n", (int)it.key_len, it.key);
			break;
		case TS_JSONSTREAM_ELEMENT:
			fprintf(m, "E %zu %.*s @%zu:%zu\n", it.index, (int)it.len, it.value, it.line,
				it.column);
			break;
		case TS_JSONSTREAM_ARRAY_END:
			fprintf(m, "Z %zu\n", it.index);
			break;
		case TS_JSONSTREAM_DOCUMENT:
			fprintf(m, "D %.*s\n", (int)it.len, it.value);
			break;
		case TS_JSONSTREAM_END:
			fprintf(m, "END\n");
			break;
		case TS_JSONSTREAM_ERROR:
			fprintf(m, "ERR %zu:%zu %s\n", it.line, it.column, it.message);
			break;
		}
	} while (ev != TS_JSONSTREAM_END && ev != TS_JSONSTREAM_ERROR);
	/* the same again after the end */
	assert_int_equal(ts_jsonstream_next(&s, &it), ev);
	if (spaced)
		*spaced = ts_jsonstream_spaced(&s);
	ts_jsonstream_release(&s);
	fclose(m);
	return out;
}

/* The events are the same in every chunk size. */
static void expect(const char *text, size_t cap, const char *want)
{
	for (size_t chunk = 1; chunk <= strlen(text) + 1; chunk++) {
		char *got = events(text, chunk, cap, NULL);

		if (strcmp(got, want))
			fail_msg("chunk %zu of %s:\ngot:\n%swant:\n%s", chunk, text, got, want);
		free(got);
	}
}

static void test_pieces(void **state)
{
	(void)state;
	expect("{\"info\":{\"a\":[1,\"]}\\\"\"]},\"images\":[{\"id\":1},[2,3],\"x]\",-4.5e3,true],"
	       "\"annotations\":[],\"n\":null}",
	       1000,
	       "M \"info\" {\"a\":[1,\"]}\\\"\"]}\n"
	       "A \"images\"\n"
	       "E 0 {\"id\":1} @1:36\n"
	       "E 1 [2,3] @1:45\n"
	       "E 2 \"x]\" @1:51\n"
	       "E 3 -4.5e3 @1:56\n"
	       "E 4 true @1:63\n"
	       "Z 5\n"
	       "A \"annotations\"\n"
	       "Z 0\n"
	       "M \"n\" null\n"
	       "END\n");
	/* an array under another name, a split name spelled with an escape
	 * and a split name whose value is no array: whole */
	expect("{\"other\":[1,2],\"\\u0069mages\":[3],\"annotations\":5}", 1000,
	       "M \"other\" [1,2]\n"
	       "M \"\\u0069mages\" [3]\n"
	       "M \"annotations\" 5\n"
	       "END\n");
	expect("{}", 10, "END\n");
	/* not an object: all of it, for the parser */
	expect("[1,2]", 10, "D [1,2]\nEND\n");
	expect("", 10, "D \nEND\n");
}

static void test_whitespace_and_positions(void **state)
{
	int spaced = 0;
	char *got;

	(void)state;
	expect(" {\n \"images\" : [\n  {\"id\":1} ,\n  2\n ]\n}\n", 100,
	       "A \"images\"\n"
	       "E 0 {\"id\":1} @3:3\n"
	       "E 1 2 @4:3\n"
	       "Z 2\n"
	       "END\n");
	got = events("{\"a\": 1}", 3, 100, &spaced);
	assert_string_equal(got, "M \"a\" 1\nEND\n");
	assert_true(spaced);
	free(got);
	got = events("{\"a\":1,\"images\":[1,2]}", 3, 100, &spaced);
	assert_false(spaced);
	free(got);
}

static void test_malformed(void **state)
{
	(void)state;
	expect("{\"a\":1 \"b\":2}", 100, "M \"a\" 1\nERR 1:8 ',' or '}' expected\n");
	expect("{\"a\":1}x", 100, "M \"a\" 1\nERR 1:8 end of file expected\n");
	expect("{\"a\" 1}", 100, "ERR 1:6 ':' expected after a key\n");
	expect("{1:2}", 100, "ERR 1:2 a key (a string) expected\n");
	expect("{\"images\":[1,]}", 100,
	       "A \"images\"\nE 0 1 @1:12\nERR 1:14 a value expected near ']'\n");
	expect("{\"images\":[1 2]}", 100,
	       "A \"images\"\nE 0 1 @1:12\nERR 1:14 ',' or ']' expected\n");
	expect("{\"a\":\"open", 100, "ERR 1:11 unexpected end of file in a string\n");
	expect("{\"a\":[1,2", 100, "ERR 1:10 unexpected end of file in a value\n");
	expect("{\"a\":1", 100, "M \"a\" 1\nERR 1:7 unexpected end of file, ',' or '}' expected\n");
	expect("{", 100, "ERR 1:2 unexpected end of file, a key expected\n");
}

static void test_cap(void **state)
{
	(void)state;
	/* a piece of cap bytes passes, one more does not */
	expect("{\"images\":[\"123456\",\"1234567\"]}", 8,
	       "A \"images\"\nE 0 \"123456\" @1:12\nERR 1:21 a value longer than 8 bytes\n");
	expect("{\"a\":[1,2,3,4,5]}", 8, "ERR 1:6 a value longer than 8 bytes\n");
	expect("[1,2,3,4,5,6,7,8]", 8, "ERR 1:1 a document longer than 8 bytes\n");
}

static void test_read_failure(void **state)
{
	struct ts_jsonstream s;
	struct ts_jsonstream_item it;

	(void)state;
	ts_jsonstream_init(&s, 100, split, failing_read, NULL);
	assert_int_equal(ts_jsonstream_next(&s, &it), TS_JSONSTREAM_ERROR);
	assert_string_equal(it.message, "read failed");
	ts_jsonstream_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_whitespace_and_positions),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_read_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
