/* Models: the metadata a model is registered with, and what its scores
 * mean. Pure: no I/O.
 *
 * The metadata (the `metadata` part of POST .../models) is a JSON object:
 *   name         1..200 characters
 *   task_type    classification_single or classification_multi
 *   labels_hash  "sha256:<64 hex>", the export's categories_hash
 *   input        width, height (1..4096), channels "rgb"|"bgr", layout
 *                "nchw"|"nhwc", scale (> 0), mean[3], std[3] (each > 0)
 *   outputs      the category id of each position of the score output
 *                (2..1000 distinct ids >= 1)
 * Unknown fields are refused, so a typo is not silently ignored. */
#ifndef TS_DOMAIN_MODEL_H
#define TS_DOMAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_MODEL_NAME_MAX 200      /* characters */
#define TS_MODEL_SIDE_MAX 4096     /* input width and height */
#define TS_MODEL_OUTPUTS_MAX 1000
#define TS_MODEL_HASH_SIZE 72      /* "sha256:" + 64 hex + NUL, rounded */
#define TS_MODEL_META_MAX 65536    /* bytes of metadata JSON */

struct ts_model_input {
	int width, height;
	int bgr;  /* channels "bgr" (else "rgb") */
	int nhwc; /* layout "nhwc" (else "nchw") */
	double scale;
	double mean[3], std[3];
};

struct ts_model_meta {
	char name[TS_MODEL_NAME_MAX * 4 + 1];
	char task_type[32];
	char labels_hash[TS_MODEL_HASH_SIZE];
	struct ts_model_input input;
	int64_t *outputs; /* malloc'd */
	size_t n_outputs;
};

/* Parses len bytes of metadata JSON into out (released with
 * ts_model_meta_release, also after a failure). INVALID "invalid_metadata"
 * with a sentence naming the field. */
enum ts_err ts_model_meta_parse(const char *json, size_t len, struct ts_model_meta *out,
				struct ts_error *err);
void ts_model_meta_release(struct ts_model_meta *m);
/* The canonical JSON of m (what is stored and shown); malloc'd. */
char *ts_model_meta_json(const struct ts_model_meta *m);

/* The tensor shape the model's input must have: [1,3,H,W] (nchw) or
 * [1,H,W,3] (nhwc), in dims[4]. */
void ts_model_input_shape(const struct ts_model_input *in, int64_t dims[4]);

/* One score of a suggestion: a category and its score. */
struct ts_model_score {
	int64_t category_id;
	double score;
};

/* Turns n raw outputs (probabilities, or logits when they do not look like
 * a distribution: a value outside 0..1 or a sum far from 1 gets a softmax)
 * into scores per category (outputs[i] is position i's id), sorted best
 * first (ties: the lower id). out holds n. */
void ts_model_scores(const float *raw, const int64_t *outputs, size_t n,
		     struct ts_model_score *out);

#endif
