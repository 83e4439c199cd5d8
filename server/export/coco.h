/* The canonical writer of an export's annotations.json and manifest.json
 * (see contract/README.md and the JSON Schemas in contract/schema/).
 *
 * Pure functions over plain structs: no I/O, no database. The caller fills
 * the structs from the store (all strings borrowed: the caller keeps them
 * alive during the call and frees them afterwards; nothing is retained).
 * Input arrays need not be sorted: the writer sorts images by id,
 * annotations by (image_id, category_id) and categories by id itself, and
 * numbers annotations 1..n in that order.
 *
 * annotations.json bytes (the input of manifest.hash) are exactly what
 * jansson's json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER) prints for
 * the objects built in CONTRACT.md's key order: UTF-8, no spaces, no BOM, no
 * trailing newline; strings escape only '"', '\\' and control characters
 * (\b \f \n \r \t, else \u00XX with uppercase hex); '/' and non-ASCII are
 * written as they are.
 *
 * All strings must be valid UTF-8; a string field given as NULL is an error
 * unless said otherwise below. Every function returns TS_OK, or
 * TS_ERR_INVALID (code "invalid_export") with a message naming the offending
 * record, or TS_ERR_TOO_LARGE when out's cap is reached. On error the
 * contents of out are unspecified (reset or release it). */
#ifndef TS_COCO_H
#define TS_COCO_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "domain/polygon.h"
#include "export/split.h"

#define TS_COCO_SCHEMA_VERSION "1.0.0"
/* The schema_version of classification_multi and detection exports (the
 * contract's additions: task types, boxes); classification_single exports
 * stay 1.0.0, byte for byte. */
#define TS_COCO_SCHEMA_VERSION_1_1 "1.1.0"
/* The schema_version of an export with a train/val/test split (any task
 * type): info.split, each image's "split", manifest selection.split and
 * counts.per_split are added. */
#define TS_COCO_SCHEMA_VERSION_1_2 "1.2.0"
/* A classification_single export in the ImageFolder layout (CONTRACT.md). */
#define TS_COCO_SCHEMA_VERSION_1_3 "1.3.0"
/* The schema_version of segmentation exports, with or without a split
 * (polygons, RLE for objects with holes, YOLO segmentation labels). */
#define TS_COCO_SCHEMA_VERSION_1_4 "1.4.0"
/* "sha256:" + 64 hex digits + NUL */
#define TS_COCO_PREFIXED_HASH_SIZE 72

enum ts_coco_source_type {
	TS_COCO_SOURCE_IMAGE = 0,   /* {"type":"image"} */
	TS_COCO_SOURCE_VIDEO_FRAME, /* {"type":"video_frame", video_id, ...} */
};

/* One entry of "images" (one exported asset). */
struct ts_coco_image {
	int64_t id;                     /* asset id, >= 1, unique */
	const char *file_name;          /* under images/, e.g. "17.jpg": one path
					 * segment of [A-Za-z0-9._-], not starting
					 * with '.', at most 255 bytes */
	int64_t width, height;          /* pixels, >= 1 */
	const char *mime_type;          /* "image/jpeg", "image/png", ... */
	const char *checksum_sha256;    /* 64 lowercase hex digits */
	const char *original_file_name; /* as uploaded; "drive.mp4#frame=30" */
	enum ts_coco_source_type source_type;
	/* Only for TS_COCO_SOURCE_VIDEO_FRAME (ignored otherwise): */
	int64_t video_id;               /* >= 1 */
	const char *video_file_name;    /* "drive.mp4" */
	int64_t frame_index;            /* 0-based, decode order, >= 0 */
	int64_t timestamp_ms;           /* from the frame's pts, >= 0 */
};

/* One label. The "id" field is assigned by the writer (1..n in sorted
 * order). With task_type "classification_single" every image has exactly
 * one annotation; with "classification_multi" at most one per (image,
 * category), and an image may have none ("none of these"); with
 * "detection" one per box (has_bbox), any number per image, none for "no
 * objects"; with "segmentation" one per object (has_bbox and rings), the
 * same way. Boxes of one image and category keep their input order (seq).
 *
 * A segmentation object is written with "segmentation" = its rings as COCO
 * polygons [[x1, y1, ...], ...] when none is a hole, else as COCO's
 * compressed RLE {"size": [height, width], "counts": "..."} of its mask
 * (domain/polygon.h's rasterisation) followed by "polygons" = its rings;
 * then "bbox" = the rings' bounds, "area" = ts_polygon_area (holes
 * subtracted) and "iscrowd" 0. */
struct ts_coco_annotation {
	int64_t image_id;       /* an id in images */
	int64_t category_id;    /* an id in categories */
	const char *status;     /* "labeled", "needs_review", "approved", "skipped" */
	const char *labeled_by; /* user name; NULL is written as "" */
	int has_bbox;           /* detection, segmentation: bbox, area and iscrowd
				 * are written */
	double bbox[4];         /* x, y, w, h: inside the image, w and h > 0;
				 * segmentation: the bounds of the rings */
	const struct ts_ring *rings; /* segmentation: the object's rings, checked
				      * by ts_polygon_object_check (borrowed) */
	size_t nrings;
	size_t seq;             /* order among equal (image_id, category_id) */
};

/* A category that is not deleted (active or disabled). */
struct ts_coco_category {
	int64_t id;                /* >= 1, unique */
	const char *name;          /* 1..100 characters, no control characters */
	const char *supercategory; /* NULL is written as "none" */
};

