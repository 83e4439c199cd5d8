#include "domain/model.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/names.h"
#include "core/banned.h"

static enum ts_err bad(struct ts_error *err, const char *what)
{
	return ts_error_set(err, TS_ERR_INVALID, "invalid_metadata", "The model metadata %s.",
			    what);
}

static int only_keys(json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		int ok = 0;

		(void)v;
		for (size_t i = 0; keys[i] && !ok; i++)
			ok = strcmp(k, keys[i]) == 0;
		if (!ok)
			return 0;
	}
	return 1;
}

static int num(json_t *v, double *out)
{
	if (!json_is_number(v))
		return 0;
	*out = json_number_value(v);
	return isfinite(*out);
}

static int triple(json_t *a, double out[3], int positive)
{
	if (!json_is_array(a) || json_array_size(a) != 3)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (!num(json_array_get(a, i), &out[i]) || (positive && !(out[i] > 0)) ||
		    fabs(out[i]) > 1e6)
			return 0;
	return 1;
}

static int is_hash(const char *s)
{
	if (strncmp(s, "sha256:", 7) != 0 || strlen(s) != 71)
		return 0;
	for (const char *p = s + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static enum ts_err parse_input(json_t *in, struct ts_model_input *o, struct ts_error *err)
{
	static const char *const keys[] = { "width", "height", "channels", "layout", "scale",
					    "mean", "std", NULL };
	json_t *w = json_object_get(in, "width"), *h = json_object_get(in, "height");
	const char *ch = json_string_value(json_object_get(in, "channels"));
	const char *lay = json_string_value(json_object_get(in, "layout"));

	if (!json_is_object(in))
		return bad(err, "needs input, an object");
	if (!only_keys(in, keys))
		return bad(err, "input holds a field other than width, height, channels, layout, "
				"scale, mean and std");
	if (!json_is_integer(w) || !json_is_integer(h) || json_integer_value(w) < 1 ||
	    json_integer_value(h) < 1 || json_integer_value(w) > TS_MODEL_SIDE_MAX ||
	    json_integer_value(h) > TS_MODEL_SIDE_MAX)
		return bad(err, "input.width and input.height must be integers from 1 to 4096");
	o->width = (int)json_integer_value(w);
	o->height = (int)json_integer_value(h);
	if (!ch || (strcmp(ch, "rgb") != 0 && strcmp(ch, "bgr") != 0))
		return bad(err, "input.channels must be rgb or bgr");
	o->bgr = strcmp(ch, "bgr") == 0;
	if (!lay || (strcmp(lay, "nchw") != 0 && strcmp(lay, "nhwc") != 0))
		return bad(err, "input.layout must be nchw or nhwc");
	o->nhwc = strcmp(lay, "nhwc") == 0;
	if (!num(json_object_get(in, "scale"), &o->scale) || !(o->scale > 0) || o->scale > 1e6)
		return bad(err, "input.scale must be a number above 0");
	if (!triple(json_object_get(in, "mean"), o->mean, 0))
		return bad(err, "input.mean must be three numbers");
	if (!triple(json_object_get(in, "std"), o->std, 1))
		return bad(err, "input.std must be three numbers above 0");
	return TS_OK;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

enum ts_err ts_model_meta_parse(const char *json, size_t len, struct ts_model_meta *out,
				struct ts_error *err)
{
	static const char *const keys[] = { "name", "task_type", "labels_hash", "input", "outputs",
					    NULL };
	json_error_t jerr;
	json_t *root = NULL, *outs;
	const char *s;
	char *name = NULL;
	int64_t *sorted = NULL;
	enum ts_err e = TS_OK;

	memset(out, 0, sizeof(*out));
	if (len > TS_MODEL_META_MAX) {
		e = bad(err, "is larger than 64 KiB");
		goto out;
	}
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(root)) {
		e = bad(err, "is not a JSON object");
		goto out;
	}
	if (!only_keys(root, keys)) {
		e = bad(err, "holds a field other than name, task_type, labels_hash, input and "
			     "outputs");
		goto out;
	}
	s = json_string_value(json_object_get(root, "name"));
	if (!s) {
		e = bad(err, "needs a name, a string");
		goto out;
	}
	name = ts_name_clean(s, TS_MODEL_NAME_MAX, "model name", err);
	if (!name) {
		e = TS_ERR_INVALID;
		goto out;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	s = json_string_value(json_object_get(root, "task_type"));
	if (!s || (strcmp(s, "classification_single") != 0 &&
		   strcmp(s, "classification_multi") != 0)) {
		e = bad(err, "task_type must be classification_single or classification_multi");
		goto out;
	}
	memcpy(out->task_type, s, strlen(s) + 1);
	s = json_string_value(json_object_get(root, "labels_hash"));
	if (!s || !is_hash(s)) {
		e = bad(err, "labels_hash must be the export's categories_hash (sha256:<64 hex>)");
		goto out;
	}
	memcpy(out->labels_hash, s, strlen(s) + 1);
	e = parse_input(json_object_get(root, "input"), &out->input, err);
	if (e)
		goto out;
	outs = json_object_get(root, "outputs");
	if (!json_is_array(outs) || json_array_size(outs) < 2 ||
	    json_array_size(outs) > TS_MODEL_OUTPUTS_MAX) {
		e = bad(err, "outputs must list the category id of each of 2 to 1000 scores");
		goto out;
	}
	out->n_outputs = json_array_size(outs);
	out->outputs = ts_xcalloc(out->n_outputs, sizeof(int64_t));
	for (size_t i = 0; i < out->n_outputs; i++) {
		json_t *v = json_array_get(outs, i);

		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 9007199254740991LL) {
			e = bad(err, "outputs must hold category ids (integers from 1)");
			goto out;
		}
		out->outputs[i] = json_integer_value(v);
	}
	sorted = ts_xcalloc(out->n_outputs, sizeof(int64_t));
	memcpy(sorted, out->outputs, out->n_outputs * sizeof(int64_t));
	qsort(sorted, out->n_outputs, sizeof(int64_t), cmp_i64);
	for (size_t i = 1; i < out->n_outputs; i++)
		if (sorted[i] == sorted[i - 1]) {
			e = bad(err, "outputs names a category twice");
			goto out;
		}
out:
	free(name);
	free(sorted);
	json_decref(root);
	return e;
}

void ts_model_meta_release(struct ts_model_meta *m)
{
	free(m->outputs);
	m->outputs = NULL;
	m->n_outputs = 0;
}

char *ts_model_meta_json(const struct ts_model_meta *m)
{
	const struct ts_model_input *in = &m->input;
	json_t *o = json_object(), *i = json_object(), *outs = json_array();
	json_t *mean = json_array(), *std = json_array();
	char *s;

	for (int c = 0; c < 3; c++) {
		json_array_append_new(mean, json_real(in->mean[c]));
		json_array_append_new(std, json_real(in->std[c]));
	}
	json_object_set_new(i, "width", json_integer(in->width));
	json_object_set_new(i, "height", json_integer(in->height));
	json_object_set_new(i, "channels", json_string(in->bgr ? "bgr" : "rgb"));
	json_object_set_new(i, "layout", json_string(in->nhwc ? "nhwc" : "nchw"));
	json_object_set_new(i, "scale", json_real(in->scale));
	json_object_set_new(i, "mean", mean);
	json_object_set_new(i, "std", std);
	for (size_t k = 0; k < m->n_outputs; k++)
		json_array_append_new(outs, json_integer(m->outputs[k]));
	json_object_set_new(o, "name", json_string(m->name));
	json_object_set_new(o, "task_type", json_string(m->task_type));
	json_object_set_new(o, "labels_hash", json_string(m->labels_hash));
	json_object_set_new(o, "input", i);
	json_object_set_new(o, "outputs", outs);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		ts_die("out of memory");
	return s;
}

void ts_model_input_shape(const struct ts_model_input *in, int64_t dims[4])
{
	dims[0] = 1;
	if (in->nhwc) {
		dims[1] = in->height;
		dims[2] = in->width;
		dims[3] = 3;
	} else {
		dims[1] = 3;
		dims[2] = in->height;
		dims[3] = in->width;
	}
}

static int score_cmp(const void *a, const void *b)
{
	const struct ts_model_score *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->category_id > y->category_id) - (x->category_id < y->category_id);
}

void ts_model_scores(const float *raw, const int64_t *outputs, size_t n,
		     struct ts_model_score *out)
{
	double sum = 0, max = -INFINITY;
	int probs = 1;

	for (size_t i = 0; i < n; i++) {
		double v = isfinite(raw[i]) ? raw[i] : 0;

		if (v < 0 || v > 1)
			probs = 0;
		sum += v;
		if (v > max)
			max = v;
	}
	if (fabs(sum - 1) > 1e-3)
		probs = 0;
	if (probs) {
		for (size_t i = 0; i < n; i++)
			out[i] = (struct ts_model_score){ outputs[i],
							  isfinite(raw[i]) ? raw[i] : 0 };
	} else {
		double z = 0;

		for (size_t i = 0; i < n; i++)
			z += exp((isfinite(raw[i]) ? raw[i] : 0) - max);
		for (size_t i = 0; i < n; i++)
			out[i] = (struct ts_model_score){
				outputs[i], exp((isfinite(raw[i]) ? raw[i] : 0) - max) / z };
	}
	qsort(out, n, sizeof(*out), score_cmp);
}
