#include "domain/payload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const type_names[TS_PAYLOAD_TYPE_COUNT] = {
	[TS_PAYLOAD_NONE] = NULL,
	[TS_PAYLOAD_CLASSIFICATION] = "classification",
	[TS_PAYLOAD_BOXES] = "boxes",
	[TS_PAYLOAD_POLYGONS] = "polygons",
};

enum ts_payload_type ts_payload_type_for_task(const char *task_type)
{
	if (!task_type)
		return TS_PAYLOAD_NONE;
	if (strcmp(task_type, "classification_single") == 0 ||
	    strcmp(task_type, "classification_multi") == 0)
		return TS_PAYLOAD_CLASSIFICATION;
	if (strcmp(task_type, "detection") == 0)
		return TS_PAYLOAD_BOXES;
	if (strcmp(task_type, "segmentation") == 0)
		return TS_PAYLOAD_POLYGONS;
	return TS_PAYLOAD_NONE;
}

int ts_payload_has_objects(enum ts_payload_type t)
{
	return t == TS_PAYLOAD_BOXES || t == TS_PAYLOAD_POLYGONS;
}

int ts_payload_task_type_valid(const char *task_type)
{
	return ts_payload_type_for_task(task_type) != TS_PAYLOAD_NONE;
}

const char *ts_payload_type_name(enum ts_payload_type t)
{
	if ((unsigned)t >= TS_PAYLOAD_TYPE_COUNT)
		return NULL;
	return type_names[t];
}

int ts_payload_type_parse(const char *name, enum ts_payload_type *out)
{
	if (!name)
		return -1;
	for (int i = 1; i < TS_PAYLOAD_TYPE_COUNT; i++) {
		if (strcmp(name, type_names[i]) == 0) {
			*out = (enum ts_payload_type)i;
			return 0;
		}
	}
	return -1;
}

/* A JSON array of ids (field prefix.name) into a malloc'd array. */
static enum ts_err read_ids(const json_t *arr, const char *prefix, const char *name,
			    int64_t **out, size_t *n, struct ts_error *err)
{
	size_t len, i;
	json_t *v;
	int64_t *ids;

	if (!json_is_array(arr))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_field",
				    "The field \"%s%s\" must be an array of ids.", prefix, name);
	len = json_array_size(arr);
	if (len > TS_PAYLOAD_MAX_IDS)
		return ts_error_set(err, len > TS_PAYLOAD_ABUSE_IDS ? TS_ERR_TOO_LARGE : TS_ERR_INVALID,
				    "too_many", "The field \"%s%s\" holds more than %d ids.", prefix,
				    name, TS_PAYLOAD_MAX_IDS);
	ids = ts_xmalloc((len + 1) * sizeof(*ids));
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
		    json_integer_value(v) > TS_PAYLOAD_MAX_ID) {
			free(ids);
			return ts_error_set(err, TS_ERR_INVALID, "invalid_field",
					    "The value %s%s[%zu] is not an id (a positive integer).",
					    prefix, name, i);
		}
		ids[i] = json_integer_value(v);
	}
	*out = ids;
	*n = len;
	return TS_OK;
}

/* Refuses any key of v not in keys (NULL-terminated). */
static enum ts_err only_keys(const json_t *v, const char *const *keys, const char *what,
			     const char *where, struct ts_error *err)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)v, key, val) {
		size_t i = 0;

		while (keys[i] && strcmp(keys[i], key) != 0)
			i++;
		if (!keys[i])
			return ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
					    "%s%s has no field \"%.64s\".", what, where, key);
	}
	return TS_OK;
}

static int object_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n == 0 || n > TS_PAYLOAD_OBJECT_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The polygons of one object (field prefix + "objects[i].polygons"): the
 * rings' numbers, their geometry (domain/polygon.h) and their bounds as
 * the object's bbox. *points counts the payload's points so far. */
