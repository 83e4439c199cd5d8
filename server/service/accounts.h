/* The accounts service: users, sessions, logins and API tokens. The HTTP
 * handlers (http/auth.c) and the command line (`tessera user add`,
 * `disable`, `enable`) call these, so a rule about accounts lives once.
 * Secrets are made here and shown to the caller once; only their digests
 * are stored. */
#ifndef TS_SERVICE_ACCOUNTS_H
#define TS_SERVICE_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "auth/auth.h"
#include "core/error.h"
#include "store/store_users.h"

#define TS_ACCT_SESSION_DAYS 30

/* A new session: who, and the secret of its cookie. */
struct ts_acct_session {
	struct ts_user user;
	char secret[TS_AUTH_SECRET_MAX];
};

/* Who a request is: the user of API token secret (*token_id its id), or
 * of session secret. UNAUTHORIZED (unknown, revoked, expired, or a
 * disabled account; the message says which). */
enum ts_err ts_acct_token_user(struct ts_store *s, const char *secret, struct ts_user *out,
			       int64_t *token_id, struct ts_error *err);
enum ts_err ts_acct_session_user(struct ts_store *s, const char *secret, struct ts_user *out,
				 struct ts_error *err);

/* Whether the first account is still to be made, and (when secret names a
 * live session; secret may be NULL) whose session it is (*has_user). */
enum ts_err ts_acct_status(struct ts_store *s, const char *secret, int *needs_setup,
			   struct ts_user *user, int *has_user, struct ts_error *err);

/* The first account (an admin) and its session. CONFLICT
 * "already_set_up" once any account exists; INVALID for a bad name or
 * password. */
enum ts_err ts_acct_setup(struct ts_store *s, const char *name, const char *password,
			  struct ts_acct_session *out, struct ts_error *err);

/* Creates a user after checking name and password. */
enum ts_err ts_acct_user_create(struct ts_store *s, const char *name, const char *password,
				int is_admin, struct ts_user *out, struct ts_error *err);

/* Every user, by id (the caller frees *out). */
enum ts_err ts_acct_users(struct ts_store *s, struct ts_user **out, size_t *n,
			  struct ts_error *err);
enum ts_err ts_acct_user_get(struct ts_store *s, int64_t id, struct ts_user *out,
			     struct ts_error *err);

/* Disables or enables a user (its sessions and tokens stop working while
 * disabled). CONFLICT "last_admin" (nothing changes) when disabling the
 * last enabled admin; NOT_FOUND "user_not_found". */
enum ts_err ts_acct_user_set_disabled(struct ts_store *s, int64_t id, int disabled,
				      struct ts_user *out, struct ts_error *err);
/* The same, by name (NOT_FOUND for an unknown name). */
enum ts_err ts_acct_user_set_disabled_by_name(struct ts_store *s, const char *name, int disabled,
					      struct ts_user *out, struct ts_error *err);

enum ts_acct_login_result {
	TS_LOGIN_OK = 0,       /* out holds the new session */
	TS_LOGIN_THROTTLED,    /* too many failures: *retry_after seconds */
	TS_LOGIN_WRONG,        /* wrong name or password */
	TS_LOGIN_DISABLED,     /* right password, disabled account */
	TS_LOGIN_BUSY,         /* too many password checks at once */
	TS_LOGIN_CLIENT_BUSY,  /* this client has checks under way already */
};

/* A login from client (its address): throttled per client and name
 * before any password check (by app->throttle; none when NULL, as from
 * the command line); on success, expired
 * sessions are purged and a session begins. An error return (store
 * failure) leaves *result unset. */
enum ts_err ts_acct_login(struct ts_app *app, const char *client, const char *name,
			  const char *password, enum ts_acct_login_result *result,
			  int *retry_after, struct ts_acct_session *out, struct ts_error *err);

/* Ends the session of secret (may be NULL: nothing to end), or with all
 * every session and API token of user_id. */
enum ts_err ts_acct_logout(struct ts_store *s, int64_t user_id, const char *secret, int all,
			   struct ts_error *err);

/* A new API token of user_id: name (NULL: none; cleaned, at most
 * TS_TOKEN_NAME_MAX characters), expires (ms since the epoch, 0: never;
 * else it must be in the future, INVALID "invalid_expiry"). The secret
 * ("tsk_...") goes to secret. */
enum ts_err ts_acct_token_create(struct ts_store *s, int64_t user_id, const char *name,
				 int64_t expires, struct ts_token *out,
				 char secret[TS_AUTH_SECRET_MAX], struct ts_error *err);

/* The API tokens of user_id (the caller frees *out), and revoking one. */
enum ts_err ts_acct_tokens(struct ts_store *s, int64_t user_id, struct ts_token **out, size_t *n,
			   struct ts_error *err);
enum ts_err ts_acct_token_revoke(struct ts_store *s, int64_t user_id, int64_t token_id,
				 struct ts_error *err);

#endif
