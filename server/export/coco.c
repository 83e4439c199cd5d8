#include "export/coco.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/status.h"
#include "hash/sha256.h"
#include "core/banned.h"

#define CODE "invalid_export"

/* A status an exported annotation may carry: any but unlabeled. */
static int annotated_status(const char *name)
{
	enum ts_status st;

	return ts_status_parse(name, &st) == 0 && st != TS_STATUS_UNLABELED;
}

static int known_status(const char *name)
{
	enum ts_status st;

	return ts_status_parse(name, &st) == 0;
}

int ts_coco_file_name_ok(const char *s)
{
	size_t n;

	if (!s || !*s || *s == '.')
		return 0;
	for (n = 0; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return n <= 255;
}

static int str_ok(const char *s)
{
	return s && ts_utf8_count(s, strlen(s)) >= 0;
}

/* --- string escaping -------------------------------------------------- */

/* jansson's json_dumps escaping (uppercase hex for \u00XX), used for
 * annotations.json. python != 0 gives Python json.dumps' escaping
 * (lowercase hex), used for categories_hash. Input is valid UTF-8. */
static enum ts_err add_string(struct ts_buf *b, const char *s, int python)
{
	enum ts_err e;
	const char *run = s;

	e = ts_buf_add(b, "\"", 1);
	for (const char *p = s; !e && *p; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];
		const char *text = NULL;

		switch (c) {
		case '"': text = "\\\""; break;
		case '\\': text = "\\\\"; break;
		case '\b': text = "\\b"; break;
		case '\f': text = "\\f"; break;
		case '\n': text = "\\n"; break;
		case '\r': text = "\\r"; break;
		case '\t': text = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(esc, sizeof(esc), python ? "\\u%04x" : "\\u%04X", c);
				text = esc;
			}
		}
		if (!text)
			continue;
		e = ts_buf_add(b, run, (size_t)(p - run));
		if (!e)
			e = ts_buf_adds(b, text);
		run = p + 1;
	}
	if (!e)
		e = ts_buf_adds(b, run);
	if (!e)
		e = ts_buf_add(b, "\"", 1);
	return e;
}

/* "key": string (no leading comma) */
static enum ts_err add_kv_str(struct ts_buf *b, const char *key, const char *v)
{
	enum ts_err e = ts_buf_addf(b, "\"%s\":", key);

	return e ? e : add_string(b, v, 0);
}

/* --- sorting ---------------------------------------------------------- */

