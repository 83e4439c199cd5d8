/* Login throttling: per client (its address), per account and client, and
 * per account, decided before any password is checked. The policy is in
 * docs/internals/auth.md. Thread-safe; the caller passes the time, so the
 * rules are testable without waiting. */
#ifndef TS_AUTH_THROTTLE_H
#define TS_AUTH_THROTTLE_H

#include <stdint.h>

/* A client may fail this many logins (all accounts together), and this
 * many on one account, before each further try waits: 1 s, then twice as
 * long after each further failure, up to TS_THROTTLE_MAX_WAIT_S. A client
 * that has not failed for TS_THROTTLE_FORGET_S starts afresh. */
#define TS_THROTTLE_CLIENT_FREE 20
#define TS_THROTTLE_PAIR_FREE 5
#define TS_THROTTLE_MAX_WAIT_S 900
#define TS_THROTTLE_FORGET_S 3600
/* One account takes at most this many failures in a burst from all clients
 * together, refilled one per TS_THROTTLE_ACCOUNT_REFILL_S; when they are
 * used up, only clients that have not failed on that account may try. */
#define TS_THROTTLE_ACCOUNT_BURST 100
#define TS_THROTTLE_ACCOUNT_REFILL_S 30

struct ts_throttle;

/* Returns a new, empty throttle (the caller frees it with ts_throttle_free). */
struct ts_throttle *ts_throttle_new(void);
void ts_throttle_free(struct ts_throttle *t);

/* 0 when client may try to log in as account now; otherwise the seconds
 * to wait (at least 1). account is the name as typed (compared without
 * case). */
int ts_throttle_login_check(struct ts_throttle *t, const char *client, const char *account,
			    int64_t now_ms);
/* Records the outcome of a login that was checked. */
void ts_throttle_login_result(struct ts_throttle *t, const char *client, const char *account,
			      int ok, int64_t now_ms);

#endif
