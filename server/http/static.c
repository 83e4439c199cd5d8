/* The built web app (web/dist): files by path, index.html for client-side
 * routes. Hashed files under /assets/ are cached for good. */
#include "http/server.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/req.h"
#include "core/banned.h"

static const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".mjs", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".jpg", "image/jpeg" },
		{ ".ico", "image/x-icon" },
		{ ".woff2", "font/woff2" },
		{ ".txt", "text/plain; charset=utf-8" },
		{ ".map", "application/json" },
	};
	const char *dot = strrchr(path, '.');

	if (dot)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(dot, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/* Only plain segments: no "..", no hidden files, no backslashes. */
static int safe_path(const char *p)
{
	if (p[0] != '/' || strstr(p, "..") || strstr(p, "//") || strchr(p, '\\') || strstr(p, "/."))
		return 0;
	return strlen(p) < 512;
}

static int open_file(const char *dir, const char *rel, int *fd, struct stat *st)
{
	char path[1024];

	if ((size_t)snprintf(path, sizeof(path), "%s%s", dir, rel) >= sizeof(path))
		return -1;
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return -1;
	if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

void ts_static_serve(struct ts_req *req)
{
	const char *dir = req->app->cfg.web_dir;
	const char *rel = req->path;
	struct MHD_Response *resp;
	struct stat st;
	int fd = -1;

	if (strcmp(rel, "/") == 0 || !safe_path(rel) || open_file(dir, rel, &fd, &st) != 0) {
		/* A client-side route, or nothing there: the app decides. But a
		 * missing file with an extension under /assets/ is a real 404. */
		if (strncmp(rel, "/assets/", 8) == 0) {
			ts_req_fail(req, 404, "not_found", "No such file.");
			return;
		}
		rel = "/index.html";
		if (open_file(dir, rel, &fd, &st) != 0) {
			ts_req_fail(req, 503, "web_app_missing",
				    "The web app is not built: run `make` (looked in %s).", dir);
			return;
		}
	}
	resp = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		ts_req_fail(req, 500, "internal_error", "The file cannot be sent.");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, mime_of(rel));
	if (strncmp(rel, "/assets/", 8) == 0)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
					"public, " TS_HTTP_IMMUTABLE);
	else
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	if (strcmp(rel, "/index.html") == 0) {
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' blob: data:; "
					"style-src 'self' 'unsafe-inline'; object-src 'none'; "
					"frame-ancestors 'none'; base-uri 'none'");
		MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	}
	ts_req_raw(req, 200, resp, (uint64_t)st.st_size);
}
