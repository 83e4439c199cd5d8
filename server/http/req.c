/* Responses, body parsing and field validation for handlers. */
#include "http/req.h"

#include <errno.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/jsonscan.h"
#include "core/log.h"
#include "core/time.h"
#include "domain/names.h"
#include "core/banned.h"

void ts_req_on_cleanup(struct ts_req *req, void (*fn)(void *), void *arg)
{
	struct ts_req_cleanup *c = ts_xmalloc(sizeof(*c));

	c->fn = fn;
	c->arg = arg;
	c->next = req->cleanups;
	req->cleanups = c;
}

const char *ts_req_query(struct ts_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *ts_req_header(struct ts_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, key);
}

void ts_req_raw(struct ts_req *req, unsigned status, struct MHD_Response *resp, uint64_t bytes)
{
	if (req->response)
		MHD_destroy_response(req->response);
	req->response = resp;
	req->status = status;
	req->bytes = bytes;
}

/* Sends text (malloc'd, taken) as the JSON answer. */
static void send_text(struct ts_req *req, unsigned status, char *text, size_t len)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, text,
								    MHD_RESPMEM_MUST_FREE);

	if (!resp)
		ts_die("cannot create a response");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ts_req_raw(req, status, resp, len);
}

void ts_req_json(struct ts_req *req, unsigned status, json_t *body)
{
	size_t len = 0;
	char *text;

	/* A view that could not be built (json_pack refuses a stored string
	 * that is not UTF-8) fails this request, not the process. */
	if (!body) {
		ts_log_error("%s %s: the answer could not be built as JSON", req->method, req->path);
		body = json_pack("{s:{s:s, s:s, s:{}}}", "error", "code", "internal_error",
				 "message", "the answer could not be built", "details");
		status = 500;
	}
	text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	if (!text)
		ts_die("cannot serialise a JSON response");
	len = strlen(text);
	send_text(req, status, text, len);
}

void ts_req_json_text(struct ts_req *req, unsigned status, struct ts_buf *b, enum ts_err e)
{
	size_t len = 0;
	char *text;

	if (e) {
		ts_buf_release(b);
		ts_req_json(req, status, NULL);
		return;
	}
	text = ts_buf_take(b, &len);
	send_text(req, status, text ? text : ts_xstrdup(""), len);
}

void ts_req_empty(struct ts_req *req, unsigned status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

	if (!resp)
		ts_die("cannot create a response");
	ts_req_raw(req, status, resp, 0);
}

void ts_req_add_header(struct ts_req *req, const char *name, const char *value)
{
	if (req->response)
		MHD_add_response_header(req->response, name, value);
}

unsigned ts_http_status_of(enum ts_err e)
{
	switch (e) {
	case TS_OK: return 200;
	case TS_ERR_INVALID: return 400;
	case TS_ERR_UNAUTHORIZED: return 401;
	case TS_ERR_FORBIDDEN: return 403;
	case TS_ERR_NOT_FOUND: return 404;
	case TS_ERR_CONFLICT: return 409;
	case TS_ERR_TOO_LARGE: return 413;
	case TS_ERR_UNSUPPORTED: return 415;
	case TS_ERR_UNPROCESSABLE: return 422;
	case TS_ERR_UNAVAILABLE: return 503;
	case TS_ERR_QUOTA: return 507;
	case TS_ERR_IO:
	case TS_ERR_INTERNAL:
	default: return 500;
	}
}

static void send_error(struct ts_req *req, unsigned status, const char *code, const char *msg,
		       json_t *details)
{
	/* Messages quote what the client sent (a path, a field name, a file
	 * name), cut to a fixed size: make them valid UTF-8, or jansson
	 * refuses them. */
	char *clean = ts_utf8_scrub(msg, strlen(msg), TS_ERROR_MSG_MAX, 0);
	/* Every message reads as a sentence, whichever layer wrote it. */
	char *sentence = ts_error_sentence(clean);
	json_t *body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", code, "message", sentence,
				 "details", details ? details : json_object());

	free(sentence);
	free(clean);
	if (!body)
		ts_die("cannot build an error body");
	ts_req_json(req, status, body);
}