static enum ts_err read_polygons(const json_t *arr, const char *prefix, size_t i,
				 struct ts_payload_box *b, size_t *points, struct ts_error *err)
{
	size_t nr, total = 0, at = 0, r, other;
	enum ts_polygon_fault f;
	json_t *ring;

	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_polygon",
				    "The value %sobjects[%zu].polygons must be a non-empty array of "
				    "rings [x1, y1, x2, y2, ...].",
				    prefix, i);
	nr = json_array_size(arr);
	if (nr > TS_PAYLOAD_MAX_RINGS)
		return ts_error_set(err, TS_ERR_INVALID, "too_many",
				    "The value %sobjects[%zu].polygons holds %zu rings; an object "
				    "holds at most %d.",
				    prefix, i, nr, TS_PAYLOAD_MAX_RINGS);
	json_array_foreach(arr, r, ring) {
		if (!json_is_array(ring) || json_array_size(ring) % 2)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_polygon",
					    "The ring %sobjects[%zu].polygons[%zu] must be an array "
					    "of x, y pairs [x1, y1, x2, y2, ...].",
					    prefix, i, r);
		total += json_array_size(ring) / 2;
	}
	if (total > TS_POLYGON_MAX_OBJECT_POINTS)
		return ts_error_set(err, TS_ERR_INVALID, "too_many",
				    "The object %sobjects[%zu] has %zu points; an object has at "
				    "most %d.",
				    prefix, i, total, TS_POLYGON_MAX_OBJECT_POINTS);
	*points += total;
	if (*points > TS_PAYLOAD_MAX_POINTS)
		return ts_error_set(err, TS_ERR_INVALID, "too_many",
				    "The field \"%sobjects\" holds more than %d points; an image "
				    "holds at most that many.",
				    prefix, TS_PAYLOAD_MAX_POINTS);
	b->rings = ts_xcalloc(nr, sizeof(*b->rings));
	b->xy = ts_xmalloc((2 * total + 1) * sizeof(*b->xy));
	b->nrings = nr;
	json_array_foreach(arr, r, ring) {
		size_t len = json_array_size(ring), k;
		json_t *n;

		b->rings[r].xy = b->xy + at;
		b->rings[r].n = len / 2;
		json_array_foreach(ring, k, n) {
			if (!json_is_number(n) || !isfinite(json_number_value(n)) ||
			    fabs(json_number_value(n)) > 1e9)
				return ts_error_set(err, TS_ERR_INVALID, "invalid_polygon",
						    "The value %sobjects[%zu].polygons[%zu][%zu] "
						    "must be a finite number.",
						    prefix, i, r, k);
			b->xy[at++] = json_number_value(n);
		}
	}
	f = ts_polygon_object_check(b->rings, nr, &r, &other);
	if (f == TS_POLYGON_RINGS_CROSS)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_polygon",
				    "The ring %sobjects[%zu].polygons[%zu] crosses or touches "
				    "%sobjects[%zu].polygons[%zu]; the rings of one object are "
				    "apart or one inside the other (a hole).",
				    prefix, i, other, prefix, i, r);
	if (f)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_polygon",
				    "The ring %sobjects[%zu].polygons[%zu] %s.", prefix, i, r,
				    ts_polygon_fault_text(f));
	ts_polygon_bounds(b->rings, nr, b->bbox);
	return TS_OK;
}

/* One object of a boxes or polygons payload (field prefix + "objects[i]"). */
static enum ts_err read_object(const json_t *o, enum ts_payload_type type, const char *prefix,
			       size_t i, struct ts_payload_box *b, size_t *points,
			       struct ts_error *err)
{
	static const char *const box_keys[] = { "id", "category_id", "bbox", NULL };
	static const char *const poly_keys[] = { "id", "category_id", "polygons", NULL };
	char where[96];
	json_t *id = json_object_get(o, "id"), *cat, *bbox;
	enum ts_err e;

