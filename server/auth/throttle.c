#include "auth/throttle.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/banned.h"

/* Entries of all three kinds in one table; the least recently used one
 * makes room when it is full, so memory stays fixed whatever is sent. */
#define TABLE_SIZE 8192
#define KEY_MAX 160

enum kind { CLIENT = 'c', PAIR = 'p', ACCOUNT = 'a' };

struct entry {
	uint64_t hash; /* 0: free */
	char key[KEY_MAX];
	int failures;
	int64_t last_fail_ms;
	int64_t last_used_ms;
	double tokens; /* ACCOUNT: failures left in the burst */
	int64_t refilled_ms;
};

struct ts_throttle {
	pthread_mutex_t lock;
	struct entry *table;
};

struct ts_throttle *ts_throttle_new(void)
{
	struct ts_throttle *t = ts_xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	t->table = ts_xcalloc(TABLE_SIZE, sizeof(*t->table));
	return t;
}

void ts_throttle_free(struct ts_throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->table);
	free(t);
}

/* "c\x1fclient", "p\x1faccount\x1fclient" or "a\x1faccount", the account
 * in lower case; cut to KEY_MAX (a long name only shares its entry). */
static void make_key(char *out, enum kind k, const char *client, const char *account)
{
	size_t o = 0;

	out[o++] = (char)k;
	if (k != CLIENT) {
		out[o++] = '\x1f';
		for (const char *p = account; *p && o < 100; p++)
			out[o++] = (char)tolower((unsigned char)*p);
	}
	if (k == ACCOUNT) {
		out[o] = '\0';
		return;
	}
	snprintf(out + o, KEY_MAX - o, "\x1f%s", client);
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ? h : 1;
}

/* The entry for key: found, or made (create), or NULL. */
static struct entry *lookup(struct ts_throttle *t, const char *key, int create, int64_t now)
{
	uint64_t h = fnv(key);
	struct entry *free_e = NULL, *oldest = NULL;

	for (size_t i = 0; i < TABLE_SIZE; i++) {
		struct entry *e = &t->table[i];

		if (e->hash == h && strcmp(e->key, key) == 0) {
			e->last_used_ms = now;
			return e;
		}
		if (!e->hash) {
			if (!free_e)
				free_e = e;
		} else if (!oldest || e->last_used_ms < oldest->last_used_ms) {
			oldest = e;
		}
	}
	if (!create)
		return NULL;
	if (!free_e)
		free_e = oldest;
	memset(free_e, 0, sizeof(*free_e));
	free_e->hash = h;
	snprintf(free_e->key, sizeof(free_e->key), "%s", key);
	free_e->last_used_ms = now;
	free_e->tokens = TS_THROTTLE_ACCOUNT_BURST;
	free_e->refilled_ms = now;
	return free_e;
}

/* Failures are forgotten after a quiet hour. */
static int failures_of(struct entry *e, int64_t now)
{
	if (!e)
		return 0;
	if (e->failures && now - e->last_fail_ms > (int64_t)TS_THROTTLE_FORGET_S * 1000)
		e->failures = 0;
	return e->failures;
}

/* Milliseconds until the next try after failures (free ones first). */
static int64_t backoff_left(struct entry *e, int free_tries, int64_t now)
{
	int over = failures_of(e, now) - free_tries;
	int64_t wait_ms;

	if (over < 0)
		return 0;
	wait_ms = over >= 10 ? (int64_t)TS_THROTTLE_MAX_WAIT_S * 1000 : 1000LL << over;
	if (wait_ms > (int64_t)TS_THROTTLE_MAX_WAIT_S * 1000)
		wait_ms = (int64_t)TS_THROTTLE_MAX_WAIT_S * 1000;
	return e->last_fail_ms + wait_ms > now ? e->last_fail_ms + wait_ms - now : 0;
}

static void refill(struct entry *a, int64_t now)
{
	double add = (double)(now - a->refilled_ms) / (TS_THROTTLE_ACCOUNT_REFILL_S * 1000.0);

	if (add > 0) {
		a->tokens += add;
		if (a->tokens > TS_THROTTLE_ACCOUNT_BURST)
			a->tokens = TS_THROTTLE_ACCOUNT_BURST;
		a->refilled_ms = now;
	}
}

int ts_throttle_login_check(struct ts_throttle *t, const char *client, const char *account,
			    int64_t now_ms)
{
	char key[KEY_MAX];
	struct entry *c, *p, *a;
	int64_t wait = 0, w;

	pthread_mutex_lock(&t->lock);
	make_key(key, CLIENT, client, account);
	c = lookup(t, key, 0, now_ms);
	make_key(key, PAIR, client, account);
	p = lookup(t, key, 0, now_ms);
	make_key(key, ACCOUNT, client, account);
	a = lookup(t, key, 0, now_ms);
	if ((w = backoff_left(c, TS_THROTTLE_CLIENT_FREE, now_ms)) > wait)
		wait = w;
	if ((w = backoff_left(p, TS_THROTTLE_PAIR_FREE, now_ms)) > wait)
		wait = w;
	/* The account's burst is used up: a client that failed on it waits
	 * for the next refill; one that never failed on it goes ahead, so that
	 * an attacker cannot lock the real user out. */
	if (a && failures_of(p, now_ms) > 0) {
		refill(a, now_ms);
		if (a->tokens < 1) {
			w = (int64_t)((1 - a->tokens) * TS_THROTTLE_ACCOUNT_REFILL_S * 1000.0);
			if (w > wait)
				wait = w;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return wait > 0 ? (int)((wait + 999) / 1000) : 0;
}

void ts_throttle_login_result(struct ts_throttle *t, const char *client, const char *account,
			      int ok, int64_t now_ms)
{
	char key[KEY_MAX];
	struct entry *e;

	pthread_mutex_lock(&t->lock);
	make_key(key, PAIR, client, account);
	if (ok) {
		/* The client knows this password: its failures on this account
		 * are forgotten, not those on others (nor its overall count). */
		e = lookup(t, key, 0, now_ms);
		if (e)
			memset(e, 0, sizeof(*e));
		pthread_mutex_unlock(&t->lock);
		return;
	}
	e = lookup(t, key, 1, now_ms);
	failures_of(e, now_ms);
	e->failures++;
	e->last_fail_ms = now_ms;
	make_key(key, CLIENT, client, account);
	e = lookup(t, key, 1, now_ms);
	failures_of(e, now_ms);
	e->failures++;
	e->last_fail_ms = now_ms;
	make_key(key, ACCOUNT, client, account);
	e = lookup(t, key, 1, now_ms);
	refill(e, now_ms);
	e->tokens = e->tokens >= 1 ? e->tokens - 1 : 0;
	e->last_fail_ms = now_ms;
	pthread_mutex_unlock(&t->lock);
}