void ts_req_error(struct ts_req *req, const struct ts_error *err)
{
	json_t *details = err->details ? json_incref((json_t *)err->details) : NULL;

	send_error(req, ts_http_status_of(err->err), err->code[0] ? err->code : "internal_error",
		   err->message[0] ? err->message : "Something went wrong.", details);
}

void ts_req_fail(struct ts_req *req, unsigned status, const char *code, const char *fmt, ...)
{
	char msg[TS_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	send_error(req, status, code, msg, NULL);
}

static void fail_field(struct ts_req *req, const char *code, const char *key, const char *msg)
{
	send_error(req, 400, code, msg, json_pack("{s:s}", "field", key));
}

size_t ts_req_body_max(const struct ts_req *req)
{
	return req->body_max ? req->body_max : req->app->cfg.max_json_body;
}

json_t *ts_req_body_object(struct ts_req *req)
{
	json_error_t jerr;
	json_t *root;

	struct ts_jsonscan scan;

	if (req->body_too_large) {
		ts_req_fail(req, 413, "body_too_large", "The request body is larger than %zu bytes.",
			    ts_req_body_max(req));
		return NULL;
	}
	if (req->body.len == 0) {
		ts_req_fail(req, 400, "invalid_json", "The request body is empty; send a JSON object.");
		return NULL;
	}
	/* Bounded before the tree is built: 100,000 boxes are refused by
	 * name, not parsed. */
	ts_jsonscan(req->body.ptr, req->body.len, &scan);
	if (scan.weight > TS_HTTP_JSON_WEIGHT_MAX) {
		if (scan.largest_key[0])
			ts_req_fail(req, 400, "too_many",
				    "The field \"%s\" holds %zu items, more than one request may carry.",
				    scan.largest_key, scan.largest);
		else
			ts_req_fail(req, 400, "too_many",
				    "The request body holds more values than one request may carry.");
		return NULL;
	}
	root = json_loadb(req->body.ptr, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char *reason = ts_utf8_scrub(jerr.text, strlen(jerr.text), sizeof(jerr.text), 1);

		send_error(req, 400, "invalid_json", "The request body is not valid JSON.",
			   json_pack("{s:s, s:i, s:i}", "reason", reason, "line", jerr.line,
				     "column", jerr.column));
		free(reason);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		ts_req_fail(req, 400, "invalid_json", "The request body must be a JSON object.");
		return NULL;
	}
	return root;
}

/* Looks up obj's field key into *v: 1 when present, 0 when absent and
 * optional, -1 after answering 400 when absent and required. */
static int field_get(struct ts_req *req, json_t *obj, const char *key, int required,
		     int *present, json_t **v)
{
	char msg[160];

	*v = json_object_get(obj, key);
	if (present)
		*present = *v != NULL;
	if (*v)
		return 1;
	if (!required)
		return 0;
	snprintf(msg, sizeof(msg), "The field \"%s\" is required.", key);
	fail_field(req, "missing_field", key, msg);
	return -1;
}

int ts_req_field_string(struct ts_req *req, json_t *obj, const char *key, int required,
			const char **out, int *present)
{
	json_t *v;
	char msg[160];
	int got = field_get(req, obj, key, required, present, &v);

	if (got <= 0)
		return got;
	if (!json_is_string(v)) {
		snprintf(msg, sizeof(msg), "The field \"%s\" must be a string.", key);
		fail_field(req, "invalid_field", key, msg);
		return -1;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		snprintf(msg, sizeof(msg), "The field \"%s\" must not contain NUL characters.", key);
		fail_field(req, "invalid_field", key, msg);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int ts_req_field_bool(struct ts_req *req, json_t *obj, const char *key, int *out, int *present)
{
	json_t *v;
	char msg[160];
	int got = field_get(req, obj, key, 0, present, &v);

	if (got <= 0)
		return got;
	if (!json_is_boolean(v)) {
		snprintf(msg, sizeof(msg), "The field \"%s\" must be true or false.", key);
		fail_field(req, "invalid_field", key, msg);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

int ts_req_field_int(struct ts_req *req, json_t *obj, const char *key, int required,
		     int64_t min, int64_t max, int64_t *out, int *present)
{
	json_t *v;
	char msg[200];
	int got = field_get(req, obj, key, required, present, &v);

	if (got <= 0)
		return got;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(msg, sizeof(msg), "The field \"%s\" must be an integer from %lld to %lld.", key,
			 (long long)min, (long long)max);
		fail_field(req, "invalid_field", key, msg);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int ts_req_only_fields(struct ts_req *req, json_t *obj, const char *const *keys)
{
	const char *k;
	json_t *v;
	char msg[200];

	json_object_foreach(obj, k, v) {
		int known = 0;

		for (const char *const *p = keys; *p; p++)
			if (strcmp(*p, k) == 0)
				known = 1;
		if (!known) {
			snprintf(msg, sizeof(msg), "Unknown field \"%.100s\".", k);
			fail_field(req, "unknown_field", k, msg);
			return -1;
		}
	}
	return 0;
}

int ts_req_page(struct ts_req *req, int def, int max, int *limit, int64_t *cursor)
{
	const char *c = ts_req_query(req, "cursor");

	*cursor = 0;
	if (ts_req_page_limit(req, def, max, limit))
		return -1;
	if (c && *c) {
		if (ts_cursor_decode(c, cursor, 1) != 0 || *cursor <= 0) {
			ts_req_fail(req, 400, "invalid_cursor",
				    "The cursor is not one this server gave out; start again without it.");
			return -1;
		}
	}
	return 0;
}

int ts_req_page_limit(struct ts_req *req, int def, int max, int *limit)
{
	const char *l = ts_req_query(req, "limit");

	*limit = def;
	if (l) {
		char *end;
		long v;

		errno = 0;
		v = strtol(l, &end, 10);
		/* Digits only: strtol would also take " 5" and "+5". */
		if (*l < '0' || *l > '9' || errno || *end || v < 1 || v > max) {
			ts_req_fail(req, 400, "invalid_limit", "The limit must be an integer from 1 to %d.",
				    max);
			return -1;
		}
		*limit = (int)v;
	}
	return 0;
}

int ts_req_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to)
{
	const char *p;
	char *end;
	unsigned long long a, b;

	if (strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return 0;
	p = h + 6;
	while (*p == ' ')
		p++;
	if (*p == '-') {
		/* digits only: strtoull would also take spaces and a sign */
		if (p[1] < '0' || p[1] > '9')
			return 0;
		errno = 0;
		b = strtoull(p + 1, &end, 10);
		if (errno || end == p + 1 || *end)
			return 0;
		if (b == 0 || size == 0)
			return -1;
		*from = b >= size ? 0 : size - b;
		*to = size - 1;
		return 1;
	}
	if (*p < '0' || *p > '9')
		return 0;
	errno = 0;
	a = strtoull(p, &end, 10);
	if (errno || *end != '-')
		return 0;
	p = end + 1;
	if (!*p) {
		b = size ? size - 1 : 0;
	} else {
		if (*p < '0' || *p > '9')
			return 0;
		errno = 0;
		b = strtoull(p, &end, 10);
		if (errno || *end)
			return 0;
		if (b < a)
			return 0;
		if (b >= size)
			b = size ? size - 1 : 0;
	}
	if (a >= size)
		return -1;
	*from = a;
	*to = b;
	return 1;
}

json_t *ts_cursor_json(int64_t cursor)
{
	char text[TS_CURSOR_TEXT_MAX];

	if (cursor <= 0)
		return json_null();
	ts_cursor_encode(&cursor, 1, text);
	return json_string(text);
}

json_t *ts_json_time(int64_t epoch_ms)
{
	char buf[32];

	ts_time_rfc3339(epoch_ms, buf, sizeof(buf));
	return json_string(buf);
}
