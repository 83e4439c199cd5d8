/* Project members and their roles: list, add or change, remove. Adding by
 * name lets a manager add someone without seeing every user's name. */
#include <stdlib.h>
#include <string.h>

#include "domain/role.h"
#include "http/req.h"
#include "http/router.h"
#include "service/projects.h"
#include "core/banned.h"

static json_t *member_json(const struct ts_member *m)
{
	return json_pack("{s:I, s:s, s:s, s:b, s:o}", "user_id", (json_int_t)m->user_id, "name",
			 m->user_name, "role", m->role, "disabled", m->disabled, "added_at",
			 ts_json_time(m->added_at));
}

static void list(struct ts_req *req)
{
	struct ts_member *arr = NULL;
	struct ts_error err = { 0 };
	size_t n = 0;
	json_t *items;

	if (ts_svc_member_list(req->app, req->project_id, &arr, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, member_json(&arr[i]));
	free(arr);
	ts_req_json(req, 200, json_pack("{s:I, s:o}", "project_id", (json_int_t)req->project_id,
					"members", items));
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
	int created = 0;

	if (ts_svc_member_set(req->app, req->project_id, user_id, role, req->user.id, &m, &created,
			      &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, created ? 201 : 200, member_json(&m));
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
