/* Wall-clock and monotonic time helpers. */
#ifndef TS_TIME_H
#define TS_TIME_H

#include <stddef.h>
#include <stdint.h>

int64_t ts_time_now_ms(void);     /* Unix epoch, milliseconds */
int64_t ts_time_mono_us(void);    /* monotonic, microseconds */
/* Writes e.g. "2026-11-26T07:30:00.000Z" (24 chars + NUL) into out. */
void ts_time_rfc3339(int64_t epoch_ms, char *out, size_t outlen);

#endif