	snprintf(where, sizeof(where), " (%sobjects[%zu])", prefix, i);
	if (!json_is_object(o))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_field",
				    "The value %sobjects[%zu] must be an object.", prefix, i);
	e = only_keys(o, type == TS_PAYLOAD_POLYGONS ? poly_keys : box_keys, "An object", where,
		      err);
	if (e)
		return e;
	if (id) {
		if (!json_is_string(id) || !object_id_valid(json_string_value(id)))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_object_id",
					    "The value %sobjects[%zu].id must be 1 to %d characters "
					    "of A-Z, a-z, 0-9, _ and -.",
					    prefix, i, TS_PAYLOAD_OBJECT_ID_MAX);
		snprintf(b->id, sizeof(b->id), "%s", json_string_value(id));
	}
	cat = json_object_get(o, "category_id");
	if (!json_is_integer(cat) || json_integer_value(cat) <= 0 ||
	    json_integer_value(cat) > TS_PAYLOAD_MAX_ID)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_field",
				    "The value %sobjects[%zu].category_id must be an id (a positive "
				    "integer).",
				    prefix, i);
	b->category_id = json_integer_value(cat);
	if (type == TS_PAYLOAD_POLYGONS)
		return read_polygons(json_object_get(o, "polygons"), prefix, i, b, points, err);
	bbox = json_object_get(o, "bbox");
	if (!json_is_array(bbox) || json_array_size(bbox) != 4)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_box",
				    "The value %sobjects[%zu].bbox must be [x, y, w, h].", prefix, i);
	for (size_t k = 0; k < 4; k++) {
		json_t *n = json_array_get(bbox, k);

		if (!json_is_number(n) || !isfinite(json_number_value(n)) ||
		    fabs(json_number_value(n)) > 1e9)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_box",
					    "The value %sobjects[%zu].bbox[%zu] must be a finite "
					    "number.",
					    prefix, i, k);
		b->bbox[k] = json_number_value(n);
	}
	if (!(b->bbox[2] > 0) || !(b->bbox[3] > 0))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_box",
				    "The box %sobjects[%zu].bbox has a width or height of 0 or less.",
				    prefix, i);
	return TS_OK;
}

static enum ts_err read_objects(const json_t *arr, const char *prefix, struct ts_payload *out,
				struct ts_error *err)
{
	size_t len, i, points = 0;
	json_t *v;
	enum ts_err e;

	if (!json_is_array(arr))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_field",
				    "The field \"%sobjects\" must be an array of objects.", prefix);
	len = json_array_size(arr);
	if (len > TS_PAYLOAD_MAX_OBJECTS)
		return ts_error_set(err, TS_ERR_INVALID, "too_many",
				    "The field \"%sobjects\" holds %zu objects; an image holds at "
				    "most %d.",
				    prefix, len, TS_PAYLOAD_MAX_OBJECTS);
	out->objects = ts_xcalloc(len ? len : 1, sizeof(*out->objects));
	out->category_ids = ts_xmalloc((TS_PAYLOAD_MAX_BOX_CATEGORIES + 1) *
				       sizeof(*out->category_ids));
	out->cat_objects = ts_xcalloc(TS_PAYLOAD_MAX_BOX_CATEGORIES + 1,
				      sizeof(*out->cat_objects));
	json_array_foreach(arr, i, v) {
		struct ts_payload_box *b = &out->objects[i];
		size_t k = 0;

		out->nobj = i + 1; /* released with the payload, also when refused */
		e = read_object(v, out->type, prefix, i, b, &points, err);
		if (e)
			return e;
		for (size_t j = 0; b->id[0] && j < i; j++)
			if (strcmp(out->objects[j].id, b->id) == 0)
				return ts_error_set(err, TS_ERR_INVALID, "duplicate_object_id",
						    "The id \"%s\" of %sobjects[%zu] is used by "
						    "%sobjects[%zu] too.",
						    b->id, prefix, i, prefix, j);
		while (k < out->ncat && out->category_ids[k] != b->category_id)
			k++;
		if (k == out->ncat) {
			if (out->ncat == TS_PAYLOAD_MAX_BOX_CATEGORIES)
				return ts_error_set(err, TS_ERR_INVALID, "too_many",
						    "The field \"%sobjects\" uses more than %d "
						    "categories in one image.",
						    prefix, TS_PAYLOAD_MAX_BOX_CATEGORIES);
			out->category_ids[out->ncat++] = b->category_id;
		}
		out->cat_objects[k]++;
	}
	return TS_OK;
}

