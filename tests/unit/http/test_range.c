/* Range headers: one range of a body of known size, or the whole body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/req.h"

static void check(const char *h, uint64_t size, int want, uint64_t from, uint64_t to)
{
	uint64_t f = 12345, t = 12345;
	int r = ts_req_range(h, size, &f, &t);

	if (r != want)
		fail_msg("%s of %llu: %d, not %d", h, (unsigned long long)size, r, want);
	if (want == 1) {
		assert_int_equal(f, from);
		assert_int_equal(t, to);
	}
}

static void satisfiable_ranges(void **state)
{
	(void)state;
	check("bytes=0-0", 10, 1, 0, 0);
	check("bytes=2-5", 10, 1, 2, 5);
	check("bytes=2-", 10, 1, 2, 9);
	check("bytes=2-99", 10, 1, 2, 9);
	check("bytes=-3", 10, 1, 7, 9);
	check("bytes=-30", 10, 1, 0, 9);
	check("bytes= 4-4", 10, 1, 4, 4);
}

static void unsatisfiable_ranges(void **state)
{
	(void)state;
	check("bytes=10-", 10, -1, 0, 0);
	check("bytes=10-12", 10, -1, 0, 0);
	check("bytes=-0", 10, -1, 0, 0);
	check("bytes=0-", 0, -1, 0, 0);
	check("bytes=-1", 0, -1, 0, 0);
}

static void ignored_headers(void **state)
{
	(void)state;
	check("items=0-1", 10, 0, 0, 0);
	check("bytes=0-1,3-4", 10, 0, 0, 0);
	check("bytes=5-2", 10, 0, 0, 0);
	check("bytes=x-2", 10, 0, 0, 0);
	check("bytes=1-x", 10, 0, 0, 0);
	check("bytes=-", 10, 0, 0, 0);
	check("bytes=1", 10, 0, 0, 0);
	check("bytes=-1x", 10, 0, 0, 0);
	/* a suffix length is digits only (found by tests/fuzz/fuzz_range.c) */
	check("bytes=- 3", 10, 0, 0, 0);
	check("bytes=-+3", 10, 0, 0, 0);
	check("bytes=--3", 10, 0, 0, 0);
	check("bytes=-\t3", 10, 0, 0, 0);
	check("bytes=99999999999999999999999-", 10, 0, 0, 0);
	check("", 10, 0, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(satisfiable_ranges),
		cmocka_unit_test(unsatisfiable_ranges),
		cmocka_unit_test(ignored_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