static int cmp_image(const void *a, const void *b)
{
	const struct ts_coco_image *x = *(const struct ts_coco_image *const *)a;
	const struct ts_coco_image *y = *(const struct ts_coco_image *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_annotation(const void *a, const void *b)
{
	const struct ts_coco_annotation *x = *(const struct ts_coco_annotation *const *)a;
	const struct ts_coco_annotation *y = *(const struct ts_coco_annotation *const *)b;

	if (x->image_id != y->image_id)
		return (x->image_id > y->image_id) - (x->image_id < y->image_id);
	if (x->category_id != y->category_id)
		return (x->category_id > y->category_id) - (x->category_id < y->category_id);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int is_segmentation(const struct ts_coco_dataset *ds)
{
	return strcmp(ds->task_type, "segmentation") == 0;
}

/* The task types whose annotations are objects with a bbox. */
static int is_detection(const struct ts_coco_dataset *ds)
{
	return strcmp(ds->task_type, "detection") == 0 || is_segmentation(ds);
}

const char *ts_coco_schema_version(const char *task_type)
{
	if (task_type && strcmp(task_type, "segmentation") == 0)
		return TS_COCO_SCHEMA_VERSION_1_4;
	return task_type && strcmp(task_type, "classification_single") == 0
		       ? TS_COCO_SCHEMA_VERSION
		       : TS_COCO_SCHEMA_VERSION_1_1;
}

const char *ts_coco_dataset_schema_version(const struct ts_coco_dataset *ds)
{
	if (ds->imagefolder)
		return TS_COCO_SCHEMA_VERSION_1_3;
	/* 1.4.0 holds 1.2.0's split. */
	if (is_segmentation(ds))
		return TS_COCO_SCHEMA_VERSION_1_4;
	return ds->split ? TS_COCO_SCHEMA_VERSION_1_2 : ts_coco_schema_version(ds->task_type);
}

/* A number as jansson prints a real ("%.17g", with ".0" when it reads
 * as an integer), so Python's json reads back the same double. */
static enum ts_err add_real(struct ts_buf *b, double v)
{
	char text[40];

	snprintf(text, sizeof(text), "%.17g", v);
	return ts_buf_addf(b, "%s%s", text, strpbrk(text, ".eE") ? "" : ".0");
}

static int cmp_category(const void *a, const void *b)
{
	const struct ts_coco_category *x = *(const struct ts_coco_category *const *)a;
	const struct ts_coco_category *y = *(const struct ts_coco_category *const *)b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Sorted views (arrays of pointers into the caller's arrays). */
struct sorted {
	const struct ts_coco_image **images;
	const struct ts_coco_annotation **annotations;
	const struct ts_coco_category **categories;
};

static void sorted_release(struct sorted *s)
{
	free(s->images);
	free(s->annotations);
	free(s->categories);
}

static const struct ts_coco_category **sort_categories(const struct ts_coco_category *c,
							size_t n)
{
	const struct ts_coco_category **v = ts_xcalloc(n, sizeof(*v));

	for (size_t i = 0; i < n; i++)
		v[i] = &c[i];
	qsort(v, n, sizeof(*v), cmp_category);
	return v;
}

static const struct ts_coco_image *find_image(const struct sorted *s, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->images[mid]->id == id)
			return s->images[mid];
		if (s->images[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Index of category id in the sorted view, or n when absent. */
static size_t find_category(const struct sorted *s, size_t n, int64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->categories[mid]->id == id)
			return mid;
		if (s->categories[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

static int name_ok(const char *name)
{
	size_t chars = 0;

	if (!str_ok(name))
		return 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			return 0;
		if ((*p & 0xC0) != 0x80)
			chars++;
	}
	return chars >= 1 && chars <= 100;
}

static enum ts_err check_image(const struct ts_coco_image *im, struct ts_error *err)
{
	const char *why = NULL;

	if (im->id < 1)
		why = "id must be >= 1";
	else if (!ts_coco_file_name_ok(im->file_name))
		why = "unsafe or empty file_name";
	else if (im->width < 1 || im->height < 1)
		why = "width and height must be >= 1";
	else if (!str_ok(im->mime_type) || strncmp(im->mime_type, "image/", 6))
		why = "mime_type must be image/...";
	else if (!im->checksum_sha256 || !ts_sha256_is_hex(im->checksum_sha256))
		why = "checksum_sha256 must be 64 lowercase hex digits";
	else if (!str_ok(im->original_file_name))
		why = "original_file_name missing or not UTF-8";
	else if (im->source_type != TS_COCO_SOURCE_IMAGE &&
		 im->source_type != TS_COCO_SOURCE_VIDEO_FRAME)
		why = "unknown source type";
	else if (im->source_type == TS_COCO_SOURCE_VIDEO_FRAME &&
		 (im->video_id < 1 || !str_ok(im->video_file_name) ||
		  im->frame_index < 0 || im->timestamp_ms < 0))
		why = "bad video_frame source";
	if (why)
		return ts_error_set(err, TS_ERR_INVALID, CODE, "image %lld: %s",
				    (long long)im->id, why);
	return TS_OK;
}

/* Sorts ds into s and checks it. */
static enum ts_err prepare(const struct ts_coco_dataset *ds, struct sorted *s,
			   struct ts_error *err)
{
	size_t i;
	int single;

	memset(s, 0, sizeof(*s));
	if (!ds->task_type || (strcmp(ds->task_type, "classification_single") &&
			       strcmp(ds->task_type, "classification_multi") &&
			       strcmp(ds->task_type, "detection") &&
			       strcmp(ds->task_type, "segmentation")))
		return ts_error_set(err, TS_ERR_INVALID, CODE, "unsupported task_type");
	single = strcmp(ds->task_type, "classification_single") == 0;
	if ((ds->n_images && !ds->images) || (ds->n_annotations && !ds->annotations) ||
	    (ds->n_categories && !ds->categories))
		return ts_error_set(err, TS_ERR_INVALID, CODE, "NULL array");

	s->images = ts_xcalloc(ds->n_images, sizeof(*s->images));
	for (i = 0; i < ds->n_images; i++)
		s->images[i] = &ds->images[i];
	qsort(s->images, ds->n_images, sizeof(*s->images), cmp_image);
	s->annotations = ts_xcalloc(ds->n_annotations, sizeof(*s->annotations));
	for (i = 0; i < ds->n_annotations; i++)
		s->annotations[i] = &ds->annotations[i];
	qsort(s->annotations, ds->n_annotations, sizeof(*s->annotations), cmp_annotation);
	s->categories = sort_categories(ds->categories, ds->n_categories);

	for (i = 0; i < ds->n_images; i++) {
		enum ts_err e = check_image(s->images[i], err);

		if (e)
			return e;
		if (i && s->images[i]->id == s->images[i - 1]->id)
			return ts_error_set(err, TS_ERR_INVALID, CODE, "image %lld: duplicate id",
					    (long long)s->images[i]->id);
	}
	for (i = 0; i < ds->n_categories; i++) {
		const struct ts_coco_category *c = s->categories[i];

		if (c->id < 1 || !name_ok(c->name) ||
		    (c->supercategory && !str_ok(c->supercategory)))
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "category %lld: bad id, name or supercategory",
					    (long long)c->id);
		if (i && c->id == s->categories[i - 1]->id)
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "category %lld: duplicate id", (long long)c->id);
	}
	for (i = 0; i < ds->n_annotations; i++) {
		const struct ts_coco_annotation *a = s->annotations[i];

		if (!find_image(s, ds->n_images, a->image_id))
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "annotation on unknown image %lld",
					    (long long)a->image_id);
		if (find_category(s, ds->n_categories, a->category_id) == ds->n_categories)
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "image %lld: annotation with unknown category %lld",
					    (long long)a->image_id, (long long)a->category_id);
		if (!a->status || !annotated_status(a->status))
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "image %lld: bad annotation status",
					    (long long)a->image_id);
		if (a->labeled_by && !str_ok(a->labeled_by))
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "image %lld: labeled_by is not UTF-8",
					    (long long)a->image_id);
		if (!a->has_bbox != !is_detection(ds))
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "image %lld: a box in a %s export, or none in detection",
					    (long long)a->image_id, ds->task_type);
		if (!a->rings != !is_segmentation(ds))
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "image %lld: polygons in a %s export, or none in "
					    "segmentation",
					    (long long)a->image_id, ds->task_type);
		if (a->rings) {
			const struct ts_coco_image *im = find_image(s, ds->n_images, a->image_id);
			size_t r, o;

			if (ts_polygon_object_check(a->rings, a->nrings, &r, &o) || !a->nrings)
				return ts_error_set(err, TS_ERR_INVALID, CODE,
						    "image %lld: an object's ring %zu is not valid",
						    (long long)a->image_id, r);
			for (r = 0; r < a->nrings; r++)
				for (size_t k = 0; k < 2 * a->rings[r].n; k++) {
					double v = a->rings[r].xy[k];

					if (!(v >= 0) ||
					    v > (double)(k % 2 ? im->height : im->width))
						return ts_error_set(
							err, TS_ERR_INVALID, CODE,
							"image %lld: a polygon not inside the image",
							(long long)a->image_id);
				}
		}
		if (a->has_bbox) {
			const struct ts_coco_image *im = find_image(s, ds->n_images, a->image_id);
			const double *bb = a->bbox;

			if (!(bb[2] > 0) || !(bb[3] > 0) || !(bb[0] >= 0) || !(bb[1] >= 0) ||
			    bb[0] + bb[2] > (double)im->width || bb[1] + bb[3] > (double)im->height)
				return ts_error_set(err, TS_ERR_INVALID, CODE,
						    "image %lld: a box not inside the image",
						    (long long)a->image_id);
		}
		if (i && a->image_id == s->annotations[i - 1]->image_id && !is_detection(ds) &&
		    (single || a->category_id == s->annotations[i - 1]->category_id))
			return ts_error_set(err, TS_ERR_INVALID, CODE,
					    "image %lld: more than one annotation",
					    (long long)a->image_id);
	}
	if (single && ds->n_annotations != ds->n_images)
		return ts_error_set(err, TS_ERR_INVALID, CODE,
				    "%zu images but %zu annotations: every image needs exactly one",
				    ds->n_images, ds->n_annotations);
	return TS_OK;
}

