/* Reading an imported COCO annotations.json: its images (id, file_name,
 * size, and the SHA-256 a Tessera export writes beside them), its
 * categories (id and name) and its objects, each with its polygons or its
 * RLE (uncompressed counts or pycocotools' compressed string; when a
 * "polygons" array stands beside an RLE, as a Tessera export writes for an
 * object with holes, the polygons are read instead). Pure: no I/O.
 *
 * Limits: at most TS_COCO_MAX_BYTES of JSON, TS_COCO_MAX_POINTS polygon
 * points in the whole file, TS_COCO_MAX_OBJECTS objects and as many
 * images; a file over them is refused whole (TOO_LARGE). An object that
 * is malformed is not a refusal of the file: it is kept with its
 * problem (bad), for the import's report. */
#ifndef TS_IMPORT_COCO_H
#define TS_IMPORT_COCO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_COCO_MAX_BYTES (32u << 20)
#define TS_COCO_MAX_POINTS 500000
#define TS_COCO_MAX_OBJECTS 200000

struct ts_coco_image {
	int64_t id;
	char *file_name;  /* owned */
	char sha256[65];  /* "" when not given */
	int64_t width, height;
};

struct ts_coco_object {
	int64_t id;          /* the annotation's id (0 when missing) */
	int64_t image_id;
	int64_t category_id;
	/* Polygons: rings of ring_n[i] points, packed x, y in xy. */
	double *xy;          /* owned */
	size_t *ring_n;      /* owned */
	size_t nrings;
	/* RLE: counts (uncompressed) or the compressed string, and its size. */
	int is_rle;
	int64_t *counts;     /* owned, or NULL */
	size_t ncounts;
	char *counts_str;    /* owned, or NULL */
	int64_t rle_h, rle_w;
	/* Why the object cannot be imported, or "" (kept for the report). */
	char bad[160];
};

struct ts_coco_category {
	int64_t id;
	char *name; /* owned */
};

struct ts_coco {
	/* The file's categories (may be none: the ids are then taken as
	 * they are). */
	struct ts_coco_category *categories;
	size_t ncategories;
	struct ts_coco_image *images;
	size_t nimages;
	struct ts_coco_object *objects;
	size_t nobjects;
	size_t points;
};

/* Parses text[0 .. len - 1]. Refusals of the whole file:
 *   INVALID "invalid_json"      not JSON, or not a COCO object with an
 *                               "images" and an "annotations" array, or
 *                               an image without an integer id and a
 *                               file_name (the message says which)
 *   TOO_LARGE "too_many_points" more than TS_COCO_MAX_POINTS points
 *   TOO_LARGE "too_many_objects", "entry_too_large"
 * Release *out with ts_coco_release, also after an error. */
enum ts_err ts_coco_parse(const char *text, size_t len, struct ts_coco *out,
			  struct ts_error *err);
void ts_coco_release(struct ts_coco *c);

#endif
