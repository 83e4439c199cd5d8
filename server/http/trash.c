/* Soft delete and restore (managers): DELETE /api/v1/assets/{id}, POST
 * /api/v1/assets/{id}/restore, DELETE /api/v1/exports/{id}, DELETE
 * /api/v1/projects/{id}, POST /api/v1/projects/{id}/restore. */
#include <stdio.h>

#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/trash.h"
#include "core/banned.h"

static void asset_delete(struct ts_req *req)
{
	struct ts_error err = { 0 };

	if (ts_svc_asset_delete(req->app, req->params[0], req->user.id, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_empty(req, 204);
}

static void asset_restore(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_asset a;

	if (ts_svc_asset_restore(req->app, req->params[0], req->user.id, &a, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, 200, ts_view_asset(&a));
}

static void export_delete(struct ts_req *req)
{
	struct ts_error err = { 0 };

	if (ts_svc_export_delete(req->app, req->params[0], req->user.id, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_empty(req, 204);
}

static void project_set_deleted(struct ts_req *req, int deleted)
{
	struct ts_error err = { 0 };
	struct ts_project p;
	struct ts_jsonw w;
	struct ts_buf b;

	if (ts_svc_project_set_deleted(req->app, req->params[0], deleted, req->user.id, &p, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	if (deleted) {
		ts_req_empty(req, 204);
		return;
	}
	snprintf(p.role, sizeof(p.role), "%s", ts_role_name(req->role));
	ts_view_begin(&w, &b);
	ts_view_project_write(&w, &p);
	ts_view_send(req, 200, &w, &b);
}

static void project_delete(struct ts_req *req)
{
	project_set_deleted(req, 1);
}

static void project_restore(struct ts_req *req)
{
	project_set_deleted(req, 0);
}

const struct ts_route ts_routes_trash[] = {
	{ "DELETE", "/api/v1/projects/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, project_delete,
	  NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/restore",
	  TS_ROUTE_IN_PROJECT | TS_ROUTE_DELETED_TOO | TS_ROUTE_MANAGER, project_restore, NULL, NULL },
	{ "DELETE", "/api/v1/assets/{id}", TS_ROUTE_IN_ASSET | TS_ROUTE_MANAGER, asset_delete, NULL,
	  NULL },
	{ "POST", "/api/v1/assets/{id}/restore", TS_ROUTE_IN_ASSET | TS_ROUTE_MANAGER, asset_restore,
	  NULL, NULL },
	{ "DELETE", "/api/v1/exports/{id}", TS_ROUTE_IN_EXPORT | TS_ROUTE_MANAGER, export_delete,
	  NULL, NULL },
	{ 0 },
};
