/* Unit tests for the deterministic train/val/test split
 * (server/export/split.c): the split point against values computed with the
 * Python reader's twin (contract/python/tessera_dataset.py, split_point),
 * the bucket rule, stability, and the checks of a split object.
 *
 * Build and run from the repository root: make test-unit (or
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Iserver \
 *     tests/unit/export/test_split.c server/export/split.c server/hash/sha256.c \
 *     server/core/utf8.c server/core/error.c \
 *     $(pkg-config --cflags --libs jansson libcrypto cmocka) -lm -o build/test_split)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "export/split.h"
#include "hash/sha256.h"

/* sha256 of "0", "1", "8", "11". */
#define H0 "5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9"
#define H1 "6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b"
#define H8 "2c624232cdd221771294dfbb310aca000a0df6ac8b66b696d90ef06fdefb64a3"
#define H11 "4fc82b26aecb47d2868c4efbe3581732a3e7cbcc6c2efb32062c08170a05eeb8"

#define TWO53 9007199254740992.0

static void split_point_matches_python(void **state)
{
	(void)state;
	/* u * 2^53 is an integer, exact in a double: compare exactly. */
	assert_true(ts_split_point("s", H0) * TWO53 == 1172149428190027.0);
	assert_true(ts_split_point("s", H1) * TWO53 == 3007252494250094.0);
	assert_true(ts_split_point("s", H8) * TWO53 == 7225066914877027.0);
	assert_true(ts_split_point("s", H11) * TWO53 == 8172183954144215.0);
	assert_true(ts_split_point("seed-1", H0) * TWO53 == 1141607073502185.0);
	assert_true(ts_split_point("\xc3\xa9t\xc3\xa9", H0) * TWO53 == 4628808828229784.0);
}

static void split_buckets(void **state)
{
	(void)state;
	struct ts_split s = { .seed = "s", .train = 0.8, .val = 0.1, .test = 0.1 };

	assert_int_equal(ts_split_of(&s, H0), TS_SPLIT_TRAIN);
	assert_int_equal(ts_split_of(&s, H1), TS_SPLIT_TRAIN);
	assert_int_equal(ts_split_of(&s, H8), TS_SPLIT_VAL);
	assert_int_equal(ts_split_of(&s, H11), TS_SPLIT_TEST);
	assert_string_equal(ts_split_name(TS_SPLIT_VAL), "val");

	/* All in train; no val: val is skipped. */
	struct ts_split all = { .seed = "s", .train = 1.0 };
	assert_int_equal(ts_split_of(&all, H11), TS_SPLIT_TRAIN);
	struct ts_split nov = { .seed = "s", .train = 0.8, .test = 0.2 };
	assert_int_equal(ts_split_of(&nov, H8), TS_SPLIT_TEST);
}

/* Fractions are honoured over many images, and an image's split depends on
 * nothing but its own checksum (the same answer in any order, any count). */
static void split_fractions_and_stability(void **state)
{
	(void)state;
	struct ts_split s = { .seed = "seed", .train = 0.7, .val = 0.2, .test = 0.1 };
	int counts[3] = { 0 };
	enum ts_split_part first[2000];
	char hex[TS_SHA256_HEX_SIZE], buf[16];

	for (int i = 0; i < 2000; i++) {
		int n = snprintf(buf, sizeof(buf), "%d", i);
		ts_sha256_hex(buf, (size_t)n, hex);
		first[i] = ts_split_of(&s, hex);
		counts[first[i]]++;
	}
	assert_in_range(counts[TS_SPLIT_TRAIN], 1330, 1470);
	assert_in_range(counts[TS_SPLIT_VAL], 340, 460);
	assert_in_range(counts[TS_SPLIT_TEST], 150, 250);
	for (int i = 1999; i >= 0; i -= 7) {
		int n = snprintf(buf, sizeof(buf), "%d", i);
		ts_sha256_hex(buf, (size_t)n, hex);
		assert_int_equal(ts_split_of(&s, hex), first[i]);
	}
	/* Another seed is another split. */
	struct ts_split t = s;
	strcpy(t.seed, "other");
	int moved = 0;
	for (int i = 0; i < 200; i++) {
		int n = snprintf(buf, sizeof(buf), "%d", i);
		ts_sha256_hex(buf, (size_t)n, hex);
		moved += ts_split_of(&t, hex) != first[i];
	}
	assert_true(moved > 20);
}

