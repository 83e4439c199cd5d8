#include "http/access.h"

#include <stdio.h>
#include <string.h>

#include "http/req.h"
#include "http/router.h"
#include "service/projects.h"
#include "core/banned.h"

static const char *const kinds[] = { [TS_SCOPE_PROJECT] = "project", [TS_SCOPE_ASSET] = "asset",
				     [TS_SCOPE_EXPORT] = "export", [TS_SCOPE_VIDEO] = "video",
				     [TS_SCOPE_ANY_PROJECT] = "project", [TS_SCOPE_IMPORT] = "import" };

void ts_access_check(struct ts_req *req)
{
	enum ts_scope scope = ts_route_scope(req->route);
	enum ts_role need = ts_route_role(req->route), have = TS_ROLE_NONE;
	char role[TS_ROLE_NAME_MAX] = "";
	struct ts_error err = { 0 };
	char code[32];

	if (!scope)
		return;
	/* Routes under a deleted project answer as for an unknown one, except
	 * those that reach it on purpose (restoring it). */
	if (scope == TS_SCOPE_PROJECT && (req->route->flags & TS_ROUTE_DELETED_TOO))
		scope = TS_SCOPE_ANY_PROJECT;
	if (ts_svc_project_resolve(req->app, scope, req->params[0], req->user.id,
				   &req->project_id, role, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	if (req->user.is_admin)
		have = TS_ROLE_ADMIN;
	else if (ts_role_parse(role, &have))
		have = TS_ROLE_NONE;
	req->role = have;
	if (have == TS_ROLE_NONE) {
		/* Word for word what an unknown id gets (store/members.h). */
		snprintf(code, sizeof(code), "%s_not_found", kinds[scope]);
		ts_error_set(&err, TS_ERR_NOT_FOUND, code, "%s %lld does not exist", kinds[scope],
			     (long long)req->params[0]);
		ts_req_error(req, &err);
		goto out;
	}
	ts_access_need(req, need, NULL);
out:
	ts_error_release(&err);
}

int ts_access_need(struct ts_req *req, enum ts_role need, const char *what)
{
	if (req->role >= need)
		return 0;
	ts_req_fail(req, 403, "forbidden", "%s%s the %s role in this project; you are a %s.",
		    what ? what : "This needs", what ? " needs" : "", ts_role_name(need),
		    ts_role_name(req->role));
	return -1;
}
