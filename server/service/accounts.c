#include "service/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/throttle.h"
#include "core/time.h"
#include "domain/names.h"
#include "store/store_assets.h"
#include "core/banned.h"

static enum ts_err valid_credentials(const char *name, const char *password,
				     struct ts_error *err)
{
	if (ts_auth_valid_user_name(name, err) || ts_auth_valid_password(password, err))
		return err->err ? err->err : TS_ERR_INVALID;
	return TS_OK;
}

static enum ts_err start_session(struct ts_store *s, const struct ts_user *u,
				 struct ts_acct_session *out, struct ts_error *err)
{
	char digest[TS_AUTH_DIGEST_HEX];
	int64_t expires = ts_time_now_ms() + (int64_t)TS_ACCT_SESSION_DAYS * 86400 * 1000;
	enum ts_err e;

	ts_auth_new_secret("", out->secret);
	ts_auth_digest(out->secret, digest);
	e = ts_store_session_create(s, digest, u->id, expires, err);
	if (!e)
		out->user = *u;
	return e;
}

enum ts_err ts_acct_token_user(struct ts_store *s, const char *secret, struct ts_user *out,
			       int64_t *token_id, struct ts_error *err)
{
	char digest[TS_AUTH_DIGEST_HEX];

	ts_auth_digest(secret, digest);
	return ts_store_token_user(s, digest, ts_time_now_ms(), out, token_id, err);
}

enum ts_err ts_acct_session_user(struct ts_store *s, const char *secret, struct ts_user *out,
				 struct ts_error *err)
{
	char digest[TS_AUTH_DIGEST_HEX];

	ts_auth_digest(secret, digest);
	return ts_store_session_user(s, digest, ts_time_now_ms(), out, err);
}

enum ts_err ts_acct_status(struct ts_store *s, const char *secret, int *needs_setup,
			   struct ts_user *user, int *has_user, struct ts_error *err)
{
	struct ts_error ignore = { 0 };
	int64_t n = 0;
	enum ts_err e;

	*has_user = 0;
	e = ts_store_user_count(s, &n, err);
	if (e)
		return e;
	*needs_setup = n == 0;
	if (secret) {
		*has_user = ts_acct_session_user(s, secret, user, &ignore) == TS_OK;
		ts_error_release(&ignore);
	}
	return TS_OK;
}

enum ts_err ts_acct_setup(struct ts_store *s, const char *name, const char *password,
			  struct ts_acct_session *out, struct ts_error *err)
{
	char hash[TS_AUTH_HASH_MAX];
	struct ts_user u;
	int64_t n = 0;
	enum ts_err e;

	e = valid_credentials(name, password, err);
	if (e)
		return e;
	/* Once set up, refused before any hashing (the store decides races). */
	if (ts_store_user_count(s, &n, err) == TS_OK && n > 0)
		return ts_error_set(err, TS_ERR_CONFLICT, "already_set_up",
				    "the first account exists already; log in instead");
	if (err->err)
		return err->err;
	e = ts_auth_hash_password(password, hash, err);
	if (!e)
		e = ts_store_user_create(s, name, hash, 1, 1, &u, err);
	if (!e)
		e = start_session(s, &u, out, err);
	return e;
}

enum ts_err ts_acct_user_create(struct ts_store *s, const char *name, const char *password,
				int is_admin, struct ts_user *out, struct ts_error *err)
{
	char hash[TS_AUTH_HASH_MAX];
	enum ts_err e;

	e = valid_credentials(name, password, err);
	if (!e)
		e = ts_auth_hash_password(password, hash, err);
	if (!e)
		e = ts_store_user_create(s, name, hash, is_admin, 0, out, err);
	return e;
}

enum ts_err ts_acct_user_set_disabled(struct ts_store *s, int64_t id, int disabled,
				      struct ts_user *out, struct ts_error *err)
{
	struct ts_store_tx tx;
	int64_t admins = 1;
	enum ts_err e = ts_store_begin(s, 1, &tx, err);

	if (e)
		return e;
	/* The server keeps an enabled admin: the change is made, then undone
	 * when it left none (one write transaction, so nobody sees it). */
	e = ts_store_user_set_disabled(&tx, id, disabled, out, err);
	if (!e && disabled && out->is_admin)
		e = ts_store_user_count_admins(&tx, &admins, err);
	if (!e && admins == 0)
		e = ts_error_set(err, TS_ERR_CONFLICT, "last_admin",
				 "%s is the last enabled admin; make another admin first", out->name);
	return ts_store_end(&tx, e, err);
}