enum ts_err ts_payload_from_json(const json_t *v, const char *field, struct ts_payload *out,
				 struct ts_error *err)
{
	static const char *const class_keys[] = { "type", "category_ids", NULL };
	static const char *const object_keys[] = { "type", "objects", NULL };
	char prefix[64] = "", what[48];
	enum ts_err e;
	json_t *val, *type;

	memset(out, 0, sizeof(*out));
	if (field && *field)
		snprintf(prefix, sizeof(prefix), "%s.", field);
	if (!json_is_object(v))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
				    "The field \"%s\" must be an object with a \"type\".",
				    field && *field ? field : "payload");
	type = json_object_get(v, "type");
	if (!json_is_string(type))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
				    "The field \"%stype\" must name the payload's type.", prefix);
	if (ts_payload_type_parse(json_string_value(type), &out->type))
		return ts_error_set(err, TS_ERR_INVALID, "unknown_payload_type",
				    "The payload type must be \"classification\", \"boxes\" or "
				    "\"polygons\".");
	snprintf(what, sizeof(what), "A %s payload", ts_payload_type_name(out->type));
	e = only_keys(v, ts_payload_has_objects(out->type) ? object_keys : class_keys, what, "",
		      err);
	if (e)
		goto fail;
	if (ts_payload_has_objects(out->type)) {
		val = json_object_get(v, "objects");
		if (!val) {
			e = ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
					 "A %s payload needs \"%sobjects\".",
					 ts_payload_type_name(out->type), prefix);
			goto fail;
		}
		e = read_objects(val, prefix, out, err);
		if (e)
			goto fail;
		return TS_OK;
	}
	val = json_object_get(v, "category_ids");
	if (!val) {
		e = ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
				 "A classification payload needs \"%scategory_ids\".", prefix);
		goto fail;
	}
	e = read_ids(val, prefix, "category_ids", &out->category_ids, &out->ncat, err);
	if (e)
		goto fail;
	return TS_OK;
fail:
	ts_payload_release(out);
	return e;
}

enum ts_err ts_payload_check_bounds(const struct ts_payload *p, int64_t width, int64_t height,
				    const char *field, struct ts_error *err)
{
	char prefix[64] = "";

	if (field && *field)
		snprintf(prefix, sizeof(prefix), "%s.", field);
	for (size_t i = 0; p->type == TS_PAYLOAD_BOXES && i < p->nobj; i++) {
		const double *b = p->objects[i].bbox;

		if (b[0] < 0 || b[1] < 0 || b[0] + b[2] > (double)width ||
		    b[1] + b[3] > (double)height)
			return ts_error_set(err, TS_ERR_INVALID, "box_outside_image",
					    "The box %sobjects[%zu].bbox [%g, %g, %g, %g] is not inside "
					    "the %lldx%lld image.",
					    prefix, i, b[0], b[1], b[2], b[3], (long long)width,
					    (long long)height);
	}
	for (size_t i = 0; p->type == TS_PAYLOAD_POLYGONS && i < p->nobj; i++) {
		const struct ts_payload_box *o = &p->objects[i];

		for (size_t r = 0; r < o->nrings; r++)
			for (size_t k = 0; k < o->rings[r].n; k++) {
				double x = o->rings[r].xy[2 * k], y = o->rings[r].xy[2 * k + 1];

				if (x < 0 || y < 0 || x > (double)width || y > (double)height)
					return ts_error_set(
						err, TS_ERR_INVALID, "polygon_outside_image",
						"The point (%g, %g) of %sobjects[%zu].polygons[%zu] "
						"is not inside the %lldx%lld image.",
						x, y, prefix, i, r, (long long)width, (long long)height);
			}
	}
	return TS_OK;
}

static int id_used(const struct ts_payload *p, const char *id)
{
	for (size_t i = 0; p && ts_payload_has_objects(p->type) && i < p->nobj; i++)
		if (strcmp(p->objects[i].id, id) == 0)
			return 1;
	return 0;
}

