/* Users, sessions and API tokens. Secrets never reach the store: callers
 * pass the SHA-256 hex of a session id or token, and the argon2id string of
 * a password. */
#ifndef TS_STORE_USERS_H
#define TS_STORE_USERS_H

#include <stdint.h>

#include "store/store.h"

#define TS_USER_NAME_MAX 64
#define TS_TOKEN_NAME_MAX 100 /* characters */

struct ts_user {
	int64_t id;
	char name[TS_USER_NAME_MAX * 4 + 1];
	int is_admin;
	int64_t created_at;
	int64_t disabled_at; /* 0: enabled */
};

/* An API token as its owner sees it: never the secret. */
struct ts_token {
	int64_t id;
	int64_t user_id;
	char name[TS_TOKEN_NAME_MAX * 4 + 1];
	int64_t created_at;
	int64_t expires_at;   /* 0: never */
	int64_t last_used_at; /* 0: never; updated at most once a minute */
};

struct ts_store_user_ops {
	enum ts_err (*count)(struct ts_store *s, int64_t *n, struct ts_error *err);
	/* only_if_none: fail with TS_ERR_CONFLICT "already_set_up" when any
	 * user exists (the first-account race is decided in one transaction). */
	enum ts_err (*create)(struct ts_store *s, const char *name, const char *password_hash,
			      int is_admin, int only_if_none, struct ts_user *out,
			      struct ts_error *err);
	/* *password_hash is malloc'd; the caller frees it. */
	enum ts_err (*find_by_name)(struct ts_store *s, const char *name, struct ts_user *out,
				    char **password_hash, struct ts_error *err);
	/* *out is malloc'd (free()), *n entries, ordered by id. */
	enum ts_err (*list)(struct ts_store *s, struct ts_user **out, size_t *n,
			    struct ts_error *err);
	/* NOT_FOUND "user_not_found". */
	enum ts_err (*get)(struct ts_store *s, int64_t id, struct ts_user *out,
			   struct ts_error *err);
	/* Inside the caller's write transaction: disables (ending every
	 * session and revoking every token) or enables a user; nothing changes
	 * when it is so already. NOT_FOUND "user_not_found". Whether the user
	 * may be disabled is the caller's (service/accounts.c) decision. */
	enum ts_err (*set_disabled)(struct ts_store_tx *tx, int64_t id, int disabled,
				    struct ts_user *out, struct ts_error *err);
	/* The number of enabled admins, inside tx. */
	enum ts_err (*count_admins)(struct ts_store_tx *tx, int64_t *n, struct ts_error *err);
	enum ts_err (*session_create)(struct ts_store *s, const char *token_hash, int64_t user_id,
				      int64_t expires_at, struct ts_error *err);
	enum ts_err (*session_user)(struct ts_store *s, const char *token_hash, int64_t now,
				    struct ts_user *out, struct ts_error *err);
	enum ts_err (*session_delete)(struct ts_store *s, const char *token_hash,
				      struct ts_error *err);
	/* Deletes the sessions that expired before now; *n (may be NULL)
	 * receives how many. */
	enum ts_err (*session_purge)(struct ts_store *s, int64_t now, int64_t *n,
				     struct ts_error *err);
	/* name may be "" (none); expires_at 0 means never. *out (may be NULL)
	 * receives the new token. */
	enum ts_err (*token_create)(struct ts_store *s, const char *token_hash, int64_t user_id,
				    const char *name, int64_t expires_at, struct ts_token *out,
				    struct ts_error *err);
	/* The user of a token, and the token's id in *token_id (may be NULL).
	 * UNAUTHORIZED "unauthorized" for an unknown, revoked or expired token
	 * or a disabled account, the message saying which. Notes the time of
	 * use (at most once a minute). */
	enum ts_err (*token_user)(struct ts_store *s, const char *token_hash, int64_t now,
				  struct ts_user *out, int64_t *token_id, struct ts_error *err);
	/* A user's tokens that are not revoked (expired ones included), by id;
	 * *out malloc'd. */
	enum ts_err (*token_list)(struct ts_store *s, int64_t user_id, struct ts_token **out,
				  size_t *n, struct ts_error *err);
	/* NOT_FOUND "token_not_found" when user_id has no such live token. */
	enum ts_err (*token_revoke)(struct ts_store *s, int64_t user_id, int64_t token_id,
				    struct ts_error *err);
	/* Ends every session and revokes every token of a user. */
	enum ts_err (*revoke_all)(struct ts_store *s, int64_t user_id, struct ts_error *err);
};

