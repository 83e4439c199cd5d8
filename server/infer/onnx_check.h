/* A first look at an uploaded model's bytes, before ONNX Runtime sees them:
 * an ONNX file is a protobuf ModelProto, so its top level must be a clean
 * sequence of fields (valid wire types, lengths inside the file) holding an
 * ir_version (field 1, 1..100), at least one opset_import (field 8) and
 * exactly one non-empty graph (field 7). Random bytes, a truncated file, a
 * JSON or zip file fail here with a sentence saying why. Pure; never reads
 * past len. */
#ifndef TS_INFER_ONNX_CHECK_H
#define TS_INFER_ONNX_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct ts_onnx_header {
	uint64_t ir_version;
	size_t n_opsets;
	size_t graph_bytes;
};

/* TS_OK and out filled, or INVALID "invalid_model". */
enum ts_err ts_onnx_check(const unsigned char *data, size_t len, struct ts_onnx_header *out,
			  struct ts_error *err);

#endif
