#include "core/time.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"

int64_t ts_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ts_time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The civil date of a day count since 1970-01-01 (proleptic Gregorian,
 * days >= 0), by the era arithmetic of H. Hinnant's days_from_civil
 * inverse: no gmtime_r, whose time zone lock every list row would take. */
static void civil_of(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468;
	int64_t era = z / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

void ts_time_rfc3339(int64_t epoch_ms, char *out, size_t outlen)
{
	time_t secs;
	struct tm tm;

	/* The usual case by hand: lists print two of these per row. */
	if (outlen >= 25 && epoch_ms >= 0 && epoch_ms < INT64_C(253402300800000)) {
		int64_t s = epoch_ms / 1000, days = s / 86400, in_day = s % 86400;
		int parts[7];
		static const char layout[] = "0000-00-00T00:00:00.000Z";
		static const int ends[] = { 4, 7, 10, 13, 16, 19, 23 };

		civil_of(days, &parts[0], &parts[1], &parts[2]);
		parts[3] = (int)(in_day / 3600);
		parts[4] = (int)(in_day / 60 % 60);
		parts[5] = (int)(in_day % 60);
		parts[6] = (int)(epoch_ms % 1000);
		memcpy(out, layout, sizeof(layout));
		for (int i = 0; i < 7; i++)
			for (int k = ends[i] - 1, v = parts[i]; v > 0; k--, v /= 10)
				out[k] = (char)('0' + v % 10);
		return;
	}
	secs = (time_t)(epoch_ms / 1000);
	gmtime_r(&secs, &tm);
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(epoch_ms % 1000));
}

/* n decimal digits at s into *out; -1 when any is not a digit. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int ts_time_parse_rfc3339(const char *s, int64_t *epoch_ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, ms = 0, oh = 0, om = 0, sign = 0;
	struct tm tm = { 0 };
	const char *p;

	if (!s || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		int n = 0;

		for (p++; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				ms = ms * 10 + (*p - '0');
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	/* 29 February of a year that has none rolls over in timegm: refuse it. */
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	*epoch_ms = ((int64_t)timegm(&tm) - (int64_t)sign * (oh * 3600 + om * 60)) * 1000 + ms;
	return 0;
}
