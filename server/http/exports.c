/* Exports (dataset versions): preview a selection, create a version (the
 * build runs as a job), list, read, and download the zip with ETag and
 * Range support. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/exports.h"
#include "core/banned.h"

#define DEFAULT_STATUS TS_STATUS_APPROVED

/* --- selection ------------------------------------------------------------- */

/* A status's index (its enum ts_status value, the store's status index),
 * or -1 when unknown. */
static int status_index(const char *name)
{
	enum ts_status st;

	return ts_status_parse(name, &st) ? -1 : (int)st;
}

/* Parses a JSON array of statuses into indexes (deduplicated, in order).
 * Answers 400 and returns -1 on a bad value. */
static int parse_statuses_json(struct ts_req *req, json_t *arr, int *out, size_t *n)
{
	size_t i;
	json_t *v;

	*n = 0;
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 16) {
		ts_req_fail(req, 400, "invalid_statuses",
			    "The statuses must be a non-empty array of annotation statuses (unlabeled, "
			    "labeled, skipped, needs_review, approved).");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		int idx = status_index(json_is_string(v) ? json_string_value(v) : NULL);
		int dup = 0;

		if (idx < 0) {
			ts_req_fail(req, 400, "invalid_statuses",
				    "The value statuses[%zu] is not one of unlabeled, labeled, skipped, "
				    "needs_review or approved.", i);
			return -1;
		}
		for (size_t k = 0; k < *n; k++)
			dup |= out[k] == idx;
		if (!dup)
			out[(*n)++] = idx;
	}
	return 0;
}

/* ?statuses=approved,labeled (default approved). */
static int parse_statuses_query(struct ts_req *req, int *out, size_t *n)
{
	const char *q = ts_req_query(req, "statuses");
	char buf[128];
	char *p, *save = NULL;

	*n = 0;
	if (!q) {
		out[(*n)++] = DEFAULT_STATUS;
		return 0;
	}
	if (strlen(q) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", q);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		int idx = status_index(p);
		int dup = 0;

		if (idx < 0)
			goto bad;
		for (size_t k = 0; k < *n; k++)
			dup |= out[k] == idx;
		if (!dup)
			out[(*n)++] = idx;
	}
	if (*n == 0)
		goto bad;
	return 0;
bad:
	ts_req_fail(req, 400, "invalid_statuses",
		    "The statuses must be a comma-separated list of unlabeled, labeled, skipped, "
		    "needs_review or approved.");
	return -1;
}

static json_t *view_counts(const struct ts_export_counts *c)
{
	json_t *by = json_object();

	for (int i = 0; i < TS_STATUS_COUNT; i++)
		json_object_set_new(by, ts_status_name((enum ts_status)i),
				    json_integer(c->by_status[i]));
	return json_pack("{s:I, s:{s:I, s:I}, s:I, s:I, s:o}", "images", (json_int_t)c->images,
			 "excluded", "deleted_category", (json_int_t)c->excluded_deleted_category,
			 "damaged", (json_int_t)c->excluded_damaged, "not_decoded_yet",
			 (json_int_t)c->excluded_unchecked, "without_category",
			 (json_int_t)c->without_category, "by_status", by);
}

static json_t *statuses_array(const int *st, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(ts_status_name((enum ts_status)st[i])));
	return a;
}

/* --- views ----------------------------------------------------------------- */

/* The stored comma-separated statuses as an array. */
static void statuses_write(struct ts_jsonw *w, const char *csv)
{
	const char *p = csv;

	ts_jsonw_array(w);
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		ts_jsonw_stringn(w, p, len);
		if (!comma)
			break;
		p = comma + 1;
	}
	ts_jsonw_array_end(w);
}

/* v as jansson prints it, as one value of w. */
static void tree_write(struct ts_jsonw *w, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (!text)
		ts_die("cannot print a stored manifest");
	ts_jsonw_raw(w, text, strlen(text));
	free(text);
}

