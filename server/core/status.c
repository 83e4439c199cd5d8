#include "core/status.h"

#include <string.h>

#include "core/banned.h"

static const struct {
	const char *name;
	enum ts_queue queue;
} statuses[TS_STATUS_COUNT] = {
	[TS_STATUS_UNLABELED] = { "unlabeled", TS_QUEUE_UNLABELED },
	[TS_STATUS_LABELED] = { "labeled", TS_QUEUE_IN_REVIEW },
	[TS_STATUS_SKIPPED] = { "skipped", TS_QUEUE_SKIPPED },
	[TS_STATUS_NEEDS_REVIEW] = { "needs_review", TS_QUEUE_IN_REVIEW },
	[TS_STATUS_APPROVED] = { "approved", TS_QUEUE_DONE },
};

static const char *const queue_names[TS_QUEUE_COUNT] = {
	[TS_QUEUE_ALL] = "all",
	[TS_QUEUE_UNLABELED] = "unlabeled",
	[TS_QUEUE_IN_REVIEW] = "in_review",
	[TS_QUEUE_DONE] = "done",
	[TS_QUEUE_SKIPPED] = "skipped",
};

const char *ts_status_name(enum ts_status s)
{
	if ((unsigned)s >= TS_STATUS_COUNT)
		return statuses[TS_STATUS_UNLABELED].name;
	return statuses[s].name;
}

int ts_status_parse(const char *name, enum ts_status *out)
{
	if (!name)
		return -1;
	for (int i = 0; i < TS_STATUS_COUNT; i++) {
		if (strcmp(name, statuses[i].name) == 0) {
			*out = (enum ts_status)i;
			return 0;
		}
	}
	return -1;
}

const char *ts_queue_name(enum ts_queue q)
{
	if ((unsigned)q >= TS_QUEUE_COUNT)
		return queue_names[TS_QUEUE_ALL];
	return queue_names[q];
}

int ts_queue_parse(const char *name, enum ts_queue *out)
{
	if (!name)
		return -1;
	for (int i = 0; i < TS_QUEUE_COUNT; i++) {
		if (strcmp(name, queue_names[i]) == 0) {
			*out = (enum ts_queue)i;
			return 0;
		}
	}
	return -1;
}

enum ts_queue ts_status_queue(enum ts_status s)
{
	if ((unsigned)s >= TS_STATUS_COUNT)
		return TS_QUEUE_UNLABELED;
	return statuses[s].queue;
}

int ts_queue_has(enum ts_queue q, enum ts_status s)
{
	return q == TS_QUEUE_ALL || ts_status_queue(s) == q;
}
