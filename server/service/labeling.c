#include "service/labeling.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "core/utf8.h"
#include "domain/names.h"
#include "core/banned.h"

/* Assets per write transaction in a bulk action: short enough that a
 * labeler's single write never waits long behind a 10,000-asset approve. */
#define BULK_CHUNK 256

_Static_assert(TS_ANN_MAX_CATEGORIES <= TS_STORE_ANN_MAX_CATEGORIES,
	       "the store's index holds every category an annotation may name");

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static enum ts_ann_status status_of(const char *name)
{
	enum ts_ann_status st;

	return ts_ann_status_parse(name, &st) ? TS_ANN_UNLABELED : st;
}

/* Fills *a (its previous content is not released: callers view a row once). */
static void view_of(const struct ts_ann_row *r, struct ts_annotation *a)
{
	memset(a, 0, sizeof(*a));
	a->asset_id = r->asset_id;
	a->project_id = r->project_id;
	a->status = (enum ts_status)status_of(r->status);
	snprintf(a->payload_type, sizeof(a->payload_type), "%s", r->payload_type);
	if (a->payload_type[0] &&
	    strcmp(a->payload_type, ts_payload_type_name(TS_PAYLOAD_CLASSIFICATION)) != 0 &&
	    r->payload)
		a->payload = ts_xstrdup(r->payload);
	a->ncat = r->ncat < TS_ANN_MAX_CATEGORIES ? r->ncat : TS_ANN_MAX_CATEGORIES;
	memcpy(a->category_ids, r->category_ids, a->ncat * sizeof(*a->category_ids));
	a->revision = r->revision;
	a->labeled_by = r->labeled_by;
	snprintf(a->labeled_by_name, sizeof(a->labeled_by_name), "%s", r->labeled_by_name);
	a->updated_at = r->updated_at;
	if (r->note)
		a->note = ts_xstrdup(r->note);
	a->import_id = r->import_id;
}

static int single_label(const struct ts_ann_row *r)
{
	return strcmp(r->task_type, "classification_single") == 0;
}

static void state_of(const struct ts_ann_row *r, struct ts_ann_state *s)
{
	s->status = status_of(r->status);
	s->category_ids = r->category_ids;
	s->ncat = r->ncat;
	s->empty_answer = r->ncat == 0 && r->payload != NULL;
}

/* The objects of each of ids[0..n-1] in p (boxes), or NULL. */
static const int64_t *object_counts(const struct ts_payload *p, const int64_t *ids, size_t n,
				    int64_t *counts)
{
	if (!p || !ts_payload_has_objects(p->type))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		counts[i] = 0;
		for (size_t k = 0; k < p->ncat; k++)
			if (p->category_ids[k] == ids[i])
				counts[i] = p->cat_objects[k];
	}
	return counts;
}

/* Writes the decided outcome (row, index, history) inside tx and updates
 * *a to the row as it is now. */
static enum ts_err write_outcome(struct ts_store_tx *tx, const struct ts_ann_row *cur,
				 const struct ts_ann_outcome *o, const struct ts_payload *content,
				 int64_t user_id,
				 const char *user_name, const char *via, const char *note,
				 struct ts_annotation *a, struct ts_error *err)
{
	char from_text[TS_STORE_ANN_IDS_TEXT], to_text[sizeof(from_text)];
	int64_t sorted[TS_ANN_MAX_CATEGORIES], counts[TS_ANN_MAX_CATEGORIES];
	int64_t now = ts_time_now_ms();
	int64_t labeled_by = cur->labeled_by;
	size_t nsorted = o->ncat;
	struct ts_payload payload = { 0 };
	const char *to_type = cur->payload_type[0] ? cur->payload_type : NULL;
	char *to_payload = NULL;
	enum ts_err e;

