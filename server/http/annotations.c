/* Annotations: set an asset's label or status, read its history, bulk
 * review actions and project stats. The use cases are service/labeling.c's;
 * this file parses and answers. */
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "domain/annotation.h"
#include "domain/payload.h"
#include "http/access.h"
#include "http/req.h"
#include "http/router.h"
#include "http/views.h"
#include "service/labeling.h"
#include "service/queue.h"
#include "core/banned.h"

void ts_view_annotation_write(struct ts_jsonw *w, const struct ts_annotation *a, int full)
{
	ts_jsonw_object(w);
	ts_jsonw_kint(w, "asset_id", a->asset_id);
	ts_jsonw_kstring(w, "status", ts_status_name(a->status));
	ts_jsonw_key(w, "category_ids");
	ts_jsonw_array(w);
	for (size_t i = 0; i < a->ncat; i++)
		ts_jsonw_int(w, a->category_ids[i]);
	ts_jsonw_array_end(w);
	if (full) {
		/* The payload as its type shows it; category_ids stays for v1
		 * clients. Payload text is the server's own canonical JSON. */
		enum ts_payload_type t = TS_PAYLOAD_NONE;
		char *text = NULL;

		if (!a->payload && a->payload_type[0] &&
		    ts_payload_type_parse(a->payload_type, &t) == 0) {
			struct ts_payload p = { t, (int64_t *)a->category_ids, a->ncat, NULL, NULL, 0 };

			text = ts_payload_text(&p);
		}
		ts_jsonw_key(w, "payload");
		if (a->payload || text)
			ts_jsonw_raw(w, a->payload ? a->payload : text,
				     strlen(a->payload ? a->payload : text));
		else
			ts_jsonw_null(w);
		free(text);
	}
	ts_jsonw_kint(w, "revision", a->revision);
	ts_jsonw_key(w, "labeled_by");
	ts_view_user(w, a->labeled_by_name);
	ts_jsonw_key(w, "updated_at");
	ts_view_time(w, a->updated_at);
	if (full && a->note) /* a flag's note, only when there is one */
		ts_jsonw_kstring(w, "note", a->note);
	if (full && a->import_id) /* written by an import, until changed */
		ts_jsonw_kint(w, "import_id", a->import_id);
	ts_jsonw_object_end(w);
}

static json_t *view_annotation(const struct ts_annotation *a)
{
	struct ts_jsonw w;
	struct ts_buf b;

	ts_view_begin(&w, &b);
	ts_view_annotation_write(&w, a, 1);
	return ts_view_tree(&b, ts_jsonw_finish(&w));
}

/* An error answer whose details hold the current annotation. */
static void fail_with_current(struct ts_req *req, struct ts_error *err,
			      const struct ts_annotation *cur)
{
	ts_error_details(err, json_pack("{s:o}", "current", view_annotation(cur)));
	ts_req_error(req, err);
}

static void get_one(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_annotation a = { 0 };

	if (ts_labeling_get(req->app->store, req->params[0], &a, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, 200, view_annotation(&a));
	ts_svc_annotation_release(&a);
}

/* Reads a JSON array of positive ids (at most max) into a malloc'd array.
 * Answers 400 with `field` and returns -1 on a bad value. */
static int read_ids(struct ts_req *req, json_t *arr, const char *field, size_t max,
		    int64_t **out, size_t *n)
{
	json_t *v;
	size_t i;
	int64_t *ids;

	if (!json_is_array(arr)) {
		ts_req_fail(req, 400, "invalid_field", "The field \"%s\" must be an array of ids.", field);
		return -1;
	}
	if (json_array_size(arr) > max) {
		ts_req_fail(req, json_array_size(arr) > TS_LABEL_BULK_MAX ? 413 : 400, "too_many",
			    "The field \"%s\" holds more than %zu ids.", field, max);
		return -1;
	}
	ids = ts_xmalloc((json_array_size(arr) + 1) * sizeof(*ids));
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
		    json_integer_value(v) > TS_JSON_MAX_SAFE_INT) {
			free(ids);
			ts_req_fail(req, 400, "invalid_field",
				    "The value %s[%zu] is not an id (a positive integer).", field, i);
			return -1;
		}
		ids[i] = json_integer_value(v);
	}
	*out = ids;
	*n = json_array_size(arr);
	return 0;
}

/* The content a PUT sends, in one of its three forms: {"category_ids":
 * [..]} (v1), {"payload": {"type": ..}} or the payload's fields at the top
 * level {"type": .., "category_ids": [..]}. 1 when it sends one (*out
 * filled), 0 when it sends none, -1 after answering 400. */
