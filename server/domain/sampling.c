#include "domain/sampling.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/banned.h"

static const char *const names[] = { "entropy", "margin", "disagreement", "coverage" };

int ts_sampling_parse(const char *name)
{
	for (int i = 0; name && i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

const char *ts_sampling_name(enum ts_sampling_strategy s)
{
	return (unsigned)s < 4 ? names[s] : "";
}

void ts_sampling_models(enum ts_sampling_strategy s, size_t *min, size_t *max)
{
	switch (s) {
	case TS_SAMPLING_DISAGREEMENT:
		*min = 2;
		*max = 8;
		break;
	case TS_SAMPLING_COVERAGE:
		*min = 0;
		*max = 0;
		break;
	default:
		*min = 1;
		*max = 1;
		break;
	}
}

double ts_sampling_entropy(const double *p, size_t n)
{
	double h = 0;

	for (size_t i = 0; i < n; i++)
		if (p[i] > 0)
			h -= p[i] * log(p[i]);
	return h;
}

double ts_sampling_margin(const double *p, size_t n)
{
	double a = -INFINITY, b = -INFINITY;

	for (size_t i = 0; i < n; i++) {
		if (p[i] > a) {
			b = a;
			a = p[i];
		} else if (p[i] > b) {
			b = p[i];
		}
	}
	return n < 2 ? a : a - b;
}

double ts_sampling_disagreement(const double *ps, size_t m, size_t n)
{
	double *avg, d = 0;

	if (m == 0 || n == 0)
		return 0;
	avg = ts_xcalloc(n, sizeof(double));
	for (size_t k = 0; k < m; k++)
		for (size_t i = 0; i < n; i++)
			avg[i] += ps[k * n + i] / (double)m;
	for (size_t k = 0; k < m; k++)
		for (size_t i = 0; i < n; i++) {
			double p = ps[k * n + i];

			if (p > 0 && avg[i] > 0)
				d += p * log(p / avg[i]);
		}
	free(avg);
	return d / (double)m;
}

static int by_score(const void *a, const void *b)
{
	const struct ts_sampling_item *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->asset_id > y->asset_id) - (x->asset_id < y->asset_id);
}

void ts_sampling_order_scores(struct ts_sampling_item *items, size_t n)
{
	if (n > 1)
		qsort(items, n, sizeof(*items), by_score);
}

static int by_group_position(const void *a, const void *b)
{
	const struct ts_sampling_item *x = a, *y = b;

	if (x->group != y->group)
		return (x->group > y->group) - (x->group < y->group);
	if (x->position != y->position)
		return (x->position > y->position) - (x->position < y->position);
	return (x->asset_id > y->asset_id) - (x->asset_id < y->asset_id);
}

/* The halving order of 0..n-1: 0, n-1, then the middles of the gaps,
 * breadth first (n = 5: 0 4 2 1 3). */
static void halving(size_t n, size_t *out)
{
	size_t *lo, *hi, head = 0, tail = 0, k = 0;

	if (n == 0)
		return;
	out[k++] = 0;
	if (n == 1)
		return;
	out[k++] = n - 1;
	/* each middle queues two gaps: at most 2n + 1 gaps in all */
	lo = ts_xcalloc(2 * n + 1, sizeof(size_t));
	hi = ts_xcalloc(2 * n + 1, sizeof(size_t));
	lo[tail] = 0;
	hi[tail++] = n - 1;
	while (head < tail) {
		size_t a = lo[head], b = hi[head++], mid;

		if (b - a < 2)
			continue;
		mid = a + (b - a) / 2;
		out[k++] = mid;
		lo[tail] = a;
		hi[tail++] = mid;
		lo[tail] = mid;
		hi[tail++] = b;
	}
	free(lo);
	free(hi);
}

void ts_sampling_order_coverage(struct ts_sampling_item *items, size_t n)
{
	struct ts_sampling_item *sorted, *out;
	size_t *start, *len, *order, *next, groups = 0, k = 0;

	if (n == 0)
		return;
	sorted = ts_xcalloc(n, sizeof(*sorted));
	memcpy(sorted, items, n * sizeof(*items));
	qsort(sorted, n, sizeof(*sorted), by_group_position);
	start = ts_xcalloc(n, sizeof(size_t));
	len = ts_xcalloc(n, sizeof(size_t));
	next = ts_xcalloc(n, sizeof(size_t));
	order = ts_xcalloc(n, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || sorted[i].group != sorted[i - 1].group) {
			start[groups] = i;
			len[groups++] = 0;
		}
		len[groups - 1]++;
	}
	/* Each group's halving order, stored in place of its span. */
	for (size_t g = 0; g < groups; g++) {
		halving(len[g], order + start[g]);
	}
	out = ts_xcalloc(n, sizeof(*out));
	/* Turns: one from each group in group order, until all are out. */
	while (k < n)
		for (size_t g = 0; g < groups && k < n; g++)
			if (next[g] < len[g]) {
				out[k] = sorted[start[g] + order[start[g] + next[g]]];
				out[k].score = (double)(n - k);
				k++;
				next[g]++;
			}
	memcpy(items, out, n * sizeof(*items));
	free(out);
	free(order);
	free(next);
	free(len);
	free(start);
	free(sorted);
}
