/* The application context passed to every handler and worker: the
 * configuration and the long-lived services. No globals. */
#ifndef TS_APP_H
#define TS_APP_H

#include <stddef.h>
#include <stdint.h>

struct ts_store;
struct ts_jobs;
struct ts_throttle;

struct ts_config {
	char host[64];
	unsigned port;
	char *data_dir;   /* owned */
	char *db_url;     /* owned; NULL: sqlite in data_dir */
	char *web_dir;    /* owned; the built web app */
	unsigned threads; /* HTTP thread pool size */
	size_t max_json_body;    /* bytes */
	uint64_t max_upload_bytes; /* per file */
	uint64_t max_pixels;     /* per image or video frame */
	unsigned thumb_workers;
	char *public_origin;  /* owned; "https://host[:port]" the server is reached at, or NULL */
	char *trusted_proxy;  /* owned; comma-separated addresses whose X-Forwarded-* count */
	unsigned header_timeout_s; /* a request's headers must be in within this */
	unsigned max_conns_per_ip; /* open connections per client address */
};

struct ts_app {
	struct ts_config cfg;
	struct ts_store *store;
	struct ts_jobs *jobs;
	struct ts_throttle *throttle; /* login throttling; owned by the HTTP server */
};

void ts_config_defaults(struct ts_config *cfg);
void ts_config_release(struct ts_config *cfg);

#endif
