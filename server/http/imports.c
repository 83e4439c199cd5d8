/* Imports: upload a zip of existing labels (multipart, streamed to disk
 * and hashed as it arrives; the zip is checked before the answer), read
 * one with its report, list a project's, undo one. The import itself is
 * the "import" job; the upload answers 202 once it is queued. */
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/multipart.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/imports.h"
#include "core/banned.h"

#define FIELD_MAX 32

struct upload {
	struct ts_req *req;
	struct ts_multipart mp;
	char *part_name, *part_file;
	uint64_t part_off;
	struct ts_upload_file f;
	int have_file, files, name_bad;
	char file_name[TS_ASSET_FILE_NAME_MAX + 1];
	struct ts_error name_err;
	char tolerance[FIELD_MAX + 1];
	int has_tolerance, field_too_long, unknown_field;
	char unknown[64];
	struct ts_error werr;
	int write_failed;
};

/* A time, or null for 0 (not yet). */
static void opt_time(struct ts_jsonw *w, const char *key, int64_t ms)
{
	ts_jsonw_key(w, key);
	if (ms)
		ts_view_time(w, ms);
	else
		ts_jsonw_null(w);
}

static void import_write(struct ts_jsonw *w, const struct ts_import *im, int with_report)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", im->id);
	ts_jsonw_kint(w, "project_id", im->project_id);
	ts_jsonw_kstring(w, "state", im->state);
	ts_jsonw_kstring(w, "format", im->format);
	ts_jsonw_kstring(w, "file_name", im->file_name);
	ts_jsonw_key(w, "tolerance");
	ts_jsonw_double(w, im->tolerance);
	ts_jsonw_key(w, "progress");
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "done", im->progress_done);
	ts_jsonw_kint(w, "total", im->progress_total);
	ts_jsonw_object_end(w);
	ts_jsonw_kint(w, "images", im->images);
	ts_jsonw_kint(w, "objects", im->objects);
	ts_jsonw_kint(w, "refused", im->refused);
	ts_jsonw_kint(w, "undone", im->undone);
	if (with_report) {
		ts_jsonw_key(w, "report");
		if (im->report && im->report[0])
			ts_jsonw_raw(w, im->report, strlen(im->report));
		else
			ts_jsonw_raw(w, "[]", 2);
	}
	ts_jsonw_key(w, "error");
	if (im->error_code[0]) {
		ts_jsonw_object(w);
		ts_jsonw_kstring(w, "code", im->error_code);
		ts_jsonw_kstring(w, "message", im->error);
		ts_jsonw_object_end(w);
	} else {
		ts_jsonw_null(w);
	}
	ts_jsonw_key(w, "created_by");
	ts_view_user(w, im->user_name);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, im->created_at);
	opt_time(w, "started_at", im->started_at);
	opt_time(w, "finished_at", im->finished_at);
	opt_time(w, "undone_at", im->undone_at);
	ts_jsonw_object_end(w);
}

static void send_import(struct ts_req *req, unsigned status, const struct ts_import *im)
{
	struct ts_jsonw w;
	struct ts_buf b;

	ts_view_begin(&w, &b);
	import_write(&w, im, 1);
	ts_view_send(req, status, &w, &b);
}

static void upload_free(void *arg)
{
	struct upload *u = arg;

	free(u->part_name);
	free(u->part_file);
	ts_upload_file_abort(&u->f);
	ts_error_release(&u->name_err);
	ts_error_release(&u->werr);
	free(u);
}

static int part_begin(void *cls, const char *name, const char *filename, const char *type)
{
	struct upload *u = cls;

	(void)type;
	free(u->part_name);
	free(u->part_file);
	u->part_name = name ? ts_xstrdup(name) : NULL;
	u->part_file = filename ? ts_xstrdup(filename) : NULL;
	u->part_off = 0;
	if (u->part_name && strcmp(u->part_name, "file") == 0 && u->part_file) {
		u->files++;
		if (u->files > 1)
			return 0;
		if (ts_upload_check_name(filename, strlen(filename), u->file_name, &u->name_err)) {
			u->name_bad = 1;
			return 0;
		}
		if (ts_upload_file_open(u->req->app, &u->f, &u->werr)) {
			u->write_failed = 1;
			return -1;
		}
		u->have_file = 1;
	} else if (u->part_name && strcmp(u->part_name, "tolerance") == 0) {
		u->has_tolerance = 1;
	} else if (!u->unknown_field) {
		snprintf(u->unknown, sizeof(u->unknown), "%s", u->part_name ? u->part_name : "");
		u->unknown_field = 1;
	}
	return 0;
}

static int part_data(void *cls, const char *data, size_t len)
{
	struct upload *u = cls;
	uint64_t off = u->part_off;

	u->part_off += len;
	if (!u->part_name)
		return 0;
	if (strcmp(u->part_name, "file") == 0 && u->part_file) {
		if (u->files > 1 || u->name_bad || !u->have_file || !len)
			return 0;
		if (ts_upload_file_write(&u->f, data, len, &u->werr)) {
			u->write_failed = 1;
			return -1;
		}
		return 0;
	}
	if (strcmp(u->part_name, "tolerance") == 0) {
		if (off + len > FIELD_MAX) {
			u->field_too_long = 1;
			return 0;
		}
		memcpy(u->tolerance + off, data, len);
		u->tolerance[off + len] = '\0';
	}
	return 0;
}

