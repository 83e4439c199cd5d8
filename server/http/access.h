/* Who may do what in a project: the role check that every project-scoped
 * route gets from its entry in the router table (http/router.h), done once
 * per request, right after authentication. */
#ifndef TS_HTTP_ACCESS_H
#define TS_HTTP_ACCESS_H

#include "domain/role.h"

struct ts_req;

/* For a route with a TS_ROUTE_IN_* flag: finds the project its first {id}
 * belongs to and the user's role there (req->project_id, req->role), and
 * answers 404 when the id does not exist or the user is not a member (the
 * same answer, so ids cannot be probed), or 403 when the role is below the
 * route's. Other routes pass untouched. Sets the response on refusal. */
void ts_access_check(struct ts_req *req);

/* For checks that depend on the body (approving is a reviewer's): 0 when
 * req->role is at least need; otherwise answers 403 naming what and
 * returns -1. */
int ts_access_need(struct ts_req *req, enum ts_role need, const char *what);

#endif