static void export_write(struct ts_jsonw *w, const struct ts_export *ex)
{
	json_t *manifest = NULL, *counts;
	char url[96];
	double frac = ex->progress_total > 0 ? (double)ex->progress_done / (double)ex->progress_total
					     : 0.0;

	if (strcmp(ex->state, "ready") == 0)
		frac = 1.0;
	if (ex->manifest)
		manifest = json_loads(ex->manifest, 0, NULL);
	counts = manifest ? json_object_get(manifest, "counts") : NULL;
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", ex->id);
	ts_jsonw_kint(w, "project_id", ex->project_id);
	ts_jsonw_kint(w, "version", ex->version);
	ts_jsonw_kstring(w, "state", ex->state);
	ts_jsonw_key(w, "selection");
	ts_jsonw_object(w);
	ts_jsonw_key(w, "statuses");
	statuses_write(w, ex->statuses);
	if (ex->split[0]) {
		/* Stored by the service as compact JSON it wrote itself. */
		ts_jsonw_key(w, "split");
		ts_jsonw_raw(w, ex->split, strlen(ex->split));
	}
	if (ex->layout[0])
		ts_jsonw_kstring(w, "layout", ex->layout);
	ts_jsonw_object_end(w);
	ts_jsonw_key(w, "progress");
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "done", ex->progress_done);
	ts_jsonw_kint(w, "total", ex->progress_total);
	ts_jsonw_key(w, "fraction");
	ts_jsonw_double(w, frac);
	ts_jsonw_object_end(w);
	ts_jsonw_key(w, "counts");
	if (json_is_object(counts)) {
		tree_write(w, counts);
	} else {
		ts_jsonw_object(w);
		ts_jsonw_kint(w, "images", ex->image_count);
		ts_jsonw_key(w, "excluded");
		ts_jsonw_object(w);
		ts_jsonw_kint(w, "deleted_category", ex->excluded_deleted_category);
		ts_jsonw_object_end(w);
		ts_jsonw_object_end(w);
	}
	ts_jsonw_kstring(w, "hash", ex->hash[0] ? ex->hash : NULL);
	ts_jsonw_kstring(w, "categories_hash", ex->categories_hash[0] ? ex->categories_hash : NULL);
	ts_jsonw_key(w, "identical_to_version");
	if (ex->identical_to > 0)
		ts_jsonw_int(w, ex->identical_to);
	else
		ts_jsonw_null(w);
	ts_jsonw_key(w, "shares_files_with_version");
	if (ex->shares_files_with > 0)
		ts_jsonw_int(w, ex->shares_files_with);
	else
		ts_jsonw_null(w);
	ts_jsonw_key(w, "zip_bytes");
	if (ex->zip_bytes >= 0)
		ts_jsonw_int(w, ex->zip_bytes);
	else
		ts_jsonw_null(w);
	snprintf(url, sizeof(url), "/api/v1/exports/%lld/download", (long long)ex->id);
	ts_jsonw_kstring(w, "download_url", strcmp(ex->state, "ready") == 0 ? url : NULL);
	ts_jsonw_key(w, "error");
	if (ex->error[0]) {
		/* Written by the build job: shown as a sentence like every other message. */
		char *sentence = ts_error_sentence(ex->error);

		ts_jsonw_string(w, sentence);
		free(sentence);
	} else {
		ts_jsonw_null(w);
	}
	ts_jsonw_key(w, "job_id");
	if (ex->job_id > 0)
		ts_jsonw_int(w, ex->job_id);
	else
		ts_jsonw_null(w);
	ts_jsonw_kstring(w, "created_by", ex->created_by);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, ex->created_at);
	ts_jsonw_key(w, "finished_at");
	if (ex->finished_at > 0)
		ts_view_time(w, ex->finished_at);
	else
		ts_jsonw_null(w);
	ts_jsonw_key(w, "deleted_at");
	if (ex->deleted_at > 0)
		ts_view_time(w, ex->deleted_at);
	else
		ts_jsonw_null(w);
	if (manifest) {
		ts_jsonw_key(w, "manifest");
		tree_write(w, manifest);
	}
	ts_jsonw_object_end(w);
	json_decref(manifest);
}

static void answer_export(struct ts_req *req, unsigned status, const struct ts_export *ex)
{
	struct ts_jsonw w;
	struct ts_buf b;

	ts_view_begin(&w, &b);
	export_write(&w, ex);
	ts_view_send(req, status, &w, &b);
}

/* --- handlers -------------------------------------------------------------- */

