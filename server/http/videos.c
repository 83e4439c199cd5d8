/* Videos: upload (multipart, streamed to disk and hashed as it arrives),
 * read one, list a project's. Frames are extracted by the video_extract
 * job; the upload answers 202 as soon as the video is stored and probed. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"
#include "http/multipart.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/videos.h"
#include "core/banned.h"

#define FIELD_MAX 32 /* bytes of an fps or frames value */

struct upload {
	struct ts_req *req;
	struct ts_multipart mp;
	char *part_name, *part_file; /* the part being read (owned) */
	uint64_t part_off;
	struct ts_upload_file f;
	int have_file;
	int file_done;
	int files;
	char file_name[TS_ASSET_FILE_NAME_MAX + 1];
	struct ts_error name_err;
	int name_bad;
	char fps[FIELD_MAX + 1];
	char frames[FIELD_MAX + 1];
	int has_fps, has_frames, field_too_long, unknown_field;
	char unknown[64];
	struct ts_error werr; /* a write failure while streaming */
	int write_failed;
};

static void video_write(struct ts_jsonw *w, const struct ts_video *v)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "id", v->id);
	ts_jsonw_kint(w, "project_id", v->project_id);
	ts_jsonw_kstring(w, "file_name", v->file_name);
	ts_jsonw_kstring(w, "checksum_sha256", v->checksum_sha256);
	ts_jsonw_kint(w, "byte_size", v->byte_size);
	ts_jsonw_kstring(w, "state", v->state);
	ts_jsonw_kstring(w, "mode", v->mode);
	ts_jsonw_kint(w, "frames_extracted", v->frames_extracted);
	ts_jsonw_kint(w, "frames_expected", v->frames_expected);
	ts_jsonw_kint(w, "frames_duplicate", v->frames_duplicate);
	ts_jsonw_kint(w, "duration_ms", v->duration_ms);
	ts_jsonw_key(w, "frame_rate");
	ts_jsonw_double(w, v->frame_rate);
	ts_jsonw_kint(w, "width", v->width);
	ts_jsonw_kint(w, "height", v->height);
	ts_jsonw_kint(w, "rotation", v->rotation);
	ts_jsonw_kstring(w, "codec", v->codec);
	ts_jsonw_kint(w, "job_id", v->job_id);
	ts_jsonw_key(w, "created_at");
	ts_view_time(w, v->created_at);
	ts_jsonw_key(w, "updated_at");
	ts_view_time(w, v->updated_at);
	ts_jsonw_key(w, "fps");
	if (strcmp(v->mode, "fps") == 0)
		ts_jsonw_double(w, v->fps);
	else
		ts_jsonw_null(w);
	ts_jsonw_key(w, "frames");
	if (strcmp(v->mode, "frames") == 0)
		ts_jsonw_int(w, v->frames);
	else
		ts_jsonw_null(w);
	ts_jsonw_kstring(w, "error", v->error[0] ? v->error : NULL);
	ts_jsonw_object_end(w);
}

static json_t *view_video(const struct ts_video *v)
{
	struct ts_jsonw w;
	struct ts_buf b;

	ts_view_begin(&w, &b);
	video_write(&w, v);
	return ts_view_tree(&b, ts_jsonw_finish(&w));
}

static void upload_free(void *arg)
{
	struct upload *u = arg;

	free(u->part_name);
	free(u->part_file);
	ts_upload_file_abort(&u->f);
	ts_error_release(&u->name_err);
	ts_error_release(&u->werr);
	free(u);
}

/* A strict decimal number: no spaces, no hex, no inf/nan. */
static int parse_fps(const char *s, double *out)
{
	char *end = NULL;
	double d;

	if (!*s)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.' && *p != '-' && *p != '+' &&
		    *p != 'e' && *p != 'E')
			return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || !isfinite(d))
		return -1;
	*out = d;
	return 0;
}

