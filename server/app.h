/* The application context passed to every handler and worker: the
 * configuration and the long-lived services. No globals. */
#ifndef TS_APP_H
#define TS_APP_H

#include <stddef.h>
#include <stdint.h>

struct ts_store;
struct ts_jobs;

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
	/* A job started this many times without finishing (the server was
	 * killed or crashed during each) fails instead of starting again. */
	unsigned job_max_attempts;
	/* Frame extraction's deadline: video_deadline_s, plus
	 * video_deadline_per_s seconds per unit of work (a second of video,
	 * or ten megapixels of frames to extract). */
	double video_deadline_s;
	double video_deadline_per_s;
};

struct ts_app {
	struct ts_config cfg;
	struct ts_store *store;
	struct ts_jobs *jobs;
};

void ts_config_defaults(struct ts_config *cfg);
void ts_config_release(struct ts_config *cfg);

#endif
