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
	return TS_PAYLOAD_NONE;
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

/* One object of a boxes payload (field prefix + "objects[i]"). */
static enum ts_err read_box(const json_t *o, const char *prefix, size_t i,
			    struct ts_payload_box *b, struct ts_error *err)
{
	static const char *const keys[] = { "id", "category_id", "bbox", NULL };
	char where[96];
	json_t *id = json_object_get(o, "id"), *cat, *bbox;
	enum ts_err e;

	snprintf(where, sizeof(where), " (%sobjects[%zu])", prefix, i);
	if (!json_is_object(o))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_field",
				    "The value %sobjects[%zu] must be an object.", prefix, i);
	e = only_keys(o, keys, "An object", where, err);
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

static enum ts_err read_boxes(const json_t *arr, const char *prefix, struct ts_payload *out,
			      struct ts_error *err)
{
	size_t len, i;
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

		e = read_box(v, prefix, i, b, err);
		if (e)
			return e;
		out->nobj = i + 1;
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
	static const char *const box_keys[] = { "type", "objects", NULL };
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
				    "The payload type must be \"classification\" or \"boxes\".");
	snprintf(what, sizeof(what), "A %s payload", ts_payload_type_name(out->type));
	e = only_keys(v, out->type == TS_PAYLOAD_BOXES ? box_keys : class_keys, what, "", err);
	if (e)
		goto fail;
	if (out->type == TS_PAYLOAD_BOXES) {
		val = json_object_get(v, "objects");
		if (!val) {
			e = ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
					 "A boxes payload needs \"%sobjects\".", prefix);
			goto fail;
		}
		e = read_boxes(val, prefix, out, err);
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
	return TS_OK;
}

static int id_used(const struct ts_payload *p, const char *id)
{
	for (size_t i = 0; p && p->type == TS_PAYLOAD_BOXES && i < p->nobj; i++)
		if (strcmp(p->objects[i].id, id) == 0)
			return 1;
	return 0;
}

void ts_payload_assign_ids(struct ts_payload *p, const struct ts_payload *prev,
			   int64_t revision)
{
	long long n = 1;

	for (size_t i = 0; p->type == TS_PAYLOAD_BOXES && i < p->nobj; i++) {
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

json_t *ts_payload_json(const struct ts_payload *p)
{
	json_t *ids;

	if (p->type == TS_PAYLOAD_BOXES) {
		json_t *objs = json_array();

		for (size_t i = 0; i < p->nobj; i++) {
			const struct ts_payload_box *b = &p->objects[i];
			json_t *o = json_object();

			/* "id" first; absent until the service gives one. */
			if (b->id[0])
				json_object_set_new(o, "id", json_string(b->id));
			json_object_set_new(o, "category_id", json_integer((json_int_t)b->category_id));
			json_object_set_new(o, "bbox", json_pack("[f, f, f, f]", b->bbox[0], b->bbox[1],
								 b->bbox[2], b->bbox[3]));
			json_array_append_new(objs, o);
		}
		return json_pack("{s:s, s:o}", "type", "boxes", "objects", objs);
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
	free(p->category_ids);
	free(p->cat_objects);
	free(p->objects);
	memset(p, 0, sizeof(*p));
}
