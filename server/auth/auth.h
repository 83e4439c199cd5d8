/* Passwords, session ids and API tokens (libsodium). Secrets are random
 * 32-byte values shown once to their owner; only their SHA-256 is stored. */
#ifndef TS_AUTH_H
#define TS_AUTH_H

#include <stddef.h>

#include "core/error.h"

#define TS_AUTH_HASH_MAX 128     /* an argon2id string fits */
#define TS_AUTH_SECRET_MAX 80    /* "tsk_" + 64 hex + NUL fits */
#define TS_AUTH_DIGEST_HEX 65

/* Must run once before any other call (thread-safe afterwards). */
int ts_auth_init(void);

/* argon2id string for password into out (TS_AUTH_HASH_MAX bytes). */
enum ts_err ts_auth_hash_password(const char *password, char *out, struct ts_error *err);
/* 1 when password matches hash. Always spends the same time when the user
 * is unknown: pass hash NULL to run a dummy verification. */
int ts_auth_check_password(const char *hash, const char *password);

/* A new random secret with a prefix ("tsk_" for API tokens, "" for
 * sessions) into out (TS_AUTH_SECRET_MAX bytes). */
void ts_auth_new_secret(const char *prefix, char *out);
/* Hex SHA-256 of a secret: what the store keeps. */
void ts_auth_digest(const char *secret, char out[TS_AUTH_DIGEST_HEX]);

/* Validation of user input (pure). Return 0, or fill err (INVALID). */
enum ts_err ts_auth_valid_user_name(const char *name, struct ts_error *err);
enum ts_err ts_auth_valid_password(const char *password, struct ts_error *err);

#endif
