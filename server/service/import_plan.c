#include "service/import_plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"
#include "domain/payload.h"
#include "domain/polygon.h"
#include "domain/trace.h"
#include "import/coco.h"
#include "import/csv.h"
#include "service/ingest.h"
#include "media/mask.h"
#include "service/imports.h"
#include "store/store_assets.h"
#include "store/store_projects.h"
#include "core/banned.h"

/* Raw contour points one mask may have before simplification: a bound on
 * the tracer's memory (16 bytes a point). */
#define MAX_RAW_POINTS 4000000

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

const char *ts_import_plan_format(struct ts_import_archive *a)
{
	const struct ts_import_entry *e;
	size_t n, png = 0;

	e = ts_import_archive_entries(a, &n);
	for (size_t i = 0; i < n; i++)
		if (!e[i].dir && strcmp(ts_import_basename(e[i].name), "annotations.json") == 0)
			return "coco";
	for (size_t i = 0; i < n; i++)
		if (!e[i].dir && ends_with(e[i].name, ".csv"))
			return "instance_masks";
	for (size_t i = 0; i < n; i++)
		png += !e[i].dir && ends_with(e[i].name, ".png");
	return png ? "class_masks" : NULL;
}

void ts_import_plan_refuse(struct ts_import_plan *p, const char *entry, const char *code,
			   const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	char *sentence, *name;

	p->refused++;
	if (json_array_size(p->report) >= TS_IMPORT_REPORT_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sentence = ts_error_sentence(msg);
	name = ts_utf8_scrub(entry, strlen(entry), 512, 1);
	json_array_append_new(p->report, json_pack("{s:s, s:s, s:s}", "entry", name, "code", code,
						   "message", sentence));
	free(name);
	free(sentence);
}

/* --- the project's assets and categories ------------------------------- */

static struct ts_import_plan *sort_plan; /* qsort has no context argument */

static size_t stem_len(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name ? (size_t)(dot - name) : strlen(name);
}

static int cmp_stem_str(const char *a, size_t na, const char *b, size_t nb)
{
	int c = memcmp(a, b, na < nb ? na : nb);

	return c ? c : (na > nb) - (na < nb);
}

static int cmp_asset(const void *a, const void *b)
{
	return strcmp(((const struct ts_import_asset *)a)->name,
		      ((const struct ts_import_asset *)b)->name);
}

static int cmp_by_stem(const void *a, const void *b)
{
	const char *x = sort_plan->assets[*(const size_t *)a].name;
	const char *y = sort_plan->assets[*(const size_t *)b].name;

	return cmp_stem_str(x, stem_len(x), y, stem_len(y));
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_category(const void *a, const void *b)
{
	int64_t x = ((const struct ts_category *)a)->id, y = ((const struct ts_category *)b)->id;

	return (x > y) - (x < y);
}

enum ts_err ts_import_plan_init(struct ts_app *app, int64_t project_id, const char *format,
				double tolerance, struct ts_import_plan *p, struct ts_error *err)
{
	struct ts_asset_query q = { 0 };
	struct ts_category *cats = NULL;
	size_t ncats = 0, cap = 0;
	enum ts_err e;

	memset(p, 0, sizeof(*p));
	p->format = format;
	p->tolerance = tolerance;
	p->report = json_array();
	p->budget = ts_ingest_budget(app->ingest);
	q.project_id = project_id;
	q.limit = TS_ASSET_PAGE_MAX;
	for (;;) {
		struct ts_asset *page = NULL;
		size_t n = 0;
		int64_t next = 0;

		e = ts_store_asset_list(app->store, &q, &page, &n, &next, err);
		if (e)
			return e;
		for (size_t i = 0; i < n; i++) {
			struct ts_import_asset *a;

			if (p->nassets == cap) {
				cap = cap ? 2 * cap : 256;
				p->assets = ts_xrealloc(p->assets, cap * sizeof(*p->assets));
			}
			a = &p->assets[p->nassets++];
			memset(a, 0, sizeof(*a));
			a->id = page[i].id;
			a->name = ts_xstrdup(page[i].file_name);
			memcpy(a->sha256, page[i].checksum_sha256, sizeof(a->sha256));
			a->width = page[i].width;
			a->height = page[i].height;
		}
		free(page);
		if (!next)
			break;
		q.after_id = next;
	}
	if (p->nassets)
		qsort(p->assets, p->nassets, sizeof(*p->assets), cmp_asset);
	p->by_stem = ts_xmalloc((p->nassets + 1) * sizeof(*p->by_stem));
	for (size_t i = 0; i < p->nassets; i++)
		p->by_stem[i] = i;
	sort_plan = p;
	if (p->nassets)
		qsort(p->by_stem, p->nassets, sizeof(*p->by_stem), cmp_by_stem);
	e = ts_store_category_list(app->store, project_id, 0, &cats, &ncats, err);
	if (e)
		return e;
	/* Listed by id ascending (the store's order is the display order). */
	qsort(cats, ncats, sizeof(*cats), cmp_category);
	p->categories = ts_xmalloc((ncats + 1) * sizeof(*p->categories));
	p->category_names = ts_xmalloc((ncats + 1) * sizeof(*p->category_names));
	for (size_t i = 0; i < ncats; i++) {
		if (strcmp(cats[i].state, "active") != 0)
			continue;
		p->category_names[p->ncategories] = ts_xstrdup(cats[i].name);
		p->categories[p->ncategories++] = cats[i].id;
	}
	free(cats);
	return TS_OK;
}

void ts_import_plan_release(struct ts_import_plan *p)
{
	for (size_t i = 0; p->assets && i < p->nassets; i++) {
		free(p->assets[i].name);
		free(p->assets[i].entry);
		json_decref(p->assets[i].objects);
	}
	free(p->assets);
	free(p->by_stem);
	for (size_t i = 0; p->category_names && i < p->ncategories; i++)
		free(p->category_names[i]);
	free(p->category_names);
	free(p->categories);
	json_decref(p->report);
	memset(p, 0, sizeof(*p));
}

static int category_known(const struct ts_import_plan *p, int64_t id)
{
	return bsearch(&id, p->categories, p->ncategories, sizeof(id), cmp_i64) != NULL;
}

/* The asset called name (its last path component): an exact name first,
 * then the one asset whose name's stem is name's stem. -1: none; -2: more
 * than one. */
static long match_name(const struct ts_import_plan *p, const char *name)
{
	const char *base = ts_import_basename(name);
	size_t lo = 0, hi = p->nassets, sl = stem_len(base), first, count = 0;
	long found = -1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(p->assets[mid].name, base) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nassets && strcmp(p->assets[lo].name, base) == 0)
		return lo + 1 < p->nassets && strcmp(p->assets[lo + 1].name, base) == 0 ? -2 :
										      (long)lo;
	lo = 0, hi = p->nassets;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *x = p->assets[p->by_stem[mid]].name;

		if (cmp_stem_str(x, stem_len(x), base, sl) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	for (size_t i = first; i < p->nassets; i++) {
		const char *x = p->assets[p->by_stem[i]].name;

		if (cmp_stem_str(x, stem_len(x), base, sl) != 0)
			break;
		found = (long)p->by_stem[i];
		count++;
	}
	return count > 1 ? -2 : found;
}

static long match_sha(const struct ts_import_plan *p, const char *sha)
{
	for (size_t i = 0; sha[0] && i < p->nassets; i++)
		if (strcmp(p->assets[i].sha256, sha) == 0)
			return (long)i;
	return -1;
}

static void step(struct ts_import_plan *p)
{
	p->done++;
	if (p->progress && (p->done % 25 == 0 || p->done == p->steps))
		p->progress(p->progress_arg, p->done, p->steps);
}

/* The rings of ring `from` (an outer ring and its holes), or of every
 * ring (whole), as a polygons array. */
static json_t *polygons_json(const struct ts_trace *t, size_t from, int whole)
{
	json_t *polys = json_array();

	for (size_t r = from; r < t->n; r++) {
		json_t *ring;

		if (!whole && r != from && (!t->rings[r].hole || t->rings[r].outer != from))
			continue;
		ring = json_array();
		for (size_t i = 0; i < t->rings[r].n; i++) {
			json_array_append_new(ring, json_real(t->rings[r].xy[2 * i]));
			json_array_append_new(ring, json_real(t->rings[r].xy[2 * i + 1]));
		}
		json_array_append_new(polys, ring);
	}
	return polys;
}

static json_t *object_json(int64_t category_id, json_t *polygons)
{
	return json_pack("{s:I, s:o}", "category_id", (json_int_t)category_id, "polygons", polygons);
}

/* Checks one object as a payload of asset a would be checked (rings,
 * limits, inside the image). Returns 0, or -1 with the reason in why. */
static int object_ok(const struct ts_import_asset *a, json_t *obj, char *why, size_t len)
{
	json_t *v = json_pack("{s:s, s:[O]}", "type", "polygons", "objects", obj);
	struct ts_error err = { 0 };
	struct ts_payload pl = { 0 };
	int rc = 0;

	if (ts_payload_from_json(v, "", &pl, &err) ||
	    ts_payload_check_bounds(&pl, a->width, a->height, "", &err)) {
		snprintf(why, len, "%s", err.message);
		rc = -1;
	}
	ts_payload_release(&pl);
	ts_error_release(&err);
	json_decref(v);
	return rc;
}

static void add_object(struct ts_import_asset *a, json_t *obj, const char *entry)
{
	if (!a->objects)
		a->objects = json_array();
	json_array_append_new(a->objects, obj);
	if (!a->entry)
		a->entry = ts_xstrdup(entry);
}

/* Traces label (or every non-zero pixel: label < 0) of m in window
 * x0, y0, w, h into objects of category_id: one per component, or one in
 * all (whole), fitting their pixels (ts_trace_fit). *refused: the objects
 * cannot be imported (reported); none so far: the payload limits are
 * checked when the image's objects are written. */
static enum ts_err trace_into(struct ts_import_plan *p, const struct ts_mask *m, int label,
			      int x0, int y0, int w, int h, int whole, int64_t category_id,
			      struct ts_import_asset *a, const char *entry, int *refused,
			      struct ts_error *err)
{
	struct ts_trace_mask tm = { m->pix, (size_t)m->width * (size_t)m->bytes_per_pixel,
				    m->bytes_per_pixel, x0, y0, w, h, label };
	uint64_t held = ts_media_budget_take(p->budget, ts_trace_fit_bytes(&tm));
	struct ts_trace t;
	json_t *objs, *o;
	double used;
	size_t i;
	enum ts_err e = ts_trace_fit(&tm, p->tolerance, TS_TRACE_MIN_IOU, MAX_RAW_POINTS, &t,
				     &used, err);

	ts_media_budget_give(p->budget, held);
	*refused = 0;
	if (e) {
		ts_trace_release(&t);
		if (e == TS_ERR_TOO_LARGE)
			return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_points",
					    "The mask \"%.200s\" traces to more than %d points.", entry,
					    MAX_RAW_POINTS);
		return e;
	}
	objs = json_array();
	if (whole && t.n) {
		json_array_append_new(objs, object_json(category_id, polygons_json(&t, 0, 1)));
	} else {
		for (size_t r = 0; r < t.n; r++)
			if (!t.rings[r].hole)
				json_array_append_new(objs,
						      object_json(category_id, polygons_json(&t, r, 0)));
	}
	/* Valid rings inside the image (ts_trace_fit): what is left to check,
	 * the payload's limits, is checked when the image's objects are
	 * written. */
	if (p->points + t.points > TS_IMPORT_MAX_POINTS) {
		e = ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_points",
				 "The import's objects hold more than %d polygon points.",
				 TS_IMPORT_MAX_POINTS);
	} else {
		p->points += t.points;
		json_array_foreach(objs, i, o)
			add_object(a, json_incref(o), entry);
	}
	ts_trace_release(&t);
	json_decref(objs);
	return e;
}

