/* The JSON stream (see jsonstream.h): a buffer holding the unconsumed
 * bytes, refilled by the read function, and a small state machine for the
 * top-level object. A piece is scanned at offsets from the buffer's start
 * (a refill may move the buffer) and handed out in place; it is consumed
 * on the next call. */
#include "core/jsonstream.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/banned.h"

#define CHUNK ((size_t)64 << 10)

enum state {
	ST_START,
	ST_FIRST_KEY,
	ST_KEY,
	ST_AFTER_MEMBER,
	ST_FIRST_ELEM,
	ST_AFTER_ELEM,
	ST_TAIL,
	ST_END,
	ST_ERROR,
};

/* Line and column of buf[start + off]. */
static void pos_at(const struct ts_jsonstream *s, size_t off, size_t *line, size_t *col)
{
	const char *p, *e, *nl;

	*line = s->line;
	*col = s->column;
	if (!off)
		return;
	p = s->buf + s->start;
	e = p + off;
	while (p < e && (nl = memchr(p, '\n', (size_t)(e - p)))) {
		++*line;
		*col = 1;
		p = nl + 1;
	}
	*col += (size_t)(e - p);
}

static int fail(struct ts_jsonstream *s, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Ends the stream with an error at buf[start + off]; returns -1. */
static int fail(struct ts_jsonstream *s, size_t off, const char *fmt, ...)
{
	va_list ap;

	if (s->state == ST_ERROR)
		return -1;
	if (s->start + off > s->end)
		off = s->end - s->start;
	pos_at(s, off, &s->err_line, &s->err_column);
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	s->state = ST_ERROR;
	return -1;
}

static void consume(struct ts_jsonstream *s, size_t n)
{
	pos_at(s, n, &s->line, &s->column);
	s->start += n;
}

/* Reads more: 1 when bytes came, 0 at the end, -1 on an error. */
static int fill(struct ts_jsonstream *s)
{
	ssize_t n;

	if (s->eof)
		return 0;
	/* A piece is at most a key, a value and the space between. */
	if (s->end - s->start > 2 * s->value_max + 2 * CHUNK)
		return fail(s, 0, "a value longer than %zu bytes", s->value_max);
	if (s->cap - s->end < CHUNK && s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	if (s->cap - s->end < CHUNK) {
		s->cap = s->cap ? 2 * s->cap : 2 * CHUNK;
		s->buf = ts_xrealloc(s->buf, s->cap);
	}
	n = s->read(s->arg, s->buf + s->end, s->cap - s->end);
	if (n < 0)
		return fail(s, s->end - s->start, "read failed");
	if (n == 0) {
		s->eof = 1;
		return 0;
	}
	s->end += (size_t)n;
	return 1;
}

/* The byte at buf[start + off] (reading as needed), -1 at the end, -2
 * after an error. */
static int peek(struct ts_jsonstream *s, size_t off)
{
	while (s->start + off >= s->end) {
		int r = fill(s);

		if (r <= 0)
			return r < 0 ? -2 : -1;
	}
	return (unsigned char)s->buf[s->start + off];
}

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Skips whitespace from *off; returns the byte there (as peek). */
static int skip_ws(struct ts_jsonstream *s, size_t *off)
{
	int c;

	while (is_ws(c = peek(s, *off))) {
		s->spaced = 1;
		++*off;
	}
	return c;
}

/* Skips and consumes whitespace at the start; returns the next byte. */
static int skip_ws_consume(struct ts_jsonstream *s)
{
	size_t off = 0;
	int c = skip_ws(s, &off);

	consume(s, off);
	return c;
}

/* Finds the end of the value at buf[start + off]: *len its bytes. A
 * container ends at the bracket that closes it, a string at its closing
 * quote, anything else at a comma, bracket, brace or whitespace. 0, or
 * -1 after fail(). */
static int scan_value(struct ts_jsonstream *s, size_t off, size_t *len)
{
	int c = peek(s, off), depth = 0, in_str = 0, esc = 0, kind, done = 0;
	size_t i = off;

	if (c == -2)
		return -1;
	if (c == -1)
		return fail(s, off, "unexpected end of file, a value expected");
	if (c == ']' || c == '}' || c == ',' || c == ':')
		return fail(s, off, "a value expected near '%c'", c);
	kind = c == '{' || c == '[' ? 0 : c == '"' ? 1 : 2;
	if (kind == 1) {
		in_str = 1;
		i++;
	}
	while (!done) {
		const char *p, *e;

		if (i - off > s->value_max)
			return fail(s, off, "a value longer than %zu bytes", s->value_max);
		if (s->start + i >= s->end) {
			int r = fill(s);

			if (r < 0)
				return -1;
			if (r == 0) {
				if (kind == 2)
					break;
				return fail(s, i, "unexpected end of file in a %s",
					    in_str ? "string" : "value");
			}
			continue;
		}
		p = s->buf + s->start + i;
		e = s->buf + s->end;
		if (e - p > (ptrdiff_t)CHUNK)
			e = p + CHUNK; /* the cap above is checked per chunk */
		for (; p < e && !done; p++) {
			char ch = *p;

			if (in_str) {
				if (esc)
					esc = 0;
				else if (ch == '\\')
					esc = 1;
				else if (ch == '"') {
					in_str = 0;
					done = kind == 1;
				}
			} else if (kind == 2) {
				if (ch == ',' || ch == ']' || ch == '}' || is_ws(ch)) {
					done = 1;
					p--; /* not part of the value */
				}
			} else if (ch == '"') {
				in_str = 1;
			} else if (ch == '{' || ch == '[') {
				depth++;
			} else if (ch == '}' || ch == ']') {
				done = --depth == 0;
			}
		}
		i = (size_t)(p - (s->buf + s->start));
	}
	*len = i - off;
	if (*len > s->value_max)
		return fail(s, off, "a value longer than %zu bytes", s->value_max);
	return 0;
}

void ts_jsonstream_init(struct ts_jsonstream *s, size_t value_max, const char *const *split,
			ts_jsonstream_read_fn read, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->value_max = value_max;
	s->split = split;
	s->read = read;
	s->arg = arg;
	s->line = 1;
	s->column = 1;
	s->state = ST_START;
}

void ts_jsonstream_release(struct ts_jsonstream *s)
{
	free(s->buf);
	s->buf = NULL;
	s->cap = s->start = s->end = 0;
}

int ts_jsonstream_spaced(const struct ts_jsonstream *s)
{
	return s->spaced;
}

static int is_split(const struct ts_jsonstream *s, const char *key, size_t len)
{
	/* key: raw, with its quotes; a name spelled with escapes is not split */
	for (const char *const *n = s->split; n && *n; n++)
		if (len == strlen(*n) + 2 && !memcmp(key + 1, *n, len - 2))
			return 1;
	return 0;
}

/* The element at the start (whitespace consumed). */
static enum ts_jsonstream_event element(struct ts_jsonstream *s, struct ts_jsonstream_item *it)
{
	size_t len;

	if (scan_value(s, 0, &len))
		return TS_JSONSTREAM_ERROR;
	it->value = s->buf + s->start;
	it->len = len;
	it->index = s->index++;
	it->line = s->line;
	it->column = s->column;
	s->pending = len;
	s->state = ST_AFTER_ELEM;
	return TS_JSONSTREAM_ELEMENT;
}

/* A member at the start (whitespace consumed, c its first byte). */
static enum ts_jsonstream_event member(struct ts_jsonstream *s, struct ts_jsonstream_item *it,
				       int c)
{
	size_t klen, off, len;

	if (c != '"') {
		if (c != -2)
			fail(s, 0, c == -1 ? "unexpected end of file, a key expected"
					   : "a key (a string) expected");
		return TS_JSONSTREAM_ERROR;
	}
	if (scan_value(s, 0, &klen))
		return TS_JSONSTREAM_ERROR;
	off = klen;
	c = skip_ws(s, &off);
	if (c != ':') {
		if (c != -2)
			fail(s, off, "':' expected after a key");
		return TS_JSONSTREAM_ERROR;
	}
	off++;
	c = skip_ws(s, &off);
	if (c == -2)
		return TS_JSONSTREAM_ERROR;
	if (c == '[' && is_split(s, s->buf + s->start, klen)) {
		it->key = s->buf + s->start;
		it->key_len = klen;
		pos_at(s, off, &it->line, &it->column);
		s->pending = off + 1;
		s->index = 0;
		s->state = ST_FIRST_ELEM;
		return TS_JSONSTREAM_ARRAY;
	}
	if (scan_value(s, off, &len))
		return TS_JSONSTREAM_ERROR;
	it->key = s->buf + s->start;
	it->key_len = klen;
	it->value = s->buf + s->start + off;
	it->len = len;
	pos_at(s, off, &it->line, &it->column);
	s->pending = off + len;
	s->state = ST_AFTER_MEMBER;
	return TS_JSONSTREAM_MEMBER;
}

enum ts_jsonstream_event ts_jsonstream_next(struct ts_jsonstream *s,
					    struct ts_jsonstream_item *it)
{
	enum ts_jsonstream_event ev;
	int c = 0, r;

	memset(it, 0, sizeof(*it));
	if (s->state != ST_ERROR) {
		consume(s, s->pending);
		s->pending = 0;
	}
	for (;;) {
		switch (s->state) {
		case ST_START:
			c = skip_ws_consume(s);
			if (c == -2)
				break;
			if (c == '{') {
				consume(s, 1);
				s->state = ST_FIRST_KEY;
				continue;
			}
			/* Not an object: all of it, for the parser to judge. */
			while (s->end - s->start <= s->value_max && (r = fill(s)) > 0)
				;
			if (s->end - s->start > s->value_max)
				fail(s, 0, "a document longer than %zu bytes", s->value_max);
			if (s->state == ST_ERROR)
				break;
			it->value = s->buf ? s->buf + s->start : "";
			it->len = s->end - s->start;
			it->line = s->line;
			it->column = s->column;
			s->pending = it->len;
			s->state = ST_END;
			return TS_JSONSTREAM_DOCUMENT;
		case ST_FIRST_KEY:
			c = skip_ws_consume(s);
			if (c == '}') {
				consume(s, 1);
				s->state = ST_TAIL;
				continue;
			}
			/* fall through */
		case ST_KEY:
			if (s->state == ST_KEY)
				c = skip_ws_consume(s);
			ev = member(s, it, c);
			if (ev != TS_JSONSTREAM_ERROR)
				return ev;
			break;
		case ST_AFTER_MEMBER:
			c = skip_ws_consume(s);
			if (c == ',' || c == '}') {
				consume(s, 1);
				s->state = c == ',' ? ST_KEY : ST_TAIL;
				continue;
			}
			if (c != -2)
				fail(s, 0, c == -1 ? "unexpected end of file, ',' or '}' expected"
						   : "',' or '}' expected");
			break;
		case ST_FIRST_ELEM:
		case ST_AFTER_ELEM:
			c = skip_ws_consume(s);
			if (c == ']') {
				consume(s, 1);
				it->index = s->index;
				s->state = ST_AFTER_MEMBER;
				return TS_JSONSTREAM_ARRAY_END;
			}
			if (s->state == ST_AFTER_ELEM) {
				if (c != ',') {
					if (c != -2)
						fail(s, 0,
						     c == -1 ? "unexpected end of file, ',' or ']' expected"
							     : "',' or ']' expected");
					break;
				}
				consume(s, 1);
				c = skip_ws_consume(s);
				if (c == -2)
					break;
			}
			ev = element(s, it);
			if (ev != TS_JSONSTREAM_ERROR)
				return ev;
			break;
		case ST_TAIL:
			c = skip_ws_consume(s);
			if (c == -1) {
				s->state = ST_END;
				continue;
			}
			if (c != -2)
				fail(s, 0, "end of file expected");
			break;
		case ST_END:
			return TS_JSONSTREAM_END;
		case ST_ERROR:
			break;
		}
		/* an error */
		it->message = s->message;
		it->line = s->err_line;
		it->column = s->err_column;
		return TS_JSONSTREAM_ERROR;
	}
}
