#include "http/router.h"

#include <stdio.h>
#include <string.h>

#include "core/jsonw.h"
#include "http/req.h"
#include "core/banned.h"

static const struct ts_route *const tables[] = {
	ts_routes_health,
	ts_routes_auth,
	ts_routes_projects,
	ts_routes_categories,
	ts_routes_assets,
	ts_routes_annotations,
	ts_routes_exports,
	ts_routes_videos,
	ts_routes_imports,
	ts_routes_members,
	ts_routes_trash,
	ts_routes_queue,
	ts_routes_models,
};

const struct ts_route *const *ts_router_tables(size_t *n)
{
	*n = sizeof(tables) / sizeof(tables[0]);
	return tables;
}

enum ts_scope ts_route_scope(const struct ts_route *r)
{
	switch (r->flags & (TS_ROUTE_IN_PROJECT | TS_ROUTE_IN_ASSET | TS_ROUTE_IN_EXPORT |
			    TS_ROUTE_IN_VIDEO | TS_ROUTE_IN_IMPORT)) {
	case TS_ROUTE_IN_PROJECT:
		return TS_SCOPE_PROJECT;
	case TS_ROUTE_IN_ASSET:
		return TS_SCOPE_ASSET;
	case TS_ROUTE_IN_EXPORT:
		return TS_SCOPE_EXPORT;
	case TS_ROUTE_IN_VIDEO:
		return TS_SCOPE_VIDEO;
	case TS_ROUTE_IN_IMPORT:
		return TS_SCOPE_IMPORT;
	default:
		return (enum ts_scope)0;
	}
}

enum ts_role ts_route_role(const struct ts_route *r)
{
	return (enum ts_role)((r->flags >> 8) & 3);
}

/* Ids are positive integers that fit in a JSON number exactly (2^53). */
static int parse_id(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 16 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > TS_JSON_MAX_SAFE_INT)
		return -1;
	*out = v;
	return 0;
}

int ts_route_match(const char *pattern, const char *path, int64_t *params, int max_params,
		   int *nparams)
{
	const char *p = pattern, *u = path;
	int n = 0;

	while (*p && *u) {
		if (*p != '/' || *u != '/')
			return 0;
		p++;
		u++;
		const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
		size_t plen = pe ? (size_t)(pe - p) : strlen(p);
		size_t ulen = ue ? (size_t)(ue - u) : strlen(u);

		if (plen == 4 && memcmp(p, "{id}", 4) == 0) {
			if (n >= max_params || parse_id(u, ulen, &params[n]) != 0)
				return 0;
			n++;
		} else if (plen != ulen || memcmp(p, u, plen) != 0) {
			return 0;
		}
		p += plen;
		u += ulen;
	}
	if (*p || *u)
		return 0;
	*nparams = n;
	return 1;
}

enum ts_route_result ts_router_find(const char *method, const char *path,
				    const struct ts_route **route, int64_t *params, int *nparams,
				    char *allow, size_t allow_len)
{
	int path_found = 0;
	size_t alen = 0;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	allow[0] = '\0';
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		for (const struct ts_route *r = tables[t]; r->method; r++) {
			int64_t tmp[TS_REQ_MAX_PARAMS];
			int n = 0;

			if (!ts_route_match(r->pattern, path, tmp, TS_REQ_MAX_PARAMS, &n))
				continue;
			if (strcmp(r->method, m) == 0) {
				*route = r;
				memcpy(params, tmp, sizeof(tmp));
				*nparams = n;
				return TS_ROUTE_FOUND;
			}
			path_found = 1;
			if (alen < allow_len)
				alen += (size_t)snprintf(allow + alen, allow_len - alen, "%s%s",
							 alen ? ", " : "", r->method);
		}
	}
	return path_found ? TS_ROUTE_NO_METHOD : TS_ROUTE_NO_PATH;
}