static int part_end(void *cls)
{
	(void)cls;
	return 0;
}

static const struct ts_multipart_cb part_cb = { part_begin, part_data, part_end };

static int upload_begin(struct ts_req *req)
{
	const char *ct = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct upload *u;

	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		ts_req_fail(req, 415, "unsupported_media_type",
			    "send the zip as multipart/form-data with a file part");
		return -1;
	}
	u = ts_xcalloc(1, sizeof(*u));
	u->req = req;
	ts_upload_file_init(&u->f);
	ts_req_on_cleanup(req, upload_free, u);
	req->stream = u;
	if (ts_multipart_init(&u->mp, ct, &part_cb, u)) {
		ts_req_fail(req, 400, "invalid_multipart",
			    "the multipart body has no boundary, or a malformed one");
		return -1;
	}
	return 0;
}

static int upload_data(struct ts_req *req, const char *data, size_t len)
{
	struct upload *u = req->stream;

	if (!u)
		return -1;
	if (ts_multipart_push(&u->mp, data, len) != TS_MULTIPART_OK) {
		if (req->response)
			return -1;
		if (u->write_failed)
			ts_req_error(req, &u->werr);
		else
			ts_req_fail(req, 400, "invalid_multipart", "the multipart body is malformed");
		return -1;
	}
	return 0;
}

/* A strict decimal number of pixels. */
static int parse_tolerance(const char *s, double *out)
{
	char *end = NULL;
	double d;

	if (!*s)
		return -1;
	for (const char *p = s; *p; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static void upload(struct ts_req *req)
{
	struct upload *u = req->stream;
	struct ts_error err = { 0 };
	struct ts_import im = { 0 };
	double tolerance = 1.0;

	if (!u) {
		ts_req_fail(req, 400, "invalid_multipart", "send the zip as multipart/form-data");
		return;
	}
	if (ts_multipart_finish(&u->mp) != 0 && !u->write_failed) {
		ts_req_fail(req, 400, "incomplete_upload",
			    "the upload ended before the multipart body did (no closing boundary)");
		goto out;
	}
	if (u->write_failed) {
		ts_req_error(req, &u->werr);
		goto out;
	}
	if (u->unknown_field) {
		json_t *d = json_pack("{s:s}", "field", u->unknown);

		ts_error_set(&err, TS_ERR_INVALID, "unknown_field",
			     "unknown form field; expected file and an optional tolerance");
		ts_error_details(&err, d);
		ts_req_error(req, &err);
		goto out;
	}
	if (u->has_tolerance && (u->field_too_long || parse_tolerance(u->tolerance, &tolerance))) {
		ts_req_fail(req, 400, "invalid_tolerance",
			    "the tolerance field must be a number of pixels");
		goto out;
	}
	if (u->files > 1) {
		ts_req_fail(req, 400, "too_many_files", "send one zip per request");
		goto out;
	}
	if (u->name_bad) {
		ts_req_error(req, &u->name_err);
		goto out;
	}
	if (!u->have_file) {
		ts_req_fail(req, 400, "missing_file", "the form has no file part");
		goto out;
	}
	if (ts_svc_import_accept(req->app, req->params[0], req->user.id, u->file_name, &u->f,
				 tolerance, &im, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	send_import(req, 202, &im);
out:
	ts_import_release(&im);
	ts_error_release(&err);
}

static void get(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_import im;

	if (ts_svc_import_get(req->app, req->params[0], &im, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	send_import(req, 200, &im);
	ts_import_release(&im);
}

static void undo(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_import im;

	if (ts_svc_import_undo(req->app, req->params[0], req->user.id, &im, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	send_import(req, 200, &im);
	ts_import_release(&im);
}

static void list(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_import *arr = NULL;
	int64_t cursor;
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;
	int limit;

	if (ts_req_page(req, 20, TS_IMPORT_PAGE_MAX, &limit, &cursor))
		return;
	if (ts_svc_import_list(req->app, req->params[0], cursor, limit, &arr, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "imports");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		import_write(&w, &arr[i], 0);
	ts_jsonw_array_end(&w);
	ts_jsonw_key(&w, "next_cursor");
	ts_view_cursor(&w, n == (size_t)limit ? arr[n - 1].id : 0);
	ts_jsonw_object_end(&w);
	free(arr);
	ts_view_send(req, 200, &w, &b);
}

const struct ts_route ts_routes_imports[] = {
	{ "POST", "/api/v1/projects/{id}/imports",
	  TS_ROUTE_STREAM | TS_ROUTE_LARGE | TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, upload,
	  upload_begin, upload_data },
	{ "GET", "/api/v1/projects/{id}/imports", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, list, NULL,
	  NULL },
	{ "GET", "/api/v1/imports/{id}", TS_ROUTE_IN_IMPORT | TS_ROUTE_LABELER, get, NULL, NULL },
	{ "POST", "/api/v1/imports/{id}/undo", TS_ROUTE_IN_IMPORT | TS_ROUTE_MANAGER, undo, NULL,
	  NULL },
	{ 0 },
};
