/* Annotation payloads: type names, validation of every shape the API may
 * send, the canonical text the store keeps, and reading it back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/payload.h"

static enum ts_err parse(const char *text, const char *field, struct ts_payload *p,
			 struct ts_error *err)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	enum ts_err e;

	assert_non_null(v);
	e = ts_payload_from_json(v, field, p, err);
	json_decref(v);
	return e;
}

static void type_names(void **state)
{
	enum ts_payload_type t = TS_PAYLOAD_NONE;
	(void)state;

	assert_string_equal(ts_payload_type_name(TS_PAYLOAD_CLASSIFICATION), "classification");
	assert_null(ts_payload_type_name(TS_PAYLOAD_NONE));
	assert_null(ts_payload_type_name((enum ts_payload_type)99));
	assert_int_equal(ts_payload_type_parse("classification", &t), 0);
	assert_int_equal(t, TS_PAYLOAD_CLASSIFICATION);
	assert_int_equal(ts_payload_type_parse("Classification", &t), -1);
	assert_int_equal(ts_payload_type_parse("", &t), -1);
	assert_int_equal(ts_payload_type_parse(NULL, &t), -1);
}

static void valid_classification(void **state)
{
	struct ts_error err = { 0 };
	struct ts_payload p;
	const int64_t *ids;
	size_t n;
	char *text;
	(void)state;

	assert_int_equal(parse("{\"category_ids\": [3, 1], \"type\": \"classification\"}", "payload",
			       &p, &err),
			 TS_OK);
	assert_int_equal(p.type, TS_PAYLOAD_CLASSIFICATION);
	ids = ts_payload_categories(&p, &n);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 1);
	/* The canonical text: compact, "type" first, ids as given. */
	text = ts_payload_text(&p);
	assert_string_equal(text, "{\"type\":\"classification\",\"category_ids\":[3,1]}");
	ts_payload_release(&p);
	assert_int_equal(ts_payload_from_text(text, &p, &err), TS_OK);
	assert_int_equal(p.type, TS_PAYLOAD_CLASSIFICATION);
	assert_int_equal(p.ncat, 2);
	free(text);
	ts_payload_release(&p);

	assert_int_equal(parse("{\"type\": \"classification\", \"category_ids\": [9007199254740991]}",
			       "", &p, &err),
			 TS_OK);
	assert_int_equal(p.category_ids[0], 9007199254740991LL);
	ts_payload_release(&p);
	/* Built from ids, as the state machine's outcome is. */
	ts_payload_classification((const int64_t[]){ 7 }, 1, &p);
	text = ts_payload_text(&p);
	assert_string_equal(text, "{\"type\":\"classification\",\"category_ids\":[7]}");
	free(text);
	ts_payload_release(&p);
}

static void none(void **state)
{
	struct ts_error err = { 0 };
	struct ts_payload p = { 0 };
	json_t *v;
	size_t n = 5;
	(void)state;

	assert_null(ts_payload_text(&p));
	v = ts_payload_json(&p);
	assert_true(json_is_null(v));
	json_decref(v);
	ts_payload_categories(&p, &n);
	assert_int_equal(n, 0);
	assert_int_equal(ts_payload_from_text(NULL, &p, &err), TS_OK);
	assert_int_equal(p.type, TS_PAYLOAD_NONE);
	assert_int_equal(ts_payload_from_text("{", &p, &err), TS_ERR_INTERNAL);
	ts_error_release(&err);
}