/* Decodes the mask entry e of asset a. *skip set when the entry is
 * refused (reported); an error fails the import. */
static enum ts_err read_mask(struct ts_import_plan *p, struct ts_import_archive *ar,
			     const struct ts_import_entry *e, struct ts_import_asset *a,
			     struct ts_mask *m, int *skip, struct ts_error *err)
{
	struct ts_error merr = { 0 };
	char *buf = NULL;
	size_t len = 0;
	enum ts_err r;

	*skip = 1;
	r = ts_import_archive_read(ar, e, 0, &buf, &len, &merr);
	if (!r)
		r = ts_media_mask_decode(buf, len, a->width, a->height, p->budget, m, &merr);
	free(buf);
	if (r == TS_ERR_TOO_LARGE) {
		r = ts_error_set(err, TS_ERR_UNPROCESSABLE, merr.code, "%.200s: %s", e->name,
				 merr.message);
		ts_error_release(&merr);
		return r;
	}
	if (r) {
		ts_import_plan_refuse(p, e->name, merr.code, "%s", merr.message);
		ts_error_release(&merr);
		return TS_OK;
	}
	if (m->width != a->width || m->height != a->height) {
		ts_import_plan_refuse(p, e->name, "mask_size_mismatch",
				      "the mask is %dx%d pixels, its image %s is %lldx%lld",
				      m->width, m->height, a->name, (long long)a->width,
				      (long long)a->height);
		ts_mask_release(m);
		return TS_OK;
	}
	*skip = 0;
	return TS_OK;
}

