#include "import/coco.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/banned.h"

#define MAX_ID 9007199254740991LL

void ts_coco_release(struct ts_coco *c)
{
	for (size_t i = 0; c->images && i < c->nimages; i++)
		free(c->images[i].file_name);
	for (size_t i = 0; c->objects && i < c->nobjects; i++) {
		free(c->objects[i].xy);
		free(c->objects[i].ring_n);
		free(c->objects[i].counts);
		free(c->objects[i].counts_str);
	}
	for (size_t i = 0; c->categories && i < c->ncategories; i++)
		free(c->categories[i].name);
	free(c->categories);
	free(c->images);
	free(c->objects);
	memset(c, 0, sizeof(*c));
}

static int id_of(const json_t *v, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > MAX_ID)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static void set_bad(struct ts_coco_object *o, const char *why)
{
	snprintf(o->bad, sizeof(o->bad), "%s", why);
}

/* Polygons: an array of rings, each a flat array of an even number (>= 6)
 * of finite numbers. Counts points against the file's total first. */
static enum ts_err read_polygons(const json_t *seg, struct ts_coco_object *o, size_t *points,
				 struct ts_error *err)
{
	size_t nrings = json_array_size(seg), total = 0, i, k = 0;
	json_t *ring, *v;

	json_array_foreach(seg, i, ring) {
		if (!json_is_array(ring) || json_array_size(ring) < 6 ||
		    json_array_size(ring) % 2) {
			set_bad(o, "a polygon is not a flat array of at least 3 points (x, y ...)");
			return TS_OK;
		}
		total += json_array_size(ring) / 2;
		if (*points + total > TS_COCO_MAX_POINTS)
			return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_points",
					    "annotations.json holds more than %d polygon points; an "
					    "import takes at most that many.",
					    TS_COCO_MAX_POINTS);
	}
	if (nrings == 0) {
		set_bad(o, "the segmentation holds no polygon");
		return TS_OK;
	}
	o->xy = ts_xmalloc(2 * total * sizeof(*o->xy));
	o->ring_n = ts_xmalloc(nrings * sizeof(*o->ring_n));
	json_array_foreach(seg, i, ring) {
		size_t j;

		o->ring_n[i] = json_array_size(ring) / 2;
		json_array_foreach(ring, j, v) {
			double d = json_number_value(v);

			if (!json_is_number(v) || !isfinite(d)) {
				set_bad(o, "a polygon holds something other than numbers");
				return TS_OK;
			}
			o->xy[k++] = d;
		}
	}
	o->nrings = nrings;
	*points += total;
	return TS_OK;
}

static void read_rle(const json_t *seg, struct ts_coco_object *o)
{
	const json_t *size = json_object_get(seg, "size"), *counts = json_object_get(seg, "counts");
	int64_t h, w;

	o->is_rle = 1;
	if (!json_is_array(size) || json_array_size(size) != 2 ||
	    id_of(json_array_get(size, 0), &h) || id_of(json_array_get(size, 1), &w) || !h || !w) {
		set_bad(o, "the RLE's size is not [height, width]");
		return;
	}
	o->rle_h = h;
	o->rle_w = w;
	if (json_is_string(counts)) {
		o->counts_str = ts_xstrndup(json_string_value(counts), json_string_length(counts));
		return;
	}
	if (!json_is_array(counts) || json_array_size(counts) == 0 ||
	    json_array_size(counts) > (size_t)(h * w + 1 > 0 ? h * w + 1 : 1)) {
		set_bad(o, "the RLE's counts are not a string nor an array of integers");
		return;
	}
	o->counts = ts_xmalloc(json_array_size(counts) * sizeof(*o->counts));
	for (size_t i = 0; i < json_array_size(counts); i++) {
		if (id_of(json_array_get(counts, i), &o->counts[i])) {
			set_bad(o, "the RLE's counts are not a string nor an array of integers");
			return;
		}
	}
	o->ncounts = json_array_size(counts);
}

static enum ts_err read_object(const json_t *a, struct ts_coco_object *o, size_t *points,
			       struct ts_error *err)
{
	const json_t *seg = json_object_get(a, "segmentation");

