/* Unit tests for infer/: the ONNX header check on hand-made bytes, and,
 * when ONNX Runtime is installed (scripts/install-deps), our declarations
 * of its C API against the real library: a session of the tiny colour
 * model, its input and output shapes, a run on a solid red input, and the
 * per-thread session cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer/onnx_check.h"
#include "infer/ort.h"
#include "infer/sessions.h"
#include "core/banned.h"

static void *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_header(void **state)
{
	/* ir_version 7, opset_import {}, graph of 2 bytes */
	static const unsigned char good[] = { 0x08, 0x07, 0x42, 0x00, 0x3a, 0x02, 0x0a, 0x00 };
	static const unsigned char no_graph[] = { 0x08, 0x07, 0x42, 0x00 };
	static const unsigned char long_part[] = { 0x08, 0x07, 0x42, 0x00, 0x3a, 0x09, 0x0a };
	static const unsigned char bad_wire[] = { 0x0f, 0x01 };
	static const unsigned char two_graphs[] = { 0x08, 0x07, 0x42, 0x00, 0x3a, 0x01, 0x00,
						    0x3a, 0x01, 0x00 };
	struct ts_onnx_header h;
	struct ts_error err = { 0 };
	size_t len = 0;
	unsigned char *model;

	(void)state;
	assert_int_equal(ts_onnx_check(good, sizeof(good), &h, &err), TS_OK);
	assert_int_equal(h.ir_version, 7);
	assert_int_equal(h.graph_bytes, 2);
	assert_int_equal(ts_onnx_check(no_graph, sizeof(no_graph), &h, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_model");
	assert_int_equal(ts_onnx_check(long_part, sizeof(long_part), &h, &err), TS_ERR_INVALID);
	assert_int_equal(ts_onnx_check(bad_wire, sizeof(bad_wire), &h, &err), TS_ERR_INVALID);
	assert_int_equal(ts_onnx_check(two_graphs, sizeof(two_graphs), &h, &err), TS_ERR_INVALID);
	assert_int_equal(ts_onnx_check((const unsigned char *)"{\"a\":1}", 7, &h, &err),
			 TS_ERR_INVALID);
	model = read_all("tests/models/colour_a.onnx", &len);
	assert_non_null(model);
	assert_int_equal(ts_onnx_check(model, len, &h, &err), TS_OK);
	for (size_t cut = 1; cut < len; cut += 7)
		assert_int_equal(ts_onnx_check(model, cut, &h, &err), TS_ERR_INVALID);
	free(model);
}

#define LIB "third_party/onnxruntime/lib/libonnxruntime.so.1"

struct ort_fixture {
	struct ts_ort *o;
	void *model;
	size_t len;
};

static enum ts_err load_model(void *ctx, int64_t id, void **bytes, size_t *len,
			      struct ts_error *err)
{
	struct ort_fixture *f = ctx;

	(void)id;
	(void)err;
	*bytes = malloc(f->len);
	memcpy(*bytes, f->model, f->len);
	*len = f->len;
	return TS_OK;
}

static void test_runtime(void **state)
{
	struct ort_fixture f = { 0 };
	struct ts_error err = { 0 };
	struct ts_ort_session *s = NULL;
	struct ts_ort_tensor_info in, out;
	size_t n_in = 0, n_out = 0;
	const int64_t shape[4] = { 1, 3, 8, 8 };
	float input[3 * 64], scores[3] = { 0 }, four[4];

	(void)state;
	/* Tests run from the checkout: the library scripts/install-deps put
	 * there, else wherever the server would look. */
	{
		FILE *lib = fopen(LIB, "rb");

		f.o = ts_ort_open(lib ? LIB : NULL, &err);
		if (lib)
			fclose(lib);
	}
	if (!f.o) {
		assert_string_equal(err.code, "inference_unavailable");
		skip();
	}
	assert_true(strlen(ts_ort_version(f.o)) > 0);
	f.model = read_all("tests/models/colour_a.onnx", &f.len);
	assert_non_null(f.model);
	assert_int_equal(ts_ort_session_new(f.o, "nonsense", 8, &s, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_model");
	ts_error_release(&err);
	assert_int_equal(ts_ort_session_new(f.o, f.model, f.len, &s, &err), TS_OK);
	assert_int_equal(ts_ort_session_io(s, &n_in, &n_out, &in, &out, &err), TS_OK);
	assert_int_equal(n_in, 1);
	assert_int_equal(n_out, 1);
	assert_true(in.is_tensor && in.is_float);
	assert_int_equal(in.ndims, 4);
	assert_true(in.dims[0] == 1 && in.dims[1] == 3 && in.dims[2] == 8 && in.dims[3] == 8);
	assert_int_equal(out.ndims, 2);
	assert_int_equal(out.dims[1], 3);
	/* Solid red (nchw, 0..1): the first class wins. */
	for (int i = 0; i < 64; i++) {
		input[i] = 0.9f;
		input[64 + i] = 0.05f;
		input[128 + i] = 0.05f;
	}
	assert_int_equal(ts_ort_run(s, input, shape, 4, scores, 3, &err), TS_OK);
	assert_true(scores[0] > scores[1] && scores[0] > scores[2]);
	assert_true(scores[0] > 0.5f && scores[0] <= 1.0f);
	/* Asking for more scores than the model gives is an error, not a read
	 * past its output. */
	assert_int_equal(ts_ort_run(s, input, shape, 4, four, 4, &err), TS_ERR_UNPROCESSABLE);
	assert_string_equal(err.code, "inference_failed");
	ts_error_release(&err);
	ts_ort_session_free(s);

	/* The session cache: one session per thread and model, reused. */
	{
		struct ts_sessions *c = ts_sessions_new(f.o);
		struct ts_ort_session *a = NULL, *b = NULL, *other = NULL;

		assert_int_equal(ts_sessions_acquire(c, 1, load_model, &f, &a, &err), TS_OK);
		ts_sessions_release(c, a);
		assert_int_equal(ts_sessions_acquire(c, 1, load_model, &f, &b, &err), TS_OK);
		assert_ptr_equal(a, b);
		/* still held: a second acquire in the same thread loads another */
		assert_int_equal(ts_sessions_acquire(c, 1, load_model, &f, &other, &err), TS_OK);
		assert_ptr_not_equal(other, b);
		ts_sessions_release(c, b);
		ts_sessions_release(c, other);
		assert_int_equal(ts_sessions_acquire(c, 2, load_model, &f, &other, &err), TS_OK);
		ts_sessions_release(c, other);
		assert_int_equal(ts_sessions_count(c), 3);
		ts_sessions_free(c);
	}
	{
		struct ts_sessions *none = ts_sessions_new(NULL);

		assert_int_equal(ts_sessions_acquire(none, 1, load_model, &f, &s, &err),
				 TS_ERR_UNAVAILABLE);
		assert_string_equal(err.code, "inference_unavailable");
		ts_sessions_free(none);
	}
	free(f.model);
	ts_ort_close(f.o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_runtime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