static enum ts_err class_mask(struct ts_import_plan *p, struct ts_import_archive *ar,
			      const struct ts_import_entry *e, struct ts_error *err)
{
	struct ts_trace_label *labels = NULL;
	struct ts_import_asset *a;
	struct ts_mask m;
	size_t nl = 0;
	long idx = match_name(p, e->name);
	char stem[TS_IMPORT_NAME_MAX + 1];
	const char *base = ts_import_basename(e->name);
	enum ts_err r;
	int skip;

	/* a.jpg.png names a.jpg; a.png names the image whose stem is a. */
	snprintf(stem, sizeof(stem), "%.*s", (int)(strlen(base) - 4), base);
	if (strchr(stem, '.'))
		idx = match_name(p, stem);
	if (idx == -1)
		idx = match_name(p, e->name);
	if (idx < 0) {
		ts_import_plan_refuse(p, e->name, idx == -2 ? "ambiguous_image" : "unknown_image",
				      idx == -2 ? "more than one image is named %s" :
						  "no image of the project is named after %s",
				      base);
		return TS_OK;
	}
	a = &p->assets[idx];
	if (a->objects || a->entry) {
		ts_import_plan_refuse(p, e->name, "duplicate_mask",
				      "the image %s already has a mask (%s)", a->name,
				      a->entry ? a->entry : "");
		return TS_OK;
	}
	r = read_mask(p, ar, e, a, &m, &skip, err);
	if (r || skip)
		return r;
	ts_trace_labels(m.pix, (size_t)m.width * (size_t)m.bytes_per_pixel, m.bytes_per_pixel,
			m.width, m.height, &labels, &nl);
	if (nl == 0) {
		ts_import_plan_refuse(p, e->name, "empty_mask", "the mask holds no labeled pixel");
		goto out;
	}
	for (size_t i = 0; i < nl; i++) {
		if (category_known(p, labels[i].label))
			continue;
		if (m.kind != TS_MASK_GREY) {
			r = ts_error_set(err, TS_ERR_UNPROCESSABLE, "unexpected_mask_values",
					 "%.200s: the %s mask holds the value %d, which is neither 0 "
					 "nor a category id; nothing was imported.",
					 e->name, m.kind == TS_MASK_PALETTE ? "palette" : "16-bit",
					 labels[i].label);
			goto out;
		}
		ts_import_plan_refuse(p, e->name, "unknown_category",
				      "the value %d names no active category of the project",
				      labels[i].label);
		goto out;
	}
	a->entry = ts_xstrdup(e->name);
	for (size_t i = 0; i < nl && !r; i++) {
		int refused = 0;

		r = trace_into(p, &m, labels[i].label, labels[i].x0, labels[i].y0, labels[i].w,
			       labels[i].h, 0, labels[i].label, a, e->name, &refused, err);
		if (refused) {
			/* One label of the mask cannot be imported: none is. */
			json_decref(a->objects);
			a->objects = NULL;
			break;
		}
	}
out:
	free(labels);
	ts_mask_release(&m);
	return r;
}

