#include "app.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/banned.h"

void ts_config_defaults(struct ts_config *cfg)
{
	snprintf(cfg->host, sizeof(cfg->host), "127.0.0.1");
	cfg->port = 8080;
	cfg->data_dir = NULL;
	cfg->db_url = NULL;
	cfg->web_dir = NULL;
	cfg->threads = 16;
	cfg->max_json_body = 1u << 20;
	cfg->max_upload_bytes = 200ull << 20;
	cfg->max_pixels = 100000000ull;
	cfg->thumb_workers = 2;
	cfg->job_max_attempts = 3;
	cfg->video_deadline_s = 300;
	cfg->video_deadline_per_s = 1;
}

void ts_config_release(struct ts_config *cfg)
{
	free(cfg->data_dir);
	free(cfg->db_url);
	free(cfg->web_dir);
	cfg->data_dir = cfg->db_url = cfg->web_dir = NULL;
}
