/* RFC 3339 times: writing and reading back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <time.h>

#include "core/time.h"

static void parses(void **state)
{
	int64_t t = 0;
	char out[32];
	(void)state;

	assert_int_equal(ts_time_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(ts_time_parse_rfc3339("2026-11-26T07:30:00.123Z", &t), 0);
	ts_time_rfc3339(t, out, sizeof(out));
	assert_string_equal(out, "2026-11-26T07:30:00.123Z");
	assert_int_equal(ts_time_parse_rfc3339("2026-11-26T09:30:00.5+02:00", &t), 0);
	ts_time_rfc3339(t, out, sizeof(out));
	assert_string_equal(out, "2026-11-26T07:30:00.500Z");
	assert_int_equal(ts_time_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
}

static void refuses(void **state)
{
	const char *bad[] = { "", "2026-11-26", "2026-11-26 07:30:00Z", "2026-13-01T00:00:00Z",
			      "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-26T24:00:00Z",
			      "2026-11-26T07:30:00", "2026-11-26T07:30:00Zx", "2026-11-26T07:30:00.Z",
			      "1969-12-31T23:59:59Z", "2026-11-26T07:30:00+2:00", "abcd-11-26T07:30:00Z" };
	int64_t t;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(ts_time_parse_rfc3339(bad[i], &t), -1);
	assert_int_equal(ts_time_parse_rfc3339(NULL, &t), -1);
}

/* The hand-written digits agree with strftime over a spread of times,
 * and a short buffer still gets a terminated (cut) text. */
static void writes_like_strftime(void **state)
{
	(void)state;

	for (int64_t t = 0; t < 253402300800000LL; t = t * 3 + 7919) {
		char out[32], want[40], date[32];
		time_t secs = (time_t)(t / 1000);
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want, sizeof(want), "%s.%03dZ", date, (int)(t % 1000));
		ts_time_rfc3339(t, out, sizeof(out));
		assert_string_equal(out, want);
	}
	/* Every day from 1970 to 2600 (leap years and centuries included). */
	for (int64_t t = 86399999; t < 19880000000000LL; t += 86400000) {
		char out[32], want[32];
		time_t secs = (time_t)(t / 1000);
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S.999Z", &tm);
		ts_time_rfc3339(t, out, sizeof(out));
		assert_string_equal(out, want);
	}
	{
		char small[8];

		ts_time_rfc3339(0, small, sizeof(small));
		assert_string_equal(small, "1970-01");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses),
		cmocka_unit_test(refuses),
		cmocka_unit_test(writes_like_strftime),
	};
	return cmocka_run_group_tests_name("core/time", tests, NULL, NULL);
}