static enum ts_err class_masks(struct ts_import_plan *p, struct ts_import_archive *ar,
			       struct ts_error *err)
{
	const struct ts_import_entry *e;
	size_t n;
	enum ts_err r = TS_OK;

	e = ts_import_archive_entries(ar, &n);
	for (size_t i = 0; i < n && !r; i++) {
		if (e[i].dir || !ends_with(e[i].name, ".png"))
			continue;
		r = class_mask(p, ar, &e[i], err);
		step(p);
	}
	return r;
}

static enum ts_err instance_masks(struct ts_import_plan *p, struct ts_import_archive *ar,
				  struct ts_error *err)
{
	const struct ts_import_entry *e, *csv = NULL;
	struct ts_csv_rows rows = { 0 };
	char *text = NULL;
	size_t n, len;
	enum ts_err r;

	e = ts_import_archive_entries(ar, &n);
	for (size_t i = 0; i < n && !csv; i++)
		if (!e[i].dir && ends_with(e[i].name, ".csv"))
			csv = &e[i];
	r = ts_import_archive_read(ar, csv, TS_CSV_MAX_BYTES, &text, &len, err);
	if (!r)
		r = ts_csv_parse(text, len, &rows, err);
	free(text);
	if (!r)
		p->steps += (int64_t)rows.n;
	for (size_t i = 0; i < rows.n && !r; i++) {
		const struct ts_csv_row *row = &rows.rows[i];
		const struct ts_import_entry *me;
		char where[64];
		struct ts_mask m;
		long idx;
		int skip;

		step(p);
		snprintf(where, sizeof(where), "line %zu", row->line);
		if (row->bad[0]) {
			ts_import_plan_refuse(p, where, "bad_row", "%s", row->bad);
			continue;
		}
		me = ts_import_archive_find(ar, row->mask);
		if (!me || me->dir) {
			ts_import_plan_refuse(p, where, "missing_mask", "the zip holds no file %s",
					      row->mask);
			continue;
		}
		idx = match_name(p, row->image);
		if (idx < 0) {
			ts_import_plan_refuse(p, where, idx == -2 ? "ambiguous_image" : "unknown_image",
					      "%s image is named %s",
					      idx == -2 ? "more than one" : "no", row->image);
			continue;
		}
		if (!category_known(p, row->category_id)) {
			ts_import_plan_refuse(p, where, "unknown_category",
					      "the category %lld is not an active category of the "
					      "project",
					      (long long)row->category_id);
			continue;
		}
		r = read_mask(p, ar, me, &p->assets[idx], &m, &skip, err);
		if (r || skip)
			continue;
		{
			struct ts_trace_label *labels = NULL;
			size_t nl = 0;

			ts_trace_labels(m.pix, (size_t)m.width * (size_t)m.bytes_per_pixel,
					m.bytes_per_pixel, m.width, m.height, &labels, &nl);
			if (nl == 0)
				ts_import_plan_refuse(p, me->name, "empty_mask",
						      "the mask holds no object pixel");
			else {
				int refused = 0;

				r = trace_into(p, &m, -1, 0, 0, m.width, m.height, 1,
					       row->category_id, &p->assets[idx], me->name, &refused,
					       err);
			}
			free(labels);
		}
		ts_mask_release(&m);
	}
	ts_csv_release(&rows);
	return r;
}