/* --- annotations.json -------------------------------------------------- */

/* [[x1, y1, ...], ...] */
static enum ts_err write_rings(struct ts_buf *b, const struct ts_ring *rings, size_t nrings)
{
	enum ts_err e = ts_buf_adds(b, "[");

	for (size_t r = 0; !e && r < nrings; r++) {
		e = ts_buf_adds(b, r ? ",[" : "[");
		for (size_t k = 0; !e && k < 2 * rings[r].n; k++) {
			if (k)
				e = ts_buf_adds(b, ",");
			if (!e)
				e = add_real(b, rings[r].xy[k]);
		}
		if (!e)
			e = ts_buf_adds(b, "]");
	}
	return e ? e : ts_buf_adds(b, "]");
}

/* A segmentation object's "segmentation" (and "polygons" after an RLE). */
static enum ts_err write_segmentation(struct ts_buf *b, const struct ts_coco_annotation *a,
				      const struct ts_coco_image *im)
{
	struct ts_rle rle;
	char *counts;
	enum ts_err e;

	if (!ts_polygon_has_holes(a->rings, a->nrings)) {
		e = ts_buf_adds(b, "\"segmentation\":");
		return e ? e : write_rings(b, a->rings, a->nrings);
	}
	ts_rle_from_object(a->rings, a->nrings, im->height, im->width, &rle);
	counts = ts_rle_to_string(&rle);
	/* The counts string holds only '0' to 'o' but '\\': escape it. */
	e = ts_buf_addf(b, "\"segmentation\":{\"size\":[%lld,%lld],", (long long)im->height,
			(long long)im->width);
	if (!e)
		e = add_kv_str(b, "counts", counts);
	if (!e)
		e = ts_buf_adds(b, "},\"polygons\":");
	if (!e)
		e = write_rings(b, a->rings, a->nrings);
	free(counts);
	ts_rle_release(&rle);
	return e;
}

