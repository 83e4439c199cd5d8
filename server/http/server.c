/* libmicrohttpd glue: request lifecycle, routing, authentication, body
 * limits, one log line per request, graceful shutdown. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "core/log.h"
#include "core/time.h"
#include "domain/names.h"
#include "http/access.h"
#include "http/req.h"
#include "http/router.h"
#include "store/store_users.h"
#include "core/banned.h"

/* A body this far over the limit is not worth reading to the end: the
 * connection is dropped instead. */
#define TS_DISCARD_MAX (64u << 20)

struct ts_http {
	struct ts_app *app;
	struct MHD_Daemon *daemon;
	pthread_mutex_t lock;
	pthread_cond_t idle;
	int inflight;
	int stopping; /* set when shutdown starts: answers then close their connection */
};

static void authenticate(struct ts_req *req)
{
	struct ts_store *s = req->app->store;
	const char *authz = ts_req_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 "tessera_session");
	char digest[TS_AUTH_DIGEST_HEX];
	struct ts_error err = { 0 };

	if (authz) {
		if (strncmp(authz, "Bearer ", 7) != 0 || !authz[7]) {
			ts_req_fail(req, 401, "unauthorized",
				    "The Authorization header must be \"Bearer <token>\".");
			return;
		}
		ts_auth_digest(authz + 7, digest);
		/* Unknown, revoked, expired, or a disabled account: the store's
		 * message says which. */
		if (ts_store_token_user(s, digest, ts_time_now_ms(), &req->user, &req->token_id,
					&err) == TS_OK)
			req->authed = 1;
		else
			ts_req_error(req, &err);
	} else if (cookie) {
		ts_auth_digest(cookie, digest);
		if (ts_store_session_user(s, digest, ts_time_now_ms(), &req->user, &err) == TS_OK)
			req->authed = 1;
		else if (err.err == TS_ERR_UNAUTHORIZED)
			ts_req_fail(req, 401, "unauthorized", "Your session has ended; log in again.");
		else
			ts_req_error(req, &err);
	} else {
		ts_req_fail(req, 401, "unauthorized",
			    "Log in, or send an API token as \"Authorization: Bearer <token>\".");
	}
	ts_error_release(&err);
}

/* Browsers send Origin with every POST, PUT, PATCH and DELETE. A request
 * from another origin (another site, or another port on the same host,
 * which SameSite does not tell apart) is refused before it can use the
 * session cookie or log someone in: the web app is always same-origin. */
static int cross_origin(struct ts_req *req)
{
	const char *origin = ts_req_header(req, "Origin");
	const char *host = ts_req_header(req, MHD_HTTP_HEADER_HOST);
	/* A reverse proxy may pass its own Host on and the client's in
	 * X-Forwarded-Host; a browser cannot set that header cross-origin
	 * without a CORS preflight, which this server never grants. */
	const char *fwd = ts_req_header(req, "X-Forwarded-Host");
	const char *site = ts_req_header(req, "Sec-Fetch-Site");
	const char *rest;

	if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
		return 0;
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0)
		return 1;
	if (!origin)
		return 0;
	if (strncmp(origin, "http://", 7) == 0)
		rest = origin + 7;
	else if (strncmp(origin, "https://", 8) == 0)
		rest = origin + 8;
	else
		return 1; /* "null" (sandboxed pages, file:) or anything else */
	return !((host && strcmp(rest, host) == 0) || (fwd && strcmp(rest, fwd) == 0));
}

static int is_api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	       strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0;
}

/* Routing, authentication and size checks, on the first callback (headers
 * only). Sets a response when the request ends here. */
