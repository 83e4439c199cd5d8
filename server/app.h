/* The application context passed to every handler and worker: the
 * configuration and the long-lived services. No globals. */
#ifndef TS_APP_H
#define TS_APP_H

#include <stddef.h>
#include <stdint.h>

struct ts_store;
struct ts_jobs;
struct ts_ingest;
struct ts_throttle;
struct ts_models;
struct ts_error;

struct ts_config {
	char host[64];
	unsigned port;
	char *data_dir;   /* owned */
	char *db_url;     /* owned; NULL: sqlite in data_dir */
	char *blobs_url;  /* owned; NULL: blobs in data_dir only; s3://bucket/prefix */
	char *web_dir;    /* owned; the built web app */
	unsigned threads; /* HTTP thread pool size */
	size_t max_json_body;    /* bytes */
	uint64_t max_upload_bytes; /* per file */
	uint64_t max_pixels;     /* per image or video frame */
	/* Per image format, on top of max_pixels (0: max_pixels only). */
	uint64_t max_pixels_jpeg, max_pixels_png, max_pixels_webp, max_pixels_gif,
		max_pixels_tiff, max_pixels_heif;
	uint64_t decode_budget; /* bytes all image decodes may hold at once */
	unsigned thumb_workers;
	/* Quotas per project; 0: none. */
	uint64_t quota_project_bytes;    /* uploaded images and videos (and frames) */
	uint64_t quota_export_versions;  /* export versions that did not fail */
	/* A job started this many times without finishing (the server was
	 * killed or crashed during each) fails instead of starting again. */
	unsigned job_max_attempts;
	/* Frame extraction's deadline: video_deadline_s, plus
	 * video_deadline_per_s seconds per unit of work (a second of video,
	 * or ten megapixels of frames to extract). */
	double video_deadline_s;
	double video_deadline_per_s;
	char *public_origin;  /* owned; "https://host[:port]" the server is reached at, or NULL */
	char *trusted_proxy;  /* owned; comma-separated addresses whose X-Forwarded-* count */
	unsigned header_timeout_s; /* a request's headers must be in within this */
	unsigned max_conns_per_ip; /* open connections per client address */
	/* On SIGTERM, /readyz answers 503 "draining" for this long while
	 * requests are still served, so a load balancer stops sending new ones
	 * before the process stops (TESSERA_DRAIN_S, default 5). */
	double drain_s;
	/* With blobs in an object store: the most bytes the data folder keeps
	 * copies of (originals, frames, thumbnails; 0: no limit), and how
	 * long a copy just used is safe from removal (storage/cache.h). */
	uint64_t blob_cache_bytes;
	double blob_cache_grace_s;
};

struct ts_app {
	struct ts_config cfg;
	struct ts_store *store;
	struct ts_jobs *jobs;
	struct ts_ingest *ingest; /* decode budget, thumbnails in progress; may be NULL */
	struct ts_throttle *throttle; /* login throttling; owned by the HTTP server */
	struct ts_models *models; /* ONNX Runtime and loaded models; may be NULL */
	volatile int draining; /* set (atomically) once the process is told to stop */
};

/* Starts the job runner with every job kind this build runs (thumbnails,
 * export builds, video frame extraction), each handler given app
 * (app/app.c: the one place that names the kinds). NULL with err filled
 * when it cannot start. */
struct ts_jobs *ts_app_start_jobs(struct ts_app *app, struct ts_error *err);

void ts_config_defaults(struct ts_config *cfg);
void ts_config_release(struct ts_config *cfg);
/* Reads the image limits from the environment: TESSERA_MAX_PIXELS_JPEG,
 * _PNG, _WEBP, _GIF, _TIFF, _HEIF (pixels) and TESSERA_DECODE_BUDGET_MB.
 * Unset or non-positive values keep the defaults. */
void ts_config_image_env(struct ts_config *cfg);

/* Reads the quota settings from the environment (TESSERA_QUOTA_PROJECT_BYTES,
 * TESSERA_QUOTA_EXPORT_VERSIONS, and the blob cache's limit
 * TESSERA_BLOB_CACHE_BYTES) into cfg. Returns -1 with a message on stderr
 * for a bad value. */
int ts_config_quota_env(struct ts_config *cfg);

/* Applies a quota flag (--quota-project-bytes N, --quota-export-versions
 * N, --blob-cache-bytes N; 0 means none). Returns 1 when name is not a quota flag, 0 when
 * applied, -1 with a message on stderr for a bad value. */
int ts_config_quota_flag(struct ts_config *cfg, const char *name, const char *value);

#endif
