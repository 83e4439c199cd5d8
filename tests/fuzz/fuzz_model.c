/* libFuzzer target: what a model upload brings besides the model itself,
 * and the first look at the model's bytes: the metadata JSON
 * (domain/model.c) and the ONNX header check (infer/onnx_check.c).
 *
 * Input: the first byte picks the parser (even: metadata, odd: ONNX
 * header); the rest is its input. Besides memory errors, it checks that
 * metadata that parses prints canonical JSON that parses again to the same
 * values, and that an accepted ONNX header reports what the check
 * promises (an ir_version in range, a graph inside the input, an opset). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/model.h"
#include "infer/onnx_check.h"

static void metadata(const uint8_t *data, size_t size)
{
	struct ts_model_meta m, again;
	struct ts_error err = { 0 };
	char *text;

	if (ts_model_meta_parse((const char *)data, size, &m, &err) != TS_OK) {
		if (!err.code[0] || !err.message[0])
			abort(); /* a refusal always says why */
		ts_model_meta_release(&m);
		ts_error_release(&err);
		return;
	}
	if (m.n_outputs < 2 || m.input.width < 1 || m.input.height < 1 ||
	    m.input.width > TS_MODEL_SIDE_MAX || !(m.input.scale > 0))
		abort();
	text = ts_model_meta_json(&m);
	if (ts_model_meta_parse(text, strlen(text), &again, &err) != TS_OK)
		abort(); /* the canonical form must parse */
	if (again.n_outputs != m.n_outputs ||
	    memcmp(again.outputs, m.outputs, m.n_outputs * sizeof(int64_t)) != 0 ||
	    strcmp(again.name, m.name) != 0 || again.input.width != m.input.width ||
	    again.input.nhwc != m.input.nhwc || again.input.bgr != m.input.bgr)
		abort();
	free(text);
	ts_model_meta_release(&again);
	ts_model_meta_release(&m);
	ts_error_release(&err);
}

static void header(const uint8_t *data, size_t size)
{
	struct ts_onnx_header h;
	struct ts_error err = { 0 };

	if (ts_onnx_check(data, size, &h, &err) == TS_OK) {
		if (h.ir_version < 1 || h.ir_version > 100 || h.n_opsets == 0 ||
		    h.graph_bytes == 0 || h.graph_bytes > size)
			abort();
	} else if (strcmp(err.code, "invalid_model") != 0) {
		abort();
	}
	ts_error_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		header(data + 1, size - 1);
	else
		metadata(data + 1, size - 1);
	return 0;
}