enum ts_err ts_acct_user_set_disabled_by_name(struct ts_store *s, const char *name, int disabled,
					      struct ts_user *out, struct ts_error *err)
{
	char *hash = NULL;
	enum ts_err e = ts_store_user_find_by_name(s, name, out, &hash, err);

	free(hash);
	if (!e)
		e = ts_acct_user_set_disabled(s, out->id, disabled, out, err);
	return e;
}

enum ts_err ts_acct_login(struct ts_app *app, const char *client, const char *name,
			  const char *password, enum ts_acct_login_result *result,
			  int *retry_after, struct ts_acct_session *out, struct ts_error *err)
{
	struct ts_error ignore = { 0 };
	struct ts_user u;
	char *hash = NULL;
	enum ts_err e;
	int ok;

	*retry_after = 0;
	/* Throttled before any password check (docs/internals/auth.md). */
	if (app->throttle)
		*retry_after = ts_throttle_login_check(app->throttle, client, name,
						       ts_time_now_ms());
	if (*retry_after > 0) {
		*result = TS_LOGIN_THROTTLED;
		return TS_OK;
	}
	e = ts_store_user_find_by_name(app->store, name, &u, &hash, err);
	if (e && e != TS_ERR_NOT_FOUND)
		return e;
	ts_error_release(err);
	ok = ts_auth_check_password(e ? NULL : hash, password, client);
	free(hash);
	if (ok < 0) {
		*result = ok == -2 ? TS_LOGIN_CLIENT_BUSY : TS_LOGIN_BUSY;
		return TS_OK;
	}
	if (app->throttle)
		ts_throttle_login_result(app->throttle, client, name, ok, ts_time_now_ms());
	if (!ok) {
		*result = TS_LOGIN_WRONG;
		return TS_OK;
	}
	/* Told only to whoever knows the password. */
	if (u.disabled_at) {
		*result = TS_LOGIN_DISABLED;
		return TS_OK;
	}
	/* Expired sessions go here (and at start): no timer needed, and the
	 * table never holds more than the sessions begun since the last login. */
	ts_store_session_purge(app->store, ts_time_now_ms(), NULL, &ignore);
	ts_error_release(&ignore);
	e = start_session(app->store, &u, out, err);
	if (!e)
		*result = TS_LOGIN_OK;
	return e;
}

enum ts_err ts_acct_logout(struct ts_store *s, int64_t user_id, const char *secret, int all,
			   struct ts_error *err)
{
	char digest[TS_AUTH_DIGEST_HEX];
	struct ts_error ignore = { 0 };

	/* Their queue leases end with the session: others get those images. */
	ts_store_lease_release(s, user_id, 0, &ignore);
	ts_error_release(&ignore);
	if (all)
		return ts_store_revoke_all(s, user_id, err);
	if (!secret)
		return TS_OK;
	ts_auth_digest(secret, digest);
	return ts_store_session_delete(s, digest, err);
}

enum ts_err ts_acct_token_create(struct ts_store *s, int64_t user_id, const char *name,
				 int64_t expires, struct ts_token *out,
				 char secret[TS_AUTH_SECRET_MAX], struct ts_error *err)
{
	char digest[TS_AUTH_DIGEST_HEX];
	char *clean = NULL;
	enum ts_err e;

	if (name) {
		clean = ts_name_clean(name, TS_TOKEN_NAME_MAX, "token name", err);
		if (!clean)
			return err->err ? err->err : TS_ERR_INVALID;
	}
	if (expires && expires <= ts_time_now_ms()) {
		free(clean);
		return ts_error_set(err, TS_ERR_INVALID, "invalid_expiry",
				    "The expires_at must be a time in the future, such as "
				    "\"2030-01-31T00:00:00Z\".");
	}
	ts_auth_new_secret("tsk_", secret);
	ts_auth_digest(secret, digest);
	e = ts_store_token_create(s, digest, user_id, clean ? clean : "", expires, out, err);
	free(clean);
	return e;
}

enum ts_err ts_acct_users(struct ts_store *s, struct ts_user **out, size_t *n,
			  struct ts_error *err)
{
	return ts_store_user_list(s, out, n, err);
}

enum ts_err ts_acct_user_get(struct ts_store *s, int64_t id, struct ts_user *out,
			     struct ts_error *err)
{
	return ts_store_user_get(s, id, out, err);
}

enum ts_err ts_acct_tokens(struct ts_store *s, int64_t user_id, struct ts_token **out, size_t *n,
			   struct ts_error *err)
{
	return ts_store_token_list(s, user_id, out, n, err);
}

enum ts_err ts_acct_token_revoke(struct ts_store *s, int64_t user_id, int64_t token_id,
				 struct ts_error *err)
{
	return ts_store_token_revoke(s, user_id, token_id, err);
}