static inline enum ts_err ts_store_user_count(struct ts_store *s, int64_t *n, struct ts_error *err)
{
	return s->ops->users->count(s, n, err);
}
static inline enum ts_err ts_store_user_create(struct ts_store *s, const char *name,
					       const char *password_hash, int is_admin,
					       int only_if_none, struct ts_user *out,
					       struct ts_error *err)
{
	return s->ops->users->create(s, name, password_hash, is_admin, only_if_none, out, err);
}
static inline enum ts_err ts_store_user_find_by_name(struct ts_store *s, const char *name,
						     struct ts_user *out, char **password_hash,
						     struct ts_error *err)
{
	return s->ops->users->find_by_name(s, name, out, password_hash, err);
}
static inline enum ts_err ts_store_user_list(struct ts_store *s, struct ts_user **out, size_t *n,
					     struct ts_error *err)
{
	return s->ops->users->list(s, out, n, err);
}
static inline enum ts_err ts_store_session_create(struct ts_store *s, const char *token_hash,
						  int64_t user_id, int64_t expires_at,
						  struct ts_error *err)
{
	return s->ops->users->session_create(s, token_hash, user_id, expires_at, err);
}
static inline enum ts_err ts_store_session_user(struct ts_store *s, const char *token_hash,
						int64_t now, struct ts_user *out,
						struct ts_error *err)
{
	return s->ops->users->session_user(s, token_hash, now, out, err);
}
static inline enum ts_err ts_store_session_delete(struct ts_store *s, const char *token_hash,
						  struct ts_error *err)
{
	return s->ops->users->session_delete(s, token_hash, err);
}
static inline enum ts_err ts_store_user_get(struct ts_store *s, int64_t id, struct ts_user *out,
					    struct ts_error *err)
{
	return s->ops->users->get(s, id, out, err);
}
static inline enum ts_err ts_store_user_set_disabled(struct ts_store_tx *tx, int64_t id,
						     int disabled, struct ts_user *out,
						     struct ts_error *err)
{
	return tx->store->ops->users->set_disabled(tx, id, disabled, out, err);
}
static inline enum ts_err ts_store_user_count_admins(struct ts_store_tx *tx, int64_t *n,
						     struct ts_error *err)
{
	return tx->store->ops->users->count_admins(tx, n, err);
}
static inline enum ts_err ts_store_session_purge(struct ts_store *s, int64_t now, int64_t *n,
						 struct ts_error *err)
{
	return s->ops->users->session_purge(s, now, n, err);
}
static inline enum ts_err ts_store_token_create(struct ts_store *s, const char *token_hash,
						int64_t user_id, const char *name,
						int64_t expires_at, struct ts_token *out,
						struct ts_error *err)
{
	return s->ops->users->token_create(s, token_hash, user_id, name, expires_at, out, err);
}
static inline enum ts_err ts_store_token_user(struct ts_store *s, const char *token_hash,
					      int64_t now, struct ts_user *out, int64_t *token_id,
					      struct ts_error *err)
{
	return s->ops->users->token_user(s, token_hash, now, out, token_id, err);
}
static inline enum ts_err ts_store_token_list(struct ts_store *s, int64_t user_id,
					      struct ts_token **out, size_t *n,
					      struct ts_error *err)
{
	return s->ops->users->token_list(s, user_id, out, n, err);
}
static inline enum ts_err ts_store_token_revoke(struct ts_store *s, int64_t user_id,
						int64_t token_id, struct ts_error *err)
{
	return s->ops->users->token_revoke(s, user_id, token_id, err);
}
static inline enum ts_err ts_store_revoke_all(struct ts_store *s, int64_t user_id,
					      struct ts_error *err)
{
	return s->ops->users->revoke_all(s, user_id, err);
}

#endif
