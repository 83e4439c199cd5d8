/* The JSON views shared by several handler files (http/views.h). */
#include "http/views.h"

#include <string.h>

#include "http/req.h"
#include "core/banned.h"

json_t *ts_view_project(const struct ts_project *p)
{
	json_t *v = json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:{s:b}}", "id", (json_int_t)p->id,
			      "name", p->name, "task_type", p->task_type, "schema_version",
			      p->schema_version, "created_at", ts_json_time(p->created_at),
			      "updated_at", ts_json_time(p->updated_at), "settings",
			      "review_own_labels", p->review_own_labels);

	if (p->role[0])
		json_object_set_new(v, "role", json_string(p->role));
	return v;
}

json_t *ts_view_category(const struct ts_category *c)
{
	return json_pack("{s:I, s:s, s:I, s:s, s:o, s:o}", "id", (json_int_t)c->id, "name", c->name,
			 "display_order", (json_int_t)c->display_order, "state", c->state,
			 "created_at", ts_json_time(c->created_at), "updated_at",
			 ts_json_time(c->updated_at));
}

static json_t *user_or_null(const char *name)
{
	return name[0] ? json_string(name) : json_null();
}

json_t *ts_view_asset_annotation(int64_t asset_id, const struct ts_asset_annotation *an)
{
	json_t *cats = json_array();

	for (size_t i = 0; i < an->ncategories; i++)
		json_array_append_new(cats, json_integer((json_int_t)an->category_ids[i]));
	return json_pack("{s:I, s:s, s:o, s:I, s:o, s:o}", "asset_id", (json_int_t)asset_id,
			 "status", an->status, "category_ids", cats, "revision",
			 (json_int_t)an->revision, "labeled_by", user_or_null(an->labeled_by),
			 "updated_at", ts_json_time(an->updated_at));
}

json_t *ts_view_asset(const struct ts_asset *a)
{
	json_t *source;

	if (strcmp(a->origin.type, "video_frame") == 0)
		source = json_pack("{s:s, s:I, s:s, s:I, s:I}", "type", "video_frame", "video_id",
				   (json_int_t)a->origin.video_id, "video_file_name",
				   a->origin.video_file_name, "frame_index",
				   (json_int_t)a->origin.frame_index, "timestamp_ms",
				   (json_int_t)a->origin.timestamp_ms);
	else
		source = json_pack("{s:s}", "type", "image");
	return json_pack("{s:I, s:I, s:s, s:I, s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:b, s:o, s:s, "
			 "s:o}",
			 "id", (json_int_t)a->id, "project_id", (json_int_t)a->project_id,
			 "file_name", a->file_name, "width", (json_int_t)a->width, "height",
			 (json_int_t)a->height, "mime_type", a->mime_type, "checksum_sha256",
			 a->checksum_sha256, "byte_size", (json_int_t)a->byte_size, "source",
			 source, "created_at", ts_json_time(a->created_at), "uploaded_by",
			 user_or_null(a->uploaded_by_name), "thumbnail_ready", a->thumbnail_ready,
			 "annotation", ts_view_asset_annotation(a->id, &a->annotation),
			 "decode_state", a->decode_state[0] ? a->decode_state : "pending",
			 "damage_reason",
			 a->damage_reason[0] ? json_string(a->damage_reason) : json_null());
}

/* ---- loading ---- */

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