static enum ts_err write_image(struct ts_buf *b, const struct ts_coco_image *im,
			       const struct ts_split *split)
{
	enum ts_err e;

	e = ts_buf_addf(b, "{\"id\":%lld,", (long long)im->id);
	if (!e)
		e = add_kv_str(b, "file_name", im->file_name);
	if (!e)
		e = ts_buf_addf(b, ",\"width\":%lld,\"height\":%lld,",
				(long long)im->width, (long long)im->height);
	if (!e)
		e = add_kv_str(b, "mime_type", im->mime_type);
	if (!e)
		e = ts_buf_adds(b, ",");
	if (!e)
		e = add_kv_str(b, "checksum_sha256", im->checksum_sha256);
	if (!e)
		e = ts_buf_adds(b, ",");
	if (!e)
		e = add_kv_str(b, "original_file_name", im->original_file_name);
	if (e)
		return e;
	if (im->source_type == TS_COCO_SOURCE_IMAGE) {
		e = ts_buf_adds(b, ",\"source\":{\"type\":\"image\"}");
	} else {
		e = ts_buf_addf(b, ",\"source\":{\"type\":\"video_frame\",\"video_id\":%lld,",
				(long long)im->video_id);
		if (!e)
			e = add_kv_str(b, "video_file_name", im->video_file_name);
		if (!e)
			e = ts_buf_addf(b, ",\"frame_index\":%lld,\"timestamp_ms\":%lld}",
					(long long)im->frame_index, (long long)im->timestamp_ms);
	}
	if (!e && split)
		e = ts_buf_addf(b, ",\"split\":\"%s\"",
				ts_split_name(ts_split_of(split, im->checksum_sha256)));
	if (!e)
		e = ts_buf_adds(b, "}");
	return e;
}

