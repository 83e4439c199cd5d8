/* A deterministic train/val/test split of an export's images.
 *
 * An image's split depends only on its content and on the split's seed and
 * fractions, never on the other images, so it is stable across versions:
 * adding images never moves an image that was already exported.
 *
 *   d = SHA-256(seed bytes (UTF-8) || the image's checksum_sha256 as its 64
 *               lowercase hex ASCII characters)
 *   u = the first 8 bytes of d as a big-endian integer, shifted right by 11
 *       (53 bits), divided by 2^53: a number in [0, 1), exact as a double
 *   split = "train" when u < train, else "val" when u < train + val
 *           (IEEE double sum), else "test"
 *
 * The checksum has a fixed length, so seed || checksum is unambiguous. Two
 * images with the same bytes always land in the same split. The Python
 * reader (contract/python/tessera_dataset.py, split_of_checksum) computes
 * the same thing; both are tested on the same vectors. Pure. */
#ifndef TS_EXPORT_SPLIT_H
#define TS_EXPORT_SPLIT_H

#include <jansson.h>

#include "core/error.h"

#define TS_SPLIT_SEED_MAX 100 /* code points */
#define TS_SPLIT_SEED_BYTES (TS_SPLIT_SEED_MAX * 4 + 1)

enum ts_split_part { TS_SPLIT_TRAIN, TS_SPLIT_VAL, TS_SPLIT_TEST };

struct ts_split {
	char seed[TS_SPLIT_SEED_BYTES];
	double train, val, test;
};

/* The split of an image whose checksum_sha256 is sha256hex (64 lowercase
 * hex digits). */
enum ts_split_part ts_split_of(const struct ts_split *s, const char *sha256hex);
/* u in [0, 1) as described above. */
double ts_split_point(const char *seed, const char *sha256hex);
/* "train", "val" or "test". */
const char *ts_split_name(enum ts_split_part p);

/* Reads {"seed": "...", "train": 0.8, "val": 0.1, "test": 0.1} into out.
 * seed: a string of 1 to 100 code points of valid UTF-8 without control
 * characters; train, val, test: numbers from 0 to 1 whose sum is 1 (within
 * 1e-9); train > 0; no other keys. INVALID "invalid_split" with a sentence
 * naming the field otherwise. */
enum ts_err ts_split_parse(const json_t *obj, struct ts_split *out, struct ts_error *err);

#endif