	if (nsorted > TS_ANN_MAX_CATEGORIES)
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error", "category list too long");
	memcpy(sorted, o->category_ids, nsorted * sizeof(*sorted));
	qsort(sorted, nsorted, sizeof(*sorted), cmp_i64);
	/* The labeler is whoever last set the label; a reviewer's approve or
	 * needs_review keeps it. */
	if (o->categories_changed ||
	    (o->status != TS_ANN_APPROVED && o->status != TS_ANN_NEEDS_REVIEW))
		labeled_by = user_id;
	if (ts_ann_ids_text(cur->category_ids, cur->ncat, from_text, sizeof(from_text)) ||
	    ts_ann_ids_text(sorted, nsorted, to_text, sizeof(to_text)))
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error", "category list too long");
	if (o->categories_changed) {
		/* The content is what the state machine decided: a
		 * classification of the sorted ids, the boxes as sent (with
		 * their ids), or none. */
		to_type = NULL;
		if (content && ts_payload_has_objects(content->type)) {
			to_payload = ts_payload_text(content);
			to_type = ts_payload_type_name(content->type);
		} else if (content && content->type != TS_PAYLOAD_NONE) {
			ts_payload_classification(sorted, nsorted, &payload);
			to_payload = ts_payload_text(&payload);
			to_type = ts_payload_type_name(payload.type);
		}
	}

	struct ts_ann_write w = {
		.asset_id = cur->asset_id,
		.project_id = cur->project_id,
		.status = ts_ann_status_name(o->status),
		.queue = ts_ann_queue_of(o->status),
		.revision = cur->revision + 1,
		.labeled_by = labeled_by,
		.updated_at = now,
		.payload_type = to_type,
		.payload = o->categories_changed ? to_payload : cur->payload,
		.replace_index = o->categories_changed,
		.category_ids = sorted,
		.ncat = nsorted,
		.object_counts = object_counts(content, sorted, nsorted, counts),
	};
	struct ts_ann_history_add h = {
		.asset_id = cur->asset_id,
		.project_id = cur->project_id,
		.revision = cur->revision + 1,
		.user_id = user_id,
		.at = now,
		.from_status = cur->status,
		.from_categories = from_text,
		.from_payload = cur->payload,
		.to_status = w.status,
		.to_categories = to_text,
		.to_payload = w.payload,
		.via = via,
		.note = note,
	};

	e = ts_store_ann_write(tx, &w, err);
	if (!e)
		e = ts_store_ann_history_add(tx, &h, err);
	ts_payload_release(&payload);
	if (e) {
		free(to_payload);
		return e;
	}

	/* The row as it is now. */
	a->status = (enum ts_status)o->status;
	memcpy(a->category_ids, sorted, nsorted * sizeof(*sorted));
	a->ncat = nsorted;
	if (o->categories_changed) {
		enum ts_payload_type pt = TS_PAYLOAD_NONE;

		snprintf(a->payload_type, sizeof(a->payload_type), "%s", to_type ? to_type : "");
		free(a->payload);
		a->payload = NULL;
		if (to_type)
			ts_payload_type_parse(to_type, &pt);
		if (ts_payload_has_objects(pt)) {
			a->payload = to_payload;
			to_payload = NULL;
		}
	}
	free(to_payload);
	a->revision = cur->revision + 1;
	a->import_id = 0; /* a person's revision */
	a->updated_at = now;
	free(a->note);
	a->note = note ? ts_xstrdup(note) : NULL;
	if (labeled_by != cur->labeled_by) {
		a->labeled_by = labeled_by;
		snprintf(a->labeled_by_name, sizeof(a->labeled_by_name), "%s",
			 user_name ? user_name : "");
	}
	return TS_OK;
}

enum ts_err ts_labeling_get(struct ts_store *s, int64_t asset_id, struct ts_annotation *out,
			    struct ts_error *err)
{
	struct ts_store_tx tx;
	struct ts_ann_row row;
	enum ts_err e;

	e = ts_store_begin(s, 0, &tx, err);
	if (e)
		return e;
	e = ts_store_ann_load(&tx, asset_id, &row, err);
	e = ts_store_end(&tx, e, err);
	if (!e)
		view_of(&row, out);
	ts_ann_row_release(&row);
	return e;
}

/* The categories a change names, and their states, as the state machine
 * wants them. */
static enum ts_err lookup_states(struct ts_store_tx *tx, const struct ts_ann_row *cur,
				 const int64_t *ids, size_t n, enum ts_ann_cat_state *states,
				 struct ts_error *err)
{
	char text[TS_ANN_MAX_CATEGORIES][12];
	enum ts_err e;