static int read_payload(struct ts_req *req, json_t *body, struct ts_payload *out)
{
	json_t *payload = json_object_get(body, "payload");
	json_t *type = json_object_get(body, "type");
	json_t *cats = json_object_get(body, "category_ids");
	json_t *objects = json_object_get(body, "objects");
	struct ts_error err = { 0 };
	enum ts_err e;

	if (!payload && !type && !cats && !objects)
		return 0;
	if (objects && !type && !payload) {
		ts_req_fail(req, 400, "invalid_request",
			    "Send \"objects\" with \"type\": \"boxes\" or \"polygons\", or inside "
			    "\"payload\".");
		return -1;
	}
	if (payload && (type || cats || objects)) {
		ts_req_fail(req, 400, "invalid_request",
			    "Send the content once: \"payload\", or its fields at the top level.");
		return -1;
	}
	if (payload) {
		e = ts_payload_from_json(payload, "payload", out, &err);
	} else if (type) {
		json_t *top = json_pack("{s:O}", "type", type);

		if (cats)
			json_object_set(top, "category_ids", cats);
		if (objects)
			json_object_set(top, "objects", objects);
		e = ts_payload_from_json(top, "", out, &err);
		json_decref(top);
	} else {
		json_t *top = json_pack("{s:s, s:O}", "type", "classification", "category_ids", cats);

		e = ts_payload_from_json(top, "", out, &err);
		json_decref(top);
	}
	if (e) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return -1;
	}
	return 1;
}

static void put(struct ts_req *req)
{
	static const char *const keys[] = { "category_ids", "status", "revision", "payload", "type",
					    "objects", "note", NULL };
	json_t *body = ts_req_body_object(req);
	struct ts_ann_request ar = { 0 };
	struct ts_payload payload = { 0 };
	struct ts_error err = { 0 };
	struct ts_annotation a = { 0 };
	const char *status = NULL;
	int64_t revision = -1;
	int has_status = 0, has_payload = 0, changed = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "status", 0, &status, &has_status) ||
	    ts_req_field_string(req, body, "note", 0, &ar.note, NULL) ||
	    ts_req_field_int(req, body, "revision", 0, 0, TS_JSON_MAX_SAFE_INT, &revision, NULL))
		goto out;
	has_payload = json_object_get(body, "category_ids") || json_object_get(body, "payload") ||
		      json_object_get(body, "type") || json_object_get(body, "objects");
	if (has_payload == has_status) {
		ts_req_fail(req, 400, "invalid_request",
			    "Send either \"category_ids\" (or \"payload\") or \"status\" (exactly one "
			    "of them).");
		goto out;
	}
	if (ar.note && !*ar.note)
		ar.note = NULL; /* an empty note is none */
	ar.expected_revision = revision;
	ar.user_id = req->user.id;
	ar.user_name = req->user.name;
	if (has_payload) {
		ar.kind = TS_ANN_SET_CATEGORIES;
		if (read_payload(req, body, &payload) < 0)
			goto out;
		ar.payload = &payload;
	} else {
		ar.kind = TS_ANN_SET_STATUS;
		if (ts_ann_status_parse(status, &ar.status)) {
			ts_req_fail(req, 400, "invalid_status",
				    "The status must be one of unlabeled, labeled, skipped, needs_review "
				    "or approved.");
			goto out;
		}
		if (ar.status == TS_ANN_APPROVED &&
		    ts_access_need(req, TS_ROLE_REVIEWER, "Approving"))
			goto out;
	}
	if (ts_labeling_set(req->app->store, req->params[0], &ar, &a, &changed, &err)) {
		if (a.asset_id && (err.err == TS_ERR_CONFLICT || err.err == TS_ERR_INVALID))
			fail_with_current(req, &err, &a);
		else
			ts_req_error(req, &err);
		goto out;
	}
	ts_svc_queue_touch(req->app, req->project_id, req->user.id, req->params[0],
			   ar.kind == TS_ANN_SET_STATUS && ar.status == TS_ANN_SKIPPED);
	ts_req_json(req, 200, view_annotation(&a));
out:
	ts_svc_annotation_release(&a);
	ts_payload_release(&payload);
	ts_error_release(&err);
	json_decref(body);
}

