/* The labeling queue with leases: POST /api/v1/projects/{id}/queue/next
 * and /queue/release (service/queue.h). */
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/time.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/queue.h"
#include "core/banned.h"

static void next(struct ts_req *req)
{
	static const char *const keys[] = { "status", "limit", "lease_seconds", "suggested",
					    "order", NULL };
	json_t *body = ts_req_body_object(req);
	const char *status = "unlabeled", *order = "id";
	int suggested = 0;
	int64_t limit = 20, lease_s = TS_QUEUE_LEASE_DEFAULT_S;
	enum ts_queue queue;
	struct ts_error err = { 0 };
	struct ts_asset *arr = NULL;
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;
	int64_t until;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "status", 0, &status, NULL) ||
	    ts_req_field_int(req, body, "limit", 0, 1, TS_QUEUE_BATCH_MAX, &limit, NULL) ||
	    ts_req_field_int(req, body, "lease_seconds", 0, 1, TS_QUEUE_LEASE_MAX_S, &lease_s, NULL) ||
	    ts_req_field_bool(req, body, "suggested", &suggested, NULL) ||
	    ts_req_field_string(req, body, "order", 0, &order, NULL))
		goto out;
	if (strcmp(order, "id") != 0 && strcmp(order, "sampling") != 0) {
		ts_req_fail(req, 400, "invalid_field", "order must be id or sampling.");
		goto out;
	}
	if (ts_queue_parse(status, &queue) || queue == TS_QUEUE_ALL) {
		ts_req_fail(req, 400, "invalid_status",
			    "The status must be unlabeled, in_review, done or skipped.");
		goto out;
	}
	until = ts_time_now_ms() + lease_s * 1000;
	if (ts_svc_queue_next_follow(req->app, req->params[0], req->user.id, queue, (int)limit,
				     (int)lease_s, suggested, strcmp(order, "sampling") == 0, &arr,
				     &n, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "assets");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		ts_view_asset_write(&w, &arr[i]);
	ts_jsonw_array_end(&w);
	ts_jsonw_key(&w, "leased_until");
	ts_view_time(&w, until);
	ts_jsonw_object_end(&w);
	ts_view_send(req, 200, &w, &b);
out:
	free(arr);
	ts_error_release(&err);
	json_decref(body);
}

static void release(struct ts_req *req)
{
	static const char *const keys[] = { "asset_id", NULL };
	json_t *body = ts_req_body_object(req);
	struct ts_error err = { 0 };
	int64_t asset_id = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_int(req, body, "asset_id", 0, 1, TS_JSON_MAX_SAFE_INT, &asset_id, NULL))
		goto out;
	if (ts_svc_queue_release(req->app, req->user.id, asset_id, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_empty(req, 204);
out:
	ts_error_release(&err);
	json_decref(body);
}

const struct ts_route ts_routes_queue[] = {
	{ "POST", "/api/v1/projects/{id}/queue/next", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, next,
	  NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/queue/release", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER,
	  release, NULL, NULL },
	{ 0 },
};
