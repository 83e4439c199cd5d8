#include "core/error.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

enum ts_err ts_error_set(struct ts_error *err, enum ts_err e, const char *code,
			 const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return e;
	err->err = e;
	snprintf(err->code, sizeof(err->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return e;
}

char *ts_error_sentence(const char *msg)
{
	size_t len = strlen(msg);
	char *out;

	while (len > 0 && msg[len - 1] == ' ')
		len--;
	out = ts_xmalloc(len + 2);
	memcpy(out, msg, len);
	out[len] = '\0';
	if (len == 0)
		return out;
	if (out[0] >= 'a' && out[0] <= 'z')
		out[0] = (char)(out[0] - 'a' + 'A');
	if (!strchr(".!?", out[len - 1])) {
		out[len] = '.';
		out[len + 1] = '\0';
	}
	return out;
}

void ts_error_details(struct ts_error *err, void *details)
{
	if (!err) {
		json_decref(details);
		return;
	}
	json_decref(err->details);
	err->details = details;
}

void ts_error_release(struct ts_error *err)
{
	if (!err)
		return;
	json_decref(err->details);
	err->details = NULL;
}

_Noreturn void ts_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fatal: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void *ts_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		ts_die("out of memory allocating %zu bytes", n);
	return p;
}

void *ts_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		ts_die("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *ts_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		ts_die("out of memory reallocating %zu bytes", n);
	return q;
}

char *ts_xstrdup(const char *s)
{
	return ts_xstrndup(s, strlen(s));
}

char *ts_xstrndup(const char *s, size_t n)
{
	char *p = ts_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
