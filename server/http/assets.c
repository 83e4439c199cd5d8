/* Assets: multipart upload (streamed to disk while hashed), the asset list
 * with filters and counts, one asset, its original and its thumbnail.
 *
 * An upload is judged one file at a time: a bad file becomes an entry in
 * "errors" and the others go in. Each part is written to DATA/tmp as it
 * arrives; when the part ends the uploads service takes it
 * (service/uploads.h) and its temporary file is gone, moved or removed. If the client goes away, the
 * request's cleanup removes the part in progress. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cursor.h"
#include "domain/names.h"
#include "core/status.h"
#include "http/form.h"
#include "http/multipart.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/models.h"
#include "service/uploads.h"
#include "core/banned.h"

#define ASSET_PAGE_DEFAULT 100
/* Parts per request: bounds the size of the answer. */
#define MAX_PARTS 10000
#define CACHE_FOREVER "private, " TS_HTTP_IMMUTABLE

/* ---- views ---- */

void ts_view_asset_write(struct ts_jsonw *w, const struct ts_asset *a)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", a->id);
	ts_jsonw_kint(w, "project_id", a->project_id);
	ts_jsonw_kstring(w, "file_name", a->file_name);
	ts_jsonw_kint(w, "width", a->width);
	ts_jsonw_kint(w, "height", a->height);
	ts_jsonw_kstring(w, "mime_type", a->mime_type);
	ts_jsonw_kstring(w, "checksum_sha256", a->checksum_sha256);
	ts_jsonw_kint(w, "byte_size", a->byte_size);
	ts_jsonw_key(w, "source");
	ts_jsonw_object(w);
	if (strcmp(a->origin.type, "video_frame") == 0) {
		ts_jsonw_kstring(w, "type", "video_frame");
		ts_jsonw_kint(w, "video_id", a->origin.video_id);
		ts_jsonw_kstring(w, "video_file_name", a->origin.video_file_name);
		ts_jsonw_kint(w, "frame_index", a->origin.frame_index);
		ts_jsonw_kint(w, "timestamp_ms", a->origin.timestamp_ms);
	} else {
		ts_jsonw_kstring(w, "type", "image");
	}
	ts_jsonw_object_end(w);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, a->created_at);
	ts_jsonw_key(w, "uploaded_by");
	ts_view_user(w, a->uploaded_by_name);
	ts_jsonw_kbool(w, "thumbnail_ready", a->thumbnail_ready);
	ts_jsonw_key(w, "annotation");
	ts_view_annotation_write(w, &a->annotation, 0);
	ts_jsonw_kstring(w, "decode_state", a->decode_state[0] ? a->decode_state : "pending");
	ts_jsonw_kstring(w, "damage_reason", a->damage_reason[0] ? a->damage_reason : NULL);
	if (a->suggested)
		ts_jsonw_kbool(w, "suggested", 1);
	ts_jsonw_object_end(w);
}

json_t *ts_view_asset(const struct ts_asset *a)
{
	struct ts_buf b;
	struct ts_jsonw w;

	ts_view_begin(&w, &b);
	ts_view_asset_write(&w, a);
	return ts_view_tree(&b, ts_jsonw_finish(&w));
}

/* ---- upload ---- */

struct upload {
	struct ts_req *req;
	struct ts_multipart mp;
	int64_t project_id;
	json_t *assets; /* owned */
	json_t *errors; /* owned */
	int nparts;
	/* The part in progress. */
	int in_part;
	int skipping;     /* its error is recorded: drop the rest of its data */
	char *shown_name; /* owned; the name as sent, made printable; NULL: none */
	char file_name[TS_ASSET_FILE_NAME_MAX + 1];
	struct ts_upload_file f;
	int writing;
	int too_many; /* more than MAX_PARTS parts */
	int fatal;    /* a disk or database failure: the request fails */
	struct ts_error fatal_err;
};

/* The name as the client sent it, safe to put in JSON: invalid UTF-8 and
 * control characters become U+FFFD, and it is cut at 300 bytes. */
