/* Login throttling: free tries, then doubling waits; per account and
 * client; the account-wide cap never locks out a client that has not
 * failed; failures are forgotten after a quiet hour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "auth/throttle.h"

#define S 1000 /* ms */

static void fail_n(struct ts_throttle *t, const char *client, const char *account, int n,
		   int64_t now)
{
	for (int i = 0; i < n; i++)
		ts_throttle_login_result(t, client, account, 0, now);
}

static void free_tries_then_doubling_waits(void **state)
{
	struct ts_throttle *t = ts_throttle_new();
	int64_t now = 1000000;

	(void)state;
	for (int i = 0; i < TS_THROTTLE_PAIR_FREE; i++) {
		assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "alice", now), 0);
		ts_throttle_login_result(t, "10.0.0.1", "alice", 0, now);
	}
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "alice", now), 1);
	/* the name is compared without case */
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "ALICE", now), 1);
	now += 1 * S;
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "alice", now), 0);
	ts_throttle_login_result(t, "10.0.0.1", "alice", 0, now);
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "alice", now), 2);
	/* another client, and this client on another account, are not held up */
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.2", "alice", now), 0);
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "bob", now), 0);
	/* until the client has failed too often on all accounts together */
	fail_n(t, "10.0.0.1", "alice", 20, now);
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "alice", now), TS_THROTTLE_MAX_WAIT_S);
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "bob", now), 64);
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.2", "alice", now), 0);
	/* a quiet hour forgets */
	now += (int64_t)TS_THROTTLE_FORGET_S * S + S;
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "alice", now), 0);
	ts_throttle_free(t);
}

static void success_forgets_the_pair_only(void **state)
{
	struct ts_throttle *t = ts_throttle_new();
	int64_t now = 5000000;

	(void)state;
	fail_n(t, "10.0.0.1", "alice", TS_THROTTLE_PAIR_FREE - 1, now);
	ts_throttle_login_result(t, "10.0.0.1", "alice", 1, now);
	fail_n(t, "10.0.0.1", "alice", TS_THROTTLE_PAIR_FREE - 1, now);
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.1", "alice", now), 0);
	/* but the client's own count across accounts stays */
	for (int i = 0; i < TS_THROTTLE_CLIENT_FREE; i++) {
		char account[16];

		snprintf(account, sizeof(account), "user%d", i);
		ts_throttle_login_result(t, "10.0.0.9", account, 0, now);
		ts_throttle_login_result(t, "10.0.0.9", account, 1, now);
	}
	assert_int_equal(ts_throttle_login_check(t, "10.0.0.9", "someone", now), 1);
	ts_throttle_free(t);
}

static void account_cap_spares_clients_that_never_failed(void **state)
{
	struct ts_throttle *t = ts_throttle_new();
	int64_t now = 9000000;
	char client[32];

	(void)state;
	/* a distributed guesser: many addresses, a few guesses each */
	for (int i = 0; i < TS_THROTTLE_ACCOUNT_BURST + 10; i++) {
		snprintf(client, sizeof(client), "10.1.%d.%d", i / 256, i % 256);
		ts_throttle_login_result(t, client, "alice", 0, now);
	}
	/* the guessers wait for the account's refill... */
	assert_int_equal(ts_throttle_login_check(t, "10.1.0.1", "alice", now),
			 TS_THROTTLE_ACCOUNT_REFILL_S);
	/* ...while alice from her own address is not locked out */
	assert_int_equal(ts_throttle_login_check(t, "192.0.2.1", "alice", now), 0);
	now += TS_THROTTLE_ACCOUNT_REFILL_S * S;
	assert_int_equal(ts_throttle_login_check(t, "10.1.0.1", "alice", now), 0);
	ts_throttle_free(t);
}

static void memory_is_bounded(void **state)
{
	struct ts_throttle *t = ts_throttle_new();
	char client[32];

	(void)state;
	/* far more keys than the table holds: the oldest make room */
	for (int i = 0; i < 20000; i++) {
		snprintf(client, sizeof(client), "c%d", i);
		ts_throttle_login_result(t, client, client, 0, 1000 + i);
	}
	fail_n(t, "last", "alice", TS_THROTTLE_PAIR_FREE, 50000);
	assert_int_equal(ts_throttle_login_check(t, "last", "alice", 50000), 1);
	ts_throttle_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_tries_then_doubling_waits),
		cmocka_unit_test(success_forgets_the_pair_only),
		cmocka_unit_test(account_cap_spares_clients_that_never_failed),
		cmocka_unit_test(memory_is_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