static enum ts_err parse(const char *text, struct ts_split *out, struct ts_error *err)
{
	json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	assert_non_null(j);
	enum ts_err e = ts_split_parse(j, out, err);
	json_decref(j);
	return e;
}

static void split_parse_good(void **state)
{
	(void)state;
	struct ts_split s;
	struct ts_error err = { 0 };

	assert_int_equal(parse("{\"seed\":\"s\",\"train\":0.8,\"val\":0.1,\"test\":0.1}", &s, &err),
			 TS_OK);
	assert_string_equal(s.seed, "s");
	assert_true(s.train == 0.8 && s.val == 0.1 && s.test == 0.1);
	assert_int_equal(parse("{\"seed\":\"\xc3\xa9t\xc3\xa9\",\"train\":1,\"val\":0,\"test\":0}",
			       &s, &err),
			 TS_OK);
	assert_true(s.train == 1.0);
	/* 0.7 + 0.2 + 0.1 is 0.9999999999999999 in doubles: accepted. */
	assert_int_equal(parse("{\"seed\":\"x\",\"train\":0.7,\"val\":0.2,\"test\":0.1}", &s, &err),
			 TS_OK);
}

static void expect_bad(const char *text, const char *fragment)
{
	struct ts_split s;
	struct ts_error err = { 0 };

	assert_int_equal(parse(text, &s, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_split");
	if (!strstr(err.message, fragment))
		fail_msg("%s: message \"%s\" lacks \"%s\"", text, err.message, fragment);
}

static void split_parse_bad(void **state)
{
	(void)state;
	char long_seed[200];

	expect_bad("[]", "must be an object");
	expect_bad("{\"seed\":\"s\",\"train\":0.8,\"val\":0.1,\"test\":0.1,\"x\":1}", "only seed");
	expect_bad("{\"train\":0.8,\"val\":0.1,\"test\":0.1}", "needs a seed");
	expect_bad("{\"seed\":1,\"train\":0.8,\"val\":0.1,\"test\":0.1}", "needs a seed");
	expect_bad("{\"seed\":\"\",\"train\":0.8,\"val\":0.1,\"test\":0.1}", "1 to 100");
	expect_bad("{\"seed\":\"a\\nb\",\"train\":0.8,\"val\":0.1,\"test\":0.1}", "control");
	expect_bad("{\"seed\":\"a\\u0000b\",\"train\":0.8,\"val\":0.1,\"test\":0.1}", "1 to 100");
	memset(long_seed, 0, sizeof(long_seed));
	strcpy(long_seed, "{\"seed\":\"");
	memset(long_seed + strlen(long_seed), 'a', 101);
	strcat(long_seed, "\",\"train\":1,\"val\":0,\"test\":0}");
	expect_bad(long_seed, "1 to 100");
	expect_bad("{\"seed\":\"s\",\"val\":0.1,\"test\":0.1}", "needs a fraction train");
	expect_bad("{\"seed\":\"s\",\"train\":\"0.8\",\"val\":0.1,\"test\":0.1}", "train must be");
	expect_bad("{\"seed\":\"s\",\"train\":1.5,\"val\":-0.25,\"test\":-0.25}", "train must be");
	expect_bad("{\"seed\":\"s\",\"train\":0.8,\"val\":-0.1,\"test\":0.3}", "val must be");
	expect_bad("{\"seed\":\"s\",\"train\":0.8,\"val\":0.1,\"test\":0.2}", "add up to 1");
	expect_bad("{\"seed\":\"s\",\"train\":0,\"val\":0.5,\"test\":0.5}", "more than 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_point_matches_python),
		cmocka_unit_test(split_buckets),
		cmocka_unit_test(split_fractions_and_stability),
		cmocka_unit_test(split_parse_good),
		cmocka_unit_test(split_parse_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
