/* Opaque keyset-pagination cursors: a few integers (the sort key of the
 * last row served) encoded as URL-safe text, so clients cannot build them
 * by hand and the format can change without breaking them. */
#ifndef TS_CURSOR_H
#define TS_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define TS_CURSOR_MAX_VALUES 3
#define TS_CURSOR_TEXT_MAX 96

/* Writes the cursor for vals[0..n) into out (at least TS_CURSOR_TEXT_MAX). */
void ts_cursor_encode(const int64_t *vals, size_t n, char *out);
/* Parses text into vals (n expected values). Returns 0, or -1 when the
 * text is not a cursor of n values. */
int ts_cursor_decode(const char *text, int64_t *vals, size_t n);

#endif
