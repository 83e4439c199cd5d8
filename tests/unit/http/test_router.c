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

/* Every route under a project, asset, export, video or import names its scope
 * (matching the first {id}) and the role it needs; no other route does. The
 * access check (http/access.c) can only be as complete as this table. */
static void project_scoped_routes_need_a_role(void **state)
{
	static const struct {
		const char *prefix;
		enum ts_scope scope;
	} scoped[] = {
		{ "/api/v1/projects/{id}", TS_SCOPE_PROJECT },
		{ "/api/v1/assets/{id}", TS_SCOPE_ASSET },
		{ "/api/v1/exports/{id}", TS_SCOPE_EXPORT },
		{ "/api/v1/videos/{id}", TS_SCOPE_VIDEO },
		{ "/api/v1/imports/{id}", TS_SCOPE_IMPORT },
	};
	size_t ntables = 0, nscoped = 0;
	const struct ts_route *const *tables = ts_router_tables(&ntables);
	(void)state;

	for (size_t t = 0; t < ntables; t++) {
		for (const struct ts_route *r = tables[t]; r->method; r++) {
			enum ts_scope want = (enum ts_scope)0;

			for (size_t i = 0; i < sizeof(scoped) / sizeof(scoped[0]); i++) {
				size_t len = strlen(scoped[i].prefix);

				if (strncmp(r->pattern, scoped[i].prefix, len) == 0 &&
				    (r->pattern[len] == '\0' || r->pattern[len] == '/'))
					want = scoped[i].scope;
			}
			if (ts_route_scope(r) != want || (want && ts_route_role(r) == TS_ROLE_NONE) ||
			    (!want && ts_route_role(r) != TS_ROLE_NONE) ||
			    (want && (r->flags & TS_ROUTE_PUBLIC)))
				fail_msg("%s %s: scope %d (want %d), role %d", r->method, r->pattern,
					 (int)ts_route_scope(r), (int)want, (int)ts_route_role(r));
			nscoped += want != 0;
		}
	}
	assert_true(nscoped >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_ids),
		cmocka_unit_test(finds_routes_and_methods),
		cmocka_unit_test(project_scoped_routes_need_a_role),
	};
	return cmocka_run_group_tests_name("http/router", tests, NULL, NULL);
}