static void begin(struct ts_req *req)
{
	char allow[128];
	const char *cl;

	if (!is_api_path(req->path)) {
		if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0)
			ts_static_serve(req);
		else
			ts_req_fail(req, 405, "method_not_allowed", "%s is not allowed here.",
				    req->method);
		return;
	}
	switch (ts_router_find(req->method, req->path, &req->route, req->params, &req->nparams,
			       allow, sizeof(allow))) {
	case TS_ROUTE_FOUND:
		break;
	case TS_ROUTE_NO_METHOD:
		ts_req_fail(req, 405, "method_not_allowed", "%s is not allowed on %s; use %s.",
			    req->method, req->path, allow);
		ts_req_add_header(req, MHD_HTTP_HEADER_ALLOW, allow);
		return;
	default:
		ts_req_fail(req, 404, "not_found", "No such endpoint: %s.", req->path);
		return;
	}
	if (cross_origin(req)) {
		ts_req_fail(req, 403, "cross_origin",
			    "Requests that change data must come from this server's own pages.");
		return;
	}
	if (!(req->route->flags & TS_ROUTE_PUBLIC)) {
		authenticate(req);
		if (req->response)
			return;
		if ((req->route->flags & TS_ROUTE_ADMIN) && !req->user.is_admin) {
			ts_req_fail(req, 403, "forbidden", "Only an admin may do this.");
			return;
		}
		ts_access_check(req);
		if (req->response)
			return;
	}
	cl = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && !(req->route->flags & (TS_ROUTE_STREAM | TS_ROUTE_LARGE)) &&
	    strtoull(cl, NULL, 10) > req->app->cfg.max_json_body) {
		ts_req_fail(req, 413, "body_too_large", "The request body is larger than %zu bytes.",
			    req->app->cfg.max_json_body);
		return;
	}
	if (req->route->flags & TS_ROUTE_STREAM && req->route->stream_begin)
		req->route->stream_begin(req);
}

static int expects_body(struct ts_req *req)
{
	const char *cl = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = ts_req_header(req, MHD_HTTP_HEADER_TRANSFER_ENCODING);

	if (te)
		return 1;
	if (!cl)
		return 0;
	unsigned long long n = strtoull(cl, NULL, 10);
	return n > 0 && n <= TS_DISCARD_MAX;
}

/* "Expect: 100-continue": the client waits for a go-ahead before it sends
 * the body, so an early answer can go out at once instead of the go-ahead
 * (curl asks this way for bodies over 1 MiB). */
static int expects_continue(struct ts_req *req)
{
	const char *e = ts_req_header(req, MHD_HTTP_HEADER_EXPECT);

	return e && strcasecmp(e, "100-continue") == 0;
}

static enum MHD_Result queue(struct ts_http *h, struct ts_req *req)
{
	enum MHD_Result r;

