/* Values that several views write: times, cursors, user names; and the
 * tree of a written view for the few callers that add to it. */
#include "http/views.h"

#include <stdlib.h>

#include "core/cursor.h"
#include "core/time.h"
#include "http/req.h"
#include "core/banned.h"

void ts_view_time(struct ts_jsonw *w, int64_t epoch_ms)
{
	char text[32];

	ts_time_rfc3339(epoch_ms, text, sizeof(text));
	ts_jsonw_string(w, text);
}

void ts_view_cursor(struct ts_jsonw *w, int64_t cursor)
{
	char text[TS_CURSOR_TEXT_MAX];

	if (cursor <= 0) {
		ts_jsonw_null(w);
		return;
	}
	ts_cursor_encode(&cursor, 1, text);
	ts_jsonw_string(w, text);
}

void ts_view_user(struct ts_jsonw *w, const char *name)
{
	ts_jsonw_string(w, name[0] ? name : NULL);
}

void ts_view_begin(struct ts_jsonw *w, struct ts_buf *b)
{
	ts_buf_init(b, TS_VIEW_TEXT_MAX);
	ts_jsonw_init(w, b);
}

void ts_view_send(struct ts_req *req, unsigned status, struct ts_jsonw *w, struct ts_buf *b)
{
	ts_req_json_text(req, status, b, ts_jsonw_finish(w));
}

json_t *ts_view_tree(struct ts_buf *b, enum ts_err e)
{
	json_t *v = e ? NULL : json_loadb(b->ptr, b->len, 0, NULL);

	ts_buf_release(b);
	return v;
}

int ts_load_project(struct ts_req *req, struct ts_project *out)
{
	struct ts_error err = { 0 };

	if (ts_svc_project_get(req->app, req->params[0], out, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return -1;
	}
	return 0;
}
