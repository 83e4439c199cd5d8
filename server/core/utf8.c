/* UTF-8: the one checker (code points, overlongs, surrogates, range) and
 * the scrubber for client text. */
#include "core/utf8.h"

#include <string.h>

#include "core/error.h"
#include "core/banned.h"

long ts_utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;
	size_t i = 0;

	while (i < len) {
		unsigned c = p[i];
		size_t extra;
		unsigned cp;

		if (c < 0x80) {
			i++;
			n++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			extra = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			extra = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return -1;
		}
		if (i + extra >= len)
			return -1;
		for (size_t k = 1; k <= extra; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		i += extra + 1;
		n++;
	}
	return n;
}

size_t ts_utf8_seq(const char *s, size_t avail)
{
	unsigned char c = (unsigned char)s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
		 : (c & 0xf8) == 0xf0 ? 4 : 0;

	if (n == 0 || n > avail || ts_utf8_count(s, n) != 1)
		return 0;
	return n;
}

char *ts_utf8_scrub(const char *s, size_t len, size_t max_bytes, int no_controls)
{
	/* Each input byte gives at most 3 output bytes (U+FFFD). */
	size_t cap = (len < max_bytes ? len : max_bytes) * 3 + 1, o = 0;
	char *out = ts_xmalloc(cap);

	for (size_t i = 0; i < len;) {
		size_t n = ts_utf8_seq(s + i, len - i);
		unsigned char c = (unsigned char)s[i];
		int bad = n == 0 || c == 0 || (no_controls && n == 1 && (c < 0x20 || c == 0x7f));
		size_t add = bad ? 3 : n;

		if (o + add > max_bytes || o + add >= cap)
			break;
		if (bad) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			i++;
		} else {
			memcpy(out + o, s + i, n);
			i += n;
		}
		o += add;
	}
	out[o] = '\0';
	return out;
}
