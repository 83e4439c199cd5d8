/* The JSON scan: its weight bounds the values, and it names the largest
 * array by its path of keys, strings and escapes notwithstanding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/jsonscan.h"

static void scan(const char *text, struct ts_jsonscan *out)
{
	ts_jsonscan(text, strlen(text), out);
}

static void names_the_largest_array(void **state)
{
	struct ts_jsonscan s;
	(void)state;

	scan("{\"payload\":{\"type\":\"boxes\",\"objects\":[{\"bbox\":[1,2,3,4]},{\"bbox\":[1,2,3,4]},"
	     "{\"bbox\":[1,2,3,4]},{\"bbox\":[1,2,3,4]},{\"bbox\":[0,0,1,1]}]}}", &s);
	assert_int_equal(s.largest, 5);
	assert_string_equal(s.largest_key, "payload.objects");
	scan("{\"objects\":[1,2],\"category_ids\":[1,2,3]}", &s);
	assert_int_equal(s.largest, 3);
	assert_string_equal(s.largest_key, "category_ids");
	scan("[[1,2,3,4],[]]", &s);
	assert_int_equal(s.largest, 4);
	assert_string_equal(s.largest_key, "");
	/* Commas, brackets and quotes inside strings count for nothing. */
	scan("{\"a\\\",[\":[\"x,y\",\"]\\\\\",\"z\"]}", &s);
	assert_int_equal(s.largest, 3);
	assert_string_equal(s.largest_key, "a\\\",[");
	scan("{\"e\":[]}", &s);
	assert_int_equal(s.largest, 0);
}

static void weight_bounds_the_values(void **state)
{
	struct ts_jsonscan s;
	(void)state;

	scan("[1,2,3]", &s); /* 4 values */
	assert_true(s.weight >= 4);
	scan("{\"a\":{\"b\":{}},\"c\":[true,null]}", &s); /* 6 values */
	assert_true(s.weight >= 6);
	assert_true(s.weight < 40);
	/* Malformed or cut text is scanned without harm. */
	scan("{\"a\":[1,2,\"unterminated", &s);
	scan("]]]}}}", &s);
	scan("\"\\", &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_the_largest_array),
		cmocka_unit_test(weight_bounds_the_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
