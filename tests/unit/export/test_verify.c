/* Unit tests for export verification (server/export/verify.c) on the
 * golden export (contract/golden/export), a zip of it, and tampered copies.
 *
 * Build and run from the repository root:
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Iserver \
 *     tests/unit/export/test_verify.c server/export/verify.c \
 *     server/export/schema.c server/export/coco.c \
 *     server/export/annotations_schema.c server/export/manifest_schema.c \
 *     server/hash/sha256.c server/core/buf.c server/core/error.c \
 *     $(pkg-config --cflags --libs jansson libcrypto libzip cmocka) -o build/test_verify
 *   ./build/test_verify
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "export/verify.h"
#include "test_util.h"
#include "core/banned.h"

#define GOLDEN "contract/golden/export"
#define GOLDEN_HASH "sha256:e0f81055bb7f8336f3cb4cb05be17719dc6310ec99482439bd4a2702d6fe2fb7"

struct fixture {
	char dir[64];   /* temporary directory */
	char copy[128]; /* dir/export: a fresh copy of the golden export */
	char zip[128];  /* dir/export.zip */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/ts_verify_XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->copy, sizeof(f->copy), "%s/export", f->dir);
	snprintf(f->zip, sizeof(f->zip), "%s/export.zip", f->dir);
	if (tu_copy_tree(tu_src(GOLDEN), f->copy))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tu_remove_tree(f->dir);
	free(f);
	return 0;
}

/* Runs verify; returns its result and the printed text (malloc'd). */
static int run(const char *path, char **text)
{
	size_t len;
	FILE *out = open_memstream(text, &len);
	struct ts_error err = { 0 };
	int rc;

	assert_non_null(out);
	rc = ts_verify_path(path, out, &err);
	fclose(out);
	ts_error_release(&err);
	return rc;
}

static void expect_fail(const char *path, int want_rc, const char *want)
{
	char *text = NULL;
	int rc = run(path, &text);

	if (rc != want_rc || !strstr(text, want))
		fail_msg("verify %s: rc %d (want %d), output lacks \"%s\":\n%s", path, rc,
			 want_rc, want, text);
	free(text);
}

static void expect_ok(const char *path)
{
	char *text = NULL, want[512];
	int rc = run(path, &text);

	snprintf(want, sizeof(want), "OK: %s version 1, 3 images, hash %s\n", path,
		 GOLDEN_HASH);
	if (rc != 0 || strcmp(text, want))
		fail_msg("verify %s: rc %d, output:\n%s", path, rc, text);
	free(text);
}

/* Zips dir (the three golden images, or what names lists) into zip_path.
 * extra_name/extra_data: one more entry (NULL for none). */
