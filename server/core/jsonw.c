/* The streaming JSON writer (see jsonw.h): structure checks, jansson's
 * escaping and number formats. */
#include "core/jsonw.h"

#include <inttypes.h>
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
	if (!w->err)
		w->err = ts_buf_add(w->b, s, len);
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
 * U+FFFD. */
static void add_string(struct ts_jsonw *w, const char *s, size_t len)
{
	size_t run = 0, i = 0;

	add(w, "\"", 1);
	while (i < len && !w->err) {
		unsigned char c = (unsigned char)s[i];
		const char *text;
		char esc[8];
		size_t n;

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			n = ts_utf8_seq(s + i, len - i);
			if (n) {
				i += n;
				continue;
			}
			text = "\xEF\xBF\xBD";
		} else {
			switch (c) {
			case '"': text = "\\\""; break;
			case '\\': text = "\\\\"; break;
			case '\b': text = "\\b"; break;
			case '\f': text = "\\f"; break;
			case '\n': text = "\\n"; break;
			case '\r': text = "\\r"; break;
			case '\t': text = "\\t"; break;
			default:
				snprintf(esc, sizeof(esc), "\\u%04X", c);
				text = esc;
			}
		}
		add(w, s + run, i - run);
		add(w, text, strlen(text));
		run = ++i;
	}
	add(w, s + run, i - run);
	add(w, "\"", 1);
}

void ts_jsonw_key(struct ts_jsonw *w, const char *key)
{
	if (w->err)
		return;
	if (w->depth == 0 || !(w->in_object & (1u << (w->depth - 1))) || !w->want_key) {
		w->err = TS_ERR_INTERNAL;
		return;
	}
	if (w->has_items & (1u << (w->depth - 1)))
		add(w, ",", 1);
	w->has_items |= 1u << (w->depth - 1);
	add_string(w, key, strlen(key));
	add(w, ":", 1);
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
	char text[24];
	int n;

	if (begin_value(w))
		return;
	n = snprintf(text, sizeof(text), "%" PRId64, v);
	add(w, text, (size_t)n);
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
