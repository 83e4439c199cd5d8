/* The streaming JSON writer (see jsonw.h): structure checks, jansson's
 * escaping and number formats. */
#include "core/jsonw.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/utf8.h"
#include "core/banned.h"

void ts_jsonw_init(struct ts_jsonw *w, struct ts_buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

enum ts_err ts_jsonw_finish(struct ts_jsonw *w)
{
	if (!w->err && (w->depth != 0 || !w->started))
		w->err = TS_ERR_INTERNAL;
	return w->err;
}

static void add(struct ts_jsonw *w, const char *s, size_t len)
{
	struct ts_buf *b = w->b;

	if (w->err)
		return;
	/* Punctuation and numbers: straight in when there is room. */
	if (b->alloc > b->len + len && len <= b->cap - b->len) {
		memcpy(b->ptr + b->len, s, len);
		b->len += len;
		b->ptr[b->len] = '\0';
		return;
	}
	w->err = ts_buf_add(b, s, len);
}

/* Before any value: the comma between items, and the checks. Returns 0
 * when the value may be written. */
static int begin_value(struct ts_jsonw *w)
{
	uint32_t bit;

	if (w->err)
		return -1;
	if (w->depth == 0) {
		if (w->started) {
			w->err = TS_ERR_INTERNAL; /* one document, one value */
			return -1;
		}
		w->started = 1;
		return 0;
	}
	bit = 1u << (w->depth - 1);
	if (w->in_object & bit) {
		if (w->want_key) {
			w->err = TS_ERR_INTERNAL; /* a value where a key is due */
			return -1;
		}
		w->want_key = 1;
		return 0;
	}
	if (w->has_items & bit)
		add(w, ",", 1);
	w->has_items |= bit;
	return w->err ? -1 : 0;
}

static void open_container(struct ts_jsonw *w, int object)
{
	uint32_t bit;

	if (begin_value(w))
		return;
	if (w->depth >= TS_JSONW_DEPTH) {
		w->err = TS_ERR_TOO_LARGE;
		return;
	}
	add(w, object ? "{" : "[", 1);
	bit = 1u << w->depth;
	w->depth++;
	w->has_items &= ~bit;
	if (object)
		w->in_object |= bit;
	else
		w->in_object &= ~bit;
	w->want_key = object;
}

static void close_container(struct ts_jsonw *w, int object)
{
	uint32_t bit;

	if (w->err)
		return;
	bit = w->depth > 0 ? 1u << (w->depth - 1) : 0;
	if (!bit || !(w->in_object & bit) != !object || (object && !w->want_key)) {
		w->err = TS_ERR_INTERNAL; /* unbalanced, or a key with no value */
		return;
	}
	add(w, object ? "}" : "]", 1);
	w->depth--;
	/* Back in the parent: an object there wants its next key. */
	w->want_key = w->depth > 0 && (w->in_object & (1u << (w->depth - 1)));
}

void ts_jsonw_object(struct ts_jsonw *w)
{
	open_container(w, 1);
}

void ts_jsonw_object_end(struct ts_jsonw *w)
{
	close_container(w, 1);
}

void ts_jsonw_array(struct ts_jsonw *w)
{
	open_container(w, 0);
}

void ts_jsonw_array_end(struct ts_jsonw *w)
{
	close_container(w, 0);
}

/* "s" with jansson's escaping: \" \\ \b \f \n \r \t, \u00XX (uppercase) for
 * other controls, everything else as is; bytes that are not UTF-8 become
 * U+FFFD. Written straight into the buffer: room for the worst case (6
 * bytes per input byte) is made first. */
/* 1 for the bytes that are not copied as they are: controls, '"', '\\'
 * and every byte of a multibyte sequence (checked as UTF-8). */
static const unsigned char special[256] = {
	[0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

static void add_string(struct ts_jsonw *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	char *out;
	size_t o = 0, i = 0;

	if (w->err)
		return;
	if (len > ((size_t)-1 - 3) / 6) {
		w->err = TS_ERR_TOO_LARGE;
		return;
	}
	/* The common case, nothing to escape: one copy. */
	while (i < len && !special[u[i]])
		i++;
	w->err = ts_buf_reserve(w->b, i == len ? len + 2 : len * 6 + 2);
	if (w->err)
		return;
	out = w->b->ptr + w->b->len;
	out[o++] = '"';
	memcpy(out + o, s, i);
	o += i;
	while (i < len) {
		size_t run = i;
		unsigned char c;
		size_t n;

		while (i < len && !special[u[i]])
			i++;
		memcpy(out + o, s + run, i - run);
		o += i - run;
		if (i == len)
			break;
		c = u[i];
		if (c >= 0x80) {
			n = ts_utf8_seq(s + i, len - i);
			if (n) {
				memcpy(out + o, s + i, n);
				o += n;
				i += n;
			} else {
				memcpy(out + o, "\xEF\xBF\xBD", 3);
				o += 3;
				i++;
			}
			continue;
		}
		out[o++] = '\\';
		switch (c) {
		case '"': out[o++] = '"'; break;
		case '\\': out[o++] = '\\'; break;
		case '\b': out[o++] = 'b'; break;
		case '\f': out[o++] = 'f'; break;
		case '\n': out[o++] = 'n'; break;
		case '\r': out[o++] = 'r'; break;
		case '\t': out[o++] = 't'; break;
		default:
			memcpy(out + o, "u00", 3);
			out[o + 3] = hex[c >> 4];
			out[o + 4] = hex[c & 15];
			o += 5;
		}
		i++;
	}
	out[o++] = '"';
	ts_buf_commit(w->b, o);
}

void ts_jsonw_key(struct ts_jsonw *w, const char *key)
{
	size_t len, i, o = 0;
	char *out;

	if (w->err)
		return;
	if (w->depth == 0 || !(w->in_object & (1u << (w->depth - 1))) || !w->want_key) {
		w->err = TS_ERR_INTERNAL;
		return;
	}
	len = strlen(key);
	for (i = 0; i < len && !special[(unsigned char)key[i]]; i++)
		;
	if (i == len) {
		/* A plain key (every key the views write): one reserve, one copy. */
		w->err = ts_buf_reserve(w->b, len + 4);
		if (w->err)
			return;
		out = w->b->ptr + w->b->len;
		if (w->has_items & (1u << (w->depth - 1)))
			out[o++] = ',';
		out[o++] = '"';
		memcpy(out + o, key, len);
		o += len;
		out[o++] = '"';
		out[o++] = ':';
		ts_buf_commit(w->b, o);
	} else {
		if (w->has_items & (1u << (w->depth - 1)))
			add(w, ",", 1);
		add_string(w, key, len);
		add(w, ":", 1);
	}
	w->has_items |= 1u << (w->depth - 1);
	w->want_key = 0;
}

void ts_jsonw_stringn(struct ts_jsonw *w, const char *s, size_t len)
{
	if (!begin_value(w))
		add_string(w, s, len);
}

void ts_jsonw_string(struct ts_jsonw *w, const char *s)
{
	if (!s)
		ts_jsonw_null(w);
	else
		ts_jsonw_stringn(w, s, strlen(s));
}

void ts_jsonw_int(struct ts_jsonw *w, int64_t v)
{
	/* By hand: lists print several per row. */
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char text[24];
	size_t at = sizeof(text);

	if (begin_value(w))
		return;
	do {
		text[--at] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		text[--at] = '-';
	add(w, text + at, sizeof(text) - at);
}

void ts_jsonw_double(struct ts_jsonw *w, double v)
{
	char text[40];
	char *e;
	size_t len;

	if (!isfinite(v)) {
		if (!w->err)
			w->err = TS_ERR_INVALID;
		return;
	}
	if (begin_value(w))
		return;
	len = (size_t)snprintf(text, sizeof(text) - 3, "%.17g", v);
	/* jansson keeps a real a real: a '.' or an exponent is always there;
	 * the exponent loses its '+' and leading zeros ("1e+20" -> "1e20"). */
	if (!strchr(text, '.') && !strchr(text, 'e')) {
		memcpy(text + len, ".0", 3);
		len += 2;
	}
	e = strchr(text, 'e');
	if (e) {
		char *start = e + 1, *end = e + 2;

		if (*start == '-')
			start++;
		while (*end == '0')
			end++;
		if (end != start) {
			memmove(start, end, len - (size_t)(end - text) + 1);
			len -= (size_t)(end - start);
		}
	}
	add(w, text, len);
}

void ts_jsonw_bool(struct ts_jsonw *w, int v)
{
	if (!begin_value(w))
		add(w, v ? "true" : "false", v ? 4 : 5);
}

void ts_jsonw_raw(struct ts_jsonw *w, const char *text, size_t len)
{
	if (!begin_value(w))
		add(w, text, len);
}

void ts_jsonw_null(struct ts_jsonw *w)
{
	if (!begin_value(w))
		add(w, "null", 4);
}

void ts_jsonw_kstring(struct ts_jsonw *w, const char *key, const char *s)
{
	ts_jsonw_key(w, key);
	ts_jsonw_string(w, s);
}

void ts_jsonw_kint(struct ts_jsonw *w, const char *key, int64_t v)
{
	ts_jsonw_key(w, key);
	ts_jsonw_int(w, v);
}

void ts_jsonw_kbool(struct ts_jsonw *w, const char *key, int v)
{
	ts_jsonw_key(w, key);
	ts_jsonw_bool(w, v);
}

void ts_jsonw_knull(struct ts_jsonw *w, const char *key)
{
	ts_jsonw_key(w, key);
	ts_jsonw_null(w);
}
