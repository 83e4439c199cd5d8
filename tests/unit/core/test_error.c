/* Error messages as sentences: what the HTTP layer does to every message
 * before a client sees it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static void check(const char *in, const char *want)
{
	char *got = ts_error_sentence(in);

	assert_string_equal(got, want);
	free(got);
}

static void capitalises_and_ends_with_a_period(void **state)
{
	(void)state;
	check("the file is empty", "The file is empty.");
	check("A category named \"Cat\" exists already (id 1)", "A category named \"Cat\" exists already (id 1).");
	check("limit must be an integer from 1 to 500", "Limit must be an integer from 1 to 500.");
}

static void leaves_finished_sentences_alone(void **state)
{
	(void)state;
	check("The request body is not valid JSON.", "The request body is not valid JSON.");
	check("Really?", "Really?");
	check("Stop!", "Stop!");
	check("The file is empty.  ", "The file is empty.");
}

static void odd_inputs(void **state)
{
	(void)state;
	check("", "");
	check("   ", "");
	check("x", "X.");
	check("\"name\" is required", "\"name\" is required.");
	check("\xC3\xA9t\xC3\xA9", "\xC3\xA9t\xC3\xA9."); /* only ASCII is upper-cased */
	check("DELETE is not allowed here", "DELETE is not allowed here.");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(capitalises_and_ends_with_a_period),
		cmocka_unit_test(leaves_finished_sentences_alone),
		cmocka_unit_test(odd_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
