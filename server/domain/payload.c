#include "domain/payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char *const type_names[TS_PAYLOAD_TYPE_COUNT] = {
	[TS_PAYLOAD_NONE] = NULL,
	[TS_PAYLOAD_CLASSIFICATION] = "classification",
};

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

enum ts_err ts_payload_from_json(const json_t *v, const char *field, struct ts_payload *out,
				 struct ts_error *err)
{
	char prefix[64] = "";
	const char *key;
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
				    "The payload type must be \"classification\".");
	json_object_foreach((json_t *)v, key, val) {
		if (strcmp(key, "type") != 0 && strcmp(key, "category_ids") != 0) {
			out->type = TS_PAYLOAD_NONE;
			return ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
					    "A %s payload has no field \"%.64s\".",
					    json_string_value(type), key);
		}
	}
	/* TS_PAYLOAD_CLASSIFICATION */
	val = json_object_get(v, "category_ids");
	if (!val) {
		out->type = TS_PAYLOAD_NONE;
		return ts_error_set(err, TS_ERR_INVALID, "invalid_payload",
				    "A classification payload needs \"%scategory_ids\".", prefix);
	}
	e = read_ids(val, prefix, "category_ids", &out->category_ids, &out->ncat, err);
	if (e)
		out->type = TS_PAYLOAD_NONE;
	return e;
}

void ts_payload_classification(const int64_t *ids, size_t n, struct ts_payload *out)
{
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
	*n = p->type == TS_PAYLOAD_CLASSIFICATION ? p->ncat : 0;
	return p->category_ids;
}

void ts_payload_release(struct ts_payload *p)
{
	free(p->category_ids);
	memset(p, 0, sizeof(*p));
}