	/* The state machine refuses more than the maximum; look up only
	 * what fits. */
	if (n > TS_ANN_MAX_CATEGORIES)
		return TS_OK;
	e = ts_store_ann_category_states(tx, cur->project_id, ids, n, text, err);
	for (size_t i = 0; i < n && !e; i++)
		states[i] = ts_ann_cat_state_parse(text[i]);
	return e;
}

/* The request's payload as this asset's project takes it, copied into
 * *content: the type its task type wants, boxes inside the image, new
 * objects given ids. */
static enum ts_err check_content(const struct ts_ann_row *cur, const struct ts_payload *p,
				 struct ts_payload *content, struct ts_error *err)
{
	enum ts_payload_type want = ts_payload_type_for_task(cur->task_type);
	struct ts_payload prev = { 0 };
	struct ts_error perr = { 0 };
	json_t *v;
	enum ts_err e;

	if (p->type != want)
		return ts_error_set(err, TS_ERR_INVALID, "payload_type_mismatch",
				    "A %s project takes \"%s\" payloads, not \"%s\".",
				    cur->task_type, want ? ts_payload_type_name(want) : "no",
				    ts_payload_type_name(p->type));
	/* A copy the service may complete (object ids). */
	v = ts_payload_json(p);
	e = ts_payload_from_json(v, "payload", content, err);
	json_decref(v);
	if (e)
		return e;
	if (!ts_payload_has_objects(content->type))
		return TS_OK;
	e = ts_payload_check_bounds(content, cur->width, cur->height, "payload", err);
	if (e)
		return e;
	if (cur->payload_type[0] && strcmp(cur->payload_type, ts_payload_type_name(want)) == 0 &&
	    ts_payload_from_text(cur->payload, &prev, &perr))
		ts_payload_release(&prev); /* an unreadable stored payload names no id */
	ts_payload_assign_ids(content, &prev, cur->revision + 1);
	ts_payload_release(&prev);
	ts_error_release(&perr);
	return TS_OK;
}

/* A flag's note: only with needs_review; valid UTF-8 of 1..TS_LABEL_NOTE_MAX
 * characters, no control characters but line breaks and tabs, no bidi
 * controls (as in names). */
static enum ts_err check_note(const struct ts_ann_request *req, struct ts_error *err)
{
	size_t len;
	long chars;

	if (!req->note)
		return TS_OK;
	if (req->kind != TS_ANN_SET_STATUS || req->status != TS_ANN_NEEDS_REVIEW)
		return ts_error_set(err, TS_ERR_INVALID, "note_not_allowed",
				    "A note goes only with the status needs_review.");
	len = strlen(req->note);
	chars = ts_utf8_count(req->note, len);
	if (chars < 1 || chars > TS_LABEL_NOTE_MAX)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_note",
				    "The note must be 1 to %d characters of UTF-8.",
				    TS_LABEL_NOTE_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)req->note[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_note",
					    "The note must not contain control characters.");
	}
	return ts_name_check_bidi(req->note, len, "note", "invalid_note", err);
}

