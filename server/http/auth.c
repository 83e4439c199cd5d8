/* Accounts: first-account setup, login, logout, me, users (disable and
 * enable), API tokens (named, expiring, listed, revoked). */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"
#include "http/req.h"
#include "http/router.h"
#include "service/accounts.h"
#include "core/banned.h"

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

/* Reads {"name", "password"}; answers and returns -1 on error. */
static int read_credentials(struct ts_req *req, json_t *body, const char **name,
			    const char **password)
{
	if (ts_req_field_string(req, body, "name", 1, name, NULL) ||
	    ts_req_field_string(req, body, "password", 1, password, NULL))
		return -1;
	return 0;
}

/* Answers with the session's user and sets its cookie. */
static void session_view(struct ts_req *req, const struct ts_acct_session *sess, unsigned status)
{
	const char *proto;
	char cookie[256];

	ts_req_json(req, status, json_pack("{s:o}", "user", user_json(&sess->user)));
	/* Behind a TLS proxy the cookie must never travel over plain HTTP. */
	proto = ts_req_header(req, "X-Forwarded-Proto");
	snprintf(cookie, sizeof(cookie),
		 "tessera_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", sess->secret,
		 TS_ACCT_SESSION_DAYS * 86400, proto && strcmp(proto, "https") == 0 ? "; Secure" : "");
	ts_req_add_header(req, MHD_HTTP_HEADER_SET_COOKIE, cookie);
}

static void auth_status(struct ts_req *req)
{
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 "tessera_session");
	struct ts_error err = { 0 };
	struct ts_user u;
	int needs_setup = 0, has_user = 0;

	/* Who the session cookie belongs to, if anyone: the app learns in one
	 * request whether to show setup, login or itself. */
	if (ts_acct_status(req->app->store, cookie, &needs_setup, &u, &has_user, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, 200, json_pack("{s:b, s:o}", "needs_setup", needs_setup, "user",
					has_user ? user_json(&u) : json_null()));
}

static void auth_setup(struct ts_req *req)
{
	static const char *const keys[] = { "name", "password", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name, *password;
	struct ts_acct_session sess;
	struct ts_error err = { 0 };

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) || read_credentials(req, body, &name, &password))
		goto out;
	if (ts_acct_setup(req->app->store, name, password, &sess, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	session_view(req, &sess, 201);
out:
	ts_error_release(&err);
	json_decref(body);
}

static void auth_login(struct ts_req *req)
{
	static const char *const keys[] = { "name", "password", NULL };
	json_t *body = ts_req_body_object(req);
	const char *name, *password;
	struct ts_acct_session sess;
	struct ts_error err = { 0 };
	enum ts_acct_login_result result;
	int wait = 0;
	char retry[16];

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) || read_credentials(req, body, &name, &password))
		goto out;
	if (ts_acct_login(req->app, req->client, name, password, &result, &wait, &sess, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	switch (result) {
	case TS_LOGIN_OK:
		session_view(req, &sess, 200);
		break;
	case TS_LOGIN_THROTTLED:
		ts_req_fail(req, 429, "too_many_attempts",
			    "Too many failed logins; try again in %d seconds.", wait);
		snprintf(retry, sizeof(retry), "%d", wait);
		ts_req_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, retry);
		break;
	case TS_LOGIN_CLIENT_BUSY:
		/* Too many password checks under way (from this client): say so at once. */
		ts_req_fail(req, 429, "too_many_attempts",
			    "This client has logins under way already; try again in a moment.");
		ts_req_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, "1");
		break;
	case TS_LOGIN_BUSY:
		ts_req_fail(req, 503, "busy", "too many logins at once; try again in a moment");
		ts_req_add_header(req, MHD_HTTP_HEADER_RETRY_AFTER, "1");
		break;
	case TS_LOGIN_WRONG:
		ts_req_fail(req, 401, "invalid_credentials", "Wrong user name or password.");
		break;
	case TS_LOGIN_DISABLED:
		ts_req_fail(req, 401, "account_disabled", "This account is disabled.");
		break;
	}
