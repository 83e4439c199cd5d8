/* Accounts: first-account setup, login, logout, me, users (disable and
 * enable), API tokens (named, expiring, listed, revoked). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/throttle.h"
#include "core/time.h"
#include "domain/names.h"
#include "http/req.h"
#include "http/router.h"
#include "store/store_users.h"
#include "core/banned.h"

#define SESSION_DAYS 30

static json_t *user_json(const struct ts_user *u)
{
	return json_pack("{s:I, s:s, s:b, s:b, s:o}", "id", (json_int_t)u->id, "name", u->name,
			 "is_admin", u->is_admin, "disabled", u->disabled_at != 0, "created_at",
			 ts_json_time(u->created_at));
}

static json_t *time_or_null(int64_t t)
{
	return t ? ts_json_time(t) : json_null();
}

static json_t *token_json(const struct ts_token *t, int64_t current)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:b, s:b}", "id", (json_int_t)t->id, "name",
			 t->name[0] ? json_string(t->name) : json_null(), "created_at",
			 ts_json_time(t->created_at), "expires_at", time_or_null(t->expires_at),
			 "last_used_at", time_or_null(t->last_used_at), "expired",
			 t->expires_at && t->expires_at <= ts_time_now_ms(), "current",
			 t->id == current);
}

/* Reads and checks {"name", "password"}; answers and returns -1 on error. */
static int read_credentials(struct ts_req *req, json_t *body, const char **name,
			    const char **password, int validate)
{
	struct ts_error err = { 0 };

	if (ts_req_field_string(req, body, "name", 1, name, NULL) ||
	    ts_req_field_string(req, body, "password", 1, password, NULL))
		return -1;
	if (validate && (ts_auth_valid_user_name(*name, &err) ||
			 ts_auth_valid_password(*password, &err))) {
		ts_req_error(req, &err);
		return -1;
	}
	return 0;
}

