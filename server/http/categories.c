/* Categories: list, create, rename/disable, soft delete and restore, reorder. Ids are
 * the store's business: never changed, never reused. */
#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/projects.h"
#include "core/banned.h"

#define MAX_CATEGORIES 10000

void ts_view_category_write(struct ts_jsonw *w, const struct ts_category *c)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", c->id);
	ts_jsonw_kstring(w, "name", c->name);
	ts_jsonw_kint(w, "display_order", c->display_order);
	ts_jsonw_kstring(w, "state", c->state);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, c->created_at);
	ts_jsonw_key(w, "updated_at");
	ts_view_time(w, c->updated_at);
	ts_jsonw_object_end(w);
}

static void answer_category(struct ts_req *req, unsigned status, const struct ts_category *c)
{
	struct ts_jsonw w;
	struct ts_buf b;

	ts_view_begin(&w, &b);
	ts_view_category_write(&w, c);
	ts_view_send(req, status, &w, &b);
}

static void answer_list(struct ts_req *req, int include_deleted)
{
	struct ts_category *arr = NULL;
	struct ts_error err = { 0 };
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;

	if (ts_svc_category_list(req->app, req->params[0], include_deleted, &arr, &n,
				   &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "categories");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		ts_view_category_write(&w, &arr[i]);
	ts_jsonw_array_end(&w);
	ts_jsonw_object_end(&w);
	free(arr);
	ts_view_send(req, 200, &w, &b);
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
	answer_category(req, 201, &c);
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
	answer_category(req, 200, &c);
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
	answer_category(req, 200, &c);
}

static void restore(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_category c;

	if (ts_svc_category_restore(req->app, req->params[0], req->params[1], req->user.id, &c,
				    &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	answer_category(req, 200, &c);
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
	{ "POST", "/api/v1/projects/{id}/categories/{id}/restore",
	  TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, restore, NULL, NULL },
	{ 0 },
};