/* info.split: {"seed":...,"train":...,"val":...,"test":...}. */
static enum ts_err write_split(struct ts_buf *b, const struct ts_split *split)
{
	enum ts_err e = ts_buf_adds(b, ",\"split\":{");

	if (!e)
		e = add_kv_str(b, "seed", split->seed);
	if (!e)
		e = ts_buf_adds(b, ",\"train\":");
	if (!e)
		e = add_real(b, split->train);
	if (!e)
		e = ts_buf_adds(b, ",\"val\":");
	if (!e)
		e = add_real(b, split->val);
	if (!e)
		e = ts_buf_adds(b, ",\"test\":");
	if (!e)
		e = add_real(b, split->test);
	if (!e)
		e = ts_buf_adds(b, "}");
	return e;
}

enum ts_err ts_coco_write_annotations(const struct ts_coco_dataset *ds,
				      struct ts_buf *out, struct ts_error *err)
{
	struct sorted s;
	enum ts_err e;
	size_t i;

	e = prepare(ds, &s, err);
	if (e)
		goto out;
	e = ts_buf_adds(out, "{\"info\":{");
	if (!e)
		e = add_kv_str(out, "schema_version", ts_coco_dataset_schema_version(ds));
	if (!e)
		e = ts_buf_adds(out, ",");
	if (!e)
		e = add_kv_str(out, "task_type", ds->task_type);
	if (!e && ds->split)
		e = write_split(out, ds->split);
	if (!e && ds->imagefolder)
		e = ts_buf_adds(out, ",\"layout\":\"imagefolder\"");
	if (!e)
		e = ts_buf_adds(out, "},\"licenses\":[],\"images\":[");
	for (i = 0; !e && i < ds->n_images; i++) {
		if (i)
			e = ts_buf_adds(out, ",");
		if (!e)
			e = write_image(out, s.images[i], ds->split);
	}
	if (!e)
		e = ts_buf_adds(out, "],\"annotations\":[");
	for (i = 0; !e && i < ds->n_annotations; i++) {
		const struct ts_coco_annotation *a = s.annotations[i];

		e = ts_buf_addf(out, "%s{\"id\":%zu,\"image_id\":%lld,\"category_id\":%lld,",
				i ? "," : "", i + 1, (long long)a->image_id,
				(long long)a->category_id);
		/* COCO's box fields, for detection and segmentation only:
		 * classification annotations have no bbox and no segmentation. */
		if (!e && a->rings) {
			e = write_segmentation(out, a, find_image(&s, ds->n_images, a->image_id));
			if (!e)
				e = ts_buf_adds(out, ",");
		}
		for (int k = 0; !e && a->has_bbox && k < 4; k++) {
			e = ts_buf_adds(out, k ? "," : "\"bbox\":[");
			if (!e)
				e = add_real(out, a->bbox[k]);
		}
		if (!e && a->has_bbox) {
			e = ts_buf_adds(out, "],\"area\":");
			if (!e)
				e = add_real(out, a->rings ? ts_polygon_area(a->rings, a->nrings)
							   : a->bbox[2] * a->bbox[3]);
			if (!e)
				e = ts_buf_adds(out, ",\"iscrowd\":0,");
		}
		if (!e)
			e = add_kv_str(out, "status", a->status);
		if (!e)
			e = ts_buf_adds(out, ",");
		if (!e)
			e = add_kv_str(out, "labeled_by", a->labeled_by ? a->labeled_by : "");
		if (!e)
			e = ts_buf_adds(out, "}");
	}
	if (!e)
		e = ts_buf_adds(out, "],\"categories\":[");
	for (i = 0; !e && i < ds->n_categories; i++) {
		const struct ts_coco_category *c = s.categories[i];

		e = ts_buf_addf(out, "%s{\"id\":%lld,", i ? "," : "", (long long)c->id);
		if (!e)
			e = add_kv_str(out, "name", c->name);
		if (!e)
			e = ts_buf_adds(out, ",");
		if (!e)
			e = add_kv_str(out, "supercategory",
				       c->supercategory ? c->supercategory : "none");
		if (!e)
			e = ts_buf_adds(out, "}");
	}
	if (!e)
		e = ts_buf_adds(out, "]}");
	if (e)
		ts_error_set(err, e, "too_large", "annotations.json is over the size limit");
out:
	sorted_release(&s);
	return e;
}

