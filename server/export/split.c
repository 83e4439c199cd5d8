#include "export/split.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"
#include "hash/sha256.h"

double ts_split_point(const char *seed, const char *sha256hex)
{
	struct ts_sha256 h;
	char hex[TS_SHA256_HEX_SIZE];
	unsigned char raw[TS_SHA256_RAW_SIZE];
	uint64_t v = 0;

	ts_sha256_init(&h);
	ts_sha256_update(&h, seed, strlen(seed));
	ts_sha256_update(&h, sha256hex, strlen(sha256hex));
	ts_sha256_final(&h, hex, raw);
	for (int i = 0; i < 8; i++)
		v = (v << 8) | raw[i];
	return (double)(v >> 11) / 9007199254740992.0; /* 2^53 */
}

enum ts_split_part ts_split_of(const struct ts_split *s, const char *sha256hex)
{
	double u = ts_split_point(s->seed, sha256hex);

	if (u < s->train)
		return TS_SPLIT_TRAIN;
	if (u < s->train + s->val)
		return TS_SPLIT_VAL;
	return TS_SPLIT_TEST;
}

const char *ts_split_name(enum ts_split_part p)
{
	switch (p) {
	case TS_SPLIT_TRAIN:
		return "train";
	case TS_SPLIT_VAL:
		return "val";
	case TS_SPLIT_TEST:
		return "test";
	}
	return "test";
}

static enum ts_err fraction(const json_t *obj, const char *key, double *out,
			    struct ts_error *err)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
				    "The split needs a fraction %s (a number from 0 to 1).", key);
	if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
	    json_number_value(v) < 0 || json_number_value(v) > 1)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
				    "The split's %s must be a number from 0 to 1.", key);
	*out = json_number_value(v);
	return TS_OK;
}

enum ts_err ts_split_parse(const json_t *obj, struct ts_split *out, struct ts_error *err)
{
	const char *key;
	json_t *v;
	enum ts_err e;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
				    "The split must be an object with seed, train, val and test.");
	json_object_foreach((json_t *)obj, key, v) {
		if (strcmp(key, "seed") && strcmp(key, "train") && strcmp(key, "val") &&
		    strcmp(key, "test"))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
					    "The split takes only seed, train, val and test.");
	}
	v = json_object_get(obj, "seed");
	if (!json_is_string(v))
		return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
				    "The split needs a seed (a string of 1 to %d characters).",
				    TS_SPLIT_SEED_MAX);
	const char *seed = json_string_value(v);
	size_t len = json_string_length(v);
	long cps = ts_utf8_count(seed, len);
	if (cps < 1 || cps > TS_SPLIT_SEED_MAX || len >= sizeof(out->seed) ||
	    strlen(seed) != len)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
				    "The split's seed must be 1 to %d characters of text.",
				    TS_SPLIT_SEED_MAX);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)seed[i];
		if (c < 0x20 || c == 0x7f)
			return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
					    "The split's seed must not hold control characters.");
	}
	if ((e = fraction(obj, "train", &out->train, err)) ||
	    (e = fraction(obj, "val", &out->val, err)) ||
	    (e = fraction(obj, "test", &out->test, err)))
		return e;
	if (fabs(out->train + out->val + out->test - 1.0) > 1e-9)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
				    "The split's fractions train, val and test must add up to 1 "
				    "(they add up to %.6g).",
				    out->train + out->val + out->test);
	if (out->train <= 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_split",
				    "The split's train fraction must be more than 0.");
	memcpy(out->seed, seed, len + 1);
	return TS_OK;
}
