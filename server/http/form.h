/* A streamed multipart/form-data request body: the content-type check,
 * the reader's start and each pushed chunk, with the answers the upload
 * routes (assets, videos, imports, models) give for their faults. Each
 * route keeps its own parts and its own messages. */
#ifndef TS_HTTP_FORM_H
#define TS_HTTP_FORM_H

#include <stddef.h>

#include "core/error.h"
#include "http/multipart.h"
#include "http/req.h"

/* The request's multipart/form-data content type; NULL after answering
 * 415 unsupported_media_type with the message unsupported. */
const char *ts_form_type(struct ts_req *req, const char *unsupported);

/* Starts mp on the content type ct; on a missing or malformed boundary
 * answers 400 invalid_multipart with the message bad_boundary and
 * returns -1. */
int ts_form_init(struct ts_req *req, struct ts_multipart *mp, const char *ct,
		 const struct ts_multipart_cb *cb, void *ctx, const char *bad_boundary);

/* Pushes one chunk of the body. When the reader stops: nothing more if
 * the request has its answer already, werr when a part's file could not
 * be written (write_failed), else 400 invalid_multipart with the message
 * malformed; then -1. */
int ts_form_push(struct ts_req *req, struct ts_multipart *mp, const char *data, size_t len,
		 int write_failed, const struct ts_error *werr, const char *malformed);

#endif
