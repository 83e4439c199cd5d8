/* Routes: method + path pattern -> handler. Each resource file
 * (projects.c, categories.c ...) exports a table ending with a zeroed entry;
 * router.c lists the tables. */
#ifndef TS_HTTP_ROUTER_H
#define TS_HTTP_ROUTER_H

#include <stddef.h>
#include <stdint.h>

#include "domain/role.h"
#include "service/projects.h"

struct ts_req;

enum {
	TS_ROUTE_PUBLIC = 1, /* no session or token needed */
	TS_ROUTE_ADMIN = 2,  /* the user must be an admin */
	TS_ROUTE_STREAM = 4, /* body goes to stream_data, not to req->body */
	TS_ROUTE_LARGE = 8,  /* no JSON body size cap (streaming routes check their own) */
	/* A JSON body up to TS_HTTP_BIG_JSON_MAX (http/req.h), not the
	 * server's smaller default: annotation writes with many boxes. */
	TS_ROUTE_BIG_JSON = 1 << 12,

	/* Project-scoped routes: what the first {id} names, and so which
	 * project the request is in. Exactly one of these, with one role
	 * below, on every route under a project, asset, export or video (a
	 * unit test walks the tables). */
	TS_ROUTE_IN_PROJECT = 16,
	TS_ROUTE_IN_ASSET = 32,
	TS_ROUTE_IN_EXPORT = 64,
	TS_ROUTE_IN_VIDEO = 128,
	TS_ROUTE_IN_IMPORT = 1024,
	/* The least role the user needs in that project (admins pass). Someone
	 * who is not a member gets 404, as for an id that does not exist. */
	TS_ROUTE_LABELER = TS_ROLE_LABELER << 8,
	TS_ROUTE_REVIEWER = TS_ROLE_REVIEWER << 8,
	TS_ROUTE_MANAGER = TS_ROLE_MANAGER << 8,
	/* With TS_ROUTE_IN_PROJECT: the route also reaches a deleted project
	 * (which every other route answers 404 for). */
	TS_ROUTE_DELETED_TOO = 4096,
};

struct ts_route {
	const char *method;
	/* Literal segments and "{id}" for a positive integer: "/api/v1/projects/{id}". */
	const char *pattern;
	unsigned flags;
	/* Called once the whole body has arrived (or right away without one). */
	void (*handle)(struct ts_req *req);
	/* Streaming routes only: begin runs before any body byte (after auth);
	 * data gets each chunk. Both return 0 to go on, or -1 after setting the
	 * response, which then ends the request (the rest of the body is
	 * discarded). */
	int (*stream_begin)(struct ts_req *req);
	int (*stream_data)(struct ts_req *req, const char *data, size_t len);
};

enum ts_route_result {
	TS_ROUTE_FOUND,
	TS_ROUTE_NO_PATH,   /* 404 */
	TS_ROUTE_NO_METHOD, /* 405; allow lists the methods */
};

/* Pattern match: 1 and the {id} values in params when path matches. */
int ts_route_match(const char *pattern, const char *path, int64_t *params, int max_params,
		   int *nparams);

/* Finds the route for method and path. allow (>= 64 bytes) receives
 * "GET, PUT" for TS_ROUTE_NO_METHOD. */
enum ts_route_result ts_router_find(const char *method, const char *path,
				    const struct ts_route **route, int64_t *params, int *nparams,
				    char *allow, size_t allow_len);

/* What a route's first {id} names (0: nothing project-scoped), and the
 * role it needs (TS_ROLE_NONE when none). */
enum ts_scope ts_route_scope(const struct ts_route *r);
enum ts_role ts_route_role(const struct ts_route *r);

/* Every route table, for checks that walk them all; *n receives how many. */
const struct ts_route *const *ts_router_tables(size_t *n);

/* The tables. */
extern const struct ts_route ts_routes_health[];
extern const struct ts_route ts_routes_auth[];
extern const struct ts_route ts_routes_projects[];
extern const struct ts_route ts_routes_categories[];
extern const struct ts_route ts_routes_assets[];
extern const struct ts_route ts_routes_trash[];
extern const struct ts_route ts_routes_queue[];
extern const struct ts_route ts_routes_models[];
extern const struct ts_route ts_routes_annotations[];
extern const struct ts_route ts_routes_exports[];
extern const struct ts_route ts_routes_videos[];
extern const struct ts_route ts_routes_members[];
extern const struct ts_route ts_routes_imports[];

#endif