static void refusals(void **state)
{
	static const struct {
		const char *json, *code;
		enum ts_err e;
	} cases[] = {
		{ "[1]", "invalid_payload", TS_ERR_INVALID },
		{ "null", "invalid_payload", TS_ERR_INVALID },
		{ "{\"category_ids\": [1]}", "invalid_payload", TS_ERR_INVALID },
		{ "{\"type\": 1, \"category_ids\": [1]}", "invalid_payload", TS_ERR_INVALID },
		{ "{\"type\": \"keypoints\", \"category_ids\": [1]}", "unknown_payload_type",
		  TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"category_ids\": [1]}", "invalid_payload", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\"}", "invalid_payload", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": {}}", "invalid_field", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [1]}", "invalid_field", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"bbox\": [0, 0, 1, 1]}]}", "invalid_field",
		  TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"category_id\": 1, \"bbox\": [0, 0, 0, 1]}]}",
		  "invalid_box", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"category_id\": 1, \"bbox\": [0, 0, 1, -1]}]}",
		  "invalid_box", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"category_id\": 1, \"bbox\": [0, 0, 1]}]}",
		  "invalid_box", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"category_id\": 1, \"bbox\": [0, null, 1, 1]}]}",
		  "invalid_box", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"category_id\": 1, \"bbox\": [2e9, 0, 1, 1]}]}",
		  "invalid_box", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"category_id\": 1, \"bbox\": [0, 0, 1, 1], "
		  "\"score\": 1}]}",
		  "invalid_payload", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"id\": \"a b\", \"category_id\": 1, "
		  "\"bbox\": [0, 0, 1, 1]}]}",
		  "invalid_object_id", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"id\": \"\", \"category_id\": 1, "
		  "\"bbox\": [0, 0, 1, 1]}]}",
		  "invalid_object_id", TS_ERR_INVALID },
		{ "{\"type\": \"boxes\", \"objects\": [{\"id\": \"a\", \"category_id\": 1, "
		  "\"bbox\": [0, 0, 1, 1]}, {\"id\": \"a\", \"category_id\": 2, \"bbox\": [0, 0, 1, 1]}]}",
		  "duplicate_object_id", TS_ERR_INVALID },
		{ "{\"type\": \"classification\"}", "invalid_payload", TS_ERR_INVALID },
		{ "{\"type\": \"classification\", \"category_ids\": [1], \"scores\": [1]}",
		  "invalid_payload", TS_ERR_INVALID },
		{ "{\"type\": \"classification\", \"category_ids\": 1}", "invalid_field", TS_ERR_INVALID },
		{ "{\"type\": \"classification\", \"category_ids\": [0]}", "invalid_field", TS_ERR_INVALID },
		{ "{\"type\": \"classification\", \"category_ids\": [1.5]}", "invalid_field",
		  TS_ERR_INVALID },
		{ "{\"type\": \"classification\", \"category_ids\": [\"1\"]}", "invalid_field",
		  TS_ERR_INVALID },
		{ "{\"type\": \"classification\", \"category_ids\": [9007199254740992]}", "invalid_field",
		  TS_ERR_INVALID },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ts_error err = { 0 };
		struct ts_payload p;

		assert_int_equal(parse(cases[i].json, "payload", &p, &err), cases[i].e);
		assert_string_equal(err.code, cases[i].code);
		assert_int_equal(p.type, TS_PAYLOAD_NONE);
		assert_null(p.category_ids);
		ts_payload_release(&p);
		ts_error_release(&err);
	}
}

