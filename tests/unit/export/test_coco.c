/* Unit tests for the canonical export writer (server/export/coco.c):
 * categories_hash against values computed with Python, and the golden
 * export's annotations.json and manifest.json reproduced byte for byte.
 *
 * Build and run from the repository root:
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Iserver \
 *     tests/unit/export/test_coco.c server/export/coco.c server/hash/sha256.c \
 *     server/core/buf.c server/core/error.c \
 *     $(pkg-config --cflags --libs jansson libcrypto cmocka) -o build/test_coco
 *   ./build/test_coco
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "export/coco.h"
#include "test_util.h"
#include "core/banned.h"

/* --- categories_hash ------------------------------------------------------
 * Expected values from:
 *   python3 -c 'import json,hashlib; print(hashlib.sha256(json.dumps(
 *     [{"id":1,"name":"cat"},...], separators=(",",":"),
 *     ensure_ascii=False).encode("utf-8")).hexdigest())' */

static void expect_hash(const struct ts_coco_category *cats, size_t n, const char *want)
{
	char got[TS_COCO_PREFIXED_HASH_SIZE];
	struct ts_error err = { 0 };

	assert_int_equal(ts_coco_categories_hash(cats, n, got, &err), TS_OK);
	assert_string_equal(got, want);
}

static void test_categories_hash_python(void **state)
{
	const struct ts_coco_category ascii[] = { { 1, "cat", NULL }, { 2, "dog", NULL } };
	/* given out of order: the hash is over the id-sorted list */
	const struct ts_coco_category unicode[] = {
		{ 3, "\xc3\x9cn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe7\x8c\xab", NULL }, /* Ünïcödé 猫 */
		{ 1, "chat noir", NULL },
	};
	const struct ts_coco_category quote[] = { { 2, "say \"hi\" \\ back/slash", NULL } };
	const struct ts_coco_category control[] = {
		{ 5, "tab\tnl\nctl\x01\x1f del\x7f", NULL },
	};
	const struct ts_coco_category emoji[] = { { 1, "emoji \xf0\x9f\x90\xb1", NULL } };
	const struct ts_coco_category golden[] = {
		{ 1, "cat", "none" }, { 2, "dog", "none" }, { 3, "bird", "none" },
	};

	(void)state;
	expect_hash(ascii, 2,
		    "sha256:d8ca3a19bbe7446e55f1ae613a5d9db40b99d02680bf2260322db4ba568b2d89");
	expect_hash(unicode, 2,
		    "sha256:cb480df47024fe116d28016ab259dc63e18aeabf35ba532f3f9cb180f73c3817");
	expect_hash(quote, 1,
		    "sha256:01e350bb89cdcf3bb53498a23c66cfd06042154070fabab79a6fa4b26c4d6873");
	expect_hash(control, 1,
		    "sha256:0cbed798787c0363b0c421ab8bf42ccfa409bce89d164eed392dea89f0806eca");
	expect_hash(emoji, 1,
		    "sha256:72cfcc021fff3348352a729ec0f6dd85a929b9097ac6486ea8bfe6ab4e1745cc");
	expect_hash(NULL, 0,
		    "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
	expect_hash(golden, 3,
		    "sha256:fe971ddb76a0aac3793477a523b44cc3a9661794943f645a601dcda31e01be2e");
}

static void test_categories_hash_rejects(void **state)
{
	const struct ts_coco_category dup[] = { { 1, "a", NULL }, { 1, "b", NULL } };
	const struct ts_coco_category bad_utf8[] = { { 1, "\xc3(", NULL } };
	char got[TS_COCO_PREFIXED_HASH_SIZE];
	struct ts_error err = { 0 };

	(void)state;
	assert_int_equal(ts_coco_categories_hash(dup, 2, got, &err), TS_ERR_INVALID);
	assert_int_equal(ts_coco_categories_hash(bad_utf8, 1, got, &err), TS_ERR_INVALID);
}

/* --- the golden export ----------------------------------------------------
 * Mirrors contract/golden/make_golden.py, deliberately given out of order. */

static const struct ts_coco_image golden_images[] = {
	{ .id = 21, .file_name = "21.png", .width = 3, .height = 3,
	  .mime_type = "image/png",
	  .checksum_sha256 = "333e7229f8c78d2881168d4c9c9d6207ae89d2a77ae35961f14bbc3ea939f717",
	  .original_file_name = "dog 2.png", .source_type = TS_COCO_SOURCE_IMAGE },
	{ .id = 17, .file_name = "17.png", .width = 4, .height = 3,
	  .mime_type = "image/png",
	  .checksum_sha256 = "b2121dcb6253d97125ea923c7e78fb716a428650f2f8d3d343c54e547d7ee48b",
	  .original_file_name = "caf\xc3\xa9_01.png", .source_type = TS_COCO_SOURCE_IMAGE },
	{ .id = 18, .file_name = "18.png", .width = 6, .height = 4,
	  .mime_type = "image/png",
	  .checksum_sha256 = "23e0e9ddd7bbf8ebcf51c5284703ea9378b8d86a502458b2120bef36795c6b4d",
	  .original_file_name = "drive.mp4#frame=30",
	  .source_type = TS_COCO_SOURCE_VIDEO_FRAME, .video_id = 3,
	  .video_file_name = "drive.mp4", .frame_index = 30, .timestamp_ms = 1000 },
};

static const struct ts_coco_annotation golden_annotations[] = {
	{ .image_id = 18, .category_id = 2, .status = "approved", .labeled_by = "bob" },
	{ .image_id = 21, .category_id = 2, .status = "approved", .labeled_by = "alice" },
	{ .image_id = 17, .category_id = 1, .status = "approved", .labeled_by = "alice" },
};

static const struct ts_coco_category golden_categories[] = {
	{ 2, "dog", "none" }, { 3, "bird", NULL }, { 1, "cat", "none" },
};

static const char *const golden_statuses[] = { "approved" };

static struct ts_coco_dataset golden_dataset(void)
{
	struct ts_coco_dataset ds = {
		.task_type = "classification_single",
		.images = golden_images, .n_images = 3,
		.annotations = golden_annotations, .n_annotations = 3,
		.categories = golden_categories, .n_categories = 3,
	};

	return ds;
}

static const struct ts_coco_manifest_info golden_info = {
	.dataset_id = "7", .project_name = "Pets", .version = 1,
	.created_at = "2026-11-26T07:30:00.000Z", .created_by = "alice",
	.statuses = golden_statuses, .n_statuses = 1,
	.excluded_deleted_category = 1,
};

static void test_golden_bytes(void **state)
{
	struct ts_coco_dataset ds = golden_dataset();
	struct ts_buf ann, man;
	struct ts_error err = { 0 };
	size_t want_len;
	char *want;

	(void)state;
	ts_buf_init(&ann, 1 << 20);
	ts_buf_init(&man, 1 << 20);
	assert_int_equal(ts_coco_write_annotations(&ds, &ann, &err), TS_OK);
	want = tu_read_file(tu_src("contract/golden/export/annotations.json"), &want_len);
	assert_non_null(want);
	assert_int_equal(ann.len, want_len);
	assert_memory_equal(ann.ptr, want, want_len);
	free(want);

	assert_int_equal(ts_coco_write_manifest(&ds, &golden_info, ann.ptr, ann.len, &man,
						&err), TS_OK);
	want = tu_read_file(tu_src("contract/golden/export/manifest.json"), &want_len);
	assert_non_null(want);
	assert_string_equal(man.ptr, want);
	free(want);
	ts_buf_release(&ann);
	ts_buf_release(&man);
}

/* The golden exports of the other task types (schema_version 1.1.0), from
 * the same images: the writer's bytes equal make_golden.py's. */
static void expect_golden(const char *dir, const char *task_type,
			  const struct ts_coco_annotation *anns, size_t n)
{
	struct ts_coco_dataset ds = golden_dataset();
	struct ts_buf ann, man;
	struct ts_error err = { 0 };
	char path[128];
	size_t want_len;
	char *want;

	ds.task_type = task_type;
	ds.annotations = anns;
	ds.n_annotations = n;
	ts_buf_init(&ann, 1 << 20);
	ts_buf_init(&man, 1 << 20);
	assert_int_equal(ts_coco_write_annotations(&ds, &ann, &err), TS_OK);
	snprintf(path, sizeof(path), "contract/golden/%s/annotations.json", dir);
	want = tu_read_file(tu_src(path), &want_len);
	assert_non_null(want);
	assert_int_equal(ann.len, want_len);
	assert_memory_equal(ann.ptr, want, want_len);
	free(want);
	assert_int_equal(ts_coco_write_manifest(&ds, &golden_info, ann.ptr, ann.len, &man,
						&err), TS_OK);
	snprintf(path, sizeof(path), "contract/golden/%s/manifest.json", dir);
	want = tu_read_file(tu_src(path), &want_len);
	assert_non_null(want);
	assert_string_equal(man.ptr, want);
	free(want);
	ts_buf_release(&ann);
	ts_buf_release(&man);
}

static void test_golden_new_task_types(void **state)
{
	/* Out of order; boxes of one image and category keep their seq. */
	const struct ts_coco_annotation multi[] = {
		{ .image_id = 18, .category_id = 2, .status = "approved", .labeled_by = "bob" },
		{ .image_id = 17, .category_id = 3, .status = "approved", .labeled_by = "alice" },
		{ .image_id = 17, .category_id = 1, .status = "approved", .labeled_by = "alice" },
	};
	const struct ts_coco_annotation boxes[] = {
		{ .image_id = 18, .category_id = 2, .status = "approved", .labeled_by = "bob",
		  .has_bbox = 1, .bbox = { 5, 3, 1, 1 }, .seq = 2 },
		{ .image_id = 17, .category_id = 2, .status = "approved", .labeled_by = "alice",
		  .has_bbox = 1, .bbox = { 0, 0, 4, 3 }, .seq = 0 },
		{ .image_id = 18, .category_id = 3, .status = "approved", .labeled_by = "bob",
		  .has_bbox = 1, .bbox = { 1, 1, 3.75, 2 }, .seq = 0 },
		{ .image_id = 17, .category_id = 1, .status = "approved", .labeled_by = "alice",
		  .has_bbox = 1, .bbox = { 0.5, 0.25, 2, 1.5 }, .seq = 1 },
		{ .image_id = 18, .category_id = 2, .status = "approved", .labeled_by = "bob",
		  .has_bbox = 1, .bbox = { 0, 0, 1, 1 }, .seq = 1 },
	};
	struct ts_coco_annotation bad = boxes[1];
	struct ts_coco_dataset ds = golden_dataset();
	struct ts_buf out;
	struct ts_error err = { 0 };

	(void)state;
	expect_golden("export_multi", "classification_multi", multi, 3);
	expect_golden("export_detection", "detection", boxes, 5);
	/* A box outside its image, or of zero width, is refused. */
	ds.task_type = "detection";
	ds.annotations = &bad;
	ds.n_annotations = 1;
	ts_buf_init(&out, 1 << 20);
	bad.bbox[2] = 4.5;
	assert_int_equal(ts_coco_write_annotations(&ds, &out, &err), TS_ERR_INVALID);
	ts_error_release(&err);
	bad.bbox[2] = 0;
	assert_int_equal(ts_coco_write_annotations(&ds, &out, &err), TS_ERR_INVALID);
	ts_error_release(&err);
	/* A box in a classification export is refused too. */
	bad.bbox[2] = 1;
	ds.task_type = "classification_multi";
	assert_int_equal(ts_coco_write_annotations(&ds, &out, &err), TS_ERR_INVALID);
	ts_error_release(&err);
	ts_buf_release(&out);
}

/* The golden segmentation export (schema_version 1.4.0): polygons, an
 * object with a hole as RLE, byte for byte what make_golden.py writes; a
 * ring outside its image is refused. */
static void test_golden_segmentation(void **state)
{
	static const double rect[] = { 0, 0, 4, 0, 4, 3, 0, 3 };
	static const double hole[] = { 1, 1, 1, 2, 2.5, 2 };
	static const double tri17[] = { 0.5, 0.25, 3, 0.5, 1, 2.75 };
	static const double tri18[] = { 1, 1, 5, 1, 3, 3.5 };
	static const double small[] = { 0, 0, 1, 0, 1, 1 };
	static const double sq[] = { 5, 3, 6, 3, 6, 4, 5, 4 };
	const struct ts_ring holed[] = { { rect, 4 }, { hole, 3 } };
	const struct ts_ring r17[] = { { tri17, 3 } }, r18[] = { { tri18, 3 } };
	const struct ts_ring parts[] = { { small, 3 }, { sq, 4 } };
	struct ts_coco_annotation objs[] = {
		{ .image_id = 18, .category_id = 3, .status = "approved", .labeled_by = "bob",
		  .has_bbox = 1, .bbox = { 1, 1, 4, 2.5 }, .rings = r18, .nrings = 1 },
		{ .image_id = 17, .category_id = 2, .status = "approved", .labeled_by = "alice",
		  .has_bbox = 1, .bbox = { 0, 0, 4, 3 }, .rings = holed, .nrings = 2 },
		{ .image_id = 18, .category_id = 2, .status = "approved", .labeled_by = "bob",
		  .has_bbox = 1, .bbox = { 0, 0, 6, 4 }, .rings = parts, .nrings = 2, .seq = 1 },
		{ .image_id = 17, .category_id = 1, .status = "approved", .labeled_by = "alice",
		  .has_bbox = 1, .bbox = { 0.5, 0.25, 2.5, 2.5 }, .rings = r17, .nrings = 1 },
	};
	struct ts_coco_dataset ds = golden_dataset();
	struct ts_buf out;
	struct ts_error err = { 0 };

	(void)state;
	expect_golden("export_segmentation", "segmentation", objs, 4);
	/* A ring past its image's edge, or no rings in segmentation. */
	ds.task_type = "segmentation";
	ds.annotations = objs;
	ds.n_annotations = 1;
	ts_buf_init(&out, 1 << 20);
	objs[0].image_id = 17; /* 4 x 3: the triangle reaches x = 5 */
	assert_int_equal(ts_coco_write_annotations(&ds, &out, &err), TS_ERR_INVALID);
	assert_non_null(strstr(err.message, "not inside"));
	ts_error_release(&err);
	objs[0].image_id = 18;
	objs[0].rings = NULL;
	assert_int_equal(ts_coco_write_annotations(&ds, &out, &err), TS_ERR_INVALID);
	ts_error_release(&err);
	ts_buf_release(&out);
}

/* The writer's bytes equal what jansson's json_dumps prints for the same
 * document, including escapes (uppercase \u00XX) and raw UTF-8 and '/'. */
static void test_matches_jansson(void **state)
{
	struct ts_coco_image im = golden_images[1];
	struct ts_coco_annotation an = golden_annotations[2];
	struct ts_coco_category cat = { 1, "cat/\"kitty\" \\ \xe7\x8c\xab", NULL };
	struct ts_coco_dataset ds = {
		.task_type = "classification_single",
		.images = &im, .n_images = 1, .annotations = &an, .n_annotations = 1,
		.categories = &cat, .n_categories = 1,
	};
	struct ts_buf out;
	struct ts_error err = { 0 };
	json_error_t je;
	json_t *doc;
	char *again;

	(void)state;
	im.original_file_name = "we\x01ird\x1f\t\n\r\b\f\"\\/name\x7f \xf0\x9f\x90\xb1.png";
	an.labeled_by = NULL; /* written as "" */
	ts_buf_init(&out, 1 << 20);
	assert_int_equal(ts_coco_write_annotations(&ds, &out, &err), TS_OK);
	assert_non_null(strstr(out.ptr, "we\\u0001ird\\u001F\\t\\n\\r\\b\\f\\\"\\\\/name\x7f"));
	assert_non_null(strstr(out.ptr, "\"labeled_by\":\"\""));
	assert_non_null(strstr(out.ptr, "\"supercategory\":\"none\""));
	doc = json_loadb(out.ptr, out.len, 0, &je);
	assert_non_null(doc);
	again = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(again, out.ptr);
	free(again);
	json_decref(doc);
	ts_buf_release(&out);
}

static void expect_invalid(struct ts_coco_dataset *ds, const char *want)
{
	struct ts_buf out;
	struct ts_error err = { 0 };

	ts_buf_init(&out, 1 << 20);
	assert_int_equal(ts_coco_write_annotations(ds, &out, &err), TS_ERR_INVALID);
	if (!strstr(err.message, want))
		fail_msg("message \"%s\" does not contain \"%s\"", err.message, want);
	ts_buf_release(&out);
}

static void test_rejects_bad_input(void **state)
{
	struct ts_coco_image ims[3];
	struct ts_coco_annotation ans[3];
	struct ts_coco_category cats[3];
	struct ts_coco_dataset ds = golden_dataset();

	(void)state;
	memcpy(ims, golden_images, sizeof(ims));
	memcpy(ans, golden_annotations, sizeof(ans));
	memcpy(cats, golden_categories, sizeof(cats));
	ds.images = ims;
	ds.annotations = ans;
	ds.categories = cats;

	ims[0].file_name = "../etc/passwd";
	expect_invalid(&ds, "unsafe or empty file_name");
	ims[0].file_name = "a/b.png";
	expect_invalid(&ds, "unsafe or empty file_name");
	ims[0].file_name = golden_images[0].file_name;
	ims[0].checksum_sha256 = "ABC";
	expect_invalid(&ds, "checksum_sha256");
	ims[0].checksum_sha256 = golden_images[0].checksum_sha256;
	ims[1].id = 21;
	expect_invalid(&ds, "duplicate id");
	ims[1].id = 17;
	ans[0].category_id = 4;
	expect_invalid(&ds, "unknown category 4");
	ans[0].category_id = 2;
	ans[0].image_id = 21;
	expect_invalid(&ds, "more than one annotation");
	ans[0].image_id = 99;
	expect_invalid(&ds, "unknown image 99");
	ans[0].image_id = 18;
	ans[0].status = "unlabeled";
	expect_invalid(&ds, "bad annotation status");
	ans[0].status = "approved";
	ds.n_annotations = 2;
	expect_invalid(&ds, "every image needs exactly one");
	ds.n_annotations = 3;
	cats[0].name = "bad\nname";
	expect_invalid(&ds, "category 2");
	cats[0].name = "dog";
	ims[2].original_file_name = "\xff\xfe";
	expect_invalid(&ds, "original_file_name");
	ims[2].original_file_name = golden_images[2].original_file_name;
	ds.task_type = "keypoints";
	expect_invalid(&ds, "task_type");
}

static void test_size_cap(void **state)
{
	struct ts_coco_dataset ds = golden_dataset();
	struct ts_buf out;
	struct ts_error err = { 0 };

	(void)state;
	ts_buf_init(&out, 100);
	assert_int_equal(ts_coco_write_annotations(&ds, &out, &err), TS_ERR_TOO_LARGE);
	ts_buf_release(&out);
}

static void test_helpers(void **state)
{
	(void)state;
	assert_true(ts_coco_file_name_ok("17.jpg"));
	assert_true(ts_coco_file_name_ok("a_b-c.d.png"));
	assert_false(ts_coco_file_name_ok(""));
	assert_false(ts_coco_file_name_ok(".."));
	assert_false(ts_coco_file_name_ok(".hidden"));
	assert_false(ts_coco_file_name_ok("a/b"));
	assert_false(ts_coco_file_name_ok("a\\b"));
	assert_false(ts_coco_file_name_ok("/abs"));
	assert_false(ts_coco_file_name_ok("caf\xc3\xa9.png"));
}
/* A split (schema_version 1.2.0): golden/export_split, byte for byte. */
static void test_golden_split(void **state)
{
	struct ts_coco_dataset ds = golden_dataset();
	struct ts_split split = { .seed = "golden", .train = 0.5, .val = 0.25, .test = 0.25 };
	struct ts_buf ann, man;
	struct ts_error err = { 0 };
	size_t want_len;
	char *want;

	(void)state;
	ds.split = &split;
	ts_buf_init(&ann, 1 << 20);
	ts_buf_init(&man, 1 << 20);
	assert_int_equal(ts_coco_write_annotations(&ds, &ann, &err), TS_OK);
	want = tu_read_file(tu_src("contract/golden/export_split/annotations.json"), &want_len);
	assert_non_null(want);
	assert_int_equal(ann.len, want_len);
	assert_memory_equal(ann.ptr, want, want_len);
	free(want);
	assert_int_equal(ts_coco_write_manifest(&ds, &golden_info, ann.ptr, ann.len, &man,
						&err), TS_OK);
	want = tu_read_file(tu_src("contract/golden/export_split/manifest.json"), &want_len);
	assert_non_null(want);
	assert_string_equal(man.ptr, want);
	free(want);
	ts_buf_release(&ann);
	ts_buf_release(&man);
}

/* The ImageFolder layout with the same split (schema_version 1.3.0):
 * golden/export_imagefolder, byte for byte; the default layout stays
 * golden/export (test_golden_bytes). */
static void test_golden_imagefolder(void **state)
{
	struct ts_coco_dataset ds = golden_dataset();
	struct ts_split split = { .seed = "golden", .train = 0.5, .val = 0.25, .test = 0.25 };
	struct ts_buf ann, man;
	struct ts_error err = { 0 };
	size_t want_len;
	char *want;

	(void)state;
	ds.split = &split;
	ds.imagefolder = 1;
	ts_buf_init(&ann, 1 << 20);
	ts_buf_init(&man, 1 << 20);
	assert_int_equal(ts_coco_write_annotations(&ds, &ann, &err), TS_OK);
	want = tu_read_file(tu_src("contract/golden/export_imagefolder/annotations.json"), &want_len);
	assert_non_null(want);
	assert_int_equal(ann.len, want_len);
	assert_memory_equal(ann.ptr, want, want_len);
	free(want);
	assert_int_equal(ts_coco_write_manifest(&ds, &golden_info, ann.ptr, ann.len, &man,
						&err), TS_OK);
	want = tu_read_file(tu_src("contract/golden/export_imagefolder/manifest.json"), &want_len);
	assert_non_null(want);
	assert_string_equal(man.ptr, want);
	free(want);
	ts_buf_release(&ann);
	ts_buf_release(&man);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_categories_hash_python),
		cmocka_unit_test(test_categories_hash_rejects),
		cmocka_unit_test(test_golden_bytes),
		cmocka_unit_test(test_golden_new_task_types),
		cmocka_unit_test(test_golden_segmentation),
		cmocka_unit_test(test_golden_split),
		cmocka_unit_test(test_golden_imagefolder),
		cmocka_unit_test(test_matches_jansson),
		cmocka_unit_test(test_rejects_bad_input),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
