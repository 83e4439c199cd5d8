/* Passwords, session ids and API tokens (libsodium). Secrets are random
 * 32-byte values shown once to their owner; only their SHA-256 is stored. */
#ifndef TS_AUTH_H
#define TS_AUTH_H

#include <stddef.h>

#include "core/error.h"

#define TS_AUTH_HASH_MAX 128     /* an argon2id string fits */
#define TS_AUTH_SECRET_MAX 80    /* "tsk_" + 64 hex + NUL fits */
#define TS_AUTH_DIGEST_HEX 65

/* Must run once before any other call (thread-safe afterwards). Cheap:
 * the commands that never check a password pay nothing more. */
int ts_auth_init(void);
/* Makes the dummy hash that a login for an unknown user is checked
 * against (once; also done on first need). The server calls it at start so
 * that even the first such login costs what a real one does. */
void ts_auth_prepare_logins(void);

/* Each argon2id hash or check takes 64 MiB and a good part of a second of
 * CPU, and anyone can ask for one (login): at most TS_AUTH_HASH_SLOTS run
 * at once and at most TS_AUTH_HASH_QUEUE more checks wait; beyond that the
 * calls below answer "busy" at once, so a flood of logins can neither
 * exhaust memory nor tie up every HTTP thread. The queue is fair: a free
 * slot goes to a new password (setup, user creation: they have their own
 * TS_AUTH_HASH_QUEUE places) before any check, then to the waiting client
 * served longest ago; one client has at most TS_AUTH_HASH_PER_CLIENT
 * checks running or waiting. */
#define TS_AUTH_HASH_SLOTS 2
#define TS_AUTH_HASH_QUEUE 8
#define TS_AUTH_HASH_PER_CLIENT 2
#define TS_AUTH_CLIENT_MAX 64 /* a client's identity (its address), with NUL */

/* argon2id string for password into out (TS_AUTH_HASH_MAX bytes).
 * UNAVAILABLE "busy" when too many hashes are under way. */
enum ts_err ts_auth_hash_password(const char *password, char *out, struct ts_error *err);
/* 1 when password matches hash, 0 when not; nothing was checked when -1
 * (too many checks under way: busy) or -2 (this client has its share under
 * way already). client tells clients apart for the fair queue (an address;
 * cut to TS_AUTH_CLIENT_MAX). Always spends the same time when the user is
 * unknown: pass hash NULL to run a dummy verification. */
int ts_auth_check_password(const char *hash, const char *password, const char *client);

/* A new random secret with a prefix ("tsk_" for API tokens, "" for
 * sessions) into out (TS_AUTH_SECRET_MAX bytes). */
void ts_auth_new_secret(const char *prefix, char *out);
/* Hex SHA-256 of a secret: what the store keeps. */
void ts_auth_digest(const char *secret, char out[TS_AUTH_DIGEST_HEX]);

/* Validation of user input (pure). Return 0, or fill err (INVALID). */
enum ts_err ts_auth_valid_user_name(const char *name, struct ts_error *err);
enum ts_err ts_auth_valid_password(const char *password, struct ts_error *err);

#endif