static void history(struct ts_req *req)
{
	struct ts_label_change *h = NULL;
	struct ts_error err = { 0 };
	size_t n = 0;
	json_t *items;

	if (ts_labeling_history(req->app->store, req->params[0], &h, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *entry;
		json_t *from = json_loads(h[i].from_categories, 0, NULL);
		json_t *to = json_loads(h[i].to_categories, 0, NULL);
		json_t *from_p = h[i].from_payload ? json_loads(h[i].from_payload, 0, NULL) : NULL;
		json_t *to_p = h[i].to_payload ? json_loads(h[i].to_payload, 0, NULL) : NULL;

		entry = json_pack("{s:I, s:I, s:o, s:o, s:{s:s, s:o, s:o}, s:{s:s, s:o, s:o}, s:s}",
				  "id", (json_int_t)h[i].id, "revision", (json_int_t)h[i].revision,
				  "by", h[i].user_name[0] ? json_string(h[i].user_name) : json_null(),
				  "at", ts_json_time(h[i].at), "from", "status", h[i].from_status,
				  "category_ids", from ? from : json_array(), "payload",
				  from_p ? from_p : json_null(), "to", "status", h[i].to_status,
				  "category_ids", to ? to : json_array(), "payload",
				  to_p ? to_p : json_null(), "via", h[i].via);
		if (entry && h[i].note)
			json_object_set_new(entry, "note", json_string(h[i].note));
		json_array_append_new(items, entry);
	}
	ts_label_changes_free(h, n);
	ts_req_json(req, 200, json_pack("{s:I, s:o}", "asset_id", (json_int_t)req->params[0],
					"history", items));
}

static void bulk(struct ts_req *req)
{
	static const char *const keys[] = { "action", "asset_ids", "filter", NULL };
	static const char *const filter_keys[] = { "status", "category_id", NULL };
	json_t *body = ts_req_body_object(req);
	struct ts_ann_bulk_result *res = NULL;
	struct ts_ann_filter filter = { NULL, 0 };
	struct ts_error err = { 0 };
	enum ts_ann_bulk_action action;
	const char *action_name = NULL;
	int64_t *ids = NULL;
	size_t n = 0, nres = 0, ok = 0;
	json_t *jids, *jfilter;
	struct ts_jsonw w;
	struct ts_buf b;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_string(req, body, "action", 1, &action_name, NULL))
		goto out;
	if (strcmp(action_name, "approve") == 0) {
		action = TS_ANN_BULK_APPROVE;
	} else if (strcmp(action_name, "needs_review") == 0) {
		action = TS_ANN_BULK_NEEDS_REVIEW;
	} else {
		ts_req_fail(req, 400, "invalid_action", "The action must be \"approve\" or \"needs_review\".");
		goto out;
	}
	jids = json_object_get(body, "asset_ids");
	jfilter = json_object_get(body, "filter");
	if (!jids == !jfilter) {
		ts_req_fail(req, 400, "invalid_request",
			    "Send either \"asset_ids\" or \"filter\" (exactly one of them).");
		goto out;
	}
	if (jids) {
		if (read_ids(req, jids, "asset_ids", TS_LABEL_BULK_MAX, &ids, &n))
			goto out;
	} else {
		if (!json_is_object(jfilter)) {
			ts_req_fail(req, 400, "invalid_filter",
				    "The filter must be an object {\"status\", \"category_id\"}.");
			goto out;
		}
		if (ts_req_only_fields(req, jfilter, filter_keys) ||
		    ts_req_field_string(req, jfilter, "status", 0, &filter.status, NULL) ||
		    ts_req_field_int(req, jfilter, "category_id", 0, 1, TS_JSON_MAX_SAFE_INT,
				     &filter.category_id, NULL))
			goto out;
	}
	if (ts_labeling_bulk(req->app->store, req->params[0], action, jids ? ids : NULL, n,
				     &filter, req->user.id, &res, &nres, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	/* Written as it goes, with no tree: a filter matches up to
	 * TS_LABEL_BULK_MAX assets. */
	for (size_t i = 0; i < nres; i++)
		ok += res[i].err == TS_OK;
	ts_view_begin(&w, &b);
	ts_jsonw_object(&w);
	ts_jsonw_kstring(&w, "action", action_name);
	ts_jsonw_kint(&w, "matched", (int64_t)nres);
	ts_jsonw_kint(&w, "succeeded", (int64_t)ok);
	ts_jsonw_kint(&w, "failed", (int64_t)(nres - ok));
	ts_jsonw_key(&w, "results");
	ts_jsonw_array(&w);
	for (size_t i = 0; i < nres; i++) {
		const struct ts_ann_bulk_result *r = &res[i];

		ts_jsonw_object(&w);
		ts_jsonw_kint(&w, "asset_id", r->asset_id);
		ts_jsonw_kbool(&w, "ok", r->err == TS_OK);
		if (r->err == TS_OK) {
			ts_jsonw_kstring(&w, "status", ts_ann_status_name(r->status));
			ts_jsonw_kint(&w, "revision", r->revision);
			ts_jsonw_kbool(&w, "changed", r->changed);
		} else {
			char *sentence = ts_error_sentence(r->message);

			ts_jsonw_key(&w, "error");
			ts_jsonw_object(&w);
			ts_jsonw_kstring(&w, "code", r->code);
			ts_jsonw_kstring(&w, "message", sentence);
			ts_jsonw_object_end(&w);
			free(sentence);
		}
		ts_jsonw_object_end(&w);
	}
	ts_jsonw_array_end(&w);
	ts_jsonw_object_end(&w);
	free(res);
	res = NULL;
	ts_view_send(req, 200, &w, &b);
out:
	free(res);
	free(ids);
	ts_error_release(&err);
	json_decref(body);
}

static void stats(struct ts_req *req)
{
	struct ts_error err = { 0 };
	struct ts_ann_stats st;
	json_t *counts, *per_cat, *damaged;

	if (ts_labeling_stats(req->app->store, req->params[0], &st, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	counts = json_pack("{s:I}", "total", (json_int_t)st.total);
	for (int i = 0; i < TS_ANN_STATUS_COUNT; i++)
		json_object_set_new(counts, ts_ann_status_name((enum ts_ann_status)i),
				    json_integer((json_int_t)st.by_status[i]));
	per_cat = json_array();
	for (size_t i = 0; i < st.ncat; i++) {
		const struct ts_ann_cat_count *cc = &st.per_category[i];
		json_t *by;

		/* Deleted categories appear only while labels still point at them. */
		if (strcmp(cc->state, "deleted") == 0 && cc->count == 0)
			continue;
		by = json_object();
		for (int k = 0; k < TS_ANN_STATUS_COUNT; k++)
			if (k != TS_ANN_UNLABELED && k != TS_ANN_SKIPPED)
				json_object_set_new(by, ts_ann_status_name((enum ts_ann_status)k),
						    json_integer((json_int_t)cc->by_status[k]));
		/* count: images naming the category; objects: its boxes or
		 * polygons objects (detection, segmentation; 0 for
		 * classification). */
		json_array_append_new(per_cat, json_pack("{s:I, s:s, s:I, s:I, s:o}", "category_id",
							 (json_int_t)cc->category_id, "state",
							 cc->state, "count", (json_int_t)cc->count,
							 "objects", (json_int_t)cc->objects,
							 "by_status", by));
	}
	/* Images that do not decode (never exported), each with its reason. */
	damaged = json_array();
	for (size_t i = 0; i < st.n_damaged; i++)
		json_array_append_new(damaged, json_pack("{s:I, s:s, s:s}", "asset_id",
							 (json_int_t)st.damaged[i].id, "file_name",
							 st.damaged[i].file_name, "reason",
							 st.damaged[i].reason));
	ts_req_json(req, 200,
		    json_pack("{s:I, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:o}}", "project_id",
			      (json_int_t)req->params[0], "counts", counts, "per_category", per_cat,
			      "issues", "missing_labels",
			      (json_int_t)st.by_status[TS_ANN_UNLABELED], "skipped",
			      (json_int_t)st.by_status[TS_ANN_SKIPPED], "deleted_category",
			      (json_int_t)st.deleted_category, "damaged", (json_int_t)st.damaged_total,
			      "damaged_assets", damaged));
	ts_ann_stats_release(&st);
}

const struct ts_route ts_routes_annotations[] = {
	{ "GET", "/api/v1/assets/{id}/annotation", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER, get_one,
	  NULL, NULL },
	{ "PUT", "/api/v1/assets/{id}/annotation",
	  TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER | TS_ROUTE_BIG_JSON, put, NULL,
	  NULL },
	{ "GET", "/api/v1/assets/{id}/annotation/history", TS_ROUTE_IN_ASSET | TS_ROUTE_LABELER,
	  history, NULL, NULL },
	{ "POST", "/api/v1/projects/{id}/annotations/bulk", TS_ROUTE_IN_PROJECT | TS_ROUTE_REVIEWER,
	  bulk, NULL, NULL },
	{ "GET", "/api/v1/projects/{id}/stats", TS_ROUTE_IN_PROJECT | TS_ROUTE_LABELER, stats, NULL,
	  NULL },
	{ 0 },
};
