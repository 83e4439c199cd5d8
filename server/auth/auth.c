#include "auth/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store_users.h"
#include "core/banned.h"

#define PW_MIN 8
#define PW_MAX 1024

/* A real argon2id string of a random password, made once, so that a login
 * for an unknown user costs as much as one for a known user. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

/* The hashing slots (see auth.h): a fair queue. Waiters for a check are
 * served round-robin by client, so one client (a flood of bad logins)
 * cannot hold every slot; a new password (setup, user creation) goes
 * before any login. */
struct waiter {
	char client[TS_AUTH_CLIENT_MAX];
	int priority;
	int granted;
	pthread_cond_t cond;
	struct waiter *next;
};

#define RECENT 32 /* the last grants, by client: who was served longest ago */

static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static struct waiter *waiting;
static int slots_used, nwaiting, nwaiting_priority;
static char holders[TS_AUTH_HASH_SLOTS][TS_AUTH_CLIENT_MAX];
static char recent[RECENT][TS_AUTH_CLIENT_MAX];
static unsigned long recent_seq[RECENT], grant_seq;

/* The sequence number of client's latest grant; 0 when none is recent. */
static unsigned long last_served(const char *client)
{
	unsigned long best = 0;

	for (int i = 0; i < RECENT; i++)
		if (recent_seq[i] > best && strcmp(recent[i], client) == 0)
			best = recent_seq[i];
	return best;
}

static void hold(const char *client)
{
	for (int i = 0; i < TS_AUTH_HASH_SLOTS; i++)
		if (!holders[i][0]) {
			snprintf(holders[i], TS_AUTH_CLIENT_MAX, "%s", client[0] ? client : "-");
			break;
		}
	grant_seq++;
	snprintf(recent[grant_seq % RECENT], TS_AUTH_CLIENT_MAX, "%s", client);
	recent_seq[grant_seq % RECENT] = grant_seq;
	slots_used++;
}

static int client_load(const char *client)
{
	int n = 0;

	for (int i = 0; i < TS_AUTH_HASH_SLOTS; i++)
		n += strcmp(holders[i], client[0] ? client : "-") == 0;
	for (struct waiter *w = waiting; w; w = w->next)
		n += strcmp(w->client, client) == 0;
	return n;
}

/* 0 with a slot taken; -1 when the queue is full; -2 when this client
 * already has its share under way. priority: a new password. */
static int slot_take(const char *client, int priority)
{
	struct waiter me = { .priority = priority };

	pthread_mutex_lock(&slots_lock);
	if (!priority && client_load(client) >= TS_AUTH_HASH_PER_CLIENT) {
		pthread_mutex_unlock(&slots_lock);
		return -2;
	}
	if (slots_used < TS_AUTH_HASH_SLOTS && !waiting) {
		hold(client);
		pthread_mutex_unlock(&slots_lock);
		return 0;
	}
	if (priority ? nwaiting_priority >= TS_AUTH_HASH_QUEUE
		     : nwaiting - nwaiting_priority >= TS_AUTH_HASH_QUEUE) {
		pthread_mutex_unlock(&slots_lock);
		return -1;
	}
	snprintf(me.client, sizeof(me.client), "%s", client);
	pthread_cond_init(&me.cond, NULL);
	me.next = waiting;
	waiting = &me; /* newest first: the pick below keeps the oldest on ties */
	nwaiting++;
	nwaiting_priority += priority;
	while (!me.granted)
		pthread_cond_wait(&me.cond, &slots_lock);
	pthread_mutex_unlock(&slots_lock);
	pthread_cond_destroy(&me.cond);
	return 0;
}

static void slot_give(const char *client)
{
	struct waiter **best = NULL;
	unsigned long best_seq = 0;

	pthread_mutex_lock(&slots_lock);
	slots_used--;
	for (int i = 0; i < TS_AUTH_HASH_SLOTS; i++)
		if (strcmp(holders[i], client[0] ? client : "-") == 0) {
			holders[i][0] = '\0';
			break;
		}
	/* A new password first, then the client served longest ago, then
	 * the oldest waiter (the list is newest first: "<=" keeps the last). */
	for (struct waiter **p = &waiting; *p; p = &(*p)->next) {
		unsigned long seq = (*p)->priority ? 0 : last_served((*p)->client) + 1;

		if (!best || seq <= best_seq) {
			best = p;
			best_seq = seq;
		}
	}
	if (best) {
		struct waiter *w = *best;

		*best = w->next;
		nwaiting--;
		nwaiting_priority -= w->priority;
		hold(w->client);
		w->granted = 1;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&slots_lock);
}

int ts_auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static void make_dummy(void)
{
	char pw[TS_AUTH_SECRET_MAX];

	ts_auth_new_secret("", pw);
	/* Outside the slots: this runs before a caller takes one. */
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		ts_die("cannot make the dummy password hash (out of memory?)");
}

void ts_auth_prepare_logins(void)
{
	pthread_once(&dummy_once, make_dummy);
}

enum ts_err ts_auth_hash_password(const char *password, char *out, struct ts_error *err)
{
	int rc;

	_Static_assert(crypto_pwhash_STRBYTES <= TS_AUTH_HASH_MAX, "hash buffer too small");
	if (slot_take("", 1))
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "busy",
				    "too many password operations at once; try again in a moment");
	rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			       crypto_pwhash_MEMLIMIT_INTERACTIVE);
	slot_give("");
	if (rc != 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "hash_failed",
				    "could not hash the password (out of memory?)");
	return TS_OK;
}

int ts_auth_check_password(const char *hash, const char *password, const char *client)
{
	int ok, r;

	if (!hash)
		ts_auth_prepare_logins();
	if ((r = slot_take(client, 0)) != 0)
		return r;
	if (!hash) {
		int ignored = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));

		(void)ignored;
		ok = 0;
	} else {
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	}
	slot_give(client);
	return ok;
}

void ts_auth_new_secret(const char *prefix, char *out)
{
	unsigned char raw[32];
	char hex[65];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(out, TS_AUTH_SECRET_MAX, "%s%s", prefix, hex);
	sodium_memzero(raw, sizeof(raw));
}

void ts_auth_digest(const char *secret, char out[TS_AUTH_DIGEST_HEX])
{
	unsigned char d[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(d, (const unsigned char *)secret, strlen(secret));
	sodium_bin2hex(out, TS_AUTH_DIGEST_HEX, d, sizeof(d));
}

enum ts_err ts_auth_valid_user_name(const char *name, struct ts_error *err)
{
	size_t len = strlen(name);

	if (len < 1 || len > TS_USER_NAME_MAX)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_name",
				    "a user name has 1 to %d characters", TS_USER_NAME_MAX);
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return ts_error_set(err, TS_ERR_INVALID, "invalid_name",
					    "a user name may hold only letters, digits, '.', '_' and '-'");
	}
	return TS_OK;
}

enum ts_err ts_auth_valid_password(const char *password, struct ts_error *err)
{
	size_t len = strlen(password);

	if (len < PW_MIN || len > PW_MAX)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_password",
				    "a password has %d to %d characters", PW_MIN, PW_MAX);
	return TS_OK;
}
