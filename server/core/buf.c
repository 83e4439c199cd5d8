#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

void ts_buf_init(struct ts_buf *b, size_t cap)
{
	b->ptr = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void ts_buf_release(struct ts_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->alloc = 0;
}

void ts_buf_reset(struct ts_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

static enum ts_err ensure(struct ts_buf *b, size_t extra)
{
	size_t need;

	if (extra > b->cap || b->len > b->cap - extra)
		return TS_ERR_TOO_LARGE;
	need = b->len + extra + 1;
	if (need <= b->alloc)
		return TS_OK;
	size_t n = b->alloc ? b->alloc : 64;
	while (n < need)
		n *= 2;
	b->ptr = ts_xrealloc(b->ptr, n);
	b->alloc = n;
	return TS_OK;
}

enum ts_err ts_buf_reserve(struct ts_buf *b, size_t extra)
{
	return ensure(b, extra);
}

void ts_buf_commit(struct ts_buf *b, size_t n)
{
	b->len += n;
	b->ptr[b->len] = '\0';
}

enum ts_err ts_buf_add(struct ts_buf *b, const void *data, size_t len)
{
	enum ts_err e = ensure(b, len);

	if (e)
		return e;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return TS_OK;
}

enum ts_err ts_buf_adds(struct ts_buf *b, const char *s)
{
	return ts_buf_add(b, s, strlen(s));
}

enum ts_err ts_buf_addf(struct ts_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum ts_err e;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return TS_ERR_INTERNAL;
	e = ensure(b, (size_t)n);
	if (e)
		return e;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return TS_OK;
}

char *ts_buf_take(struct ts_buf *b, size_t *len)
{
	char *p;

	if (!b->ptr)
		ensure(b, 0);
	p = b->ptr ? b->ptr : ts_xstrdup("");
	if (len)
		*len = b->len;
	b->ptr = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}

int ts_str_eq(struct ts_str a, const char *b)
{
	size_t n = strlen(b);

	return a.len == n && memcmp(a.ptr, b, n) == 0;
}
