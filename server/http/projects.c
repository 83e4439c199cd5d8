/* Projects: create, list, read, rename. */
#include <stdlib.h>
#include <string.h>

#include "domain/names.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "store/projects.h"
#include "core/banned.h"

json_t *ts_view_project(const struct ts_project *p)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o}", "id", (json_int_t)p->id, "name", p->name,
			 "task_type", p->task_type, "schema_version", p->schema_version,
			 "created_at", ts_json_time(p->created_at), "updated_at",
			 ts_json_time(p->updated_at));
}

int ts_load_project(struct ts_req *req, struct ts_project *out)
{
	struct ts_error err = { 0 };

	if (ts_store_project_get(req->app->store, req->params[0], out, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return -1;
	}
	return 0;
}

static void create(struct ts_req *req)
{
	static const char *const keys[] = { "name", "task_type", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name_in, *task_type = "classification_single";
	struct ts_error err = { 0 };
	struct ts_project p;
	char *name = NULL;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "name", 1, &name_in, NULL) ||
	    ts_req_field_string(req, body, "task_type", 0, &task_type, NULL))
		goto out;
	if (strcmp(task_type, "classification_single") != 0) {
		ts_req_fail(req, 400, "unsupported_task_type",
			    "The task_type must be \"classification_single\" (the only one so far).");
		goto out;
	}
	name = ts_name_clean(name_in, TS_PROJECT_NAME_MAX, "project name", &err);
	if (!name || ts_store_project_create(req->app->store, name, task_type, req->user.id, &p,
					     &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 201, ts_view_project(&p));
out:
	free(name);
	ts_error_release(&err);
	json_decref(body);
}

static void list(struct ts_req *req)
{
	struct ts_project *arr = NULL;
	struct ts_error err = { 0 };
	int64_t cursor;
	size_t n = 0;
	int limit;
	json_t *items;

	if (ts_req_page(req, 100, 500, &limit, &cursor))
		return;
	if (ts_store_project_list(req->app->store, cursor, limit, &arr, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, ts_view_project(&arr[i]));
	ts_req_json(req, 200, json_pack("{s:o, s:o}", "projects", items, "next_cursor",
					ts_cursor_json(n == (size_t)limit ? arr[n - 1].id : 0)));
	free(arr);
}

static void get(struct ts_req *req)
{
	struct ts_project p;

	if (ts_load_project(req, &p))
		return;
	ts_req_json(req, 200, ts_view_project(&p));
}

static void patch(struct ts_req *req)
{
	static const char *const keys[] = { "name", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name_in = NULL;
	struct ts_error err = { 0 };
	struct ts_project p;
	char *name = NULL;
	int present = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "name", 0, &name_in, &present))
		goto out;
	if (!present) {
		if (!ts_load_project(req, &p))
			ts_req_json(req, 200, ts_view_project(&p));
		goto out;
	}
	name = ts_name_clean(name_in, TS_PROJECT_NAME_MAX, "project name", &err);
	if (!name || ts_store_project_rename(req->app->store, req->params[0], name, &p, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 200, ts_view_project(&p));
out:
	free(name);
	ts_error_release(&err);
	json_decref(body);
}

const struct ts_route ts_routes_projects[] = {
	{ "POST", "/api/v1/projects", 0, create, NULL, NULL },
	{ "GET", "/api/v1/projects", 0, list, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}", 0, get, NULL, NULL },
	{ "PATCH", "/api/v1/projects/{id}", 0, patch, NULL, NULL },
	{ 0 },
};
