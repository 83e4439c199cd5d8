/* The annotation statuses and the list queues they fall in: one table of
 * names and one status -> queue mapping for the whole server (the API's
 * "status" fields, annotations.queue, the list filters, export
 * selections, and the names the store keeps in its status columns). It
 * lives in core so that every layer, the store included, reads the one
 * table. Pure; no I/O.
 *
 *   status        queue
 *   unlabeled     unlabeled
 *   labeled       in_review
 *   needs_review  in_review
 *   approved      done
 *   skipped       skipped
 *
 * The list filter "all" is every queue. */
#ifndef TS_CORE_STATUS_H
#define TS_CORE_STATUS_H

/* In the order of the API's by_status objects. */
enum ts_status {
	TS_STATUS_UNLABELED = 0,
	TS_STATUS_LABELED,
	TS_STATUS_SKIPPED,
	TS_STATUS_NEEDS_REVIEW,
	TS_STATUS_APPROVED,
	TS_STATUS_COUNT
};

enum ts_queue {
	TS_QUEUE_ALL = 0, /* a filter only: no status is in it alone */
	TS_QUEUE_UNLABELED,
	TS_QUEUE_IN_REVIEW,
	TS_QUEUE_DONE,
	TS_QUEUE_SKIPPED,
	TS_QUEUE_COUNT
};

/* "unlabeled" ... "approved"; static strings ("unlabeled" when out of
 * range). */
const char *ts_status_name(enum ts_status s);
/* 0 and *out on a known name, -1 otherwise (NULL included). */
int ts_status_parse(const char *name, enum ts_status *out);

/* "all", "unlabeled", "in_review", "done", "skipped"; static strings. */
const char *ts_queue_name(enum ts_queue q);
/* 0 and *out on a known name, -1 otherwise (NULL included). */
int ts_queue_parse(const char *name, enum ts_queue *out);

/* The queue a status belongs to (never TS_QUEUE_ALL). */
enum ts_queue ts_status_queue(enum ts_status s);
/* 1 when the filter q lists assets of status s. */
int ts_queue_has(enum ts_queue q, enum ts_status s);

#endif