static void start_session(struct ts_req *req, const struct ts_user *u, unsigned status)
{
	char secret[TS_AUTH_SECRET_MAX], digest[TS_AUTH_DIGEST_HEX], cookie[256];
	const char *proto;
	struct ts_error err = { 0 };
	int64_t expires = ts_time_now_ms() + (int64_t)SESSION_DAYS * 86400 * 1000;

	ts_auth_new_secret("", secret);
	ts_auth_digest(secret, digest);
	if (ts_store_session_create(req->app->store, digest, u->id, expires, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, status, json_pack("{s:o}", "user", user_json(u)));
	/* Behind a TLS proxy the cookie must never travel over plain HTTP. */
	proto = ts_req_header(req, "X-Forwarded-Proto");
	snprintf(cookie, sizeof(cookie),
		 "tessera_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", secret,
		 SESSION_DAYS * 86400, proto && strcmp(proto, "https") == 0 ? "; Secure" : "");
	ts_req_add_header(req, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

static void auth_status(struct ts_req *req)
{
	struct ts_error err = { 0 };
	int64_t n = 0;

	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 "tessera_session");
	char digest[TS_AUTH_DIGEST_HEX];
	struct ts_user u;
	json_t *who = json_null();

	if (ts_store_user_count(req->app->store, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	/* Who the session cookie belongs to, if anyone: the app learns in one
	 * request whether to show setup, login or itself. */
	if (cookie) {
		ts_auth_digest(cookie, digest);
		if (ts_store_session_user(req->app->store, digest, ts_time_now_ms(), &u, &err) == TS_OK)
			who = user_json(&u);
		ts_error_release(&err);
	}
	ts_req_json(req, 200, json_pack("{s:b, s:o}", "needs_setup", n == 0, "user", who));
}

static void auth_setup(struct ts_req *req)
{
	static const char *const keys[] = { "name", "password", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name, *password;
	char hash[TS_AUTH_HASH_MAX];
	struct ts_error err = { 0 };
	struct ts_user u;
	int64_t n = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) || read_credentials(req, body, &name, &password, 1))
		goto out;
	/* Once set up, refused before any hashing (the store decides races). */
	if (ts_store_user_count(req->app->store, &n, &err) == TS_OK && n > 0)
		ts_error_set(&err, TS_ERR_CONFLICT, "already_set_up",
			     "the first account exists already; log in instead");
	if (err.err || ts_auth_hash_password(password, hash, &err) ||
	    ts_store_user_create(req->app->store, name, hash, 1, 1, &u, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	start_session(req, &u, 201);
out:
	ts_error_release(&err);
	json_decref(body);
}

static void auth_login(struct ts_req *req)
{
	static const char *const keys[] = { "name", "password", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name, *password;
	char *hash = NULL;
	struct ts_error err = { 0 };
	struct ts_user u;
	enum ts_err e;
	int ok, wait;
	char retry[16];

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) || read_credentials(req, body, &name, &password, 0))
		goto out;
	/* Throttled before any password check (docs/internals/auth.md). */
	wait = ts_throttle_login_check(req->app->throttle, req->client, name, ts_time_now_ms());
	if (wait > 0) {
		ts_req_fail(req, 429, "too_many_attempts",
			    "Too many failed logins; try again in %d seconds.", wait);
		snprintf(retry, sizeof(retry), "%d", wait);
		ts_req_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, retry);
		goto out;
	}
	e = ts_store_user_find_by_name(req->app->store, name, &u, &hash, &err);
	if (e && e != TS_ERR_NOT_FOUND) {
		ts_req_error(req, &err);
		goto out;
	}
	ok = ts_auth_check_password(e ? NULL : hash, password, req->client);
	if (ok < 0) {
		/* Too many password checks under way (from this client): say so at once. */
		if (ok == -2)
			ts_req_fail(req, 429, "too_many_attempts",
				    "This client has logins under way already; try again in a moment.");
		else
			ts_req_fail(req, 503, "busy", "too many logins at once; try again in a moment");
		ts_req_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, "1");
		goto out;
	}
	ts_throttle_login_result(req->app->throttle, req->client, name, ok, ts_time_now_ms());
	if (!ok) {
		ts_req_fail(req, 401, "invalid_credentials", "Wrong user name or password.");
		goto out;
	}
	/* Told only to whoever knows the password. */
	if (u.disabled_at) {
		ts_req_fail(req, 401, "account_disabled", "This account is disabled.");
		goto out;
	}
	/* Expired sessions go here (and at start): no timer needed, and the
	 * table never holds more than the sessions begun since the last login. */
	if (ts_store_session_purge(req->app->store, ts_time_now_ms(), NULL, &err))
		ts_error_release(&err);
	start_session(req, &u, 200);
out:
	free(hash);
	ts_error_release(&err);
	json_decref(body);
}

static void auth_logout(struct ts_req *req)
{
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 "tessera_session");
	const char *all = ts_req_query(req, "all");
	char digest[TS_AUTH_DIGEST_HEX];
	struct ts_error err = { 0 };

	if (all && strcmp(all, "true") != 0 && strcmp(all, "false") != 0) {
		ts_req_fail(req, 400, "invalid_parameter", "The all parameter must be true or false.");
		return;
	}
	if (all && strcmp(all, "true") == 0) {
		/* Everywhere: every session and every API token of the user. */
		if (ts_store_revoke_all(req->app->store, req->user.id, &err)) {
			ts_req_error(req, &err);
			ts_error_release(&err);
			return;
		}
	} else if (cookie) {
		ts_auth_digest(cookie, digest);
		if (ts_store_session_delete(req->app->store, digest, &err)) {
			ts_req_error(req, &err);
			ts_error_release(&err);
			return;
		}
	}
	ts_req_empty(req, 204);
	ts_req_add_header(req, MHD_HTTP_HEADER_SET_COOKIE,
			  "tessera_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static void me(struct ts_req *req)
{
	ts_req_json(req, 200, user_json(&req->user));
}

static void me_token(struct ts_req *req)
{
	static const char *const keys[] = { "name", "expires_at", NULL };
	char secret[TS_AUTH_SECRET_MAX], digest[TS_AUTH_DIGEST_HEX];
	const char *name_in = NULL, *expires_in = NULL;
	json_t *body = NULL, *view;
	struct ts_error err = { 0 };
	struct ts_token t;
	int64_t expires = 0;
	char *name = NULL;
	int has_name = 0;

	/* No body at all is a token with no name that never expires. */
	if (req->body.len || req->body_too_large) {
		body = ts_req_body_object(req);
		if (!body)
			return;
		if (ts_req_only_fields(req, body, keys) ||
		    ts_req_field_string(req, body, "name", 0, &name_in, &has_name))
			goto out;
		if (json_is_string(json_object_get(body, "expires_at")))
			expires_in = json_string_value(json_object_get(body, "expires_at"));
		else if (json_object_get(body, "expires_at") &&
			 !json_is_null(json_object_get(body, "expires_at"))) {
			ts_req_fail(req, 400, "invalid_field",
				    "The field \"expires_at\" must be an RFC 3339 time or null.");
			goto out;
		}
	}
	if (has_name) {
		name = ts_name_clean(name_in, TS_TOKEN_NAME_MAX, "token name", &err);
		if (!name) {
			ts_req_error(req, &err);
			goto out;
		}
	}
	if (expires_in && (ts_time_parse_rfc3339(expires_in, &expires) ||
			   expires <= ts_time_now_ms())) {
		ts_req_fail(req, 400, "invalid_expiry",
			    "The expires_at must be a time in the future, such as "
			    "\"2030-01-31T00:00:00Z\".");
		goto out;
	}
	ts_auth_new_secret("tsk_", secret);
	ts_auth_digest(secret, digest);
	if (ts_store_token_create(req->app->store, digest, req->user.id, name ? name : "", expires,
				  &t, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	/* The secret is shown this once; listings never show it. */
	view = token_json(&t, req->token_id);
	json_object_set_new(view, "token", json_string(secret));
	ts_req_json(req, 201, view);
out:
	free(name);
	ts_error_release(&err);
	json_decref(body);
}

static void me_tokens(struct ts_req *req)
{
	struct ts_token *arr = NULL;
	struct ts_error err = { 0 };
	size_t n = 0;
	json_t *items;

	if (ts_store_token_list(req->app->store, req->user.id, &arr, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, token_json(&arr[i], req->token_id));
	free(arr);
	ts_req_json(req, 200, json_pack("{s:o}", "tokens", items));
}

static void me_token_revoke(struct ts_req *req)
{
	struct ts_error err = { 0 };

	if (ts_store_token_revoke(req->app->store, req->user.id, req->params[0], &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_empty(req, 204);
}

static void users_list(struct ts_req *req)
{
	struct ts_user *users = NULL;
	struct ts_error err = { 0 };
	size_t n = 0;
	json_t *arr;

	if (ts_store_user_list(req->app->store, &users, &n, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, user_json(&users[i]));
	free(users);
	ts_req_json(req, 200, json_pack("{s:o}", "users", arr));
}

static void users_create(struct ts_req *req)
{
	static const char *const keys[] = { "name", "password", "is_admin", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name, *password;
	char hash[TS_AUTH_HASH_MAX];
	struct ts_error err = { 0 };
	struct ts_user u;
	int is_admin = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    read_credentials(req, body, &name, &password, 1) ||
	    ts_req_field_bool(req, body, "is_admin", &is_admin, NULL))
		goto out;
	if (ts_auth_hash_password(password, hash, &err) ||
	    ts_store_user_create(req->app->store, name, hash, is_admin, 0, &u, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 201, user_json(&u));
out:
	ts_error_release(&err);
	json_decref(body);
}

static void users_patch(struct ts_req *req)
{
	static const char *const keys[] = { "disabled", NULL };
	json_t *body = ts_req_body_object(req);
	struct ts_error err = { 0 };
	struct ts_user u;
	int disabled = 0, present = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    ts_req_field_bool(req, body, "disabled", &disabled, &present))
		goto out;
	if (!present ? ts_store_user_get(req->app->store, req->params[0], &u, &err)
		     : ts_store_user_set_disabled(req->app->store, req->params[0], disabled, &u,
						  &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 200, user_json(&u));
out:
	ts_error_release(&err);
	json_decref(body);
}

const struct ts_route ts_routes_auth[] = {
	{ "GET", "/api/v1/auth/status", TS_ROUTE_PUBLIC, auth_status, NULL, NULL },
	{ "POST", "/api/v1/auth/setup", TS_ROUTE_PUBLIC, auth_setup, NULL, NULL },
	{ "POST", "/api/v1/auth/login", TS_ROUTE_PUBLIC, auth_login, NULL, NULL },
	{ "POST", "/api/v1/auth/logout", 0, auth_logout, NULL, NULL },
	{ "GET", "/api/v1/me", 0, me, NULL, NULL },
	{ "GET", "/api/v1/me/tokens", 0, me_tokens, NULL, NULL },
	{ "POST", "/api/v1/me/tokens", 0, me_token, NULL, NULL },
	{ "DELETE", "/api/v1/me/tokens/{id}", 0, me_token_revoke, NULL, NULL },
	{ "GET", "/api/v1/users", TS_ROUTE_ADMIN, users_list, NULL, NULL },
	{ "POST", "/api/v1/users", TS_ROUTE_ADMIN, users_create, NULL, NULL },
	{ "PATCH", "/api/v1/users/{id}", TS_ROUTE_ADMIN, users_patch, NULL, NULL },
	{ 0 },
};