static void preview(struct ts_req *req)
{
	int st[TS_STATUS_COUNT];
	size_t n;
	struct ts_export_counts c;
	struct ts_error err = { 0 };

	if (parse_statuses_query(req, st, &n))
		return;
	if (ts_svc_export_preview(req->app, req->params[0], st, n, &c, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, 200, json_pack("{s:{s:o}, s:o}", "selection", "statuses",
					statuses_array(st, n), "counts", view_counts(&c)));
}

static void create(struct ts_req *req)
{
	static const char *const keys[] = { "statuses", "split", "layout", NULL };
	const json_t *split = NULL;
	const char *layout = NULL;
	int st[16];
	size_t n = 0;
	json_t *body = NULL;
	struct ts_export ex = { 0 };
	struct ts_export_counts c = { 0 };
	struct ts_error err = { 0 };

	if (req->body.len == 0 && !req->body_too_large) {
		st[n++] = DEFAULT_STATUS;
	} else {
		body = ts_req_body_object(req);
		if (!body)
			return;
		if (ts_req_only_fields(req, body, keys))
			goto out;
		if (!json_object_get(body, "statuses"))
			st[n++] = DEFAULT_STATUS;
		else if (parse_statuses_json(req, json_object_get(body, "statuses"), st, &n))
			goto out;
		split = json_object_get(body, "split");
		if (json_is_null(split))
			split = NULL;
		if (ts_req_field_string(req, body, "layout", 0, &layout, NULL))
			goto out;
	}
	if (ts_svc_export_create(req->app, req->params[0], st, n, split, layout, req->user.id,
				 req->user.name, &ex, &c, &err)) {
		if (strcmp(err.code, "nothing_to_export") == 0)
			ts_error_details(&err, json_pack("{s:{s:o}, s:o}", "selection", "statuses",
							 statuses_array(st, n), "counts",
							 view_counts(&c)));
		ts_req_error(req, &err);
		goto out;
	}
	answer_export(req, 202, &ex);
	{
		char loc[64];

		snprintf(loc, sizeof(loc), "/api/v1/exports/%lld", (long long)ex.id);
		ts_req_add_header(req, "Location", loc);
	}
out:
	ts_svc_export_release(&ex);
	ts_error_release(&err);
	json_decref(body);
}

static void list(struct ts_req *req)
{
	struct ts_export *arr = NULL;
	struct ts_error err = { 0 };
	int64_t cursor;
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;
	int limit;

	if (ts_req_page(req, 50, 500, &limit, &cursor))
		return;
	if (ts_svc_export_list(req->app, req->params[0], cursor, limit, &arr, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "exports");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		export_write(&w, &arr[i]);
	ts_jsonw_array_end(&w);
	ts_jsonw_key(&w, "next_cursor");
	ts_view_cursor(&w, n == (size_t)limit && n > 0 ? arr[n - 1].version : 0);
	ts_jsonw_object_end(&w);
	free(arr);
	ts_view_send(req, 200, &w, &b);
}

static void get(struct ts_req *req)
{
	struct ts_export ex = { 0 };
	struct ts_error err = { 0 };

	if (ts_svc_export_get(req->app, req->params[0], 1, &ex, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	answer_export(req, 200, &ex);
	ts_svc_export_release(&ex);
}

/* "Pets & Cats!" -> "pets-cats"; "" -> "dataset". */
static void slug(const char *name, char *out, size_t outlen)
{
	size_t n = 0;
	int dash = 0;

	for (const unsigned char *p = (const unsigned char *)name; *p && n + 2 < outlen; p++) {
		unsigned char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (dash && n)
				out[n++] = '-';
			dash = 0;
			out[n++] = (char)c;
		} else if (c >= 'A' && c <= 'Z') {
			if (dash && n)
				out[n++] = '-';
			dash = 0;
			out[n++] = (char)(c - 'A' + 'a');
		} else {
			dash = 1;
		}
		if (n >= 60)
			break;
	}
	out[n] = '\0';
	if (!n)
		snprintf(out, outlen, "dataset");
}

/* A shared zip (export/share.h) is sent from its parts. */
struct zip_stream {
	struct ts_export_zip z;
	uint64_t from;
};

static ssize_t zip_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct zip_stream *zs = cls;
	ssize_t n = ts_svc_export_zip_pread(&zs->z, buf, max, zs->from + pos);

	if (n < 0)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void zip_stream_free(void *cls)
{
	struct zip_stream *zs = cls;

	ts_svc_export_zip_close(&zs->z);
	free(zs);
}

static void download(struct ts_req *req)
{
	struct ts_export ex = { 0 };
	struct ts_project proj;
	struct ts_error err = { 0 };
	struct ts_export_zip z = { .n = 0 };
	struct MHD_Response *resp;
	char etag[96], disp[160], name[72], range_hdr[96];
	const char *inm, *range, *if_range;
	uint64_t from = 0, to = 0, size;
	int partial = 0;

	for (size_t i = 0; i < 3; i++)
		z.parts[i].fd = -1;
	if (ts_svc_export_open_zip(req->app, req->params[0], &ex, &proj, &z, &err)) {
		/* Gone for good: 410 rather than the 404 of an unknown id. */
		if (strcmp(err.code, "export_file_missing") == 0 ||
		    strcmp(err.code, "export_deleted") == 0)
			ts_req_fail(req, 410, err.code, "%s", err.message);
		else
			ts_req_error(req, &err);
		goto out;
	}
	size = z.size;
	/* A version never changes: its id and content hash make a strong tag. */
	snprintf(etag, sizeof(etag), "\"e%lld-%.24s-%" PRIu64 "\"", (long long)ex.id,
		 ex.hash + (strncmp(ex.hash, "sha256:", 7) == 0 ? 7 : 0), size);
	inm = ts_req_header(req, "If-None-Match");
	if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
		ts_req_empty(req, 304);
		ts_req_add_header(req, "ETag", etag);
		goto out;
	}
	range = ts_req_header(req, "Range");
	if_range = ts_req_header(req, "If-Range");
	if (range && (!if_range || strcmp(if_range, etag) == 0)) {
		int r = ts_req_range(range, size, &from, &to);

		if (r < 0) {
			snprintf(range_hdr, sizeof(range_hdr), "bytes */%" PRIu64, size);
			ts_req_fail(req, 416, "range_not_satisfiable",
				    "The range is outside the file (%" PRIu64 " bytes).", size);
			ts_req_add_header(req, "Content-Range", range_hdr);
			goto out;
		}
		partial = r == 1;
	}
	if (!partial) {
		from = 0;
		to = size ? size - 1 : 0;
	}
	if (z.n == 1) {
		resp = MHD_create_response_from_fd_at_offset64(size ? to - from + 1 : 0, z.parts[0].fd,
							       from);
		if (resp)
			z.parts[0].fd = -1; /* the response owns it now */
	} else {
		struct zip_stream *zs = ts_xcalloc(1, sizeof(*zs));

		zs->z = z;
		zs->from = from;
		resp = MHD_create_response_from_callback(size ? to - from + 1 : 0, 64 * 1024,
							 zip_read, zs, zip_stream_free);
		if (resp)
			z.n = 0; /* the stream owns the parts now */
		else
			free(zs);
		for (size_t i = 0; resp && i < 3; i++)
			z.parts[i].fd = -1;
	}
	if (!resp) {
		ts_req_fail(req, 500, "internal_error", "The file cannot be sent.");
		goto out;
	}
	slug(proj.name, name, sizeof(name));
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s-v%lld.zip\"", name,
		 (long long)ex.version);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/zip");
	MHD_add_response_header(resp, "Content-Disposition", disp);
	MHD_add_response_header(resp, "ETag", etag);
	MHD_add_response_header(resp, "Accept-Ranges", "bytes");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				"private, " TS_HTTP_IMMUTABLE);
	if (partial) {
		snprintf(range_hdr, sizeof(range_hdr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, from,
			 to, size);
		MHD_add_response_header(resp, "Content-Range", range_hdr);
	}
	ts_req_raw(req, partial ? 206 : 200, resp, size ? to - from + 1 : 0);
out:
	ts_svc_export_zip_close(&z);
	ts_svc_export_release(&ex);
	ts_error_release(&err);
}

const struct ts_route ts_routes_exports[] = {
	{ "GET", "/api/v1/projects/{id}/exports/preview", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER,
	  preview, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/exports", TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, create,
	  NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/exports", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, list, NULL,
	  NULL },
	{ "GET", "/api/v1/exports/{id}", TS_ROUTE_IN_EXPORT | TS_ROUTE_LABELER, get, NULL, NULL },
	{ "GET", "/api/v1/exports/{id}/download", TS_ROUTE_IN_EXPORT | TS_ROUTE_LABELER, download,
	  NULL, NULL },
	{ 0 },
};
