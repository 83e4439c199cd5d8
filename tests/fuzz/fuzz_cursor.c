/* libFuzzer target: pagination cursors (core/cursor.c).
 *
 * Input: the first byte picks how many values (1..TS_CURSOR_MAX_VALUES) and
 * the mode; the rest is either cursor text to decode (cut at the first NUL,
 * as a query parameter cannot hold one) or raw 64-bit values to encode.
 * Besides memory errors, it checks that whatever decodes re-encodes to a
 * cursor that decodes to the same values, and that every encoding fits
 * TS_CURSOR_TEXT_MAX and decodes back to its values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"

static void round_trip(const int64_t *vals, size_t n)
{
	char text[TS_CURSOR_TEXT_MAX + 1];
	int64_t back[TS_CURSOR_MAX_VALUES];

	memset(text, 0x7f, sizeof(text));
	ts_cursor_encode(vals, n, text);
	if (memchr(text, '\0', TS_CURSOR_TEXT_MAX) == NULL)
		abort(); /* the encoding overflowed its documented size */
	if (ts_cursor_decode(text, back, n) != 0)
		abort(); /* a cursor we made must decode */
	if (memcmp(back, vals, n * sizeof(*vals)) != 0)
		abort(); /* ... to the values it was made from */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t vals[TS_CURSOR_MAX_VALUES];
	size_t n;

	if (size < 1)
		return 0;
	n = 1 + data[0] % TS_CURSOR_MAX_VALUES;
	if (data[0] & 0x80) {
		/* encode: raw values */
		memset(vals, 0, sizeof(vals));
		memcpy(vals, data + 1, size - 1 < sizeof(vals) ? size - 1 : sizeof(vals));
		round_trip(vals, n);
		return 0;
	}
	char *text = malloc(size);

	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (ts_cursor_decode(text, vals, n) == 0)
		round_trip(vals, n);
	free(text);
	return 0;
}