enum ts_err ts_labeling_set(struct ts_store *s, int64_t asset_id,
			    const struct ts_ann_request *req, struct ts_annotation *out,
			    int *changed, struct ts_error *err)
{
	enum ts_ann_cat_state states[TS_ANN_MAX_CATEGORIES];
	struct ts_ann_change chg = { req->kind, req->status, NULL, states, 0 };
	struct ts_ann_state now_state;
	struct ts_ann_outcome o;
	struct ts_error derr = { 0 };
	struct ts_store_tx tx;
	struct ts_ann_row cur = { 0 };
	struct ts_payload content = { 0 };
	enum ts_err e, decided;
	int wrote = 0;

	*changed = 0;
	memset(out, 0, sizeof(*out));
	if (req->kind == TS_ANN_SET_CATEGORIES &&
	    (!req->payload || req->payload->type == TS_PAYLOAD_NONE))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
				    "The annotation's content needs a payload.");
	if (check_note(req, err))
		return err->err;
	e = ts_store_begin(s, 1, &tx, err);
	if (e)
		return e;
	e = ts_store_ann_load(&tx, asset_id, &cur, err);
	if (e)
		goto out;
	view_of(&cur, out);
	if (req->kind == TS_ANN_SET_CATEGORIES) {
		e = check_content(&cur, req->payload, &content, err);
		if (e)
			goto out;
		chg.category_ids = ts_payload_categories(&content, &chg.ncat);
		chg.allow_empty = !single_label(&cur);
		if (cur.payload && ts_payload_has_objects(content.type)) {
			char *text = ts_payload_text(&content);

			chg.content_changed = strcmp(text, cur.payload) != 0;
			free(text);
		}
		e = lookup_states(&tx, &cur, chg.category_ids, chg.ncat, states, err);
		if (e)
			goto out;
	}
	state_of(&cur, &now_state);
	decided = ts_ann_decide(&now_state, &chg, single_label(&cur), &o, &derr);
	if (!decided && !o.changed) {
		/* An idempotent repeat: nothing to write, whatever the revision. */
		goto out;
	}
	if (req->expected_revision >= 0 && req->expected_revision != cur.revision) {
		e = ts_error_set(err, TS_ERR_CONFLICT, "stale_revision",
				 "the annotation is at revision %lld, not %lld; reload it and retry",
				 (long long)cur.revision, (long long)req->expected_revision);
		goto out;
	}
	if (!decided && o.status == TS_ANN_APPROVED && now_state.status != TS_ANN_APPROVED)
		decided = ts_ann_may_approve(cur.review_own_labels, cur.labeled_by, req->user_id,
					     &derr);
	if (decided) {
		e = ts_error_set(err, derr.err, derr.code, "%s", derr.message);
		goto out;
	}
	e = write_outcome(&tx, &cur, &o, req->kind == TS_ANN_SET_CATEGORIES ? &content : NULL,
			  req->user_id, req->user_name, "single", req->note, out, err);
	wrote = !e;
out:
	ts_payload_release(&content);
	e = ts_store_end(&tx, e, err);
	*changed = wrote && !e;
	ts_error_release(&derr);
	ts_ann_row_release(&cur);
	return e;
}

void ts_label_changes_free(struct ts_label_change *c, size_t n)
{
	for (size_t i = 0; c && i < n; i++) {
		free(c[i].from_payload);
		free(c[i].to_payload);
		free(c[i].note);
	}
	free(c);
}

enum ts_err ts_labeling_history(struct ts_store *s, int64_t asset_id,
				struct ts_label_change **out, size_t *n,
				struct ts_error *err)
{
	struct ts_ann_history_entry *h = NULL;
	struct ts_store_tx tx;
	struct ts_ann_row row;
	enum ts_err e;

	*out = NULL;
	*n = 0;
	e = ts_store_begin(s, 0, &tx, err);
	if (e)
		return e;
	e = ts_store_ann_load(&tx, asset_id, &row, err); /* the asset exists */
	ts_ann_row_release(&row);
	if (!e)
		e = ts_store_ann_history(&tx, asset_id, &h, n, err);
	e = ts_store_end(&tx, e, err);
	if (e) {
		ts_ann_history_release(h, *n);
		*n = 0;
		return e;
	}
	*out = ts_xcalloc(*n ? *n : 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++) {
		struct ts_label_change *c = &(*out)[i];

		c->id = h[i].id;
		c->revision = h[i].revision;
		c->at = h[i].at;
		memcpy(c->user_name, h[i].user_name, sizeof(c->user_name));
		memcpy(c->from_status, h[i].from_status, sizeof(c->from_status));
		memcpy(c->to_status, h[i].to_status, sizeof(c->to_status));
		memcpy(c->from_categories, h[i].from_categories, sizeof(c->from_categories));
		memcpy(c->to_categories, h[i].to_categories, sizeof(c->to_categories));
		memcpy(c->via, h[i].via, sizeof(c->via));
		c->from_payload = h[i].from_payload; /* moved */
		c->to_payload = h[i].to_payload;
		c->note = h[i].note;
		h[i].from_payload = h[i].to_payload = h[i].note = NULL;
	}
	ts_ann_history_release(h, *n);
	return TS_OK;
}