static char *shown(const char *name)
{
	size_t len = strlen(name), o = 0;
	char *out = ts_xmalloc(len * 3 + 4);

	for (size_t i = 0; i < len && o < 300;) {
		unsigned char c = (unsigned char)name[i];
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;

		if (n == 0 || i + n > len || ts_utf8_count(name + i, n) != 1 || c < 0x20 || c == 0x7F) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, name + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

static void add_error(struct upload *u, const char *code, const char *message)
{
	/* The reasons come from ingest and media too: one style for all. */
	char *sentence = ts_error_sentence(message);

	json_array_append_new(u->errors,
			      json_pack("{s:o, s:s, s:s}", "file_name",
					u->shown_name ? json_string(u->shown_name) : json_null(),
					"code", code, "message", sentence));
	free(sentence);
}

static void add_ts_error(struct upload *u, const struct ts_error *err)
{
	add_error(u, err->code[0] ? err->code : "upload_failed",
		  err->message[0] ? err->message : "The file could not be stored.");
}

static void fail_fatal(struct upload *u, const struct ts_error *err)
{
	if (!u->fatal) {
		u->fatal = 1;
		u->fatal_err = *err;
		u->fatal_err.details = NULL;
	}
}

/* Ends the part in progress: hands a complete file to the uploads
 * service, or drops it. */
static void end_part(struct upload *u, int complete)
{
	struct ts_error err = { 0 };
	struct ts_asset a;
	int duplicate = 0;

	if (!u->in_part)
		return;
	u->in_part = 0;
	if (u->writing) {
		u->writing = 0;
		if (!complete) {
			ts_upload_file_abort(&u->f);
			add_error(u, "incomplete_upload", "The upload ended before this file did.");
		} else {
			enum ts_err e = ts_upload_image_accept(u->req->app, u->project_id,
							       u->req->user.id, u->file_name, &u->f,
							       &a, &duplicate, &err);

			if (e == TS_OK) {
				json_t *v = ts_view_asset(&a);

				json_object_set_new(v, "duplicate", json_boolean(duplicate));
				json_array_append_new(u->assets, v);
			} else {
				/* The disk, the quota or the object store: the files after
				 * this one would fail the same way. */
				if (e == TS_ERR_IO || e == TS_ERR_INTERNAL || e == TS_ERR_QUOTA ||
				    e == TS_ERR_UNAVAILABLE)
					fail_fatal(u, &err);
				add_ts_error(u, &err);
			}
		}
	}
	free(u->shown_name);
	u->shown_name = NULL;
	u->skipping = 0;
	ts_error_release(&err);
}

static void begin_part(struct upload *u, const char *key, const char *filename)
{
	struct ts_error err = { 0 };

	end_part(u, 1);
	u->in_part = 1;
	u->nparts++;
	u->skipping = 1;
	u->shown_name = filename ? shown(filename) : NULL;
	if (!key || strcmp(key, "file") != 0) {
		char msg[160];

		snprintf(msg, sizeof(msg), "Unexpected form field \"%.60s\": send each image as a "
					   "part named \"file\".", key ? key : "");
		/* Show the field name when there is no file name. */
		if (!u->shown_name && key)
			u->shown_name = shown(key);
		add_error(u, "unexpected_field", msg);
		goto out;
	}
	if (!filename) {
		add_error(u, "missing_file_name",
			  "This part has no file name (Content-Disposition filename).");
		goto out;
	}
	if (ts_upload_check_name(filename, strlen(filename), u->file_name, &err)) {
		add_ts_error(u, &err);
		goto out;
	}
	if (ts_upload_file_open(u->req->app, &u->f, &err)) {
		fail_fatal(u, &err);
		add_ts_error(u, &err);
		goto out;
	}
	u->writing = 1;
	u->skipping = 0;
out:
	ts_error_release(&err);
}

static int on_part_begin(void *cls, const char *key, const char *filename,
			 const char *content_type)
{
	struct upload *u = cls;

	(void)content_type;
	if (u->nparts >= MAX_PARTS) {
		u->too_many = 1;
		return -1;
	}
	begin_part(u, key, filename);
	return u->fatal ? -1 : 0;
}

static int on_part_data(void *cls, const char *data, size_t size)
{
	struct upload *u = cls;
	struct ts_error err = { 0 };

	if (u->skipping || !u->writing)
		return 0;
	if (ts_upload_file_write(&u->f, data, size, &err)) {
		ts_upload_file_abort(&u->f);
		u->writing = 0;
		u->skipping = 1;
		if (err.err != TS_ERR_TOO_LARGE)
			fail_fatal(u, &err);
		add_ts_error(u, &err);
	}
	ts_error_release(&err);
	return u->fatal ? -1 : 0;
}

static int on_part_end(void *cls)
{
	struct upload *u = cls;

	end_part(u, 1);
	return u->fatal ? -1 : 0;
}

static const struct ts_multipart_cb part_cb = { on_part_begin, on_part_data, on_part_end };

static void upload_free(void *arg)
{
	struct upload *u = arg;

	if (u->writing)
		ts_upload_file_abort(&u->f);
	free(u->shown_name);
	json_decref(u->assets);
	json_decref(u->errors);
	free(u);
}

static int upload_begin(struct ts_req *req)
{
	const char *ct;
	struct ts_project p;
	struct upload *u;

	ct = ts_form_type(req, "Send the images as multipart/form-data with one \"file\" part each.");
	if (!ct)
		return -1;
	if (ts_load_project(req, &p))
		return -1;
	u = ts_xcalloc(1, sizeof(*u));
	u->req = req;
	u->project_id = p.id;
	u->assets = json_array();
	u->errors = json_array();
	ts_upload_file_init(&u->f);
	ts_req_on_cleanup(req, upload_free, u);
	req->stream = u;
	return ts_form_init(req, &u->mp, ct, &part_cb, u,
			    "The multipart/form-data body has no boundary, or a malformed one.");
}

/* An answer that fails the request still lists what was stored and what
 * was refused, and why: the files stored before the failure stay. */
static void answer_failure(struct upload *u, unsigned status, const char *code,
			   const char *message)
{
	char *sentence = ts_error_sentence(message);

	ts_req_json(u->req, status,
		    json_pack("{s:{s:s, s:s, s:{}}, s:O, s:O}", "error", "code", code, "message",
			      sentence, "details", "assets", u->assets, "errors", u->errors));
	free(sentence);
}

static void answer_fatal(struct upload *u)
{
	answer_failure(u, ts_http_status_of(u->fatal_err.err),
		       u->fatal_err.code[0] ? u->fatal_err.code : "internal_error",
		       u->fatal_err.message[0] ? u->fatal_err.message : "The upload failed.");
}

static int upload_data(struct ts_req *req, const char *data, size_t len)
{
	struct upload *u = req->stream;
	char msg[200];

	if (ts_multipart_push(&u->mp, data, len) != TS_MULTIPART_OK) {
		/* Whatever was in progress is dropped; finished files stay. */
		end_part(u, 0);
		if (u->fatal) {
			answer_fatal(u);
		} else if (u->too_many) {
			snprintf(msg, sizeof(msg), "At most %d files go in one request: the first %d "
				 "were handled; send the rest in another request.", MAX_PARTS, MAX_PARTS);
			answer_failure(u, 413, "too_many_files", msg);
		} else {
			answer_failure(u, 400, "invalid_multipart",
				       "The multipart/form-data body is malformed.");
		}
		return -1;
	}
	return 0;
}

static void upload_done(struct ts_req *req)
{
	struct upload *u = req->stream;
	int whole = ts_multipart_finish(&u->mp) == 0;
	json_t *body;

	/* A part still open here was cut short: the body ended early. */
	end_part(u, whole && !u->fatal);
	if (u->fatal) {
		answer_fatal(u);
		return;
	}
	if (u->nparts == 0) {
		ts_req_fail(req, 400, "no_files", "The request holds no \"file\" part.");
		return;
	}
	body = json_pack("{s:O, s:O}", "assets", u->assets, "errors", u->errors);
	if (json_array_size(u->assets) == 0) {
		json_object_set_new(body, "error",
				    json_pack("{s:s, s:s, s:{s:O}}", "code", "no_valid_files",
					      "message", "none of the files could be added",
					      "details", "errors", u->errors));
		ts_req_json(req, 422, body);
		return;
	}
	ts_req_json(req, 201, body);
}

/* ---- list, get ---- */

static int parse_positive(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1; /* strtoll would also take " 5" and "+5" */
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > TS_JSON_MAX_SAFE_INT)
		return -1;
	*out = v;
	return 0;
}

/* ?sort= (id, uploaded, name; a leading "-" reverses it): 0, or -1 after
 * answering 400. */
static int parse_sort(struct ts_req *req, struct ts_asset_query *q)
{
	static const char *const names[] = { [TS_ASSET_SORT_ID] = "id",
					     [TS_ASSET_SORT_UPLOADED] = "uploaded",
					     [TS_ASSET_SORT_NAME] = "name" };
	const char *sort = ts_req_query(req, "sort");

	if (!sort || !*sort)
		return 0;
	q->descending = sort[0] == '-';
	for (int i = 0; i < 3; i++) {
		if (strcmp(sort + q->descending, names[i]) == 0) {
			q->sort = (enum ts_asset_sort)i;
			return 0;
		}
	}
	ts_req_fail(req, 400, "invalid_parameter",
		    "The sort parameter must be uploaded, name or id, each with an optional "
		    "leading \"-\" for descending order.");
	return -1;
}

/* The cursor of a page: the last id alone for the default order (as
 * ts_req_page reads it), else that id and the order it was served in, so a
 * cursor is never read in another order. */
static int sort_code(const struct ts_asset_query *q)
{
	return (int)q->sort * 2 + (q->descending != 0);
}

static int parse_sorted_cursor(struct ts_req *req, struct ts_asset_query *q)
{
	const char *c = ts_req_query(req, "cursor");
	int64_t v[2];

	if (!c || !*c)
		return 0;
	if (ts_cursor_decode(c, v, 2) != 0 || v[0] <= 0 || v[1] != sort_code(q)) {
		ts_req_fail(req, 400, "invalid_cursor",
			    "The cursor is not one this server gave out for this sort; start "
			    "again without it.");
		return -1;
	}
	q->after_id = v[0];
	return 0;
}

static void list(struct ts_req *req)
{
	const char *search = ts_req_query(req, "q");
	const char *status = ts_req_query(req, "status");
	const char *cat = ts_req_query(req, "category_id");
	const char *video = ts_req_query(req, "video_id");
	const char *suggested = ts_req_query(req, "suggested");
	const char *order = ts_req_query(req, "order");
	struct ts_asset_query q = { .project_id = req->params[0] };
	struct ts_upload_counts counts;
	struct ts_error err = { 0 };
	struct ts_asset *arr = NULL;
	struct ts_jsonw w;
	struct ts_buf b;
	int64_t next = 0;
	size_t n = 0;
	enum ts_queue queue = TS_QUEUE_ALL;
	enum ts_status one;
	int sorted;

	/* A status alone, or (kept for older clients) a queue of statuses. */
	if (status && *status && ts_status_parse(status, &one) == 0) {
		q.status = ts_status_name(one);
	} else if (status && *status && ts_queue_parse(status, &queue)) {
		ts_req_fail(req, 400, "invalid_status",
			    "The status must be all, unlabeled, labeled, skipped, needs_review "
			    "or approved (or the groups in_review and done).");
		return;
	}
	q.queue = queue != TS_QUEUE_ALL && !q.status ? ts_queue_name(queue) : NULL;
	if (cat && *cat && parse_positive(cat, &q.category_id)) {
		ts_req_fail(req, 400, "invalid_category_id", "The category_id must be a positive integer.");
		return;
	}
	if (video && *video && parse_positive(video, &q.video_id)) {
		ts_req_fail(req, 400, "invalid_video_id", "The video_id must be a positive integer.");
		return;
	}
	if (parse_sort(req, &q))
		return;
	if (search && strlen(search) > TS_ASSET_FILE_NAME_MAX) {
		ts_req_fail(req, 400, "invalid_parameter",
			    "The q parameter (text in file names) is at most %d bytes.",
			    TS_ASSET_FILE_NAME_MAX);
		return;
	}
	q.name_contains = search && *search ? search : NULL;
	sorted = q.sort != TS_ASSET_SORT_ID || q.descending;
	if (suggested && strcmp(suggested, "true") != 0) {
		ts_req_fail(req, 400, "invalid_parameter", "suggested takes the value true.");
		return;
	}
	q.suggested = suggested != NULL;
	if (order && strcmp(order, "id") != 0 && strcmp(order, "sampling") != 0) {
		ts_req_fail(req, 400, "invalid_parameter", "order must be id or sampling.");
		return;
	}
	if (sorted && (q.suggested || (order && strcmp(order, "sampling") == 0))) {
		ts_req_fail(req, 400, "invalid_parameter",
			    "suggested and order=sampling list by id (or rank): leave sort out.");
		return;
	}
	if (sorted) {
		/* ts_req_page checks the limit; the cursor is read here. */
		if (parse_sorted_cursor(req, &q) ||
		    ts_req_page_limit(req, ASSET_PAGE_DEFAULT, TS_ASSET_PAGE_MAX, &q.limit))
			return;
	} else if (ts_req_page(req, ASSET_PAGE_DEFAULT, TS_ASSET_PAGE_MAX, &q.limit, &q.after_id)) {
		return;
	}
	/* The latest sampling run's order; a project without one lists none. */
	if (order && strcmp(order, "sampling") == 0 &&
	    ts_svc_latest_sampling_run(req->app, q.project_id, &q.sampling_run, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	if (order && strcmp(order, "sampling") == 0 && q.sampling_run == 0)
		q.sampling_run = INT64_MAX;
	if (ts_upload_asset_list(req->app, &q, &arr, &n, &next, &err) ||
	    ts_upload_asset_counts(req->app, &q, &counts, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	/* Written straight to text: no tree per row. */
	ts_view_begin(&w, &b);
	ts_buf_reserve(&b, 640 * (n + 1)); /* about a row's size: no regrowth */
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "assets");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		ts_view_asset_write(&w, &arr[i]);
	ts_jsonw_array_end(&w);
	ts_jsonw_key(&w, "next_cursor");
	if (sorted && next > 0) {
		char text[TS_CURSOR_TEXT_MAX];

		ts_cursor_encode((const int64_t[]){ next, sort_code(&q) }, 2, text);
		ts_jsonw_string(&w, text);
	} else {
		ts_view_cursor(&w, next);
	}
	ts_jsonw_key(&w, "counts");
	ts_jsonw_object(&w);
	ts_jsonw_kint(&w, "all", counts.queue[TS_QUEUE_ALL]);
	for (int i = 0; i < TS_STATUS_COUNT; i++)
		ts_jsonw_kint(&w, ts_status_name((enum ts_status)i), counts.status[i]);
	/* The groups that are not a status of the same name. */
	ts_jsonw_kint(&w, "in_review", counts.queue[TS_QUEUE_IN_REVIEW]);
	ts_jsonw_kint(&w, "done", counts.queue[TS_QUEUE_DONE]);
	ts_jsonw_object_end(&w);
	ts_jsonw_object_end(&w);
	ts_view_send(req, 200, &w, &b);
out:
	free(arr);
	ts_error_release(&err);
}

static int load_asset(struct ts_req *req, struct ts_asset *a)
{
	struct ts_error err = { 0 };

	if (ts_upload_asset_get(req->app, req->params[0], a, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return -1;
	}
	return 0;
}

static void get(struct ts_req *req)
{
	struct ts_asset a;

	if (load_asset(req, &a))
		return;
	ts_req_json(req, 200, ts_view_asset(&a));
}

/* ---- bytes ---- */

/* If-None-Match holds etag (or "*"): weak comparison, as RFC 9110 asks. */
static int etag_matches(const char *header, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = header;

	while (p && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, elen) == 0 && (p[elen] == '\0' || p[elen] == ',' ||
						    p[elen] == ' '))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

static void send_file(struct ts_req *req, const char *path, const char *mime, const char *etag,
		      int ranges)
{
	const char *inm = ts_req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *range = ranges ? ts_req_header(req, MHD_HTTP_HEADER_RANGE) : NULL;
	const char *if_range = ts_req_header(req, MHD_HTTP_HEADER_IF_RANGE);
	struct MHD_Response *resp;
	uint64_t start = 0, last = 0, len;
	struct stat st;
	unsigned status = 200;
	char cr[96];
	int fd, r = 0;

	if (inm && etag_matches(inm, etag)) {
		ts_req_empty(req, 304);
		ts_req_add_header(req, MHD_HTTP_HEADER_ETAG, etag);
		ts_req_add_header(req, MHD_HTTP_HEADER_CACHE_CONTROL, CACHE_FOREVER);
		return;
	}
	/* Blobs and thumbnails are regular files that we wrote: a symlink in
	 * their place is not followed out of the data folder. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		ts_req_fail(req, 500, "file_missing", "The stored file cannot be read.");
		return;
	}
	len = (uint64_t)st.st_size;
	if (range && (!if_range || strcmp(if_range, etag) == 0))
		r = ts_req_range(range, (uint64_t)st.st_size, &start, &last);
	if (r > 0)
		len = last - start + 1;
	if (r < 0) {
		close(fd);
		ts_req_fail(req, 416, "range_not_satisfiable",
			    "The range is outside the file (%lld bytes).", (long long)st.st_size);
		snprintf(cr, sizeof(cr), "bytes */%lld", (long long)st.st_size);
		ts_req_add_header(req, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
		return;
	}
	resp = MHD_create_response_from_fd_at_offset64(len, fd, start);
	if (!resp) {
		close(fd);
		ts_req_fail(req, 500, "internal_error", "The file cannot be sent.");
		return;
	}
	if (r > 0) {
		status = 206;
		snprintf(cr, sizeof(cr), "bytes %llu-%llu/%lld", (unsigned long long)start,
			 (unsigned long long)(start + len - 1), (long long)st.st_size);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, mime);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, CACHE_FOREVER);
	MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; sandbox");
	if (ranges)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
	ts_req_raw(req, status, resp, len);
}

static void file(struct ts_req *req)
{
	char path[TS_BLOB_PATH_MAX], etag[80];
	struct ts_error err = { 0 };
	struct ts_asset a;

	if (load_asset(req, &a))
		return;
	if (ts_upload_asset_file(req->app, &a, path, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	snprintf(etag, sizeof(etag), "\"%s\"", a.checksum_sha256);
	send_file(req, path, a.mime_type, etag, 1);
}

static void thumbnail(struct ts_req *req)
{
	char path[TS_BLOB_PATH_MAX], etag[96];
	struct ts_error err = { 0 };
	struct ts_asset a;

	if (load_asset(req, &a))
		return;
	snprintf(etag, sizeof(etag), "\"%s-t%d\"", a.checksum_sha256, TS_THUMB_SIZE);
	/* A conditional request needs no file at all. */
	if (ts_req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH) &&
	    etag_matches(ts_req_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), etag)) {
		send_file(req, "", TS_THUMB_MIME, etag, 0);
		return;
	}
	/* Made on demand when the job has not run yet (or the file was lost). */
	if (ts_upload_asset_thumbnail(req->app, &a, path, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	send_file(req, path, TS_THUMB_MIME, etag, 0);
}

const struct ts_route ts_routes_assets[] = {
	{ "POST", "/api/v1/projects/{id}/assets",
	  TS_ROUTE_STREAM | TS_ROUTE_LARGE | TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, upload_done,
	  upload_begin, upload_data },
	{ "GET", "/api/v1/projects/{id}/assets", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, list, NULL,
	  NULL },
	{ "GET", "/api/v1/assets/{id}", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER, get, NULL, NULL },
	{ "GET", "/api/v1/assets/{id}/file", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER, file, NULL, NULL },
	{ "GET", "/api/v1/assets/{id}/thumbnail", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER, thumbnail,
	  NULL, NULL },
	{ 0 },
};
