/* Route matching and lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "http/req.h"
#include "http/router.h"

static void matches_ids(void **state)
{
	int64_t p[4];
	int n = -1;
	(void)state;

	assert_true(ts_route_match("/api/v1/projects/{id}/categories/{id}",
				   "/api/v1/projects/12/categories/7", p, 4, &n));
	assert_int_equal(n, 2);
	assert_int_equal(p[0], 12);
	assert_int_equal(p[1], 7);
	assert_false(ts_route_match("/api/v1/projects/{id}", "/api/v1/projects/0", p, 4, &n));
	assert_false(ts_route_match("/api/v1/projects/{id}", "/api/v1/projects/012", p, 4, &n));
	assert_false(ts_route_match("/api/v1/projects/{id}", "/api/v1/projects/-1", p, 4, &n));
	assert_false(ts_route_match("/api/v1/projects/{id}", "/api/v1/projects/1x", p, 4, &n));
	assert_false(ts_route_match("/api/v1/projects/{id}", "/api/v1/projects/99999999999999999", p, 4, &n));
	assert_false(ts_route_match("/api/v1/projects/{id}", "/api/v1/projects/1/", p, 4, &n));
	assert_false(ts_route_match("/api/v1/projects", "/api/v1/projects/1", p, 4, &n));
	assert_false(ts_route_match("/api/v1/projects/{id}", "/api/v1/projects", p, 4, &n));
	assert_true(ts_route_match("/healthz", "/healthz", p, 4, &n));
	assert_int_equal(n, 0);
}

static void finds_routes_and_methods(void **state)
{
	const struct ts_route *r = NULL;
	int64_t p[TS_REQ_MAX_PARAMS];
	int n = 0;
	char allow[128];
	(void)state;

	assert_int_equal(ts_router_find("PUT", "/api/v1/projects/3/categories/order", &r, p, &n, allow,
					sizeof(allow)),
			 TS_ROUTE_FOUND);
	assert_string_equal(r->pattern, "/api/v1/projects/{id}/categories/order");
	assert_int_equal(ts_router_find("HEAD", "/healthz", &r, p, &n, allow, sizeof(allow)),
			 TS_ROUTE_FOUND);
	assert_int_equal(ts_router_find("DELETE", "/api/v1/projects", &r, p, &n, allow, sizeof(allow)),
			 TS_ROUTE_NO_METHOD);
	assert_non_null(strstr(allow, "GET"));
	assert_non_null(strstr(allow, "POST"));
	assert_int_equal(ts_router_find("GET", "/api/v1/nope", &r, p, &n, allow, sizeof(allow)),
			 TS_ROUTE_NO_PATH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_ids),
		cmocka_unit_test(finds_routes_and_methods),
	};
	return cmocka_run_group_tests_name("http/router", tests, NULL, NULL);
}