	if (req->queued)
		return MHD_YES;
	if (!req->response)
		ts_req_fail(req, 500, "internal_error", "The server produced no answer.");
	MHD_add_response_header(req->response, "X-Content-Type-Options", "nosniff");
	/* While shutting down, no connection is kept alive for a next request
	 * that would race the final close. */
	if (__atomic_load_n(&h->stopping, __ATOMIC_ACQUIRE))
		MHD_add_response_header(req->response, MHD_HTTP_HEADER_CONNECTION, "close");
	r = MHD_queue_response(req->conn, req->status, req->response);
	req->queued = 1;
	return r;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decoding of the path and of query values, in place. "%00" is
 * left as it is: decoded, it would cut the string short, so that
 * "/api/v1/projects/1%00x" would reach project 1 and "?cursor=%00" would
 * read as no cursor. Malformed escapes stay as they are too. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)conn;
	while (*r) {
		int hi, lo;

		if (r[0] == '%' && (hi = hex_value(r[1])) >= 0 && (lo = hex_value(r[2])) >= 0 &&
		    (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct ts_http *h = cls;
	struct ts_req *req = *con_cls;

	(void)version;
	if (!req) {
		req = ts_xcalloc(1, sizeof(*req));
		req->conn = conn;
		req->app = h->app;
		req->method = method;
		req->path = url;
		req->start_us = ts_time_mono_us();
		ts_buf_init(&req->body, h->app->cfg.max_json_body);
		pthread_mutex_lock(&h->lock);
		h->inflight++;
		pthread_mutex_unlock(&h->lock);
		*con_cls = req;
		begin(req);
		req->started = 1;
		/* An early answer (401, 413 ...) waits until the body is read, so
		 * the client sees it instead of a reset connection; a body too big
		 * to be worth reading gets the answer now and the connection closes. */
		if (req->response && (!expects_body(req) || expects_continue(req)))
			return queue(h, req);
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (req->queued)
			return MHD_YES;
		if (req->response) {
			/* Answer decided: discard the rest, within reason. */
			req->discarded += n;
			return req->discarded > TS_DISCARD_MAX ? MHD_NO : MHD_YES;
		}
		if (req->route->flags & TS_ROUTE_STREAM) {
			if (req->route->stream_data(req, upload_data, n) != 0 && !req->response)
				ts_req_fail(req, 500, "internal_error", "The upload failed.");
		} else if (req->body_too_large) {
			req->discarded += n;
			if (req->discarded > TS_DISCARD_MAX)
				return MHD_NO;
		} else if (ts_buf_add(&req->body, upload_data, n)) {
			req->body_too_large = 1;
			ts_buf_release(&req->body);
		}
		return MHD_YES;
	}
	if (!req->response && req->route)
		req->route->handle(req);
	return queue(h, req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct ts_http *h = cls;
	struct ts_req *req = *con_cls;
	char *shown;
	int64_t us;

	(void)conn;
	if (!req)
		return;
	us = ts_time_mono_us() - req->start_us;
	/* The path is the client's: no line breaks or escapes in the log. */
	shown = ts_utf8_scrub(req->path, strlen(req->path), 300, 1);
	ts_log("http", "%.16s %s %u %llu %.1fms%s", req->method, shown,
	       req->queued ? req->status : 0, (unsigned long long)(req->queued ? req->bytes : 0),
	       (double)us / 1000.0, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
	free(shown);
	while (req->cleanups) {
		struct ts_req_cleanup *c = req->cleanups;

		req->cleanups = c->next;
		c->fn(c->arg);
		free(c);
	}
	if (req->response)
		MHD_destroy_response(req->response);
	ts_buf_release(&req->body);
	free(req);
	*con_cls = NULL;
	pthread_mutex_lock(&h->lock);
	if (--h->inflight == 0)
		pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	ts_log_warn("http: %s", line);
}

struct ts_http *ts_http_start(struct ts_app *app, struct ts_error *err)
{
	struct ts_http *h = ts_xcalloc(1, sizeof(*h));
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)app->cfg.port);
	if (inet_pton(AF_INET, app->cfg.host, &addr.sin_addr) != 1) {
		ts_error_set(err, TS_ERR_INVALID, "bad_listen",
			     "cannot listen on \"%s\": give an IPv4 address such as 127.0.0.1",
			     app->cfg.host);
		free(h);
		return NULL;
	}
	h->app = app;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->idle, NULL);
	h->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, h,
		/* First, so that MHD's own messages about later options come here
		 * too (it warns on stderr otherwise). */
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)app->cfg.threads,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)120,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
		MHD_OPTION_END);
	if (!h->daemon) {
		ts_error_set(err, TS_ERR_IO, "listen_failed",
			     "cannot listen on %s:%u (in use, or not allowed)", app->cfg.host,
			     app->cfg.port);
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->idle);
		free(h);
		return NULL;
	}
	return h;
}

unsigned ts_http_port(struct ts_http *h)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);

	return info ? info->port : 0;
}

void ts_http_stop(struct ts_http *h, int grace_ms)
{
	struct timespec until;
	MHD_socket fd;

	if (!h)
		return;
	__atomic_store_n(&h->stopping, 1, __ATOMIC_RELEASE);
	fd = MHD_quiesce_daemon(h->daemon);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += grace_ms / 1000;
	until.tv_nsec += (long)(grace_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&h->lock);
	while (h->inflight > 0)
		if (pthread_cond_timedwait(&h->idle, &h->lock, &until) != 0)
			break;
	if (h->inflight > 0)
		ts_log_warn("stopping with %d request(s) still running", h->inflight);
	pthread_mutex_unlock(&h->lock);
	MHD_stop_daemon(h->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->idle);
	free(h);
}