static void make_zip(const char *dir, const char *zip_path, const char *extra_name,
		     const char *extra_data)
{
	static const char *const names[] = {
		"manifest.json", "annotations.json", "images/17.png", "images/18.png",
		"images/21.png", NULL,
	};
	int zerr;
	zip_t *z = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

	assert_non_null(z);
	assert_true(zip_dir_add(z, "images", ZIP_FL_ENC_UTF_8) >= 0);
	for (int i = 0; names[i]; i++) {
		char path[512];
		zip_source_t *src;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		src = zip_source_file(z, path, 0, -1);
		assert_non_null(src);
		assert_true(zip_file_add(z, names[i], src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	if (extra_name) {
		zip_source_t *src = zip_source_buffer(z, extra_data, strlen(extra_data), 0);

		assert_true(zip_file_add(z, extra_name, src, ZIP_FL_ENC_UTF_8) >= 0);
	}
	assert_int_equal(zip_close(z), 0);
}

static void path_in(const struct fixture *f, const char *rel, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", f->copy, rel);
}

static void test_golden_folder(void **state)
{
	struct fixture *f = *state;

	expect_ok(tu_src(GOLDEN));
	expect_ok(f->copy);
}

/* The ImageFolder layout: the golden example verifies; an image moved to
 * another class folder, or left in images/, does not. */
static void test_golden_imagefolder(void **state)
{
	struct fixture *f = *state;
	char copy[160], from[256], to[256];
	char *text = NULL;

	assert_int_equal(run(tu_src("contract/golden/export_imagefolder"), &text), 0);
	assert_non_null(strstr(text, "OK: "));
	free(text);
	snprintf(copy, sizeof(copy), "%s/folders", f->dir);
	assert_int_equal(tu_copy_tree(tu_src("contract/golden/export_imagefolder"), copy), 0);
	snprintf(from, sizeof(from), "%s/train/1_dog/18.png", copy);
	snprintf(to, sizeof(to), "%s/test/0_cat/18.png", copy);
	assert_int_equal(rename(from, to), 0);
	expect_fail(copy, 1, "test/0_cat/18.png: misplaced (image 18 belongs in train/1_dog/)");
	snprintf(from, sizeof(from), "%s/images", copy);
	assert_int_equal(mkdir(from, 0755), 0);
	snprintf(from, sizeof(from), "%s/test/0_cat/18.png", copy);
	snprintf(to, sizeof(to), "%s/images/18.png", copy);
	assert_int_equal(rename(from, to), 0);
	expect_fail(copy, 1, "images/18.png: misplaced (image 18 belongs in train/1_dog/)");
	expect_fail(copy, 1, "train/1_dog/18.png: missing");
}

static void test_golden_zip(void **state)
{
	struct fixture *f = *state;

	make_zip(f->copy, f->zip, NULL, NULL);
	expect_ok(f->zip);
}

static void test_changed_image_byte(void **state)
{
	struct fixture *f = *state;
	char p[512];
	size_t len;
	char *data;

	path_in(f, "images/18.png", p, sizeof(p));
	data = tu_read_file(p, &len);
	data[len / 2] ^= 1;
	tu_write_file(p, data, len);
	free(data);
	expect_fail(f->copy, 1, "images/18.png: checksum mismatch (expected "
		    "23e0e9ddd7bbf8ebcf51c5284703ea9378b8d86a502458b2120bef36795c6b4d, got ");
	make_zip(f->copy, f->zip, NULL, NULL);
	expect_fail(f->zip, 1, "images/18.png: checksum mismatch");
}

/* An image whose chunks and CRCs are whole but whose rows carry filter
 * type 9: only a decode finds it, and verify reports it. */
static void test_damaged_image(void **state)
{
	struct fixture *f = *state;
	unsigned char png[8192];
	size_t len = tu_png(3, 16, 16, 9, png, sizeof(png));
	char p[512];

	assert_true(len > 0);
	path_in(f, "images/18.png", p, sizeof(p));
	assert_int_equal(tu_write_file(p, png, len), 0);
	expect_fail(f->copy, 1, "images/18.png: the image does not decode: a PNG row has a "
				"filter type other than 0 to 4");
	make_zip(f->copy, f->zip, NULL, NULL);
	expect_fail(f->zip, 1, "images/18.png: the image does not decode");
}

static void test_missing_image(void **state)
{
	struct fixture *f = *state;
	char p[512];

	path_in(f, "images/21.png", p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	expect_fail(f->copy, 1, "images/21.png: missing (listed in annotations.json as image 21)");
}

static void test_extra_files(void **state)
{
	struct fixture *f = *state;
	char p[512];

	path_in(f, "notes.txt", p, sizeof(p));
	tu_write_file(p, "hi", 2);
	expect_fail(f->copy, 1, "notes.txt: unexpected file");
	unlink(p);
	path_in(f, "images/99.png", p, sizeof(p));
	tu_write_file(p, "x", 1);
	expect_fail(f->copy, 1, "images/99.png: unexpected file (not listed in annotations.json)");
	unlink(p);
	path_in(f, "images/sub", p, sizeof(p));
	assert_int_equal(mkdir(p, 0755), 0);
	expect_fail(f->copy, 1, "images/sub/: unexpected directory under images/");
	rmdir(p);
	path_in(f, "cache", p, sizeof(p));
	assert_int_equal(mkdir(p, 0755), 0);
	expect_fail(f->copy, 1, "cache/: unexpected directory");
	rmdir(p);
	expect_ok(f->copy);

	make_zip(f->copy, f->zip, "extra.txt", "hello");
	expect_fail(f->zip, 1, "extra.txt: unexpected file");
	make_zip(f->copy, f->zip, "../evil.png", "x");
	expect_fail(f->zip, 1, "../evil.png: unsafe path");
	make_zip(f->copy, f->zip, "/abs.png", "x");
	expect_fail(f->zip, 1, "/abs.png: unsafe path");
	make_zip(f->copy, f->zip, "images/x\\y.png", "x");
	expect_fail(f->zip, 1, "images/x\\y.png: unsafe path");
	make_zip(f->copy, f->zip, "other/", "");
	expect_fail(f->zip, 1, "other/: unexpected directory");
}

static void test_edited_annotations(void **state)
{
	struct fixture *f = *state;
	char p[512];

	path_in(f, "annotations.json", p, sizeof(p));
	assert_int_equal(tu_replace_in_file(p, "\"labeled_by\":\"bob\"",
					    "\"labeled_by\":\"eve\""), 0);
	expect_fail(f->copy, 1, "manifest.json: hash mismatch: manifest says " GOLDEN_HASH
		    ", annotations.json is sha256:");
	expect_fail(f->copy, 1, "files[\"annotations.json\"].sha256 mismatch");
}

static void test_edited_category_name(void **state)
{
	struct fixture *f = *state;
	char p[512];

	path_in(f, "manifest.json", p, sizeof(p));
	assert_int_equal(tu_replace_in_file(p, "\"name\": \"dog\"", "\"name\": \"dgo\""), 0);
	expect_fail(f->copy, 1,
		    "manifest.json: /categories/1/name: \"dgo\" differs from annotations.json \"dog\"");
}

static void test_renamed_category_in_both(void **state)
{
	struct fixture *f = *state;
	char p[512];

	/* consistent names, stale categories_hash (and hash) */
	path_in(f, "manifest.json", p, sizeof(p));
	assert_int_equal(tu_replace_in_file(p, "\"name\": \"dog\"", "\"name\": \"hound\""), 0);
	path_in(f, "annotations.json", p, sizeof(p));
	assert_int_equal(tu_replace_in_file(p, "\"name\":\"dog\"", "\"name\":\"hound\""), 0);
	expect_fail(f->copy, 1, "manifest.json: categories_hash mismatch");
}

static void test_manifest_counts_and_schema(void **state)
{
	struct fixture *f = *state;
	char p[512];

	path_in(f, "manifest.json", p, sizeof(p));
	assert_int_equal(tu_replace_in_file(p, "\"2\": 2", "\"2\": 5"), 0);
	expect_fail(f->copy, 1, "manifest.json: counts.per_category[\"2\"] is 5, "
		    "annotations.json has 2");
	assert_int_equal(tu_replace_in_file(p, "\"version\": 1,", ""), 0);
	expect_fail(f->copy, 1,
		    "manifest.json: (root): missing required property \"version\"");
	assert_int_equal(tu_replace_in_file(p, "{", "["), 0);
	expect_fail(f->copy, 1, "manifest.json: invalid JSON at line");
}

static void test_annotations_rules(void **state)
{
	struct fixture *f = *state;
	char p[512];

	path_in(f, "annotations.json", p, sizeof(p));
	/* not canonical (a space), and an unsafe file name */
	assert_int_equal(tu_replace_in_file(p, "\"licenses\":[]", "\"licenses\": []"), 0);
	expect_fail(f->copy, 1, "annotations.json: not in canonical form");
	assert_int_equal(tu_replace_in_file(p, "\"licenses\": []", "\"licenses\":[]"), 0);
	assert_int_equal(tu_replace_in_file(p, "\"id\":2,\"image_id\":18",
					    "\"id\":7,\"image_id\":18"), 0);
	expect_fail(f->copy, 1, "annotations.json: /annotations/1/id: 7, expected 2");
	assert_int_equal(tu_replace_in_file(p, "\"id\":7,\"image_id\":18,\"category_id\":2",
					    "\"id\":2,\"image_id\":18,\"category_id\":9"), 0);
	expect_fail(f->copy, 1, "/annotations/1/category_id: 9 is not a listed category");
}

/* annotations.json is read piece by piece: what the whole document's
 * parse refused is still refused, an image or annotation too large to
 * read on its own is named, and a document larger than one piece is
 * still read whole. */
static void test_annotations_stream(void **state)
{
	struct fixture *f = *state;
	char p[512], *text = NULL, *doc, *big;
	size_t len;
	FILE *out;

	path_in(f, "annotations.json", p, sizeof(p));
	doc = tu_read_file(p, &len);
	assert_non_null(doc);
	/* a duplicate key at the top level */
	assert_int_equal(tu_replace_in_file(p, "\"licenses\":[]", "\"licenses\":[],\"licenses\":[]"),
			 0);
	expect_fail(f->copy, 1, "annotations.json: invalid JSON at line 1 column ");
	expect_fail(f->copy, 1, "duplicate object key");
	expect_fail(f->copy, 1, "images/17.png: unexpected file (not listed in annotations.json)");
	/* images under a key spelled with an escape: not canonical, but read */
	assert_int_equal(tu_write_file(p, doc, len), 0);
	assert_int_equal(tu_replace_in_file(p, "\"images\":[", "\"\\u0069mages\":["), 0);
	assert_int_equal(run(f->copy, &text), 1);
	assert_non_null(strstr(text, "annotations.json: not in canonical form"));
	assert_null(strstr(text, "not listed in annotations.json"));
	free(text);
	/* an image larger than a piece may be (16 MB) */
	out = fopen(p, "w");
	assert_non_null(out);
	fputs("{\"info\":{},\"images\":[{\"id\":1},{\"id\":2,\"original_file_name\":\"", out);
	big = malloc((size_t)1 << 20);
	memset(big, 'a', (size_t)1 << 20);
	for (int i = 0; i < 17; i++)
		fwrite(big, 1, (size_t)1 << 20, out);
	fputs("\"}],\"annotations\":[]}", out);
	assert_int_equal(fclose(out), 0);
	expect_fail(f->copy, 1, "annotations.json: /images/1: larger than 16777216 bytes");
	/* other members: each on its own, and together, at most 16 MB */
	out = fopen(p, "w");
	assert_non_null(out);
	fputs("{\"a\":\"", out);
	for (int i = 0; i < 9; i++)
		fwrite(big, 1, (size_t)1 << 20, out);
	fputs("\",\"b\":\"", out);
	for (int i = 0; i < 9; i++)
		fwrite(big, 1, (size_t)1 << 20, out);
	fputs("\"}", out);
	assert_int_equal(fclose(out), 0);
	expect_fail(f->copy, 1, "annotations.json: the members besides images and annotations "
		    "are larger than 16777216 bytes together");
	/* a valid document larger than one piece: its problems are found
	 * past the first 16 MB */
	out = fopen(p, "w");
	assert_non_null(out);
	fputs("{\"info\":{\"schema_version\":\"1.0.0\",\"task_type\":\"classification_single\"},"
	      "\"licenses\":[{\"pad\":\"", out);
	for (int i = 0; i < 15; i++)
		fwrite(big, 1, (size_t)1 << 20, out);
	fputs("\"}],\"images\":[", out);
	for (int i = 0; i < 30; i++)
		fprintf(out, "%s{\"pad\":\"%.*s\"}", i ? "," : "", 100000, big);
	fputs(",{\"id\":5,\"file_name\":\"5.png\"}],\"annotations\":[],\"categories\":[]}", out);
	assert_int_equal(fclose(out), 0);
	expect_fail(f->copy, 1, "annotations.json: /images/30: missing required property \"width\"");
	expect_fail(f->copy, 1, "annotations.json: /images/0: missing required property \"id\"");
	free(big);
	free(doc);
}

static void test_unreadable_path(void **state)
{
	struct fixture *f = *state;
	char p[512];

	expect_fail("/nonexistent/export", 2, "No such file or directory");
	path_in(f, "manifest.json", p, sizeof(p));
	expect_fail(p, 2, "not a readable zip");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_folder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_zip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_golden_imagefolder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_image_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extra_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_annotations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_category_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_renamed_category_in_both, setup, teardown),
		cmocka_unit_test_setup_teardown(test_manifest_counts_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_annotations_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_annotations_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
