/* Quotas: how much one project may take on the server's disk. The limits
 * come from the configuration (--quota-project-bytes,
 * --quota-export-versions; 0 means none). The export-version quota is
 * checked where versions are created (store/exports.h, create's
 * max_versions), inside the transaction that numbers them. */
#ifndef TS_SERVICE_QUOTAS_H
#define TS_SERVICE_QUOTAS_H

#include <stdint.h>

#include "app.h"
#include "core/error.h"

/* Before a file of `bytes` bytes (an image or a video) is stored in
 * project_id: TS_OK when the project stays within its byte quota, else
 * QUOTA "project_quota_exceeded" with the figures in the message and in
 * err's details (stored_bytes, adding_bytes, quota_bytes). Nothing is
 * checked when no quota is set. */
enum ts_err ts_quota_check_upload(struct ts_app *app, int64_t project_id, uint64_t bytes,
				  struct ts_error *err);

#endif
