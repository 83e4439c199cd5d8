#include "core/cursor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The longest plain text: "c1" and TS_CURSOR_MAX_VALUES times ":" and
 * INT64_MIN's 20 characters; its base64 and the NUL fit TS_CURSOR_TEXT_MAX. */
#define PLAIN_MAX (2 + TS_CURSOR_MAX_VALUES * 21)
_Static_assert((PLAIN_MAX + 2) / 3 * 4 < TS_CURSOR_TEXT_MAX, "cursor text too small");

void ts_cursor_encode(const int64_t *vals, size_t n, char *out)
{
	char plain[PLAIN_MAX + 1];
	size_t len = 0, o = 0;

	len += (size_t)snprintf(plain, sizeof(plain), "c1");
	for (size_t i = 0; i < n && i < TS_CURSOR_MAX_VALUES; i++)
		len += (size_t)snprintf(plain + len, sizeof(plain) - len, ":%lld",
					(long long)vals[i]);
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)plain[i] << 16;
		size_t rem = len - i;

		if (rem > 1)
			v |= (unsigned char)plain[i + 1] << 8;
		if (rem > 2)
			v |= (unsigned char)plain[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		if (rem > 1)
			out[o++] = b64[(v >> 6) & 63];
		if (rem > 2)
			out[o++] = b64[v & 63];
	}
	out[o] = '\0';
}

static int b64val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

int ts_cursor_decode(const char *text, int64_t *vals, size_t n)
{
	char plain[TS_CURSOR_TEXT_MAX];
	size_t len = strlen(text), o = 0;
	char *p, *end;

	if (len == 0 || len >= TS_CURSOR_TEXT_MAX || len % 4 == 1)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		int a = b64val(text[i]), b = b64val(text[i + 1]);
		int c = i + 2 < len ? b64val(text[i + 2]) : 0;
		int d = i + 3 < len ? b64val(text[i + 3]) : 0;

		if (a < 0 || b < 0 || c < 0 || d < 0)
			return -1;
		unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6 | (unsigned)d;
		plain[o++] = (char)(v >> 16);
		if (i + 2 < len)
			plain[o++] = (char)(v >> 8 & 0xff);
		if (i + 3 < len)
			plain[o++] = (char)(v & 0xff);
	}
	plain[o] = '\0';
	if (strlen(plain) != o || strncmp(plain, "c1", 2) != 0)
		return -1;
	p = plain + 2;
	for (size_t i = 0; i < n; i++) {
		if (*p != ':')
			return -1;
		p++;
		if (!(*p == '-' || (*p >= '0' && *p <= '9')))
			return -1;
		errno = 0;
		long long v = strtoll(p, &end, 10);
		if (errno || end == p)
			return -1;
		vals[i] = v;
		p = end;
	}
	return *p == '\0' ? 0 : -1;
}
