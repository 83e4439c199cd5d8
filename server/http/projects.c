/* Projects: create, list (the user's own), read, rename and settings, and
 * the history of changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/projects.h"
#include "core/banned.h"

void ts_view_project_write(struct ts_jsonw *w, const struct ts_project *p)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", p->id);
	ts_jsonw_kstring(w, "name", p->name);
	ts_jsonw_kstring(w, "task_type", p->task_type);
	ts_jsonw_kstring(w, "schema_version", p->schema_version);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, p->created_at);
	ts_jsonw_key(w, "updated_at");
	ts_view_time(w, p->updated_at);
	ts_jsonw_key(w, "settings");
	ts_jsonw_object(w);
	ts_jsonw_kbool(w, "review_own_labels", p->review_own_labels);
	ts_jsonw_object_end(w);
	if (p->deleted_at) {
		ts_jsonw_key(w, "deleted_at");
		ts_view_time(w, p->deleted_at);
	}
	if (p->role[0])
		ts_jsonw_kstring(w, "role", p->role);
	ts_jsonw_object_end(w);
}

/* The view with the caller's role in the project (resolved by
 * http/access.c for project-scoped routes). */
static void answer_project(struct ts_req *req, unsigned status, struct ts_project *p)
{
	struct ts_jsonw w;
	struct ts_buf b;

	snprintf(p->role, sizeof(p->role), "%s", ts_role_name(req->role));
	ts_view_begin(&w, &b);
	ts_view_project_write(&w, p);
	ts_view_send(req, status, &w, &b);
}

static void create(struct ts_req *req)
{
	static const char *const keys[] = { "name", "task_type", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name_in, *task_type = "classification_single";
	struct ts_error err = { 0 };
	struct ts_project p;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "name", 1, &name_in, NULL) ||
	    ts_req_field_string(req, body, "task_type", 0, &task_type, NULL))
		goto out;
	if (ts_svc_project_create(req->app, name_in, task_type, req->user.id, &p, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	/* The creator is its manager (an admin stays an admin). */
	req->role = req->user.is_admin ? TS_ROLE_ADMIN : TS_ROLE_MANAGER;
	answer_project(req, 201, &p);
out:
	ts_error_release(&err);
	json_decref(body);
}

static void list(struct ts_req *req)
{
	const char *deleted = ts_req_query(req, "deleted");
	struct ts_project *arr = NULL;
	struct ts_error err = { 0 };
	int64_t cursor;
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;
	int limit;

	if (ts_req_page(req, 100, 500, &limit, &cursor))
		return;
	if (deleted && strcmp(deleted, "true") != 0 && strcmp(deleted, "false") != 0) {
		ts_req_fail(req, 400, "invalid_parameter",
			    "The deleted parameter must be true or false.");
		return;
	}
	/* An admin sees every project; anyone else, those they belong to
	 * (deleted=true: the deleted ones they manage). */
	if (ts_svc_project_list(req->app, req->user.id, req->user.is_admin,
				deleted && strcmp(deleted, "true") == 0, cursor, limit, &arr, &n,
				&err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "projects");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++) {
		if (req->user.is_admin)
			snprintf(arr[i].role, sizeof(arr[i].role), "%s", ts_role_name(TS_ROLE_ADMIN));
		ts_view_project_write(&w, &arr[i]);
	}
	ts_jsonw_array_end(&w);
	ts_jsonw_key(&w, "next_cursor");
	ts_view_cursor(&w, n == (size_t)limit ? arr[n - 1].id : 0);
	ts_jsonw_object_end(&w);
	free(arr);
	ts_view_send(req, 200, &w, &b);
}

static void get(struct ts_req *req)
{
	struct ts_project p;

	if (ts_load_project(req, &p))
		return;
	answer_project(req, 200, &p);
}

static void patch(struct ts_req *req)
{
	static const char *const keys[] = { "name", "settings", NULL };
	static const char *const setting_keys[] = { "review_own_labels", NULL };
	json_t *body = ts_req_body_object(req), *settings;
	const char *name_in = NULL;
	struct ts_error err = { 0 };
	struct ts_project p;
	int has_name = 0, review_own = -1;

	if (!body)
		return;
	if (json_object_get(body, "task_type")) {
		ts_req_fail(req, 400, "task_type_immutable",
			    "The field \"task_type\" is chosen at creation and cannot change.");
		goto out;
	}
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "name", 0, &name_in, &has_name))
		goto out;
	settings = json_object_get(body, "settings");
	if (settings) {
		if (!json_is_object(settings)) {
			ts_req_fail(req, 400, "invalid_field",
				    "The field \"settings\" must be an object.");
			goto out;
		}
		if (ts_req_only_fields(req, settings, setting_keys) ||
		    ts_req_field_bool(req, settings, "review_own_labels", &review_own, NULL))
			goto out;
	}
	if (ts_svc_project_update(req->app, req->params[0], has_name ? name_in : NULL, review_own,
				  req->user.id, &p, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	answer_project(req, 200, &p);
out:
	ts_error_release(&err);
	json_decref(body);
}

/* Who changed the project, its categories or its members: newest first. */
static void history(struct ts_req *req)
{
	struct ts_project_event *ev = NULL;
	struct ts_error err = { 0 };
	int64_t cursor;
	size_t n = 0;
	int limit;
	json_t *items;

	if (ts_req_page(req, 100, TS_EVENTS_PAGE_MAX, &limit, &cursor))
		return;
	if (ts_svc_project_events(req->app, req->params[0], cursor, limit, &ev, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *detail = json_loads(ev[i].detail, 0, NULL);

		json_array_append_new(
			items, json_pack("{s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)ev[i].id,
					 "action", ev[i].action, "by",
					 ev[i].user_name[0] ? json_string(ev[i].user_name) : json_null(),
					 "at", ts_json_time(ev[i].at), "detail",
					 detail ? detail : json_object()));
	}
	ts_req_json(req, 200, json_pack("{s:I, s:o, s:o}", "project_id", (json_int_t)req->params[0],
					"history", items, "next_cursor",
					ts_cursor_json(n == (size_t)limit ? ev[n - 1].id : 0)));
	ts_svc_project_events_release(ev, n);
}

const struct ts_route ts_routes_projects[] = {
	{ "POST", "/api/v1/projects", 0, create, NULL, NULL },
	{ "GET", "/api/v1/projects", 0, list, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, get, NULL, NULL },
	{ "PATCH", "/api/v1/projects/{id}", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, patch, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/history", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, history,
	  NULL, NULL },
	{ 0 },
};
