#include "domain/names.h"

#include <string.h>

#include "core/banned.h"

/* C0, DEL and C1 control characters (C1 are U+0080..U+009F: 0xC2 0x80..0x9F). */
static int has_control(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 1;
		if (p[i] == 0xc2 && i + 1 < len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			return 1;
	}
	return 0;
}

unsigned long ts_name_bidi_control(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	/* In valid UTF-8, 0xE2 only ever starts a sequence: U+202A..U+202E
	 * are E2 80 AA..AE, U+2066..U+2069 are E2 81 A6..A9. */
	for (size_t i = 0; i + 2 < len; i++) {
		if (p[i] != 0xe2)
			continue;
		if ((p[i + 1] == 0x80 && p[i + 2] >= 0xaa && p[i + 2] <= 0xae) ||
		    (p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9))
			return 0x2000ul | (unsigned long)(p[i + 1] & 0x3f) << 6 | (p[i + 2] & 0x3f);
	}
	return 0;
}

enum ts_err ts_name_check_bidi(const char *s, size_t len, const char *what, const char *code,
			       struct ts_error *err)
{
	unsigned long cp = ts_name_bidi_control(s, len);

	if (!cp)
		return TS_OK;
	return ts_error_set(err, TS_ERR_INVALID, code,
			    "the %s contains the bidirectional control character U+%04lX, which "
			    "can make text display in a misleading order; remove it", what, cp);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

char *ts_name_clean(const char *in, size_t max_chars, const char *what, struct ts_error *err)
{
	size_t len = strlen(in), start = 0;
	long chars;

	while (start < len && is_space(in[start]))
		start++;
	while (len > start && is_space(in[len - 1]))
		len--;
	chars = ts_utf8_count(in + start, len - start);
	if (chars < 0) {
		ts_error_set(err, TS_ERR_INVALID, "invalid_name", "the %s is not valid UTF-8", what);
		return NULL;
	}
	if (chars == 0 || (size_t)chars > max_chars) {
		ts_error_set(err, TS_ERR_INVALID, "invalid_name",
			     "the %s must have 1 to %zu characters (after trimming spaces)", what,
			     max_chars);
		return NULL;
	}
	if (has_control(in + start, len - start)) {
		ts_error_set(err, TS_ERR_INVALID, "invalid_name",
			     "the %s must not contain control characters", what);
		return NULL;
	}
	if (ts_name_check_bidi(in + start, len - start, what, "invalid_name", err))
		return NULL;
	return ts_xstrndup(in + start, len - start);
}
