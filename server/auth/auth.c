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

/* The hashing slots (see auth.h). */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_freed = PTHREAD_COND_INITIALIZER;
static int slots_used, slots_waiting;

static int slot_take(void)
{
	pthread_mutex_lock(&slots_lock);
	if (slots_used >= TS_AUTH_HASH_SLOTS && slots_waiting >= TS_AUTH_HASH_QUEUE) {
		pthread_mutex_unlock(&slots_lock);
		return -1;
	}
	slots_waiting++;
	while (slots_used >= TS_AUTH_HASH_SLOTS)
		pthread_cond_wait(&slots_freed, &slots_lock);
	slots_waiting--;
	slots_used++;
	pthread_mutex_unlock(&slots_lock);
	return 0;
}

static void slot_give(void)
{
	pthread_mutex_lock(&slots_lock);
	slots_used--;
	pthread_cond_signal(&slots_freed);
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
	if (slot_take())
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "busy",
				    "too many password operations at once; try again in a moment");
	rc = crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			       crypto_pwhash_MEMLIMIT_INTERACTIVE);
	slot_give();
	if (rc != 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "hash_failed",
				    "could not hash the password (out of memory?)");
	return TS_OK;
}

int ts_auth_check_password(const char *hash, const char *password)
{
	int ok;

	if (!hash)
		ts_auth_prepare_logins();
	if (slot_take())
		return -1;
	if (!hash) {
		int ignored = crypto_pwhash_str_verify(dummy_hash, password, strlen(password));

		(void)ignored;
		ok = 0;
	} else {
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	}
	slot_give();
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
