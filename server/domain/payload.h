/* Annotation payloads: an annotation's content, typed. Each type has a
 * JSON shape (contract/schema/annotation_payload.schema.json), a validation
 * and the category ids it names (what the store's per-category index keeps
 * for filters, counts and exports). Pure: no I/O.
 *
 * Types today: "classification" {"type": "classification",
 * "category_ids": [2]}. A new type is a new enum value with its parse,
 * text and categories below; stored payloads of other types are untouched. */
#ifndef TS_DOMAIN_PAYLOAD_H
#define TS_DOMAIN_PAYLOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Ids accepted in one payload as sent (the state machine then refuses more
 * than TS_ANN_MAX_CATEGORIES with its own reason). */
#define TS_PAYLOAD_MAX_IDS 1000
/* More than this is not a mistake but an abuse: TOO_LARGE. */
#define TS_PAYLOAD_ABUSE_IDS 100000
/* The largest id a JSON client can hold exactly (2^53 - 1). */
#define TS_PAYLOAD_MAX_ID 9007199254740991LL

enum ts_payload_type {
	TS_PAYLOAD_NONE = 0, /* no content (unlabeled, skipped) */
	TS_PAYLOAD_CLASSIFICATION,
	TS_PAYLOAD_TYPE_COUNT
};

struct ts_payload {
	enum ts_payload_type type;
	int64_t *category_ids; /* malloc'd; in the order given */
	size_t ncat;
};

/* "classification"; NULL for TS_PAYLOAD_NONE. Static strings. */
const char *ts_payload_type_name(enum ts_payload_type t);
/* 0 and *out for a known type name, -1 otherwise. */
int ts_payload_type_parse(const char *name, enum ts_payload_type *out);

/* Validates v as a payload (an object with a known "type" and that type's
 * fields, nothing else) into *out (release with ts_payload_release, also
 * after an error). field names v in messages ("payload"; "" when the
 * fields are top-level). Refusals:
 *   INVALID "invalid_payload" (not an object, missing or unknown field),
 *           "unknown_payload_type", "invalid_field" (a field of the wrong
 *           shape, an id not a positive integer up to 2^53 - 1),
 *           "too_many" (more than TS_PAYLOAD_MAX_IDS ids)
 *   TOO_LARGE "too_many" (more than TS_PAYLOAD_ABUSE_IDS ids) */
enum ts_err ts_payload_from_json(const json_t *v, const char *field, struct ts_payload *out,
				 struct ts_error *err);
/* A classification payload of ids[0..n-1] (copied). */
void ts_payload_classification(const int64_t *ids, size_t n, struct ts_payload *out);
/* Parses stored text (ts_payload_text's); NULL text gives TS_PAYLOAD_NONE. */
enum ts_err ts_payload_from_text(const char *text, struct ts_payload *out, struct ts_error *err);
/* The canonical JSON text of p (compact, "type" first); NULL for NONE.
 * Caller frees. */
char *ts_payload_text(const struct ts_payload *p);
/* The JSON of p (a new reference); JSON null for NONE. */
json_t *ts_payload_json(const struct ts_payload *p);
/* The category ids p names (borrowed), for the per-category index. */
const int64_t *ts_payload_categories(const struct ts_payload *p, size_t *n);
void ts_payload_release(struct ts_payload *p);

#endif