/* The polygons of a COCO object into JSON (checked later like any
 * payload). */
static json_t *coco_polygons(const struct ts_coco_object *o)
{
	json_t *polys = json_array();
	size_t k = 0;

	for (size_t r = 0; r < o->nrings; r++) {
		json_t *ring = json_array();

		for (size_t i = 0; i < 2 * o->ring_n[r]; i++)
			json_array_append_new(ring, json_real(o->xy[k++]));
		json_array_append_new(polys, ring);
	}
	return polys;
}

/* A COCO RLE object: decoded to its mask, which must be its image's size,
 * and traced into one object. */
static enum ts_err coco_rle(struct ts_import_plan *p, struct ts_import_asset *a,
			    const struct ts_coco_object *o, const char *where, struct ts_error *err)
{
	struct ts_error rerr = { 0 };
	struct ts_rle rle = { 0 };
	struct ts_mask m = { 0 };
	enum ts_err r = TS_OK, d;
	int refused = 0;

	if (o->rle_h > a->height || o->rle_w > a->width)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "mask_too_large",
				    "%.200s: its RLE is %lldx%lld pixels, larger than its image "
				    "(%lldx%lld).",
				    where, (long long)o->rle_w, (long long)o->rle_h, (long long)a->width,
				    (long long)a->height);
	if (o->rle_h != a->height || o->rle_w != a->width) {
		ts_import_plan_refuse(p, where, "mask_size_mismatch",
				      "its RLE is %lldx%lld pixels, its image %s is %lldx%lld",
				      (long long)o->rle_w, (long long)o->rle_h, a->name,
				      (long long)a->width, (long long)a->height);
		return TS_OK;
	}
	d = o->counts ? ts_rle_from_counts(o->counts, o->ncounts, o->rle_h, o->rle_w, &rle, &rerr) :
			ts_rle_from_string(o->counts_str, strlen(o->counts_str), o->rle_h, o->rle_w,
					   &rle, &rerr);
	if (d) {
		ts_import_plan_refuse(p, where, "bad_annotation", "%s", rerr.message);
		goto out;
	}
	if (ts_rle_area(&rle) == 0) {
		ts_import_plan_refuse(p, where, "empty_mask", "the RLE sets no pixel");
		goto out;
	}
	m.width = (int)o->rle_w;
	m.height = (int)o->rle_h;
	m.bytes_per_pixel = 1;
	m.kind = TS_MASK_GREY;
	m.budget = p->budget;
	m.held = ts_media_budget_take(p->budget, (uint64_t)m.width * (uint64_t)m.height);
	m.pix = ts_xmalloc((size_t)m.width * (size_t)m.height);
	ts_rle_decode(&rle, m.pix);
	r = trace_into(p, &m, -1, 0, 0, m.width, m.height, 1, o->category_id, a, where, &refused,
		       err);
