/* A streamed multipart/form-data request body (http/form.h). */
#include "http/form.h"

#include <microhttpd.h>
#include <strings.h>

#include "core/banned.h"

const char *ts_form_type(struct ts_req *req, const char *unsupported)
{
	const char *ct = ts_req_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (!ct || strncasecmp(ct, "multipart/form-data", 19) != 0) {
		ts_req_fail(req, 415, "unsupported_media_type", "%s", unsupported);
		return NULL;
	}
	return ct;
}

int ts_form_init(struct ts_req *req, struct ts_multipart *mp, const char *ct,
		 const struct ts_multipart_cb *cb, void *ctx, const char *bad_boundary)
{
	if (ts_multipart_init(mp, ct, cb, ctx)) {
		ts_req_fail(req, 400, "invalid_multipart", "%s", bad_boundary);
		return -1;
	}
	return 0;
}

int ts_form_push(struct ts_req *req, struct ts_multipart *mp, const char *data, size_t len,
		 int write_failed, const struct ts_error *werr, const char *malformed)
{
	if (ts_multipart_push(mp, data, len) == TS_MULTIPART_OK)
		return 0;
	if (req->response)
		return -1;
	if (write_failed)
		ts_req_error(req, werr);
	else
		ts_req_fail(req, 400, "invalid_multipart", "%s", malformed);
	return -1;
}
