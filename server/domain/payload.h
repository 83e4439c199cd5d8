/* Annotation payloads: an annotation's content, typed. Each type has a
 * JSON shape (contract/schema/annotation_payload.schema.json), a validation
 * and the category ids it names (what the store's per-category index keeps
 * for filters, counts and exports). Pure: no I/O.
 *
 * Types: "classification" {"type": "classification", "category_ids": [2]}
 * (one id in a classification_single project; zero or more in a
 * classification_multi one, where [] is the explicit answer "none of
 * these") and "boxes" {"type": "boxes", "objects": [{"id": "a1",
 * "category_id": 3, "bbox": [x, y, w, h]}]} (detection: COCO boxes in image
 * pixels of the display frame, continuous coordinates; [] is the explicit
 * answer "no objects") and "polygons" {"type": "polygons", "objects":
 * [{"id": "a1", "category_id": 3, "polygons": [[x1, y1, x2, y2, ...],
 * ...]}]} (segmentation: each object one or more rings in the same pixels,
 * checked by domain/polygon.h; a ring inside another ring of the object is
 * a hole). A new type is a new enum value with its parse, text and
 * categories below; stored payloads of other types are untouched. */
#ifndef TS_DOMAIN_PAYLOAD_H
#define TS_DOMAIN_PAYLOAD_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "domain/polygon.h"

/* Ids accepted in one payload as sent (the state machine then refuses more
 * than TS_ANN_MAX_CATEGORIES with its own reason). */
#define TS_PAYLOAD_MAX_IDS 1000
/* More than this is not a mistake but an abuse: TOO_LARGE. */
#define TS_PAYLOAD_ABUSE_IDS 100000
/* The largest id a JSON client can hold exactly (2^53 - 1). */
#define TS_PAYLOAD_MAX_ID 9007199254740991LL
/* Objects (boxes, polygons) of one image. */
#define TS_PAYLOAD_MAX_OBJECTS 1000
/* Rings of one polygons object. Its points: TS_POLYGON_MAX_OBJECT_POINTS. */
#define TS_PAYLOAD_MAX_RINGS 100
/* Points of all the polygons of one image. */
#define TS_PAYLOAD_MAX_POINTS 100000
/* An object id: 1 to 36 characters of A-Z a-z 0-9 _ -. */
#define TS_PAYLOAD_OBJECT_ID_MAX 36

enum ts_payload_type {
	TS_PAYLOAD_NONE = 0, /* no content (unlabeled, skipped) */
	TS_PAYLOAD_CLASSIFICATION,
	TS_PAYLOAD_BOXES,
	TS_PAYLOAD_POLYGONS,
	TS_PAYLOAD_TYPE_COUNT
};

/* One object of a "boxes" or "polygons" payload. id "" until
 * ts_payload_assign_ids. */
struct ts_payload_box {
	char id[TS_PAYLOAD_OBJECT_ID_MAX + 1];
	int64_t category_id;
	double bbox[4]; /* x, y, w, h: finite, w and h > 0; polygons: their bounds */
	/* polygons only: the rings (nrings, each pointing into xy, which holds
	 * all their points one ring after the other). malloc'd. */
	struct ts_ring *rings;
	size_t nrings;
	double *xy;
};

struct ts_payload {
	enum ts_payload_type type;
	/* classification: the ids in the order given; boxes: the distinct
	 * categories of the objects, in order of first use. malloc'd. */
	int64_t *category_ids;
	size_t ncat;
	/* boxes and polygons: objects per category (parallel to category_ids)
	 * and the objects in the order given. malloc'd. */
	int64_t *cat_objects;
	struct ts_payload_box *objects;
	size_t nobj;
};

/* 1 for the types whose content is a list of objects (boxes, polygons). */
int ts_payload_has_objects(enum ts_payload_type t);
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
 *           "too_many" (more than TS_PAYLOAD_MAX_IDS ids or
 *           TS_PAYLOAD_MAX_OBJECTS objects, or objects of more than
 *           TS_PAYLOAD_MAX_BOX_CATEGORIES categories),
 *           "invalid_box" (a bbox not four finite numbers with w, h > 0),
 *           "invalid_polygon" (polygons not a non-empty array of at most
 *           TS_PAYLOAD_MAX_RINGS rings, a ring not an even count of
 *           finite numbers, or refused by ts_polygon_object_check; the
 *           message names objects[i].polygons[j]), "too_many" also for more
 *           than TS_POLYGON_MAX_OBJECT_POINTS points in an object or
 *           TS_PAYLOAD_MAX_POINTS in the payload,
 *           "invalid_object_id", "duplicate_object_id"
 *   TOO_LARGE "too_many" (more than TS_PAYLOAD_ABUSE_IDS ids) */
enum ts_err ts_payload_from_json(const json_t *v, const char *field, struct ts_payload *out,
				 struct ts_error *err);
/* Distinct categories one boxes payload may use (the per-category index
 * of one annotation holds at most this many). */
#define TS_PAYLOAD_MAX_BOX_CATEGORIES 64

/* The payload type a project's task_type takes ("classification_single",
 * "classification_multi": classification; "detection": boxes;
 * "segmentation": polygons); NONE for an unknown task type. */
enum ts_payload_type ts_payload_type_for_task(const char *task_type);
/* 1 when task_type is one of the four a project may have. */
int ts_payload_task_type_valid(const char *task_type);

/* Every box of p lies inside a width x height image: x, y >= 0, x + w <=
 * width, y + h <= height. Refusal: INVALID "box_outside_image" naming the
 * object (field as in ts_payload_from_json). Every point of a polygon lies
 * in the image, edges included (0 <= x <= width, 0 <= y <= height):
 * INVALID "polygon_outside_image" naming objects[i].polygons[j]. Points
 * are refused, never clamped, as boxes are. */
enum ts_err ts_payload_check_bounds(const struct ts_payload *p, int64_t width, int64_t height,
				    const char *field, struct ts_error *err);
/* Gives each object without an id one that no object of p nor of prev
 * (the stored payload, may be NULL) uses: "<revision>-<n>". Ids already
 * given are kept, so an object keeps its id across edits. */
void ts_payload_assign_ids(struct ts_payload *p, const struct ts_payload *prev,
			   int64_t revision);

/* A classification payload of ids[0..n-1] (copied). */
void ts_payload_classification(const int64_t *ids, size_t n, struct ts_payload *out);
/* Parses stored text (ts_payload_text's); NULL text gives TS_PAYLOAD_NONE. */
enum ts_err ts_payload_from_text(const char *text, struct ts_payload *out, struct ts_error *err);
/* The canonical JSON text of p (compact, "type" first); NULL for NONE.
 * Caller frees. */
char *ts_payload_text(const struct ts_payload *p);
/* The rings of a polygons object as JSON [[x1, y1, ...], ...] (a new
 * reference). */
json_t *ts_payload_rings_json(const struct ts_payload_box *o);
/* The JSON of p (a new reference); JSON null for NONE. */
json_t *ts_payload_json(const struct ts_payload *p);
/* The category ids p names (borrowed), for the per-category index. */
const int64_t *ts_payload_categories(const struct ts_payload *p, size_t *n);
void ts_payload_release(struct ts_payload *p);

#endif
