/* The import's readers (server/import/): the instance-mask CSV (columns in
 * any order, quotes, CRLF, bad rows kept with their reason, refusals of the
 * whole file) and COCO annotations.json (images, categories, polygons, RLE
 * and the rings an export writes beside it, bad objects kept with their
 * reason, the point limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "import/archive.h"
#include "import/coco.h"
#include "import/csv.h"

static void csv_rows(void **state)
{
	const char *text = "\xEF\xBB\xBF" "category_id,extra,image,mask\r\n"
			   "3,x,a.jpg,m/1.png\r\n"
			   "\n"
			   "4,,\"b,c.jpg\",\"m/\"\"q\"\".png\"\n"
			   "x,,a.jpg,m/2.png\n"
			   "5,,,m/3.png\n"
			   "6,,a.jpg";
	struct ts_error err = { 0 };
	struct ts_csv_rows r;
	(void)state;

	assert_int_equal(ts_csv_parse(text, strlen(text), &r, &err), TS_OK);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.rows[0].mask, "m/1.png");
	assert_string_equal(r.rows[0].image, "a.jpg");
	assert_int_equal(r.rows[0].category_id, 3);
	assert_int_equal(r.rows[0].line, 2);
	assert_string_equal(r.rows[0].bad, "");
	assert_string_equal(r.rows[1].image, "b,c.jpg");
	assert_string_equal(r.rows[1].mask, "m/\"q\".png");
	assert_int_equal(r.rows[1].line, 4);
	assert_string_not_equal(r.rows[2].bad, ""); /* category x */
	assert_string_not_equal(r.rows[3].bad, ""); /* no image */
	assert_string_not_equal(r.rows[4].bad, ""); /* no mask column */
	ts_csv_release(&r);

	assert_int_equal(ts_csv_parse("mask,image\na,b\n", 15, &r, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_csv");
	ts_csv_release(&r);
	text = "mask,image,category_id\n\"a,b,1\n";
	assert_int_equal(ts_csv_parse(text, strlen(text), &r, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_csv");
	ts_csv_release(&r);
	text = "mask,image,category_id\n\xff,b,1\n";
	assert_int_equal(ts_csv_parse(text, strlen(text), &r, &err), TS_ERR_INVALID);
	ts_csv_release(&r);
	ts_error_release(&err);
}

static void coco_objects(void **state)
{
	const char *text =
		"{\"images\":[{\"id\":7,\"file_name\":\"images/a.jpg\",\"width\":8,\"height\":6,"
		"\"checksum_sha256\":\"" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" "\"}],"
		"\"categories\":[{\"id\":2,\"name\":\"road\"}],"
		"\"annotations\":["
		"{\"id\":1,\"image_id\":7,\"category_id\":2,\"segmentation\":[[0,0,4,0,4,3],[5,5,6,5,6,6]]},"
		"{\"id\":2,\"image_id\":7,\"category_id\":2,\"segmentation\":{\"size\":[6,8],\"counts\":[3,4,41]}},"
		"{\"id\":3,\"image_id\":7,\"category_id\":2,\"segmentation\":{\"size\":[6,8],\"counts\":\"3420\"},"
		"\"polygons\":[[1,1,3,1,3,3]]},"
		"{\"id\":4,\"image_id\":7,\"category_id\":2,\"segmentation\":[[0,0,4]]},"
		"{\"id\":5,\"image_id\":7,\"segmentation\":[[0,0,4,0,4,3]]}]}";
	struct ts_error err = { 0 };
	struct ts_coco c;
	(void)state;

	assert_int_equal(ts_coco_parse(text, strlen(text), &c, &err), TS_OK);
	assert_int_equal(c.nimages, 1);
	assert_string_equal(c.images[0].file_name, "images/a.jpg");
	assert_int_equal(strlen(c.images[0].sha256), 64);
	assert_int_equal(c.ncategories, 1);
	assert_string_equal(c.categories[0].name, "road");
	assert_int_equal(c.nobjects, 5);
	assert_int_equal(c.objects[0].nrings, 2);
	assert_int_equal(c.objects[0].ring_n[0], 3);
	assert_true(c.objects[0].xy[2] == 4);
	assert_true(c.objects[1].is_rle);
	assert_int_equal(c.objects[1].ncounts, 3);
	assert_int_equal(c.objects[1].rle_h, 6);
	/* An RLE with its rings beside it: the rings are read. */
	assert_false(c.objects[2].is_rle);
	assert_int_equal(c.objects[2].nrings, 1);
	assert_string_not_equal(c.objects[3].bad, "");
	assert_string_not_equal(c.objects[4].bad, "");
	assert_int_equal(c.points, 3 + 3 + 3);
	ts_coco_release(&c);

	assert_int_equal(ts_coco_parse("[1]", 3, &c, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_json");
	ts_coco_release(&c);
	assert_int_equal(ts_coco_parse("{\"images\":[{\"id\":1}],\"annotations\":[]}", 37, &c, &err),
			 TS_ERR_INVALID);
	ts_coco_release(&c);
	ts_error_release(&err);
}

/* More points than TS_COCO_MAX_POINTS in one polygon: the whole file is
 * refused. */
static void coco_point_limit(void **state)
{
	size_t n = 2 * (size_t)(TS_COCO_MAX_POINTS + 1), len = 0, cap = n * 2 + 200;
	char *text = malloc(cap);
	struct ts_error err = { 0 };
	struct ts_coco c;
	(void)state;

	len += (size_t)snprintf(text, cap, "{\"images\":[],\"annotations\":[{\"image_id\":1,"
				     "\"category_id\":1,\"segmentation\":[[");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, i ? ",%d" : "%d", (int)(i % 10));
	len += (size_t)snprintf(text + len, cap - len, "]]}]}");
	assert_int_equal(ts_coco_parse(text, len, &c, &err), TS_ERR_TOO_LARGE);
	assert_string_equal(err.code, "too_many_points");
	ts_coco_release(&c);
	ts_error_release(&err);
	free(text);
}

static void basenames(void **state)
{
	(void)state;
	assert_string_equal(ts_import_basename("a/b/c.png"), "c.png");
	assert_string_equal(ts_import_basename("c.png"), "c.png");
	assert_string_equal(ts_import_basename("dir/"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(csv_rows),
		cmocka_unit_test(coco_objects),
		cmocka_unit_test(coco_point_limit),
		cmocka_unit_test(basenames),
	};
	return cmocka_run_group_tests_name("import/readers", tests, NULL, NULL);
}
