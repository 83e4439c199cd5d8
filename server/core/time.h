/* Wall-clock and monotonic time helpers. */
#ifndef TS_TIME_H
#define TS_TIME_H

#include <stddef.h>
#include <stdint.h>

int64_t ts_time_now_ms(void);     /* Unix epoch, milliseconds */
int64_t ts_time_mono_us(void);    /* monotonic, microseconds */
/* Writes e.g. "2026-11-26T07:30:00.000Z" (24 chars + NUL) into out. */
void ts_time_rfc3339(int64_t epoch_ms, char *out, size_t outlen);

/* Parses RFC 3339 ("2026-11-26T07:30:00Z", "...:00.123+02:00"; years from
 * 1970) into epoch milliseconds. Returns 0, or -1 for anything else. */
int ts_time_parse_rfc3339(const char *s, int64_t *epoch_ms);

#endif
