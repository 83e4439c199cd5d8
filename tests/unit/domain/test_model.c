/* Unit tests for model metadata and scores (server/domain/model.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "domain/model.h"
#include "core/banned.h"

#define HASH "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define INPUT                                                                                   \
	"\"input\":{\"width\":8,\"height\":6,\"channels\":\"bgr\",\"layout\":\"nhwc\","    \
	"\"scale\":0.5,\"mean\":[1,2,3],\"std\":[1,1,2]}"

static enum ts_err parse(const char *json, struct ts_model_meta *m, struct ts_error *err)
{
	return ts_model_meta_parse(json, strlen(json), m, err);
}

static void test_good(void **state)
{
	struct ts_model_meta m;
	struct ts_error err = { 0 };
	int64_t dims[4];
	char *again;

	(void)state;
	assert_int_equal(parse("{\"name\":\" m1 \",\"task_type\":\"classification_single\","
			       "\"labels_hash\":\"" HASH "\"," INPUT ",\"outputs\":[3,1,2]}",
			       &m, &err),
			 TS_OK);
	assert_string_equal(m.name, "m1");
	assert_int_equal(m.input.width, 8);
	assert_true(m.input.bgr && m.input.nhwc);
	assert_int_equal(m.n_outputs, 3);
	assert_int_equal(m.outputs[0], 3);
	ts_model_input_shape(&m.input, dims);
	assert_true(dims[0] == 1 && dims[1] == 6 && dims[2] == 8 && dims[3] == 3);
	again = ts_model_meta_json(&m);
	ts_model_meta_release(&m);
	assert_int_equal(parse(again, &m, &err), TS_OK);
	assert_int_equal(m.outputs[2], 2);
	free(again);
	ts_model_meta_release(&m);
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"name\":\"m\"}",
		"{\"name\":\"m\",\"task_type\":\"detection\",\"labels_hash\":\"" HASH "\"," INPUT
		",\"outputs\":[1,2]}",
		"{\"name\":\"m\",\"task_type\":\"classification_single\",\"labels_hash\":\"abc\","
		INPUT ",\"outputs\":[1,2]}",
		"{\"name\":\"m\",\"task_type\":\"classification_single\",\"labels_hash\":\"" HASH
		"\"," INPUT ",\"outputs\":[1,1]}",
		"{\"name\":\"m\",\"task_type\":\"classification_single\",\"labels_hash\":\"" HASH
		"\"," INPUT ",\"outputs\":[1]}",
		"{\"name\":\"m\",\"task_type\":\"classification_single\",\"labels_hash\":\"" HASH
		"\",\"input\":{\"width\":0,\"height\":6,\"channels\":\"rgb\",\"layout\":\"nchw\","
		"\"scale\":1,\"mean\":[0,0,0],\"std\":[1,1,1]},\"outputs\":[1,2]}",
		"{\"name\":\"m\",\"task_type\":\"classification_single\",\"labels_hash\":\"" HASH
		"\",\"input\":{\"width\":9999,\"height\":6,\"channels\":\"rgb\",\"layout\":\"nchw\","
		"\"scale\":1,\"mean\":[0,0,0],\"std\":[1,1,1]},\"outputs\":[1,2]}",
		"{\"name\":\"m\",\"task_type\":\"classification_single\",\"labels_hash\":\"" HASH
		"\",\"input\":{\"width\":4,\"height\":6,\"channels\":\"rgb\",\"layout\":\"nchw\","
		"\"scale\":1,\"mean\":[0,0,0],\"std\":[1,0,1]},\"outputs\":[1,2]}",
		"{\"name\":\"m\",\"task_type\":\"classification_single\",\"labels_hash\":\"" HASH
		"\"," INPUT ",\"outputs\":[1,2],\"extra\":1}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ts_model_meta m;
		struct ts_error err = { 0 };

		assert_int_equal(parse(bad[i], &m, &err), TS_ERR_INVALID);
		assert_true(strcmp(err.code, "invalid_metadata") == 0 ||
			    strcmp(err.code, "invalid_name") == 0);
		ts_model_meta_release(&m);
	}
}

static void test_scores(void **state)
{
	const float probs[] = { 0.2f, 0.7f, 0.1f };
	const float logits[] = { 0.0f, 0.0f, (float)log(2.0) };
	const int64_t ids[] = { 5, 6, 7 };
	struct ts_model_score s[3];

	(void)state;
	ts_model_scores(probs, ids, 3, s);
	assert_int_equal(s[0].category_id, 6);
	assert_true(fabs(s[0].score - 0.7) < 1e-6);
	assert_int_equal(s[2].category_id, 7);
	/* softmax of (0, 0, ln 2) = (1/4, 1/4, 1/2) */
	ts_model_scores(logits, ids, 3, s);
	assert_int_equal(s[0].category_id, 7);
	assert_true(fabs(s[0].score - 0.5) < 1e-6);
	assert_int_equal(s[1].category_id, 5);
	assert_true(fabs(s[1].score - 0.25) < 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_scores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