	memset(o, 0, sizeof(*o));
	id_of(json_object_get(a, "id"), &o->id);
	if (!json_is_object(a)) {
		set_bad(o, "an annotation is not an object");
		return TS_OK;
	}
	if (id_of(json_object_get(a, "image_id"), &o->image_id)) {
		set_bad(o, "the annotation has no integer image_id");
		return TS_OK;
	}
	if (id_of(json_object_get(a, "category_id"), &o->category_id) || o->category_id == 0) {
		set_bad(o, "the annotation has no category_id (a positive integer)");
		return TS_OK;
	}
	/* A Tessera export writes an object with holes as RLE with its exact
	 * rings beside it, in "polygons": those are read then. */
	if (json_is_object(seg) && json_is_array(json_object_get(a, "polygons")))
		seg = json_object_get(a, "polygons");
	if (json_is_array(seg))
		return read_polygons(seg, o, points, err);
	if (json_is_object(seg)) {
		read_rle(seg, o);
		return TS_OK;
	}
	set_bad(o, "the annotation has no segmentation (polygons or RLE)");
	return TS_OK;
}

static enum ts_err read_image(const json_t *im, size_t i, struct ts_coco_image *out,
			      struct ts_error *err)
{
	const json_t *name = json_object_get(im, "file_name");
	const json_t *sha = json_object_get(im, "checksum_sha256");

	if (!json_is_object(im) || id_of(json_object_get(im, "id"), &out->id) ||
	    !json_is_string(name) || json_string_length(name) == 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_json",
				    "annotations.json: images[%zu] needs an integer id and a "
				    "file_name.",
				    i);
	out->file_name = ts_xstrndup(json_string_value(name), json_string_length(name));
	if (json_is_string(sha) && json_string_length(sha) == 64)
		memcpy(out->sha256, json_string_value(sha), 65);
	out->width = json_is_integer(json_object_get(im, "width")) ?
			     json_integer_value(json_object_get(im, "width")) : 0;
	out->height = json_is_integer(json_object_get(im, "height")) ?
			      json_integer_value(json_object_get(im, "height")) : 0;
	return TS_OK;
}

enum ts_err ts_coco_parse(const char *text, size_t len, struct ts_coco *out,
			  struct ts_error *err)
{
	const json_t *images, *anns, *cats, *v;
	json_error_t jerr;
	json_t *root;
	enum ts_err e = TS_OK;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len > TS_COCO_MAX_BYTES)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "entry_too_large",
				    "annotations.json holds more than %u bytes.", TS_COCO_MAX_BYTES);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_json",
				    "annotations.json is not JSON: %s at line %d.", jerr.text,
				    jerr.line);
	images = json_object_get(root, "images");
	anns = json_object_get(root, "annotations");
	if (!json_is_array(images) || !json_is_array(anns)) {
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_json",
				 "annotations.json must be a COCO object with \"images\" and "
				 "\"annotations\" arrays.");
		goto out;
	}
	if (json_array_size(images) > TS_COCO_MAX_OBJECTS ||
	    json_array_size(anns) > TS_COCO_MAX_OBJECTS) {
		e = ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_objects",
				 "annotations.json holds more than %d images or annotations.",
				 TS_COCO_MAX_OBJECTS);
		goto out;
	}
	cats = json_object_get(root, "categories");
	if (json_is_array(cats) && json_array_size(cats) <= TS_COCO_MAX_OBJECTS) {
		out->categories = ts_xcalloc(json_array_size(cats) + 1, sizeof(*out->categories));
		json_array_foreach(cats, i, v) {
			const json_t *name = json_object_get(v, "name");
			struct ts_coco_category *c = &out->categories[out->ncategories];

			if (id_of(json_object_get(v, "id"), &c->id) || !json_is_string(name))
				continue;
			c->name = ts_xstrndup(json_string_value(name), json_string_length(name));
			out->ncategories++;
		}
	}
	out->images = ts_xcalloc(json_array_size(images) + 1, sizeof(*out->images));
	json_array_foreach(images, i, v) {
		e = read_image(v, i, &out->images[i], err);
		if (e)
			goto out;
		out->nimages++;
	}
	out->objects = ts_xcalloc(json_array_size(anns) + 1, sizeof(*out->objects));
	json_array_foreach(anns, i, v) {
		e = read_object(v, &out->objects[i], &out->points, err);
		out->nobjects++;
		if (e)
			goto out;
	}
out:
	json_decref(root);
	return e;
}
