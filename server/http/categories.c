/* Categories: list, create, rename/disable, soft delete, reorder. Ids are
 * the store's business: never changed, never reused. */
#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/projects.h"
#include "core/banned.h"

#define MAX_CATEGORIES 10000

static void answer_list(struct ts_req *req, int include_deleted)
{
	struct ts_category *arr = NULL;
	struct ts_error err = { 0 };
	size_t n = 0;
	json_t *items;

	if (ts_svc_category_list(req->app, req->params[0], include_deleted, &arr, &n,
				   &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, ts_view_category(&arr[i]));
	free(arr);
	ts_req_json(req, 200, json_pack("{s:o}", "categories", items));
}

static void list(struct ts_req *req)
{
	const char *inc = ts_req_query(req, "include_deleted");

	if (inc && strcmp(inc, "true") != 0 && strcmp(inc, "false") != 0) {
		ts_req_fail(req, 400, "invalid_parameter", "The include_deleted parameter must be true or false.");
		return;
	}
	answer_list(req, inc && strcmp(inc, "true") == 0);
}

static void create(struct ts_req *req)
{
	static const char *const keys[] = { "name", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name_in;
	struct ts_error err = { 0 };
	struct ts_category c;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "name", 1, &name_in, NULL))
		goto out;
	if (ts_svc_category_create(req->app, req->params[0], name_in, req->user.id, &c, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 201, ts_view_category(&c));
out:
	ts_error_release(&err);
	json_decref(body);
}

static void patch(struct ts_req *req)
{
	static const char *const keys[] = { "name", "state", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name_in = NULL, *state = NULL;
	struct ts_error err = { 0 };
	struct ts_category c;
	int has_name = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "name", 0, &name_in, &has_name) ||
	    ts_req_field_string(req, body, "state", 0, &state, NULL))
		goto out;
	if (ts_svc_category_update(req->app, req->params[0], req->params[1],
				   has_name ? name_in : NULL, state, req->user.id, &c, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 200, ts_view_category(&c));
out:
	ts_error_release(&err);
	json_decref(body);
}

static void delete(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_category c;

	if (ts_svc_category_delete(req->app, req->params[0], req->params[1],
					req->user.id, &c, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, 200, ts_view_category(&c));
}

static void reorder(struct ts_req *req)
{
	static const char *const keys[] = { "order", NULL };
	json_t *body = ts_req_body_object(req);
	json_t *order, *v;
	struct ts_error err = { 0 };
	int64_t *ids = NULL;
	size_t i;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys))
		goto out;
	order = json_object_get(body, "order");
	if (!json_is_array(order) || json_array_size(order) > MAX_CATEGORIES) {
		ts_req_fail(req, 400, "invalid_order",
			    "The order must be an array of category ids (a permutation of the "
			    "non-deleted ones).");
		goto out;
	}
	ids = ts_xmalloc((json_array_size(order) + 1) * sizeof(*ids));
	json_array_foreach(order, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			ts_req_fail(req, 400, "invalid_order",
				    "The value order[%zu] is not a category id (a positive integer).", i);
			goto out;
		}
		ids[i] = json_integer_value(v);
	}
	if (ts_svc_category_reorder(req->app, req->params[0], ids,
					 json_array_size(order), req->user.id, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	answer_list(req, 0);
out:
	free(ids);
	ts_error_release(&err);
	json_decref(body);
}

const struct ts_route ts_routes_categories[] = {
	{ "GET", "/api/v1/projects/{id}/categories", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, list,
	  NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/categories", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, create,
	  NULL, NULL },
	{ "PUT", "/api/v1/projects/{id}/categories/order", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  reorder, NULL, NULL },
	{ "PATCH", "/api/v1/projects/{id}/categories/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  patch, NULL, NULL },
	{ "DELETE", "/api/v1/projects/{id}/categories/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  delete, NULL, NULL },
	{ 0 },
};
