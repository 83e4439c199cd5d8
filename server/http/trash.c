/* Soft delete and restore (managers): DELETE /api/v1/assets/{id}, POST
 * /api/v1/assets/{id}/restore, DELETE /api/v1/exports/{id}. */
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

const struct ts_route ts_routes_trash[] = {
	{ "DELETE", "/api/v1/assets/{id}", TS_ROUTE_IN_ASSET | TS_ROUTE_MANAGER, asset_delete, NULL,
	  NULL },
	{ "POST", "/api/v1/assets/{id}/restore", TS_ROUTE_IN_ASSET | TS_ROUTE_MANAGER, asset_restore,
	  NULL, NULL },
	{ "DELETE", "/api/v1/exports/{id}", TS_ROUTE_IN_EXPORT | TS_ROUTE_MANAGER, export_delete,
	  NULL, NULL },
	{ 0 },
};
