/* Project members and their roles: list, add or change, remove. Adding by
 * name lets a manager add someone without seeing every user's name. */
#include <stdlib.h>
#include <string.h>

#include "domain/role.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/projects.h"
#include "core/banned.h"

static void member_write(struct ts_jsonw *w, const struct ts_member *m)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "user_id", m->user_id);
	ts_jsonw_kstring(w, "name", m->user_name);
	ts_jsonw_kstring(w, "role", m->role);
	ts_jsonw_kbool(w, "disabled", m->disabled);
	ts_jsonw_key(w, "added_at");
	ts_view_time(w, m->added_at);
	ts_jsonw_object_end(w);
}

static void list(struct ts_req *req)
{
	struct ts_member *arr = NULL;
	struct ts_error err = { 0 };
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;

	if (ts_svc_member_list(req->app, req->project_id, &arr, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_kint(&w, "project_id", req->project_id);
	ts_jsonw_key(&w, "members");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		member_write(&w, &arr[i]);
	ts_jsonw_array_end(&w);
	ts_jsonw_object_end(&w);
	free(arr);
	ts_view_send(req, 200, &w, &b);
}

/* Reads {"role"} (and the other keys allowed); answers 400 and returns -1
 * on a bad one. */
static int read_role(struct ts_req *req, json_t *body, const char **role)
{
	enum ts_role r;

	if (ts_req_field_string(req, body, "role", 1, role, NULL))
		return -1;
	if (ts_role_parse(*role, &r)) {
		ts_req_fail(req, 400, "invalid_role",
			    "The role must be \"labeler\", \"reviewer\" or \"manager\".");
		return -1;
	}
	return 0;
}

static void set_member(struct ts_req *req, int64_t user_id, const char *role)
{
	struct ts_error err = { 0 };
	struct ts_member m;
	struct ts_jsonw w;
	struct ts_buf b;
	int created = 0;

	if (ts_svc_member_set(req->app, req->project_id, user_id, role, req->user.id, &m, &created,
			      &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	member_write(&w, &m);
	ts_view_send(req, created ? 201 : 200, &w, &b);
}

/* POST {"name", "role"}: adds a user by name. */
static void add(struct ts_req *req)
{
	static const char *const keys[] = { "name", "role", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name, *role;
	struct ts_error err = { 0 };
	int64_t user_id = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "name", 1, &name, NULL) || read_role(req, body, &role))
		goto out;
	if (ts_svc_member_find_user(req->app, name, &user_id, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	set_member(req, user_id, role);
out:
	ts_error_release(&err);
	json_decref(body);
}

/* PUT /members/{user_id} {"role"}: adds or changes. */
static void put(struct ts_req *req)
{
	static const char *const keys[] = { "role", NULL };
	json_t *body = ts_req_body_object(req);
	const char *role;

	if (!body)
		return;
	if (!ts_req_only_fields(req, body, keys) && !read_role(req, body, &role))
		set_member(req, req->params[1], role);
	json_decref(body);
}

static void remove_member(struct ts_req *req)
{
	struct ts_error err = { 0 };

	if (ts_svc_member_remove(req->app, req->project_id, req->params[1], req->user.id, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_empty(req, 204);
}

const struct ts_route ts_routes_members[] = {
	{ "GET", "/api/v1/projects/{id}/members", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, list, NULL,
	  NULL },
	{ "POST", "/api/v1/projects/{id}/members", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, add, NULL,
	  NULL },
	{ "PUT", "/api/v1/projects/{id}/members/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, put,
	  NULL, NULL },
	{ "DELETE", "/api/v1/projects/{id}/members/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  remove_member, NULL, NULL },
	{ 0 },
};
