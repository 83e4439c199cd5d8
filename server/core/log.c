#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/time.h"
#include "core/banned.h"

void ts_log(const char *level, const char *fmt, ...)
{
	char ts[32];
	char line[2048];
	va_list ap;

	ts_time_rfc3339(ts_time_now_ms(), ts, sizeof(ts));
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf per line: stdio locks the stream, so lines never interleave. */
	fprintf(stderr, "%s %s %s\n", ts, level, line);
}