struct ts_coco_dataset {
	const char *task_type; /* "classification_single", "classification_multi",
				* "detection", "segmentation" */
	const struct ts_coco_image *images;
	size_t n_images;
	const struct ts_coco_annotation *annotations;
	size_t n_annotations;
	const struct ts_coco_category *categories;
	size_t n_categories;
	/* A train/val/test split (export/split.h), or NULL: info.split and
	 * each image's "split" (computed from its checksum) are written, and
	 * the schema_version is 1.2.0. */
	const struct ts_split *split;
	/* The ImageFolder layout (classification_single only): info.layout and
	 * the manifest's selection.layout say "imagefolder", the
	 * schema_version is 1.3.0, and each image's file is at
	 * <part>/<class folder>/<file_name> (export/folder_name.h). */
	int imagefolder;
};

/* The volatile part of manifest.json (outside the hash). */
struct ts_coco_manifest_info {
	const char *dataset_id;       /* project id as a string, stable */
	const char *project_name;
	int64_t version;              /* >= 1 */
	const char *created_at;       /* RFC 3339 UTC with ms: 2026-11-26T07:30:00.000Z */
	const char *created_by;
	const char *const *statuses;  /* selection.statuses, written in this order */
	size_t n_statuses;
	int64_t excluded_deleted_category; /* counts.excluded.deleted_category */
};

/* YOLO labels of a detection export: labels/<stem>.txt per image (stem:
 * file_name without its extension), one line per box in annotations.json
 * order, "<class_index> <cx> <cy> <w> <h>\n" with the box's centre and size
 * divided by the image's width and height, each printed "%.6f"; an empty
 * file for an image without boxes. Derived only from annotations.json, so
 * its hash pins them; verify and the reader recompute and compare them.
 * A segmentation export's labels are YOLO segmentation lines: one per
 * ring of an object that is not a hole, in annotations.json and ring
 * order, "<class_index> <x1> <y1> <x2> <y2> ...\n" with x divided by the
 * width and y by the height, "%.6f" (YOLO has no holes: they are left
 * out; annotations.json keeps them). */
enum ts_err ts_coco_yolo_line(struct ts_buf *out, size_t class_index, const double bbox[4],
			      int64_t width, int64_t height);
/* The YOLO segmentation lines of one object (rings[0..nrings-1]). */
enum ts_err ts_coco_yolo_seg_lines(struct ts_buf *out, size_t class_index,
				   const struct ts_ring *rings, size_t nrings, int64_t width,
				   int64_t height);
/* The label file name of an image file name ("17.png" -> "17.txt") into
 * out; -1 when it does not fit. */
int ts_coco_yolo_name(const char *file_name, char *out, size_t len);
/* Calls cb once per image of a detection or segmentation dataset, in id order, with the
 * text of its label file. Stops at cb's first error. */
enum ts_err ts_coco_write_yolo(const struct ts_coco_dataset *ds,
			       enum ts_err (*cb)(void *arg, const struct ts_coco_image *im,
						 const char *text, size_t len,
						 struct ts_error *err),
			       void *arg, struct ts_error *err);

/* The schema_version an export of task_type carries (without a split).
 * Static string. */
const char *ts_coco_schema_version(const char *task_type);
/* The schema_version of ds (1.2.0 with a split). Static string. */
const char *ts_coco_dataset_schema_version(const struct ts_coco_dataset *ds);

/* Appends the canonical annotations.json bytes of ds to out (initialised by
 * the caller with ts_buf_init and a cap). Checks every field listed above
 * and the references between the arrays. */
enum ts_err ts_coco_write_annotations(const struct ts_coco_dataset *ds,
				      struct ts_buf *out, struct ts_error *err);

/* Writes "sha256:<64 hex>" of the bytes Python's
 * json.dumps([{"id":..,"name":..}, ...], separators=(",",":"),
 * ensure_ascii=False).encode("utf-8") gives for the categories sorted by id
 * (Python's escaping: '"', '\\', \b \f \n \r \t, other control characters as
 * \u00xx with lowercase hex; everything else raw UTF-8). cats need not be
 * sorted; duplicate ids, NULL or invalid UTF-8 names are TS_ERR_INVALID
 * (name rules beyond UTF-8 are not checked here, so verify can hash what an
 * export holds). */
enum ts_err ts_coco_categories_hash(const struct ts_coco_category *cats, size_t n,
				    char out[TS_COCO_PREFIXED_HASH_SIZE],
				    struct ts_error *err);

/* Appends manifest.json to out: pretty-printed with an indent of 2, keys in
 * CONTRACT.md's order, UTF-8, followed by one newline (what jansson's
 * json_dumps(JSON_INDENT(2) | JSON_PRESERVE_ORDER) and Python's
 * json.dumps(indent=2, ensure_ascii=False) both print). annotations /
 * annotations_len are the bytes produced by ts_coco_write_annotations for the
 * same ds: their SHA-256 gives "hash" and files["annotations.json"]. The
 * categories, class_index, categories_hash and counts come from ds. */
enum ts_err ts_coco_write_manifest(const struct ts_coco_dataset *ds,
				   const struct ts_coco_manifest_info *info,
				   const char *annotations, size_t annotations_len,
				   struct ts_buf *out, struct ts_error *err);

/* 1 when s is a safe file_name as described in struct ts_coco_image. */
int ts_coco_file_name_ok(const char *s);

#endif
