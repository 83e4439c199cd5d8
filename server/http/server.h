/* The HTTP server: libmicrohttpd with a thread pool on epoll. */
#ifndef TS_HTTP_SERVER_H
#define TS_HTTP_SERVER_H

#include "app.h"
#include "core/error.h"

struct ts_http;

/* Checks the HTTP options of cfg (--trusted-proxy, --public-origin)
 * without starting anything; ts_http_start checks them again. */
enum ts_err ts_http_check_config(const struct ts_config *cfg, struct ts_error *err);
/* Starts listening on app->cfg.host:port. NULL and err on failure. */
struct ts_http *ts_http_start(struct ts_app *app, struct ts_error *err);
/* The port actually bound (useful with port 0). */
unsigned ts_http_port(struct ts_http *h);
/* Stops accepting, lets in-flight requests finish (up to grace_ms), then
 * closes every connection and frees h. */
void ts_http_stop(struct ts_http *h, int grace_ms);

/* Serves the built web app for GET/HEAD outside /api/ (http/static.c). */
struct ts_req;
void ts_static_serve(struct ts_req *req);

#endif
