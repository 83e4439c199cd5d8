/* An owned, growable byte buffer with a size cap (like curl's dynbuf).
 * The contents are always NUL-terminated. Appends fail with TS_ERR_TOO_LARGE
 * instead of growing past the cap; out of memory is fatal. */
#ifndef TS_BUF_H
#define TS_BUF_H

#include <stddef.h>

#include "core/error.h"

struct ts_buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t cap;
};

void ts_buf_init(struct ts_buf *b, size_t cap);
void ts_buf_release(struct ts_buf *b);
void ts_buf_reset(struct ts_buf *b);
enum ts_err ts_buf_add(struct ts_buf *b, const void *data, size_t len);
enum ts_err ts_buf_adds(struct ts_buf *b, const char *s);
enum ts_err ts_buf_addf(struct ts_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Makes room for extra more bytes (and the NUL) without adding them:
 * write them at ptr + len, then ts_buf_commit how many were written. */
enum ts_err ts_buf_reserve(struct ts_buf *b, size_t extra);
/* Adds n bytes written in reserved room (n at most what was reserved). */
void ts_buf_commit(struct ts_buf *b, size_t n);
/* Hands the contents to the caller (free with free()) and resets b. */
char *ts_buf_take(struct ts_buf *b, size_t *len);

/* A borrowed, read-only slice. */
struct ts_str {
	const char *ptr;
	size_t len;
};

#define TS_STR_LIT(s) ((struct ts_str){ (s), sizeof(s) - 1 })

int ts_str_eq(struct ts_str a, const char *b);

#endif