/* Splits a filter name into the queue or status it tests: a queue name
 * (the list's groups, "all" none) or a status name (core/status.h). */
static int filter_columns(const char *name, const char **queue, const char **status)
{
	enum ts_queue q;
	enum ts_ann_status st;

	*queue = NULL;
	*status = NULL;
	if (!name || ts_queue_parse(name, &q) == 0) {
		*queue = name && q != TS_QUEUE_ALL ? ts_queue_name(q) : NULL;
		return 0;
	}
	if (ts_ann_status_parse(name, &st) == 0) {
		*status = ts_ann_status_name(st);
		return 0;
	}
	return -1;
}

/* One asset of a bulk action, inside the caller's write transaction. A
 * refusal is recorded in r and is not an error of the transaction. */
static enum ts_err bulk_one(struct ts_store_tx *tx, int64_t project_id,
			    enum ts_ann_status target, int64_t asset_id, int64_t user_id,
			    struct ts_ann_bulk_result *r, struct ts_error *err)
{
	struct ts_ann_change chg = { TS_ANN_SET_STATUS, target, NULL, NULL, 0 };
	struct ts_error derr = { 0 };
	struct ts_ann_state now_state;
	struct ts_ann_outcome o;
	struct ts_annotation a = { 0 };
	struct ts_ann_row cur;
	enum ts_err e;

	memset(r, 0, sizeof(*r));
	r->asset_id = asset_id;
	e = ts_store_ann_load(tx, asset_id, &cur, &derr);
	if (e == TS_ERR_NOT_FOUND || (!e && cur.project_id != project_id)) {
		r->err = TS_ERR_NOT_FOUND;
		snprintf(r->code, sizeof(r->code), "asset_not_found");
		snprintf(r->message, sizeof(r->message), "asset %lld is not in project %lld",
			 (long long)asset_id, (long long)project_id);
		ts_error_release(&derr);
		e = TS_OK;
		goto out;
	}
	if (e) {
		*err = derr;
		goto out;
	}
	view_of(&cur, &a);
	state_of(&cur, &now_state);
	if (ts_ann_decide(&now_state, &chg, single_label(&cur), &o, &derr) ||
	    (o.changed && o.status == TS_ANN_APPROVED &&
	     ts_ann_may_approve(cur.review_own_labels, cur.labeled_by, user_id, &derr))) {
		r->err = derr.err;
		snprintf(r->code, sizeof(r->code), "%s", derr.code);
		snprintf(r->message, sizeof(r->message), "%.150s", derr.message);
		r->status = (enum ts_ann_status)a.status;
		r->revision = a.revision;
		ts_error_release(&derr);
		goto out;
	}
	if (o.changed) {
		e = write_outcome(tx, &cur, &o, NULL, user_id, NULL, "bulk", NULL, &a, err);
		if (e)
			goto out;
		r->changed = 1;
	}
	r->status = (enum ts_ann_status)a.status;
	r->revision = a.revision;
out:
	ts_annotation_release(&a);
	ts_ann_row_release(&cur);
	return e;
}

enum ts_err ts_labeling_bulk(struct ts_store *s, int64_t project_id,
			     enum ts_ann_bulk_action action, const int64_t *ids, size_t n,
			     const struct ts_ann_filter *filter, int64_t user_id,
			     struct ts_ann_bulk_result **out, size_t *nout, struct ts_error *err)
{
	enum ts_ann_status target = action == TS_ANN_BULK_APPROVE ? TS_ANN_APPROVED
								  : TS_ANN_NEEDS_REVIEW;
	struct ts_ann_bulk_result *res = NULL;
	struct ts_store_tx tx;
	int64_t *matched = NULL;
	size_t done = 0;
	enum ts_err e = TS_OK;

