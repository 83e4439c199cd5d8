#include "app.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

void ts_config_defaults(struct ts_config *cfg)
{
	snprintf(cfg->host, sizeof(cfg->host), "127.0.0.1");
	cfg->port = 8080;
	cfg->data_dir = NULL;
	cfg->blobs_url = NULL;
	cfg->db_url = NULL;
	cfg->web_dir = NULL;
	cfg->threads = 16;
	cfg->max_json_body = 1u << 20;
	cfg->max_upload_bytes = 200ull << 20;
	cfg->max_pixels = 100000000ull;
	cfg->thumb_workers = 2;
	cfg->quota_project_bytes = 0;
	cfg->quota_export_versions = 0;
	cfg->blob_cache_bytes = 0;
	cfg->blob_cache_grace_s = 600;
	/* Streaming decoders (baseline JPEG, PNG) hold a few lines at a time;
	 * the others hold the whole frame twice (decoder, then libvips): 30 MP
	 * of RGBA is 240 MB, within the 256 MB decode budget. */
	cfg->max_pixels_jpeg = 100000000ull;
	cfg->max_pixels_png = 100000000ull;
	cfg->max_pixels_webp = 30000000ull;
	cfg->max_pixels_gif = 30000000ull;
	cfg->max_pixels_tiff = 40000000ull;
	cfg->max_pixels_heif = 30000000ull;
	cfg->decode_budget = 256ull << 20;
	cfg->job_max_attempts = 3;
	cfg->video_deadline_s = 300;
	cfg->video_deadline_per_s = 1;
	cfg->public_origin = NULL;
	cfg->trusted_proxy = NULL;
	cfg->header_timeout_s = 10;
	cfg->max_conns_per_ip = 64;
	cfg->drain_s = 5;
}

static void env_u64(const char *name, uint64_t *out, uint64_t unit)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return;
	n = strtoull(v, &end, 10);
	if (*end == '\0' && n > 0 && n <= UINT64_MAX / unit)
		*out = (uint64_t)n * unit;
}

void ts_config_image_env(struct ts_config *cfg)
{
	env_u64("TESSERA_MAX_PIXELS_JPEG", &cfg->max_pixels_jpeg, 1);
	env_u64("TESSERA_MAX_PIXELS_PNG", &cfg->max_pixels_png, 1);
	env_u64("TESSERA_MAX_PIXELS_WEBP", &cfg->max_pixels_webp, 1);
	env_u64("TESSERA_MAX_PIXELS_GIF", &cfg->max_pixels_gif, 1);
	env_u64("TESSERA_MAX_PIXELS_TIFF", &cfg->max_pixels_tiff, 1);
	env_u64("TESSERA_MAX_PIXELS_HEIF", &cfg->max_pixels_heif, 1);
	env_u64("TESSERA_DECODE_BUDGET_MB", &cfg->decode_budget, 1ull << 20);
}

/* A count of bytes or versions: digits only, 0 allowed (no quota). */
static int parse_count(const char *what, const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	if (!v || *v < '0' || *v > '9' || (n = strtoull(v, &end, 10), errno) || *end) {
		fprintf(stderr, "tessera: %s must be a whole number (0: no limit), not \"%s\"\n",
			what, v ? v : "");
		return -1;
	}
	*out = n;
	return 0;
}

int ts_config_quota_env(struct ts_config *cfg)
{
	const char *v = getenv("TESSERA_QUOTA_PROJECT_BYTES");

	if (v && parse_count("TESSERA_QUOTA_PROJECT_BYTES", v, &cfg->quota_project_bytes))
		return -1;
	v = getenv("TESSERA_QUOTA_EXPORT_VERSIONS");
	if (v && parse_count("TESSERA_QUOTA_EXPORT_VERSIONS", v, &cfg->quota_export_versions))
		return -1;
	v = getenv("TESSERA_BLOB_CACHE_BYTES");
	if (v && parse_count("TESSERA_BLOB_CACHE_BYTES", v, &cfg->blob_cache_bytes))
		return -1;
	return 0;
}

int ts_config_quota_flag(struct ts_config *cfg, const char *name, const char *value)
{
	if (strcmp(name, "--quota-project-bytes") == 0)
		return parse_count(name, value, &cfg->quota_project_bytes);
	if (strcmp(name, "--quota-export-versions") == 0)
		return parse_count(name, value, &cfg->quota_export_versions);
	if (strcmp(name, "--blob-cache-bytes") == 0)
		return parse_count(name, value, &cfg->blob_cache_bytes);
	return 1;
}

void ts_config_release(struct ts_config *cfg)
{
	free(cfg->data_dir);
	free(cfg->blobs_url);
	free(cfg->db_url);
	free(cfg->web_dir);
	free(cfg->public_origin);
	free(cfg->trusted_proxy);
	cfg->data_dir = cfg->db_url = cfg->web_dir = cfg->blobs_url = NULL;
	cfg->public_origin = cfg->trusted_proxy = NULL;
}