out:
	ts_error_release(&err);
	json_decref(body);
}

static void auth_logout(struct ts_req *req)
{
	const char *cookie = MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND,
							 "tessera_session");
	const char *all = ts_req_query(req, "all");
	struct ts_error err = { 0 };

	if (all && strcmp(all, "true") != 0 && strcmp(all, "false") != 0) {
		ts_req_fail(req, 400, "invalid_parameter", "The all parameter must be true or false.");
		return;
	}
	/* all: everywhere, every session and every API token of the user. */
	if (ts_acct_logout(req->app->store, req->user.id, cookie, all && strcmp(all, "true") == 0,
			   &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
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
	char secret[TS_AUTH_SECRET_MAX];
	const char *name_in = NULL, *expires_in = NULL;
	json_t *body = NULL, *view;
	struct ts_error err = { 0 };
	struct ts_token t;
	int64_t expires = 0;
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
	if (expires_in && (ts_time_parse_rfc3339(expires_in, &expires) || expires == 0)) {
		ts_req_fail(req, 400, "invalid_expiry",
			    "The expires_at must be a time in the future, such as "
			    "\"2030-01-31T00:00:00Z\".");
		goto out;
	}
	if (ts_acct_token_create(req->app->store, req->user.id, has_name ? name_in : NULL, expires,
				 &t, secret, &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	/* The secret is shown this once; listings never show it. */
	view = token_json(&t, req->token_id);
	json_object_set_new(view, "token", json_string(secret));
	ts_req_json(req, 201, view);
out:
	ts_error_release(&err);
	json_decref(body);
}

static void me_tokens(struct ts_req *req)
{
	struct ts_token *arr = NULL;
	struct ts_error err = { 0 };
	size_t n = 0;
	json_t *items;

	if (ts_acct_tokens(req->app->store, req->user.id, &arr, &n, &err)) {
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

	if (ts_acct_token_revoke(req->app->store, req->user.id, req->params[0], &err)) {
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

	if (ts_acct_users(req->app->store, &users, &n, &err)) {
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
	struct ts_error err = { 0 };
	struct ts_user u;
	int is_admin = 0;

	if (!body)
		return;
	if (ts_req_only_fields(req, body, keys) ||
	    read_credentials(req, body, &name, &password) ||
	    ts_req_field_bool(req, body, "is_admin", &is_admin, NULL))
		goto out;
	if (ts_acct_user_create(req->app->store, name, password, is_admin, &u, &err)) {
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
	if (!present ? ts_acct_user_get(req->app->store, req->params[0], &u, &err)
		     : ts_acct_user_set_disabled(req->app->store, req->params[0], disabled, &u,
						 &err)) {
		ts_req_error(req, &err);
		goto out;
	}
	ts_req_json(req, 200, user_json(&u));
out:
	ts_error_release(&err);
	json_decref(body);
}

/* DELETE disables (as PATCH {"disabled": true}), POST .../restore enables. */
static void users_set_disabled(struct ts_req *req, int disabled)
{
	struct ts_error err = { 0 };
	struct ts_user u;

	if (ts_acct_user_set_disabled(req->app->store, req->params[0], disabled, &u, &err)) {
		ts_req_error(req, &err);
		ts_error_release(&err);
		return;
	}
	ts_req_json(req, 200, user_json(&u));
}

static void users_delete(struct ts_req *req)
{
	users_set_disabled(req, 1);
}

static void users_restore(struct ts_req *req)
{
	users_set_disabled(req, 0);
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
	{ "DELETE", "/api/v1/users/{id}", TS_ROUTE_ADMIN, users_delete, NULL, NULL },
	{ "POST", "/api/v1/users/{id}/restore", TS_ROUTE_ADMIN, users_restore, NULL, NULL },
	{ 0 },
};
