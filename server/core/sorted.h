/* Binary search in an ascending array of int64_t (duplicates allowed). The
 * array is borrowed; nothing is allocated. */
#ifndef TS_SORTED_H
#define TS_SORTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The first index i with a[i] >= key, or n when every element is smaller. */
size_t ts_sorted_lower_bound(const int64_t *a, size_t n, int64_t key);

/* Whether key is one of the n elements of a. */
bool ts_sorted_contains(const int64_t *a, size_t n, int64_t key);

#endif