/* --- YOLO labels -------------------------------------------------------- */

enum ts_err ts_coco_yolo_line(struct ts_buf *out, size_t class_index, const double bbox[4],
			      int64_t width, int64_t height)
{
	double w = (double)width, h = (double)height;

	return ts_buf_addf(out, "%zu %.6f %.6f %.6f %.6f\n", class_index,
			   (bbox[0] + bbox[2] / 2) / w, (bbox[1] + bbox[3] / 2) / h, bbox[2] / w,
			   bbox[3] / h);
}

enum ts_err ts_coco_yolo_seg_lines(struct ts_buf *out, size_t class_index,
				   const struct ts_ring *rings, size_t nrings, int64_t width,
				   int64_t height)
{
	enum ts_err e = TS_OK;

	for (size_t r = 0; !e && r < nrings; r++) {
		if (ts_polygon_ring_depth(rings, nrings, r) % 2)
			continue; /* a hole */
		e = ts_buf_addf(out, "%zu", class_index);
		for (size_t k = 0; !e && k < rings[r].n; k++)
			e = ts_buf_addf(out, " %.6f %.6f", rings[r].xy[2 * k] / (double)width,
					rings[r].xy[2 * k + 1] / (double)height);
		if (!e)
			e = ts_buf_adds(out, "\n");
	}
	return e;
}

