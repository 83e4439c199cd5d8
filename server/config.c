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
	cfg->public_origin = NULL;
	cfg->trusted_proxy = NULL;
	cfg->header_timeout_s = 10;
	cfg->max_conns_per_ip = 64;
}

void ts_config_release(struct ts_config *cfg)
{
	free(cfg->data_dir);
	free(cfg->db_url);
	free(cfg->web_dir);
	free(cfg->public_origin);
	free(cfg->trusted_proxy);
	cfg->data_dir = cfg->db_url = cfg->web_dir = NULL;
	cfg->public_origin = cfg->trusted_proxy = NULL;
}