void ts_payload_assign_ids(struct ts_payload *p, const struct ts_payload *prev,
			   int64_t revision)
{
	long long n = 1;

	for (size_t i = 0; ts_payload_has_objects(p->type) && i < p->nobj; i++) {
		char id[sizeof(p->objects[i].id)];

		if (p->objects[i].id[0])
			continue;
		do
			snprintf(id, sizeof(id), "%lld-%lld", (long long)revision, n++);
		while (id_used(p, id) || id_used(prev, id));
		memcpy(p->objects[i].id, id, sizeof(id));
	}
}

void ts_payload_classification(const int64_t *ids, size_t n, struct ts_payload *out)
{
	memset(out, 0, sizeof(*out));
	out->type = TS_PAYLOAD_CLASSIFICATION;
	out->ncat = n;
	out->category_ids = ts_xmalloc((n + 1) * sizeof(*ids));
	if (n)
		memcpy(out->category_ids, ids, n * sizeof(*ids));
}

enum ts_err ts_payload_from_text(const char *text, struct ts_payload *out, struct ts_error *err)
{
	json_t *v;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	if (!text)
		return TS_OK;
	v = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!v)
		return ts_error_set(err, TS_ERR_INTERNAL, "corrupt_payload",
				    "A stored payload is not JSON.");
	e = ts_payload_from_json(v, "payload", out, err);
	json_decref(v);
	return e;
}

json_t *ts_payload_rings_json(const struct ts_payload_box *o)
{
	json_t *rings = json_array();

	for (size_t r = 0; r < o->nrings; r++) {
		json_t *ring = json_array();

		for (size_t k = 0; k < 2 * o->rings[r].n; k++)
			json_array_append_new(ring, json_real(o->rings[r].xy[k]));
		json_array_append_new(rings, ring);
	}
	return rings;
}

json_t *ts_payload_json(const struct ts_payload *p)
{
	json_t *ids;

	if (ts_payload_has_objects(p->type)) {
		json_t *objs = json_array();

		for (size_t i = 0; i < p->nobj; i++) {
			const struct ts_payload_box *b = &p->objects[i];
			json_t *o = json_object();

			/* "id" first; absent until the service gives one. */
			if (b->id[0])
				json_object_set_new(o, "id", json_string(b->id));
			json_object_set_new(o, "category_id", json_integer((json_int_t)b->category_id));
			if (p->type == TS_PAYLOAD_POLYGONS)
				json_object_set_new(o, "polygons", ts_payload_rings_json(b));
			else
				json_object_set_new(o, "bbox",
						    json_pack("[f, f, f, f]", b->bbox[0], b->bbox[1],
							      b->bbox[2], b->bbox[3]));
			json_array_append_new(objs, o);
		}
		return json_pack("{s:s, s:o}", "type", ts_payload_type_name(p->type), "objects",
				 objs);
	}
	if (p->type != TS_PAYLOAD_CLASSIFICATION)
		return json_null();
	ids = json_array();
	for (size_t i = 0; i < p->ncat; i++)
		json_array_append_new(ids, json_integer((json_int_t)p->category_ids[i]));
	return json_pack("{s:s, s:o}", "type", ts_payload_type_name(p->type), "category_ids", ids);
}

char *ts_payload_text(const struct ts_payload *p)
{
	json_t *v;
	char *text;

	if (p->type == TS_PAYLOAD_NONE)
		return NULL;
	v = ts_payload_json(p);
	/* Objects keep their insertion order: "type" comes first. */
	text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	if (!text)
		ts_die("out of memory");
	return text;
}

const int64_t *ts_payload_categories(const struct ts_payload *p, size_t *n)
{
	*n = p->type != TS_PAYLOAD_NONE ? p->ncat : 0;
	return p->category_ids;
}

void ts_payload_release(struct ts_payload *p)
{
	for (size_t i = 0; p->objects && i < p->nobj; i++) {
		free(p->objects[i].rings);
		free(p->objects[i].xy);
	}
	free(p->category_ids);
	free(p->cat_objects);
	free(p->objects);
	memset(p, 0, sizeof(*p));
}
