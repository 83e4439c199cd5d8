/* JSON views of domain objects shared by several handler files
 * (http/views.c). */
#ifndef TS_HTTP_VIEWS_H
#define TS_HTTP_VIEWS_H

#include <jansson.h>

#include "service/projects.h"
#include "service/uploads.h"

json_t *ts_view_project(const struct ts_project *p);
json_t *ts_view_category(const struct ts_category *c);
/* An asset with its source and annotation:
 * {id, project_id, file_name, width, height, mime_type, checksum_sha256,
 *  byte_size, source, created_at, uploaded_by, thumbnail_ready, annotation}. */
json_t *ts_view_asset(const struct ts_asset *a);
/* Just the annotation part: {asset_id, status, category_ids, revision,
 * labeled_by, updated_at}; labeled_by is a user name or null. */
json_t *ts_view_asset_annotation(int64_t asset_id, const struct ts_asset_annotation *an);

/* Loads project req->params[0]; answers 404 and returns -1 when unknown. */
struct ts_req;
int ts_load_project(struct ts_req *req, struct ts_project *out);

#endif
