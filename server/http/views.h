/* JSON views of domain objects shared by several handler files: written
 * with the streaming JSON writer from what the services return. */
#ifndef TS_HTTP_VIEWS_H
#define TS_HTTP_VIEWS_H

#include <jansson.h>

#include "core/jsonw.h"
#include "service/projects.h"
#include "service/uploads.h"

/* The cap of one written answer (a page of 1,000 assets is a few MB). */
#define TS_VIEW_TEXT_MAX ((size_t)64 << 20)

/* Writers for values that several views hold (http/views.c). */
/* RFC 3339 UTC with milliseconds. */
void ts_view_time(struct ts_jsonw *w, int64_t epoch_ms);
/* A next_cursor: the encoded cursor, null for 0. */
void ts_view_cursor(struct ts_jsonw *w, int64_t cursor);
/* A user name, null for "" (unknown). */
void ts_view_user(struct ts_jsonw *w, const char *name);
/* Starts a written answer: b (cap TS_VIEW_TEXT_MAX) and w writing into it. */
void ts_view_begin(struct ts_jsonw *w, struct ts_buf *b);
/* Answers what w wrote into b (a 500 if the writer failed). */
struct ts_req;
void ts_view_send(struct ts_req *req, unsigned status, struct ts_jsonw *w, struct ts_buf *b);
/* The json_t of text written by a view, for callers that add to it;
 * NULL when e is not TS_OK. Releases b. */
json_t *ts_view_tree(struct ts_buf *b, enum ts_err e);

/* A project: {id, name, task_type, schema_version, created_at, updated_at,
 * settings, role?} (http/projects.c). */
void ts_view_project_write(struct ts_jsonw *w, const struct ts_project *p);
/* A category: {id, name, display_order, state, created_at, updated_at}
 * (http/categories.c). */
void ts_view_category_write(struct ts_jsonw *w, const struct ts_category *c);
/* An asset with its source and annotation (http/assets.c):
 * {id, project_id, file_name, width, height, mime_type, checksum_sha256,
 *  byte_size, source, created_at, uploaded_by, thumbnail_ready, annotation,
 *  decode_state, damage_reason}. */
void ts_view_asset_write(struct ts_jsonw *w, const struct ts_asset *a);
json_t *ts_view_asset(const struct ts_asset *a);
/* An annotation (http/annotations.c): {asset_id, status, category_ids,
 * payload, revision, labeled_by, updated_at, note?}; labeled_by is a user
 * name or null. Without full (inside an asset of a list) there is no
 * payload and no note. */
void ts_view_annotation_write(struct ts_jsonw *w, const struct ts_annotation *a, int full);

/* Loads project req->params[0] through the projects service (http/views.c);
 * answers 404 and returns -1 when unknown. */
int ts_load_project(struct ts_req *req, struct ts_project *out);

#endif
