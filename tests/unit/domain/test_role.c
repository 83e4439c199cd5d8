/* Project roles: names, parsing, the own-label rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/role.h"

static void names_round_trip(void **state)
{
	enum ts_role r = TS_ROLE_NONE;
	(void)state;

	for (int i = TS_ROLE_LABELER; i <= TS_ROLE_MANAGER; i++) {
		assert_int_equal(ts_role_parse(ts_role_name((enum ts_role)i), &r), 0);
		assert_int_equal(r, i);
	}
	assert_string_equal(ts_role_name(TS_ROLE_ADMIN), "admin");
	assert_string_equal(ts_role_name(TS_ROLE_NONE), "");
	assert_string_equal(ts_role_name((enum ts_role)99), "");
	assert_int_equal(ts_role_parse("admin", &r), -1);
	assert_int_equal(ts_role_parse("Manager", &r), -1);
	assert_int_equal(ts_role_parse("", &r), -1);
	assert_int_equal(ts_role_parse(NULL, &r), -1);
	assert_true(TS_ROLE_LABELER < TS_ROLE_REVIEWER && TS_ROLE_REVIEWER < TS_ROLE_MANAGER &&
		    TS_ROLE_MANAGER < TS_ROLE_ADMIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_round_trip),
	};
	return cmocka_run_group_tests_name("domain/role", tests, NULL, NULL);
}
