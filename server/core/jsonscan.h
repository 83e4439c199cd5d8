/* A first look at JSON text before it is parsed into a tree: one linear
 * pass, no allocation, that bounds what the tree would cost and finds the
 * largest array and the key it stands under. A body that would make too
 * large a tree is refused by name ("objects holds 100000 items") without
 * building it. Malformed text is not judged here: the scan counts what it
 * sees and the parser refuses it afterwards. */
#ifndef TS_CORE_JSONSCAN_H
#define TS_CORE_JSONSCAN_H

#include <stddef.h>

struct ts_jsonscan {
	/* A bound on the tree's size: 4 per object, 2 per array, 1 per
	 * other value (each value but the first of its container follows a
	 * comma, so commas + containers + 1 bounds the values). */
	size_t weight;
	/* The array with the most elements, and the path of object keys it
	 * stands under ("payload.objects"; an array inside an array takes its
	 * parent's); "" when it has none (the body itself) or the path is
	 * longer than TS_JSONSCAN_KEY_MAX bytes. */
	size_t largest;
	char largest_key[64];
};

#define TS_JSONSCAN_KEY_MAX 63

/* Scans text[0..len) into *out. Never fails. */
void ts_jsonscan(const char *text, size_t len, struct ts_jsonscan *out);

#endif
