#include "domain/annotation.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

const char *ts_ann_status_name(enum ts_ann_status s)
{
	return ts_status_name((enum ts_status)s);
}

int ts_ann_status_parse(const char *name, enum ts_ann_status *out)
{
	enum ts_status st;

	if (ts_status_parse(name, &st))
		return -1;
	*out = (enum ts_ann_status)st;
	return 0;
}

const char *ts_ann_queue_of(enum ts_ann_status s)
{
	return ts_queue_name(ts_status_queue((enum ts_status)s));
}

enum ts_ann_cat_state ts_ann_cat_state_parse(const char *state)
{
	if (!state)
		return TS_ANN_CAT_UNKNOWN;
	if (strcmp(state, "active") == 0)
		return TS_ANN_CAT_ACTIVE;
	if (strcmp(state, "disabled") == 0)
		return TS_ANN_CAT_DISABLED;
	if (strcmp(state, "deleted") == 0)
		return TS_ANN_CAT_DELETED;
	return TS_ANN_CAT_UNKNOWN;
}

static int contains(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Same set; both sides are free of duplicates (checked before). */
static int same_set(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!contains(b, nb, a[i]))
			return 0;
	return 1;
}

static enum ts_err decide_categories(const struct ts_ann_state *cur,
				     const struct ts_ann_change *chg, int single_label,
				     struct ts_ann_outcome *out, struct ts_error *err)
{
	if (chg->ncat > TS_ANN_MAX_CATEGORIES || (single_label && chg->ncat != 1))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_category_count",
				    single_label ? "this project is single-label: send exactly one "
						   "category id"
						 : "send between 1 and 64 category ids");
	if (chg->ncat == 0 && !chg->allow_empty)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_category_count",
				    "send at least one category id, or a status to clear the label");
	for (size_t i = 0; i < chg->ncat; i++) {
		int64_t id = chg->category_ids[i];

		if (contains(chg->category_ids, i, id))
			return ts_error_set(err, TS_ERR_INVALID, "duplicate_category",
					    "category %lld is listed twice", (long long)id);
		switch (chg->cat_states[i]) {
		case TS_ANN_CAT_ACTIVE:
			break;
		case TS_ANN_CAT_DISABLED:
			return ts_error_set(err, TS_ERR_CONFLICT, "category_disabled",
					    "category %lld is disabled and cannot be assigned",
					    (long long)id);
		case TS_ANN_CAT_DELETED:
			return ts_error_set(err, TS_ERR_CONFLICT, "category_deleted",
					    "category %lld is deleted and cannot be assigned",
					    (long long)id);
		case TS_ANN_CAT_UNKNOWN:
		default:
			return ts_error_set(err, TS_ERR_INVALID, "unknown_category",
					    "category %lld does not exist in this project",
					    (long long)id);
		}
	}
	out->category_ids = chg->category_ids;
	out->ncat = chg->ncat;
	out->categories_changed = !same_set(cur->category_ids, cur->ncat, chg->category_ids,
					    chg->ncat) ||
				  chg->content_changed ||
				  (chg->ncat == 0 && !cur->empty_answer);
	/* Relabeling (a different label) sends a reviewed asset back to
	 * `labeled`; the same label again is a repeat, not a change. */
	if (out->categories_changed || cur->status == TS_ANN_UNLABELED ||
	    cur->status == TS_ANN_SKIPPED)
		out->status = TS_ANN_LABELED;
	else
		out->status = cur->status;
	out->changed = out->categories_changed || out->status != cur->status;
	return TS_OK;
}

enum ts_err ts_ann_decide(const struct ts_ann_state *cur, const struct ts_ann_change *chg,
			  int single_label, struct ts_ann_outcome *out, struct ts_error *err)
{
	memset(out, 0, sizeof(*out));
	out->status = cur->status;
	out->category_ids = cur->category_ids;
	out->ncat = cur->ncat;

	if (chg->kind == TS_ANN_SET_CATEGORIES)
		return decide_categories(cur, chg, single_label, out, err);

	switch (chg->status) {
	case TS_ANN_UNLABELED:
	case TS_ANN_SKIPPED:
		out->status = chg->status;
		out->ncat = 0;
		out->categories_changed = cur->ncat != 0 || cur->empty_answer;
		break;
	case TS_ANN_LABELED:
	case TS_ANN_NEEDS_REVIEW:
	case TS_ANN_APPROVED:
		if (cur->ncat == 0 && !cur->empty_answer)
			return ts_error_set(err, TS_ERR_CONFLICT, "not_labeled",
					    "only an asset with a category can be %s; it is %s",
					    ts_ann_status_name(chg->status),
					    ts_ann_status_name(cur->status));
		out->status = chg->status;
		break;
	case TS_ANN_STATUS_COUNT:
	default:
		return ts_error_set(err, TS_ERR_INVALID, "invalid_status", "unknown status");
	}
	out->changed = out->categories_changed || out->status != cur->status;
	return TS_OK;
}

int ts_ann_ids_text(const int64_t *ids, size_t n, char *out, size_t outlen)
{
	size_t len = 0;
	int w;

	if (outlen < 3)
		return -1;
	out[len++] = '[';
	for (size_t i = 0; i < n; i++) {
		w = snprintf(out + len, outlen - len, "%s%lld", i ? "," : "", (long long)ids[i]);
		if (w < 0 || (size_t)w >= outlen - len)
			return -1;
		len += (size_t)w;
	}
	if (len + 2 > outlen)
		return -1;
	out[len++] = ']';
	out[len] = '\0';
	return 0;
}

enum ts_err ts_ann_may_approve(int review_own_labels, int64_t labeled_by, int64_t reviewer,
			       struct ts_error *err)
{
	if (review_own_labels || labeled_by <= 0 || labeled_by != reviewer)
		return TS_OK;
	return ts_error_set(err, TS_ERR_FORBIDDEN, "own_label",
			    "you set this label yourself, and in this project another reviewer "
			    "must approve it");
}
