#include "infer/onnx_check.h"

#include <string.h>

#include "core/banned.h"

/* Reads a base-128 varint at *p (< end). 0, or -1 when it runs past end or
 * past ten bytes. */
static int varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70; shift += 7) {
		unsigned char b;

		if (*p >= end)
			return -1;
		b = *(*p)++;
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static enum ts_err bad(struct ts_error *err, const char *why)
{
	return ts_error_set(err, TS_ERR_INVALID, "invalid_model",
			    "The file is not an ONNX model: %s.", why);
}

enum ts_err ts_onnx_check(const unsigned char *data, size_t len, struct ts_onnx_header *out,
			  struct ts_error *err)
{
	const unsigned char *p = data, *end = data + len;
	int have_ir = 0, graphs = 0;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return bad(err, "it is empty");
	while (p < end) {
		uint64_t key, field, v;
		unsigned wire;

		if (varint(&p, end, &key))
			return bad(err, "a field key runs past the end (truncated?)");
		field = key >> 3;
		wire = (unsigned)(key & 7);
		if (field == 0 || field > 536870911)
			return bad(err, "it holds an invalid field number");
		switch (wire) {
		case 0:
			if (varint(&p, end, &v))
				return bad(err, "a number runs past the end (truncated?)");
			if (field == 1) {
				if (v < 1 || v > 100)
					return bad(err, "its ir_version is out of range");
				out->ir_version = v;
				have_ir = 1;
			}
			break;
		case 1:
			if ((size_t)(end - p) < 8)
				return bad(err, "a value runs past the end (truncated?)");
			p += 8;
			break;
		case 5:
			if ((size_t)(end - p) < 4)
				return bad(err, "a value runs past the end (truncated?)");
			p += 4;
			break;
		case 2:
			if (varint(&p, end, &v))
				return bad(err, "a length runs past the end (truncated?)");
			if (v > (uint64_t)(end - p))
				return bad(err, "a part is longer than the file (truncated?)");
			if (field == 7) {
				if (v == 0)
					return bad(err, "its graph is empty");
				graphs++;
				out->graph_bytes = (size_t)v;
			} else if (field == 8) {
				out->n_opsets++;
			}
			p += v;
			break;
		default:
			return bad(err, "it holds a field of an unknown wire type");
		}
		if ((field == 1 && wire != 0) || ((field == 7 || field == 8) && wire != 2))
			return bad(err, "a field has the wrong type");
	}
	if (!have_ir)
		return bad(err, "it has no ir_version");
	if (graphs != 1)
		return bad(err, graphs ? "it has more than one graph" : "it has no graph");
	if (out->n_opsets == 0)
		return bad(err, "it names no operator set");
	return TS_OK;
}
