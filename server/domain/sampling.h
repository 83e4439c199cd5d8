/* Active sampling: how useful labeling an image would be, from model
 * scores, and orders that spread picks across videos and time. Pure.
 *
 * entropy       -sum p ln p of one model's scores: high when it hesitates.
 * margin        best score minus the second best: small when the two
 *               leading classes are close.
 * disagreement  the mean Kullback-Leibler divergence of each model's
 *               scores from the models' average (the generalised
 *               Jensen-Shannon divergence): high when models disagree.
 * coverage      no scores: images are taken in turns from each video (the
 *               stand-alone images form one group), and within a video in
 *               an order that halves the gaps in time: first, last, middle,
 *               then the middles of each half ... so that neighbouring
 *               frames are not all picked. */
#ifndef TS_DOMAIN_SAMPLING_H
#define TS_DOMAIN_SAMPLING_H

#include <stddef.h>
#include <stdint.h>

enum ts_sampling_strategy {
	TS_SAMPLING_ENTROPY,
	TS_SAMPLING_MARGIN,
	TS_SAMPLING_DISAGREEMENT,
	TS_SAMPLING_COVERAGE,
};

/* "entropy" ... -> the strategy; -1 when unknown. */
int ts_sampling_parse(const char *name);
const char *ts_sampling_name(enum ts_sampling_strategy s);
/* How many models the strategy takes: min and max (0 for coverage). */
void ts_sampling_models(enum ts_sampling_strategy s, size_t *min, size_t *max);

/* p holds n probabilities (they need not sum to 1 exactly; 0 log 0 = 0). */
double ts_sampling_entropy(const double *p, size_t n);
double ts_sampling_margin(const double *p, size_t n);
/* ps holds m rows of n probabilities (row-major), m >= 2. */
double ts_sampling_disagreement(const double *ps, size_t m, size_t n);

/* One item to order by score (higher first, ties by lower asset id). For
 * margin, callers give -margin. */
struct ts_sampling_item {
	int64_t asset_id;
	double score;
	int64_t group;    /* coverage: the video (0: stand-alone images) */
	int64_t position; /* coverage: the time within the group */
};

/* Sorts items by score, best first. */
void ts_sampling_order_scores(struct ts_sampling_item *items, size_t n);
/* Reorders items for coverage (see above); their score becomes the
 * rank's place from the end (n for the first), so higher stays better. */
void ts_sampling_order_coverage(struct ts_sampling_item *items, size_t n);

#endif
