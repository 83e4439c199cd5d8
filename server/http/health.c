/* Liveness and readiness. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "http/req.h"
#include "http/router.h"
#include "store/store.h"
#include "core/banned.h"

static void healthz(struct ts_req *req)
{
	ts_req_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

/* Ready when the database answers and the data folder takes a write. */
static void readyz(struct ts_req *req)
{
	struct ts_error err = { 0 };
	char path[4096];
	int fd;

	if (ts_store_ping(req->app->store, &err)) {
		ts_req_json(req, 503, json_pack("{s:s, s:s}", "status", "unavailable", "reason",
						err.message));
		ts_error_release(&err);
		return;
	}
	snprintf(path, sizeof(path), "%s/tmp/.readyz-XXXXXX", req->app->cfg.data_dir);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, "ok", 2) != 2) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		ts_req_json(req, 503, json_pack("{s:s, s:s}", "status", "unavailable", "reason",
						"storage is not writable"));
		return;
	}
	close(fd);
	unlink(path);
	ts_req_json(req, 200, json_pack("{s:s}", "status", "ready"));
}

const struct ts_route ts_routes_health[] = {
	{ "GET", "/healthz", TS_ROUTE_PUBLIC, healthz, NULL, NULL },
	{ "GET", "/readyz", TS_ROUTE_PUBLIC, readyz, NULL, NULL },
	{ 0 },
};
