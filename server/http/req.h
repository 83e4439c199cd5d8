/* One HTTP request as handlers see it. The server (http/server.c) owns it:
 * created on the first libmicrohttpd callback, freed when the request
 * completes. Handlers read params, user and body, and answer with exactly
 * one ts_req_* response call. */
#ifndef TS_HTTP_REQ_H
#define TS_HTTP_REQ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/buf.h"
#include "core/error.h"
#include "domain/role.h"
#include "service/accounts.h"

struct MHD_Connection;
struct MHD_Response;
struct ts_route;

#define TS_REQ_MAX_PARAMS 4

struct ts_req_cleanup {
	void (*fn)(void *);
	void *arg;
	struct ts_req_cleanup *next;
};

struct ts_req {
	struct MHD_Connection *conn;
	struct ts_app *app;
	const char *method;
	const char *path; /* without the query string */
	int64_t start_us;
	/* Who asks: the peer's address, or the client's from X-Forwarded-For
	 * when the peer is a trusted proxy (via_proxy). */
	char client[48];
	int via_proxy;
	const char *raw_uri; /* the request target as read, before decoding */
	size_t raw_uri_len;  /* its length up to a first NUL */
	int close_conn;      /* close the connection after the answer */

	const struct ts_route *route;
	int64_t params[TS_REQ_MAX_PARAMS]; /* the {id} parts of the path, in order */
	int nparams;

	int authed;
	struct ts_user user;
	int64_t token_id; /* the API token used, 0 for a session */

	/* Project-scoped routes (http/access.c): the project the request is
	 * in and the user's role there (TS_ROLE_ADMIN for an admin). */
	int64_t project_id;
	enum ts_role role;

	int started;      /* routing and auth done */
	int body_too_large;
	uint64_t discarded; /* body bytes read and dropped */
	struct ts_buf body; /* non-streaming routes only */
	size_t body_max;    /* the route's JSON body cap */
	void *stream;       /* streaming routes: their own state */

	struct MHD_Response *response; /* set by ts_req_* */
	unsigned status;
	uint64_t bytes;
	int queued;

	struct ts_req_cleanup *cleanups;
};

/* Runs fn(arg) when the request is freed (even on disconnect). */
void ts_req_on_cleanup(struct ts_req *req, void (*fn)(void *), void *arg);

/* A query-string or header value; NULL when absent. Borrowed. */
const char *ts_req_query(struct ts_req *req, const char *key);
const char *ts_req_header(struct ts_req *req, const char *key);

/* Cache-Control for bytes that never change under their URL (a checksum
 * or a hash is in it): "private, " or "public, " goes before it. */
#define TS_HTTP_IMMUTABLE "max-age=31536000, immutable"

/* Responses. ts_req_json steals body (a json_t *). */
void ts_req_json(struct ts_req *req, unsigned status, json_t *body);
/* Answers the JSON text in b (a view written with core/jsonw.h), taking
 * its contents (b is left empty). e is the writer's result: when it is not
 * TS_OK the answer is a 500 instead. */
void ts_req_json_text(struct ts_req *req, unsigned status, struct ts_buf *b, enum ts_err e);
void ts_req_empty(struct ts_req *req, unsigned status);
/* The JSON error body of API.md from err; the status from err->err. */
void ts_req_error(struct ts_req *req, const struct ts_error *err);
/* Shortcut: an error with this status, code and message. */
void ts_req_fail(struct ts_req *req, unsigned status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Attaches a header to the response already set. */
void ts_req_add_header(struct ts_req *req, const char *name, const char *value);
/* Takes ownership of resp (a struct MHD_Response *) with its length. */
void ts_req_raw(struct ts_req *req, unsigned status, struct MHD_Response *resp, uint64_t bytes);

unsigned ts_http_status_of(enum ts_err e);

/* The most a JSON body may weigh (core/jsonscan.h: 4 per object, 2 per
 * array, 1 per other value) before it is parsed: with a body of at most
 * TS_HTTP_BIG_JSON_MAX bytes, jansson's tree stays within about 40 MB. */
#define TS_HTTP_JSON_WEIGHT_MAX 250000
/* The body cap of routes flagged TS_ROUTE_BIG_JSON (annotation writes: a
 * thousand boxes with long ids fit; more is refused by the weight above or
 * by the payload's own limits, with 400 naming the field). */
#define TS_HTTP_BIG_JSON_MAX ((size_t)16 << 20)

/* Parses the body as a JSON object. A body heavier than
 * TS_HTTP_JSON_WEIGHT_MAX is refused unparsed: 400 "too_many" naming its
 * largest array's field. On failure answers 400/413 itself and returns
 * NULL. The caller owns the result. */
json_t *ts_req_body_object(struct ts_req *req);
/* The JSON body cap of req's route: TS_HTTP_BIG_JSON_MAX for routes
 * flagged TS_ROUTE_BIG_JSON, else the server's --max-json-body. */
size_t ts_req_body_max(const struct ts_req *req);

/* Typed field access on a parsed body. Each returns 0 on success; on a type
 * or range error it answers 400 "invalid_field" (details.field) and
 * returns -1. Missing optional fields leave *out unchanged and return 0;
 * *present (if given) says whether the field was there. */
int ts_req_field_string(struct ts_req *req, json_t *obj, const char *key, int required,
			const char **out, int *present);
int ts_req_field_bool(struct ts_req *req, json_t *obj, const char *key, int *out, int *present);
int ts_req_field_int(struct ts_req *req, json_t *obj, const char *key, int required,
		     int64_t min, int64_t max, int64_t *out, int *present);
/* Rejects any key not in the NULL-terminated list (400 "unknown_field"). */
int ts_req_only_fields(struct ts_req *req, json_t *obj, const char *const *keys);

/* ?limit= (1..max, default def) and ?cursor= (an opaque id cursor, 0 when
 * absent). Answers 400 and returns -1 on a bad value. */
int ts_req_page(struct ts_req *req, int def, int max, int *limit, int64_t *cursor);
/* ?limit= alone, as ts_req_page reads it (for routes with their own cursor). */
int ts_req_page_limit(struct ts_req *req, int def, int max, int *limit);
/* Encodes a cursor for next_cursor; json null for 0. */
json_t *ts_cursor_json(int64_t cursor);

/* One "bytes=a-b" / "bytes=a-" / "bytes=-n" Range header against a body of
 * size bytes. Returns 1 with the inclusive [*from, *to] when satisfiable,
 * 0 when the header is to be ignored (not bytes, several ranges,
 * malformed: the whole body is sent), -1 when unsatisfiable (416). */
int ts_req_range(const char *h, uint64_t size, uint64_t *from, uint64_t *to);

/* RFC 3339 UTC with milliseconds, as a JSON string. */
json_t *ts_json_time(int64_t epoch_ms);

#endif
