#include "core/sorted.h"

#include "core/banned.h"

size_t ts_sorted_lower_bound(const int64_t *a, size_t n, int64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool ts_sorted_contains(const int64_t *a, size_t n, int64_t key)
{
	size_t i = ts_sorted_lower_bound(a, n, key);

	return i < n && a[i] == key;
}
