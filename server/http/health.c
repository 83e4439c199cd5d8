/* Liveness and readiness. */
#include "http/req.h"
#include "http/router.h"
#include "service/health.h"
#include "core/banned.h"

static void healthz(struct ts_req *req)
{
	ts_req_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

/* Ready when the database answers and the data folder takes a write. */
static void readyz(struct ts_req *req)
{
	struct ts_error err = { 0 };

	if (ts_svc_ready(req->app, &err)) {
		ts_req_json(req, 503, json_pack("{s:s, s:s}", "status", "unavailable", "reason",
						err.message));
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, 200, json_pack("{s:s}", "status", "ready"));
}

const struct ts_route ts_routes_health[] = {
	{ "GET", "/healthz", TS_ROUTE_PUBLIC, healthz, NULL, NULL },
	{ "GET", "/readyz", TS_ROUTE_PUBLIC, readyz, NULL, NULL },
	{ 0 },
};
