/* Models, suggestions and model runs: /api/v1/projects/{id}/models,
 * /api/v1/assets/{id}/suggestions, /suggestions/batch, /sampling, /runs. */
#include "http/req.h"
#include "http/router.h"
#include "core/banned.h"

static void unavailable(struct ts_req *req)
{
	ts_req_fail(req, 503, "inference_unavailable",
		    "This server runs no models (ONNX Runtime is not installed).");
}

const struct ts_route ts_routes_models[] = {
	{ "GET", "/api/v1/projects/{id}/models", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  unavailable, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/models", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  unavailable, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/models/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  unavailable, NULL, NULL },
	{ "PATCH", "/api/v1/projects/{id}/models/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  unavailable, NULL, NULL },
	{ "GET", "/api/v1/assets/{id}/suggestions", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER,
	  unavailable, NULL, NULL },
	{ "POST", "/api/v1/assets/{id}/suggestions/{id}/review", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER,
	  unavailable, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/suggestions/stats", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  unavailable, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/suggestions/batch", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  unavailable, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/sampling", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  unavailable, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/runs", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, unavailable,
	  NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/runs/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  unavailable, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/runs/{id}/cancel", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  unavailable, NULL, NULL },
	{ 0 },
};