static int parse_frames(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i = 0;

	if (s[0] == '-' || s[0] == '+')
		i = 1;
	if (!s[i] || strlen(s) > 18)
		return -1;
	for (; s[i]; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = s[0] == '-' ? -v : v;
	return 0;
}

/* Checks fps/frames as given. 0 when good (mode filled), else answers. */
static int check_mode(struct ts_req *req, struct upload *u, struct ts_video_mode *mode)
{
	struct ts_error err = { 0 };

	memset(mode, 0, sizeof(*mode));
	if (u->field_too_long) {
		ts_req_fail(req, 400, "invalid_mode", "fps and frames are short numbers");
		return -1;
	}
	if (u->has_fps == u->has_frames) {
		ts_req_fail(req, 400, "invalid_mode",
			    "give exactly one of fps (frames per second) and frames (a count)");
		return -1;
	}
	if (u->has_fps && (parse_fps(u->fps, &mode->fps) || mode->fps <= 0)) {
		ts_req_fail(req, 400, "invalid_mode", "the fps field must be a number from %g to %g",
			    TS_VIDEO_FPS_MIN, TS_VIDEO_FPS_MAX);
		return -1;
	}
	if (u->has_frames && (parse_frames(u->frames, &mode->frames) || mode->frames <= 0)) {
		ts_req_fail(req, 400, "invalid_mode", "the frames field must be an integer from 1 to %d",
			    TS_VIDEO_FRAMES_MAX);
		return -1;
	}
	if (ts_svc_video_check_mode(mode, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return -1;
	}
	return 0;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	struct upload *u = cls;
	char *field = NULL;
	int *has = NULL;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (strcmp(key, "file") == 0 && filename) {
		if (off == 0) {
			struct ts_video_mode mode;

			u->files++;
			if (u->files > 1)
				return MHD_YES; /* answered in handle */
			/* Fields sent before the file are checked before a
			 * byte of it is stored. */
			if ((u->has_fps || u->has_frames) && check_mode(u->req, u, &mode))
				return MHD_NO;
			if (ts_upload_check_name(filename, strlen(filename), u->file_name,
						 &u->name_err)) {
				u->name_bad = 1;
				return MHD_YES;
			}
			if (ts_upload_file_open(u->req->app, &u->f, &u->werr)) {
				u->write_failed = 1;
				return MHD_NO;
			}
			u->have_file = 1;
		}
		if (u->files > 1 || u->name_bad || !u->have_file)
			return MHD_YES;
		if (size && ts_upload_file_write(&u->f, data, size, &u->werr)) {
			u->write_failed = 1;
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (strcmp(key, "fps") == 0) {
		field = u->fps;
		has = &u->has_fps;
	} else if (strcmp(key, "frames") == 0) {
		field = u->frames;
		has = &u->has_frames;
	} else {
		if (!u->unknown_field)
			snprintf(u->unknown, sizeof(u->unknown), "%s", key);
		u->unknown_field = 1;
		return MHD_YES;
	}
	*has = 1;
	if (off + size > FIELD_MAX) {
		u->field_too_long = 1;
		return MHD_YES;
	}
	memcpy(field + off, data, size);
	field[off + size] = '\0';
	return MHD_YES;
}

/* The multipart reader's callbacks, fed to on_part as parts and offsets. */
static int part_begin(void *cls, const char *name, const char *filename, const char *type)
{
	struct upload *u = cls;

	(void)type;
	free(u->part_name);
	free(u->part_file);
	u->part_name = name ? ts_xstrdup(name) : NULL;
	u->part_file = filename ? ts_xstrdup(filename) : NULL;
	u->part_off = 0;
	return 0;
}

static int part_data(void *cls, const char *data, size_t len)
{
	struct upload *u = cls;
	enum MHD_Result r = on_part(u, MHD_POSTDATA_KIND, u->part_name, u->part_file, NULL, NULL,
				    data, u->part_off, len);

	u->part_off += len;
	return r == MHD_YES ? 0 : -1;
}

static int part_end(void *cls)
{
	struct upload *u = cls;

	/* An empty part is seen too (an empty file, an empty field). */
	return u->part_off == 0 ? part_data(u, "", 0) : 0;
}

static const struct ts_multipart_cb part_cb = { part_begin, part_data, part_end };

static int upload_begin(struct ts_req *req)
{
	const char *ct;
	struct ts_project p;
	struct upload *u;

	if (ts_load_project(req, &p))
		return -1;
	ct = ts_form_type(req, "send the video as multipart/form-data with a file part");
	if (!ct)
		return -1;
	u = ts_xcalloc(1, sizeof(*u));
	u->req = req;
	ts_upload_file_init(&u->f);
	ts_req_on_cleanup(req, upload_free, u);
	req->stream = u;
	return ts_form_init(req, &u->mp, ct, &part_cb, u,
			    "the multipart body has no boundary, or a malformed one");
}

static int upload_data(struct ts_req *req, const char *data, size_t len)
{
	struct upload *u = req->stream;

	if (!u)
		return -1;
	return ts_form_push(req, &u->mp, data, len, u->write_failed, &u->werr,
			    "the multipart body is malformed");
}

static void upload(struct ts_req *req)
{
	struct upload *u = req->stream;
	struct ts_error err = { 0 };
	struct ts_video_mode mode;
	struct ts_video v;
	int whole;

	if (!u) {
		ts_req_fail(req, 400, "invalid_multipart", "send the video as multipart/form-data");
		return;
	}
	/* Only a body that reached its closing boundary holds the whole file. */
	whole = ts_multipart_finish(&u->mp) == 0;
	if (!whole && !u->write_failed) {
		ts_req_fail(req, 400, "incomplete_upload",
			    "the upload ended before the multipart body did (no closing boundary)");
		goto out;
	}
	if (u->write_failed) {
		ts_req_error(req, &u->werr);
		goto out;
	}
	if (u->unknown_field) {
		json_t *d = json_pack("{s:s}", "field", u->unknown);

		ts_error_set(&err, TS_ERR_INVALID, "unknown_field",
			     "unknown form field; expected file, and fps or frames");
		ts_error_details(&err, d);
		ts_req_error(req, &err);
		goto out;
	}
	if (check_mode(req, u, &mode))
		goto out;
	if (u->files > 1) {
		ts_req_fail(req, 400, "too_many_files", "send one video per request");
		goto out;
	}
	if (u->name_bad) {
		ts_req_error(req, &u->name_err);
		goto out;
	}
	if (!u->have_file) {
		ts_req_fail(req, 400, "missing_file", "the form has no file part");
		goto out;
	}
	if (ts_svc_video_accept(req->app, req->params[0], req->user.id, u->file_name, &u->f,
				&mode, &v, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 202, view_video(&v));
out:
	ts_error_release(&err);
}

static void get(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_video v;
	struct ts_jsonw w;
	struct ts_buf b;

	if (ts_svc_video_get(req->app, req->params[0], &v, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	video_write(&w, &v);
	ts_view_send(req, 200, &w, &b);
}

static void list(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_video *arr = NULL;
	int64_t cursor;
	struct ts_jsonw w;
	struct ts_buf b;
	size_t n = 0;
	int limit;

	if (ts_req_page(req, 50, TS_VIDEO_PAGE_MAX, &limit, &cursor))
		return;
	if (ts_svc_video_list(req->app, req->params[0], cursor, limit, &arr, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_key(&w, "videos");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < n; i++)
		video_write(&w, &arr[i]);
	ts_jsonw_array_end(&w);
	ts_jsonw_key(&w, "next_cursor");
	ts_view_cursor(&w, n == (size_t)limit ? arr[n - 1].id : 0);
	ts_jsonw_object_end(&w);
	free(arr);
	ts_view_send(req, 200, &w, &b);
}

const struct ts_route ts_routes_videos[] = {
	{ "POST", "/api/v1/projects/{id}/videos",
	  TS_ROUTE_STREAM | TS_ROUTE_LARGE | TS_ROUTE_IN_PROJECT | TS_ROUTE_MANAGER, upload,
	  upload_begin, upload_data },
	{ "GET", "/api/v1/projects/{id}/videos", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, list, NULL,
	  NULL },
	{ "GET", "/api/v1/videos/{id}", TS_ROUTE_IN_VIDEO | TS_ROUTE_LABELER, get, NULL, NULL },
	{ 0 },
};
