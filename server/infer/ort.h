/* ONNX Runtime, loaded at run time with dlopen: the only file that knows
 * its C API. The build needs neither the library nor its headers; without
 * the library ts_ort_open fails and callers answer "inference_unavailable".
 *
 * A session is one loaded model. ts_ort_run may be called from one thread
 * at a time per session (callers keep one session per worker thread). */
#ifndef TS_INFER_ORT_H
#define TS_INFER_ORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_ORT_MAX_DIMS 8

struct ts_ort;
struct ts_ort_session;

/* A tensor's element type and shape as the model declares it (a dynamic
 * dimension is -1). */
struct ts_ort_tensor_info {
	int is_tensor;
	int is_float; /* element type float32 */
	size_t ndims;
	int64_t dims[TS_ORT_MAX_DIMS];
};

/* Loads the library at path, or, when path is NULL, the first of
 * $TESSERA_ONNXRUNTIME, third_party/onnxruntime/lib/libonnxruntime.so.1
 * beside the executable's parent folder, and the system's
 * libonnxruntime.so.1. NULL with err UNAVAILABLE "inference_unavailable"
 * when none loads. The result is freed with ts_ort_close. */
struct ts_ort *ts_ort_open(const char *path, struct ts_error *err);
void ts_ort_close(struct ts_ort *o);
/* The library's version string ("1.30.0"); static. */
const char *ts_ort_version(const struct ts_ort *o);

/* Creates a session from the model bytes (borrowed; copied by the
 * library), with one intra-op thread. INVALID "invalid_model" with the
 * library's reason when it does not load. */
enum ts_err ts_ort_session_new(struct ts_ort *o, const void *model, size_t len,
			       struct ts_ort_session **out, struct ts_error *err);
void ts_ort_session_free(struct ts_ort_session *s);

/* How many inputs and outputs the model has, and the first of each. */
enum ts_err ts_ort_session_io(struct ts_ort_session *s, size_t *n_in, size_t *n_out,
			      struct ts_ort_tensor_info *in0, struct ts_ort_tensor_info *out0,
			      struct ts_error *err);

/* Runs the model on one float tensor (shape of ndims dims; input holds
 * their product of floats) and copies the first output's floats to out
 * (n_out of them: the output must hold exactly that many).
 * UNPROCESSABLE "inference_failed" with the library's reason. */
enum ts_err ts_ort_run(struct ts_ort_session *s, const float *input, const int64_t *shape,
		       size_t ndims, float *out, size_t n_out, struct ts_error *err);

#endif
