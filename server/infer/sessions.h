/* Loaded models, kept for reuse: each thread that runs a model (an HTTP
 * worker answering a suggestion, a job worker running a batch) loads its
 * own session of that model once and keeps it, so runs never wait for
 * another thread's and a model is parsed once per thread. At most
 * TS_SESSIONS_MAX sessions are kept; beyond that the least recently used
 * one that no thread is running is released. Safe from many threads. */
#ifndef TS_INFER_SESSIONS_H
#define TS_INFER_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "infer/ort.h"

#define TS_SESSIONS_MAX 32

struct ts_sessions;

/* o is borrowed (NULL: every acquire answers "inference_unavailable"). */
struct ts_sessions *ts_sessions_new(struct ts_ort *o);
void ts_sessions_free(struct ts_sessions *c);

/* Loads the model bytes on a miss: the callback reads them (malloc'd). */
typedef enum ts_err (*ts_sessions_load_fn)(void *ctx, int64_t model_id, void **bytes,
					   size_t *len, struct ts_error *err);

/* The calling thread's session of model_id, loaded on first use; hand it
 * back with ts_sessions_release. */
enum ts_err ts_sessions_acquire(struct ts_sessions *c, int64_t model_id, ts_sessions_load_fn load,
				void *ctx, struct ts_ort_session **out, struct ts_error *err);
void ts_sessions_release(struct ts_sessions *c, struct ts_ort_session *s);
/* How many sessions are loaded now. */
size_t ts_sessions_count(struct ts_sessions *c);

#endif