static void too_many(void **state)
{
	struct ts_error err = { 0 };
	struct ts_payload p;
	json_t *ids = json_array(), *v;
	(void)state;

	for (int i = 1; i <= TS_PAYLOAD_MAX_IDS; i++)
		json_array_append_new(ids, json_integer(i));
	v = json_pack("{s:s, s:O}", "type", "classification", "category_ids", ids);
	assert_int_equal(ts_payload_from_json(v, "", &p, &err), TS_OK);
	assert_int_equal(p.ncat, TS_PAYLOAD_MAX_IDS);
	ts_payload_release(&p);
	json_array_append_new(ids, json_integer(1));
	assert_int_equal(ts_payload_from_json(v, "", &p, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "too_many");
	assert_non_null(strstr(err.message, "\"category_ids\""));
	ts_error_release(&err);
	while (json_array_size(ids) <= TS_PAYLOAD_ABUSE_IDS)
		json_array_append_new(ids, json_integer(2));
	assert_int_equal(ts_payload_from_json(v, "payload", &p, &err), TS_ERR_TOO_LARGE);
	assert_non_null(strstr(err.message, "\"payload.category_ids\""));
	ts_error_release(&err);
	json_decref(ids);
	json_decref(v);
}

static void boxes(void **state)
{
	struct ts_error err = { 0 };
	struct ts_payload p, prev;
	const int64_t *ids;
	size_t n;
	char *text;
	(void)state;

	assert_int_equal(parse("{\"type\": \"boxes\", \"objects\": ["
			       "{\"id\": \"k-1\", \"category_id\": 3, \"bbox\": [0.5, 1, 10, 2.25]},"
			       "{\"category_id\": 1, \"bbox\": [0, 0, 4, 4]},"
			       "{\"category_id\": 3, \"bbox\": [1, 1, 1, 1]}]}",
			       "payload", &p, &err),
			 TS_OK);
	assert_int_equal(p.type, TS_PAYLOAD_BOXES);
	assert_int_equal(p.nobj, 3);
	/* The index: distinct categories in order of first use, with counts. */
	ids = ts_payload_categories(&p, &n);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 3);
	assert_int_equal(ids[1], 1);
	assert_int_equal(p.cat_objects[0], 2);
	assert_int_equal(p.cat_objects[1], 1);
	/* Inside a 10.5 x 4 image; not inside 10 x 4 nor 11 x 3. */
	assert_int_equal(ts_payload_check_bounds(&p, 11, 4, "payload", &err), TS_OK);
	assert_int_equal(ts_payload_check_bounds(&p, 10, 4, "payload", &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "box_outside_image");
	assert_non_null(strstr(err.message, "payload.objects[0].bbox"));
	ts_error_release(&err);
	assert_int_equal(ts_payload_check_bounds(&p, 11, 3, "payload", &err), TS_ERR_INVALID);
	assert_non_null(strstr(err.message, "payload.objects[0].bbox"));
	ts_error_release(&err);
	/* Ids: given ones kept, new ones unused by this payload or the previous. */
	assert_int_equal(parse("{\"type\": \"boxes\", \"objects\": [{\"id\": \"7-1\", "
			       "\"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]}",
			       "", &prev, &err),
			 TS_OK);
	strcpy(p.objects[0].id, "7-2");
	ts_payload_assign_ids(&p, &prev, 7);
	assert_string_equal(p.objects[0].id, "7-2");
	assert_string_equal(p.objects[1].id, "7-3");
	assert_string_equal(p.objects[2].id, "7-4");
	text = ts_payload_text(&p);
	assert_string_equal(text, "{\"type\":\"boxes\",\"objects\":["
				  "{\"id\":\"7-2\",\"category_id\":3,\"bbox\":[0.5,1.0,10.0,2.25]},"
				  "{\"id\":\"7-3\",\"category_id\":1,\"bbox\":[0.0,0.0,4.0,4.0]},"
				  "{\"id\":\"7-4\",\"category_id\":3,\"bbox\":[1.0,1.0,1.0,1.0]}]}");
	ts_payload_release(&p);
	/* The stored text reads back to the same payload. */
	assert_int_equal(ts_payload_from_text(text, &p, &err), TS_OK);
	assert_string_equal(p.objects[2].id, "7-4");
	assert_true(p.objects[0].bbox[3] == 2.25);
	free(text);
	ts_payload_release(&p);
	ts_payload_release(&prev);
	/* An empty list is an answer ("no objects"). */
	assert_int_equal(parse("{\"type\": \"boxes\", \"objects\": []}", "", &p, &err), TS_OK);
	ids = ts_payload_categories(&p, &n);
	assert_int_equal(n, 0);
	ts_payload_release(&p);
}

static void too_many_objects(void **state)
{
	struct ts_error err = { 0 };
	struct ts_payload p;
	json_t *objs = json_array(), *v;
	(void)state;

	for (int i = 0; i < TS_PAYLOAD_MAX_OBJECTS; i++)
		json_array_append_new(objs, json_pack("{s:i, s:[i, i, i, i]}", "category_id",
						      1 + i % TS_PAYLOAD_MAX_BOX_CATEGORIES, "bbox",
						      0, 0, 1, 1));
	v = json_pack("{s:s, s:O}", "type", "boxes", "objects", objs);
	assert_int_equal(ts_payload_from_json(v, "payload", &p, &err), TS_OK);
	assert_int_equal(p.nobj, TS_PAYLOAD_MAX_OBJECTS);
	assert_int_equal(p.ncat, TS_PAYLOAD_MAX_BOX_CATEGORIES);
	ts_payload_release(&p);
	json_array_append_new(objs, json_pack("{s:i, s:[i, i, i, i]}", "category_id", 1, "bbox", 0,
					      0, 1, 1));
	assert_int_equal(ts_payload_from_json(v, "payload", &p, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "too_many");
	assert_non_null(strstr(err.message, "\"payload.objects\""));
	ts_error_release(&err);
	ts_payload_release(&p);
	json_decref(v);
	/* More distinct categories than one image's index holds. */
	json_array_clear(objs);
	for (int i = 0; i <= TS_PAYLOAD_MAX_BOX_CATEGORIES; i++)
		json_array_append_new(objs, json_pack("{s:i, s:[i, i, i, i]}", "category_id", i + 1,
						      "bbox", 0, 0, 1, 1));
	v = json_pack("{s:s, s:O}", "type", "boxes", "objects", objs);
	assert_int_equal(ts_payload_from_json(v, "payload", &p, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "too_many");
	ts_error_release(&err);
	ts_payload_release(&p);
	json_decref(v);
	json_decref(objs);
}

static void polygons(void **state)
{
	struct ts_error err = { 0 };
	struct ts_payload p;
	const int64_t *ids;
	size_t n;
	char *text;
	(void)state;

	assert_int_equal(parse("{\"type\": \"polygons\", \"objects\": ["
			       "{\"id\": \"r\", \"category_id\": 3, \"polygons\": "
			       "[[0, 0, 10, 0, 10, 10, 0, 10], [2, 2, 4, 2, 4, 4]]},"
			       "{\"category_id\": 1, \"polygons\": [[1, 1, 5.5, 1, 1, 4]]}]}",
			       "payload", &p, &err),
			 TS_OK);
	assert_int_equal(p.type, TS_PAYLOAD_POLYGONS);
	assert_int_equal(p.nobj, 2);
	assert_int_equal(p.objects[0].nrings, 2);
	assert_int_equal(p.objects[0].rings[1].n, 3);
	assert_true(p.objects[0].rings[1].xy[2] == 4);
	/* bbox: the bounds of the rings. */
	assert_true(p.objects[1].bbox[0] == 1 && p.objects[1].bbox[2] == 4.5 &&
		    p.objects[1].bbox[3] == 3);
	ids = ts_payload_categories(&p, &n);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 3);
	assert_int_equal(p.cat_objects[1], 1);
	assert_int_equal(ts_payload_check_bounds(&p, 10, 10, "payload", &err), TS_OK);
	assert_int_equal(ts_payload_check_bounds(&p, 9, 10, "payload", &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "polygon_outside_image");
	assert_non_null(strstr(err.message, "payload.objects[0].polygons[0]"));
	ts_error_release(&err);
	ts_payload_assign_ids(&p, NULL, 2);
	assert_string_equal(p.objects[1].id, "2-1");
	text = ts_payload_text(&p);
	assert_string_equal(text, "{\"type\":\"polygons\",\"objects\":["
				  "{\"id\":\"r\",\"category_id\":3,\"polygons\":"
				  "[[0.0,0.0,10.0,0.0,10.0,10.0,0.0,10.0],[2.0,2.0,4.0,2.0,4.0,4.0]]},"
				  "{\"id\":\"2-1\",\"category_id\":1,\"polygons\":"
				  "[[1.0,1.0,5.5,1.0,1.0,4.0]]}]}");
	ts_payload_release(&p);
	assert_int_equal(ts_payload_from_text(text, &p, &err), TS_OK);
	assert_int_equal(p.objects[0].nrings, 2);
	free(text);
	ts_payload_release(&p);

	/* Refusals name the object and the ring. */
	assert_int_equal(parse("{\"type\": \"polygons\", \"objects\": [{\"category_id\": 1, "
			       "\"polygons\": [[0, 0, 9, 0, 9, 9], [0, 0, 4, 4, 4, 0, 0, 5]]}]}",
			       "payload", &p, &err),
			 TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_polygon");
	ts_error_release(&err);
	ts_payload_release(&p);
	assert_int_equal(parse("{\"type\": \"polygons\", \"objects\": [{\"category_id\": 1, "
			       "\"polygons\": [[20, 0, 29, 0, 29, 9], [0, 0, 4, 4, 4, 0, 0, 5]]}]}",
			       "payload", &p, &err),
			 TS_ERR_INVALID);
	assert_non_null(strstr(err.message, "payload.objects[0].polygons[1] intersects itself"));
	ts_error_release(&err);
	ts_payload_release(&p);
	assert_int_equal(parse("{\"type\": \"polygons\", \"objects\": [{\"category_id\": 1, "
			       "\"polygons\": [[0, 0, 1, 0, 1]]}]}",
			       "", &p, &err),
			 TS_ERR_INVALID);
	assert_non_null(strstr(err.message, "objects[0].polygons[0]"));
	ts_error_release(&err);
	ts_payload_release(&p);
	assert_int_equal(parse("{\"type\": \"polygons\", \"objects\": [{\"category_id\": 1, "
			       "\"bbox\": [0, 0, 1, 1]}]}",
			       "", &p, &err),
			 TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_payload");
	ts_error_release(&err);
	ts_payload_release(&p);
}

static void too_many_points(void **state)
{
	struct ts_error err = { 0 };
	struct ts_payload p;
	json_t *objs = json_array(), *v;
	size_t per = TS_POLYGON_MAX_OBJECT_POINTS / 2, nobj = TS_PAYLOAD_MAX_POINTS / per;
	(void)state;

	/* nobj objects of per points each: exactly the image's limit. */
	for (size_t i = 0; i < nobj; i++) {
		json_t *ring = json_array();

		for (size_t k = 0; k < per; k++) {
			double a = 2 * M_PI * (double)k / (double)per;

			json_array_append_new(ring, json_real(500 + 400 * cos(a)));
			json_array_append_new(ring, json_real(500 + 400 * sin(a)));
		}
		json_array_append_new(objs, json_pack("{s:i, s:[o]}", "category_id", 1, "polygons",
						      ring));
	}
	v = json_pack("{s:s, s:O}", "type", "polygons", "objects", objs);
	assert_int_equal(ts_payload_from_json(v, "payload", &p, &err), TS_OK);
	ts_payload_release(&p);
	json_array_append_new(objs, json_pack("{s:i, s:[[i, i, i, i, i, i]]}", "category_id", 1,
					      "polygons", 0, 0, 1, 0, 0, 1));
	assert_int_equal(ts_payload_from_json(v, "payload", &p, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "too_many");
	assert_non_null(strstr(err.message, "100000 points"));
	ts_error_release(&err);
	ts_payload_release(&p);
	json_decref(v);
	json_decref(objs);
}

static void task_types(void **state)
{
	(void)state;
	assert_int_equal(ts_payload_type_for_task("classification_single"), TS_PAYLOAD_CLASSIFICATION);
	assert_int_equal(ts_payload_type_for_task("classification_multi"), TS_PAYLOAD_CLASSIFICATION);
	assert_int_equal(ts_payload_type_for_task("detection"), TS_PAYLOAD_BOXES);
	assert_int_equal(ts_payload_type_for_task("segmentation"), TS_PAYLOAD_POLYGONS);
	assert_int_equal(ts_payload_type_for_task("keypoints"), TS_PAYLOAD_NONE);
	assert_int_equal(ts_payload_type_for_task(NULL), TS_PAYLOAD_NONE);
	assert_true(ts_payload_task_type_valid("detection"));
	assert_false(ts_payload_task_type_valid(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(type_names),
		cmocka_unit_test(valid_classification),
		cmocka_unit_test(none),
		cmocka_unit_test(refusals),
		cmocka_unit_test(too_many),
		cmocka_unit_test(boxes),
		cmocka_unit_test(too_many_objects),
		cmocka_unit_test(polygons), cmocka_unit_test(too_many_points),
		cmocka_unit_test(task_types),
	};
	return cmocka_run_group_tests_name("domain/payload", tests, NULL, NULL);
}