int ts_coco_yolo_name(const char *file_name, char *out, size_t len)
{
	const char *dot = strrchr(file_name, '.');
	int stem = dot ? (int)(dot - file_name) : (int)strlen(file_name);
	int n = snprintf(out, len, "%.*s.txt", stem, file_name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

enum ts_err ts_coco_write_yolo(const struct ts_coco_dataset *ds,
			       enum ts_err (*cb)(void *arg, const struct ts_coco_image *im,
						 const char *text, size_t len,
						 struct ts_error *err),
			       void *arg, struct ts_error *err)
{
	struct sorted s;
	struct ts_buf text;
	size_t j = 0;
	enum ts_err e;

	ts_buf_init(&text, (size_t)1 << 24);
	e = prepare(ds, &s, err);
	for (size_t i = 0; !e && i < ds->n_images; i++) {
		const struct ts_coco_image *im = s.images[i];

		ts_buf_reset(&text);
		for (; !e && j < ds->n_annotations && s.annotations[j]->image_id == im->id; j++) {
			const struct ts_coco_annotation *a = s.annotations[j];
			size_t cls = find_category(&s, ds->n_categories, a->category_id);

			e = a->rings ? ts_coco_yolo_seg_lines(&text, cls, a->rings, a->nrings,
							      im->width, im->height)
				     : ts_coco_yolo_line(&text, cls, a->bbox, im->width, im->height);
		}
		if (e)
			e = ts_error_set(err, e, "too_large", "a label file is over the size limit");
		else
			e = cb(arg, im, text.ptr ? text.ptr : "", text.len, err);
	}
	sorted_release(&s);
	ts_buf_release(&text);
	return e;
}

/* --- categories_hash --------------------------------------------------- */

enum ts_err ts_coco_categories_hash(const struct ts_coco_category *cats, size_t n,
				    char out[TS_COCO_PREFIXED_HASH_SIZE],
				    struct ts_error *err)
{
	const struct ts_coco_category **v = NULL;
	struct ts_buf b;
	char hex[TS_SHA256_HEX_SIZE];
	enum ts_err e = TS_OK;
	size_t i;

	ts_buf_init(&b, (size_t)1 << 30);
	if (n && !cats) {
		e = ts_error_set(err, TS_ERR_INVALID, CODE, "NULL categories");
		goto out;
	}
	v = sort_categories(cats, n);
	e = ts_buf_adds(&b, "[");
	for (i = 0; !e && i < n; i++) {
		if (!str_ok(v[i]->name) || (i && v[i]->id == v[i - 1]->id)) {
			e = ts_error_set(err, TS_ERR_INVALID, CODE,
					 "category %lld: duplicate id or bad name",
					 (long long)v[i]->id);
			goto out;
		}
		e = ts_buf_addf(&b, "%s{\"id\":%lld,\"name\":", i ? "," : "",
				(long long)v[i]->id);
		if (!e)
			e = add_string(&b, v[i]->name, 1);
		if (!e)
			e = ts_buf_adds(&b, "}");
	}
	if (!e)
		e = ts_buf_adds(&b, "]");
	if (e) {
		ts_error_set(err, e, "too_large", "categories are over the size limit");
		goto out;
	}
	ts_sha256_hex(b.ptr, b.len, hex);
	snprintf(out, TS_COCO_PREFIXED_HASH_SIZE, "sha256:%s", hex);
out:
	free(v);
	ts_buf_release(&b);
	return e;
}

/* --- manifest.json ----------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : NULL;
}

/* Sets key to value, failing when value is NULL (bad UTF-8 or NULL input). */
static int put(json_t *obj, const char *key, json_t *value)
{
	if (!value)
		return -1;
	return json_object_set_new(obj, key, value);
}

enum ts_err ts_coco_write_manifest(const struct ts_coco_dataset *ds,
				   const struct ts_coco_manifest_info *info,
				   const char *annotations, size_t annotations_len,
				   struct ts_buf *out, struct ts_error *err)
{
	struct sorted s;
	json_t *root = NULL, *statuses, *cats, *per_category, *counts, *files, *ann;
	char hex[TS_SHA256_HEX_SIZE], prefixed[TS_COCO_PREFIXED_HASH_SIZE];
	char cat_hash[TS_COCO_PREFIXED_HASH_SIZE];
	char key[32];
	int64_t *per = NULL;
	char *text = NULL;
	size_t i;
	int bad = 0;
	enum ts_err e;

	e = prepare(ds, &s, err);
	if (e)
		goto out;
	if (!info || !info->dataset_id || !*info->dataset_id || info->version < 1 ||
	    !info->created_at || (info->n_statuses && !info->statuses) ||
	    info->excluded_deleted_category < 0 || !annotations) {
		e = ts_error_set(err, TS_ERR_INVALID, CODE, "incomplete manifest info");
		goto out;
	}
	for (i = 0; i < info->n_statuses; i++) {
		if (!info->statuses[i] || !known_status(info->statuses[i])) {
			e = ts_error_set(err, TS_ERR_INVALID, CODE, "bad selection status");
			goto out;
		}
	}
	e = ts_coco_categories_hash(ds->categories, ds->n_categories, cat_hash, err);
	if (e)
		goto out;
	ts_sha256_hex(annotations, annotations_len, hex);
	snprintf(prefixed, sizeof(prefixed), "sha256:%s", hex);

	/* prepare() checked that every annotation's category exists. */
	per = ts_xcalloc(ds->n_categories, sizeof(*per));
	for (i = 0; i < ds->n_annotations; i++)
		per[find_category(&s, ds->n_categories, s.annotations[i]->category_id)]++;

	root = json_object();
	bad |= put(root, "schema_version", json_string(ts_coco_dataset_schema_version(ds)));
	bad |= put(root, "dataset_id", str_or_null(info->dataset_id));
	bad |= put(root, "project_name", str_or_null(info->project_name));
	bad |= put(root, "version", json_integer(info->version));
	bad |= put(root, "task_type", json_string(ds->task_type));
	bad |= put(root, "created_at", str_or_null(info->created_at));
	bad |= put(root, "created_by", str_or_null(info->created_by));
	statuses = json_array();
	for (i = 0; i < info->n_statuses; i++)
		json_array_append_new(statuses, json_string(info->statuses[i]));
	if (ds->split)
		bad |= put(root, "selection",
			   json_pack("{s:o, s:{s:s, s:f, s:f, s:f}}", "statuses", statuses, "split",
				     "seed", ds->split->seed, "train", ds->split->train, "val",
				     ds->split->val, "test", ds->split->test));
	else
		bad |= put(root, "selection", json_pack("{s:o}", "statuses", statuses));
	if (ds->imagefolder)
		bad |= put(json_object_get(root, "selection"), "layout", json_string("imagefolder"));
	cats = json_array();
	per_category = json_object();
	for (i = 0; i < ds->n_categories; i++) {
		json_t *c = json_object();

		bad |= put(c, "id", json_integer(s.categories[i]->id));
		bad |= put(c, "name", json_string(s.categories[i]->name));
		bad |= put(c, "class_index", json_integer((json_int_t)i));
		json_array_append_new(cats, c);
		snprintf(key, sizeof(key), "%lld", (long long)s.categories[i]->id);
		bad |= put(per_category, key, json_integer(per[i]));
	}
	bad |= put(root, "categories", cats);
	bad |= put(root, "categories_hash", json_string(cat_hash));
	counts = json_object();
	bad |= put(counts, "images", json_integer((json_int_t)ds->n_images));
	bad |= put(counts, "annotations", json_integer((json_int_t)ds->n_annotations));
	bad |= put(counts, "per_category", per_category);
	if (ds->split) {
		json_int_t parts[3] = { 0, 0, 0 };

		for (i = 0; i < ds->n_images; i++)
			parts[ts_split_of(ds->split, s.images[i]->checksum_sha256)]++;
		bad |= put(counts, "per_split", json_pack("{s:I, s:I, s:I}", "train", parts[0],
							  "val", parts[1], "test", parts[2]));
	}
	bad |= put(counts, "excluded", json_pack("{s:I}", "deleted_category",
						 (json_int_t)info->excluded_deleted_category));
	bad |= put(root, "counts", counts);
	ann = json_pack("{s:s,s:I}", "sha256", hex, "bytes", (json_int_t)annotations_len);
	files = json_object();
	bad |= put(files, "annotations.json", ann);
	bad |= put(root, "files", files);
	bad |= put(root, "hash", json_string(prefixed));
	if (bad) {
		e = ts_error_set(err, TS_ERR_INVALID, CODE,
				 "manifest field missing or not valid UTF-8");
		goto out;
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		ts_die("json_dumps failed on the manifest");
	e = ts_buf_adds(out, text);
	if (!e)
		e = ts_buf_adds(out, "\n");
	if (e)
		ts_error_set(err, e, "too_large", "manifest.json is over the size limit");
out:
	free(text);
	free(per);
	json_decref(root);
	sorted_release(&s);
	return e;
}