out:
	ts_mask_release(&m);
	ts_rle_release(&rle);
	ts_error_release(&rerr);
	return r;
}

/* The project's category for a COCO category id: by name when the file
 * lists its categories (another project's ids mean nothing here), else the
 * id itself. 0: none; -1: the file names it, but no category has that
 * name. */
static int64_t coco_category(const struct ts_import_plan *p, const struct ts_coco *c, int64_t id)
{
	if (!c->ncategories)
		return category_known(p, id) ? id : 0;
	for (size_t i = 0; i < c->ncategories; i++) {
		if (c->categories[i].id != id)
			continue;
		for (size_t k = 0; k < p->ncategories; k++)
			if (strcmp(p->category_names[k], c->categories[i].name) == 0)
				return p->categories[k];
		return -1;
	}
	return 0;
}

static enum ts_err coco(struct ts_import_plan *p, struct ts_import_archive *ar,
			struct ts_error *err)
{
	const struct ts_import_entry *e, *json = NULL;
	struct ts_coco c = { 0 };
	long *image_asset = NULL;
	char *text = NULL;
	size_t n, len;
	enum ts_err r;

	e = ts_import_archive_entries(ar, &n);
	for (size_t i = 0; i < n && !json; i++)
		if (!e[i].dir && strcmp(ts_import_basename(e[i].name), "annotations.json") == 0)
			json = &e[i];
	r = ts_import_archive_read(ar, json, TS_COCO_MAX_BYTES, &text, &len, err);
	if (!r)
		r = ts_coco_parse(text, len, &c, err);
	free(text);
	if (r)
		goto out;
	if (c.points > TS_IMPORT_MAX_POINTS) {
		r = ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_points",
				 "annotations.json holds more than %d polygon points.",
				 TS_IMPORT_MAX_POINTS);
		goto out;
	}
	p->points = c.points;
	p->steps += (int64_t)c.nobjects;
	image_asset = ts_xmalloc((c.nimages + 1) * sizeof(*image_asset));
	for (size_t i = 0; i < c.nimages; i++) {
		long idx = match_sha(p, c.images[i].sha256);

		if (idx < 0)
			idx = match_name(p, c.images[i].file_name);
		image_asset[i] = idx;
	}
	for (size_t i = 0; i < c.nobjects && !r; i++) {
		const struct ts_coco_object *o = &c.objects[i];
		char where[64];
		size_t im = c.nimages;
		int64_t cat;

		step(p);
		snprintf(where, sizeof(where), "annotations[%zu] (id %lld)", i, (long long)o->id);
		if (o->bad[0]) {
			ts_import_plan_refuse(p, where, "bad_annotation", "%s", o->bad);
			continue;
		}
		for (size_t k = 0; k < c.nimages; k++)
			if (c.images[k].id == o->image_id) {
				im = k;
				break;
			}
		if (im == c.nimages) {
			ts_import_plan_refuse(p, where, "unknown_image",
					      "image_id %lld is not in the file's images",
					      (long long)o->image_id);
			continue;
		}
		if (image_asset[im] < 0) {
			ts_import_plan_refuse(p, where,
					      image_asset[im] == -2 ? "ambiguous_image" : "unknown_image",
					      "%s image of the project matches %s",
					      image_asset[im] == -2 ? "more than one" : "no",
					      c.images[im].file_name);
			continue;
		}
		cat = coco_category(p, &c, o->category_id);
		if (cat <= 0) {
			ts_import_plan_refuse(p, where, "unknown_category",
					      "the category %lld%s is not an active category of the "
					      "project",
					      (long long)o->category_id,
					      cat < 0 ? " (by its name in the file)" : "");
			continue;
		}
		((struct ts_coco_object *)o)->category_id = cat;
		if (o->is_rle) {
			r = coco_rle(p, &p->assets[image_asset[im]], o, where, err);
			continue;
		}
		{
			json_t *obj = object_json(o->category_id, coco_polygons(o));
			char why[TS_ERROR_MSG_MAX];

			if (object_ok(&p->assets[image_asset[im]], obj, why, sizeof(why))) {
				ts_import_plan_refuse(p, where, "invalid_polygon", "%s", why);
				json_decref(obj);
				continue;
			}
			add_object(&p->assets[image_asset[im]], obj, json->name);
		}
	}
out:
	free(image_asset);
	ts_coco_release(&c);
	return r;
}

enum ts_err ts_import_plan_read(struct ts_import_plan *p, struct ts_import_archive *a,
				struct ts_error *err)
{
	if (strcmp(p->format, "coco") == 0)
		return coco(p, a, err);
	if (strcmp(p->format, "instance_masks") == 0)
		return instance_masks(p, a, err);
	{
		const struct ts_import_entry *e;
		size_t n;

		e = ts_import_archive_entries(a, &n);
		for (size_t i = 0; i < n; i++)
			p->steps += !e[i].dir && ends_with(e[i].name, ".png");
	}
	return class_masks(p, a, err);
}