	*out = NULL;
	*nout = 0;
	if (n > TS_ANN_BULK_MAX)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many",
				    "at most %d asset ids per call", TS_ANN_BULK_MAX);
	if (!ids) {
		const char *queue, *status;

		if (filter_columns(filter->status, &queue, &status))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_filter",
					    "filter.status must be one of all, unlabeled, in_review, "
					    "done, skipped, labeled, needs_review, approved");
		e = ts_store_begin(s, 0, &tx, err);
		if (e)
			return e;
		e = ts_store_ann_match(&tx, project_id, queue, status, filter->category_id,
				       TS_ANN_BULK_MAX + 1, &matched, &n, err);
		e = ts_store_end(&tx, e, err);
		if (!e && n > TS_ANN_BULK_MAX)
			e = ts_error_set(err, TS_ERR_TOO_LARGE, "too_many",
					 "the filter matches more than %d assets; narrow it",
					 TS_ANN_BULK_MAX);
		if (e) {
			free(matched);
			return e;
		}
		ids = matched;
	}

	res = ts_xcalloc(n ? n : 1, sizeof(*res));
	/* Each asset is decided again inside its chunk's write transaction:
	 * what the filter matched a moment ago may have changed since. */
	while (done < n) {
		size_t end = done + BULK_CHUNK < n ? done + BULK_CHUNK : n;

		e = ts_store_begin(s, 1, &tx, err);
		if (e)
			break;
		for (size_t i = done; i < end && !e; i++)
			e = bulk_one(&tx, project_id, target, ids[i], user_id, &res[i], err);
		e = ts_store_end(&tx, e, err);
		if (e)
			break;
		done = end;
	}
	if (e) {
		/* Chunks already committed stay (each asset is all-or-nothing);
		 * report the error for the whole call. */
		free(res);
		res = NULL;
		done = 0;
	}
	free(matched);
	*out = res;
	*nout = done;
	return e;
}

enum ts_err ts_labeling_stats(struct ts_store *s, int64_t project_id, struct ts_ann_stats *out,
			      struct ts_error *err)
{
	struct ts_ann_counts c = { 0 };
	struct ts_store_tx tx;
	size_t j = 0;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	/* One read transaction: every figure comes from the same snapshot. */
	e = ts_store_begin(s, 0, &tx, err);
	if (e)
		return e;
	e = ts_store_ann_counts(&tx, project_id, &c, err);
	e = ts_store_end(&tx, e, err);
	if (e) {
		ts_ann_counts_release(&c);
		return e;
	}
	out->per_category = ts_xcalloc(c.ncategories ? c.ncategories : 1,
				       sizeof(*out->per_category));
	out->ncat = c.ncategories;
	for (size_t i = 0; i < c.ncategories; i++) {
		out->per_category[i].category_id = c.categories[i].category_id;
		snprintf(out->per_category[i].state, sizeof(out->per_category[i].state), "%s",
			 c.categories[i].state);
	}
	for (size_t i = 0; i < c.ncounts; i++) {
		const struct ts_ann_count *k = &c.counts[i];
		enum ts_ann_status st;
		int known = ts_ann_status_parse(k->status, &st) == 0;

		if (k->category_id == 0) {
			if (known) {
				out->by_status[st] += k->count;
				out->total += k->count;
			}
			continue;
		}
		/* Counts come by category id, like the categories. */
		while (j < out->ncat && out->per_category[j].category_id < k->category_id)
			j++;
		if (j == out->ncat || out->per_category[j].category_id != k->category_id)
			continue; /* a category row cannot vanish; be safe */
		if (known)
			out->per_category[j].by_status[st] += k->count;
		out->per_category[j].count += k->count;
		out->per_category[j].objects += k->objects;
	}
	out->deleted_category = c.deleted_category;
	ts_ann_counts_release(&c);
	/* The damaged images are a figure of their own: a failure to list
	 * them leaves the counts standing (none listed). */
	{
		struct ts_error derr = { 0 };

		if (ts_store_asset_list_damaged(s, project_id, TS_LABELING_DAMAGED_LISTED,
						&out->damaged, &out->n_damaged, &out->damaged_total,
						&derr)) {
			out->damaged = NULL;
			out->n_damaged = 0;
			out->damaged_total = 0;
		}
		ts_error_release(&derr);
	}
	return TS_OK;
}

void ts_ann_stats_release(struct ts_ann_stats *st)
{
	free(st->per_category);
	free(st->damaged);
	st->per_category = NULL;
	st->damaged = NULL;
	st->ncat = 0;
	st->n_damaged = 0;
}
