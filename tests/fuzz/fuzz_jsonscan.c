/* libFuzzer target: the JSON scan (core/jsonscan.c) that bounds a body
 * before it is parsed. Besides memory errors, it checks the scan's promise
 * on every text jansson accepts: the weight is at least the number of
 * values in the tree, and no array has more elements than the largest. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Values in v (v included, at depth d); *largest: the most elements of an
 * array within the depth the scan names (64); *deep: deeper than that. */
static size_t count(const json_t *v, size_t d, size_t *largest, int *deep)
{
	size_t n = 1, i;
	const char *k;
	json_t *x;

	if (d > 64)
		*deep = 1;
	if (json_is_array(v)) {
		if (d <= 64 && json_array_size(v) > *largest)
			*largest = json_array_size(v);
		json_array_foreach(v, i, x)
			n += count(x, d + 1, largest, deep);
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x)
			n += count(x, d + 1, largest, deep);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_jsonscan scan;
	size_t largest = 0;
	int deep = 0;
	json_t *v;

	ts_jsonscan((const char *)data, size, &scan);
	v = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (!v)
		return 0;
	if (count(v, 1, &largest, &deep) > scan.weight)
		abort(); /* the weight must bound the tree */
	if (!deep && largest != scan.largest)
		abort(); /* the largest array is found */
	json_decref(v);
	return 0;
}
