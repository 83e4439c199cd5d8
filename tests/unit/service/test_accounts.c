/* The accounts service against a real store (SQLite in a temp dir): the
 * same calls serve the HTTP handlers and `tessera user add|disable|enable`,
 * so the rules are checked here once: names and passwords, one first
 * account, login outcomes, disabling, tokens and their expiry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "core/time.h"
#include "service/accounts.h"
#include "store/store.h"
#include "testdir.h"

struct fixture {
	char dir[64];
	struct ts_app app;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_error err = { 0 };

	if (ts_auth_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/tessera-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->app.store = ts_store_open(NULL, f->dir, &err);
	if (!f->app.store)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_store_free(f->app.store);
	if (ts_test_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static size_t user_count(struct fixture *f)
{
	struct ts_error err = { 0 };
	struct ts_user *users = NULL;
	size_t n = 0;

	assert_int_equal(ts_acct_users(f->app.store, &users, &n, &err), TS_OK);
	free(users);
	return n;
}

static void bad_names_and_passwords_create_nothing(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_user u;

	assert_int_equal(ts_acct_user_create(f->app.store, "", "long enough pw", 0, &u, &err),
			 TS_ERR_INVALID);
	ts_error_release(&err);
	assert_int_equal(ts_acct_user_create(f->app.store, "a/b", "long enough pw", 0, &u, &err),
			 TS_ERR_INVALID);
	ts_error_release(&err);
	assert_int_equal(ts_acct_user_create(f->app.store, "ana", "short", 0, &u, &err),
			 TS_ERR_INVALID);
	ts_error_release(&err);
	assert_int_equal(user_count(f), 0);
}

static void the_first_account_is_made_once(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_acct_session sess;
	struct ts_user who;
	int needs_setup = 0, has_user = 1;

	assert_int_equal(ts_acct_status(f->app.store, NULL, &needs_setup, &who, &has_user, &err),
			 TS_OK);
	assert_true(needs_setup);
	assert_false(has_user);
	assert_int_equal(ts_acct_setup(f->app.store, "root", "long enough pw", &sess, &err), TS_OK);
	assert_true(sess.user.is_admin);
	assert_int_equal(ts_acct_status(f->app.store, sess.secret, &needs_setup, &who, &has_user,
					&err),
			 TS_OK);
	assert_false(needs_setup);
	assert_true(has_user);
	assert_int_equal(who.id, sess.user.id);
	assert_int_equal(ts_acct_setup(f->app.store, "other", "long enough pw", &sess, &err),
			 TS_ERR_CONFLICT);
	assert_string_equal(err.code, "already_set_up");
	ts_error_release(&err);
	assert_int_equal(user_count(f), 1);
}

static void login_outcomes_follow_the_account(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_acct_session sess;
	enum ts_acct_login_result r = TS_LOGIN_OK;
	struct ts_user u, back;
	int wait = -1;

	assert_int_equal(ts_acct_user_create(f->app.store, "ana", "long enough pw", 0, &u, &err),
			 TS_OK);
	assert_int_equal(ts_acct_login(&f->app, "c1", "ana", "wrong password", &r, &wait, &sess,
				       &err),
			 TS_OK);
	assert_int_equal(r, TS_LOGIN_WRONG);
	assert_int_equal(wait, 0);
	assert_int_equal(ts_acct_login(&f->app, "c1", "nobody", "long enough pw", &r, &wait, &sess,
				       &err),
			 TS_OK);
	assert_int_equal(r, TS_LOGIN_WRONG);
	/* Disabled by name, as `tessera user disable ana` does. */
	assert_int_equal(ts_acct_user_set_disabled_by_name(f->app.store, "ana", 1, &back, &err),
			 TS_OK);
	assert_int_equal(back.id, u.id);
	assert_int_not_equal(back.disabled_at, 0);
	assert_int_equal(ts_acct_login(&f->app, "c1", "ana", "long enough pw", &r, &wait, &sess,
				       &err),
			 TS_OK);
	assert_int_equal(r, TS_LOGIN_DISABLED);
	assert_int_equal(ts_acct_user_set_disabled_by_name(f->app.store, "ana", 0, &back, &err),
			 TS_OK);
	assert_int_equal(ts_acct_login(&f->app, "c1", "ana", "long enough pw", &r, &wait, &sess,
				       &err),
			 TS_OK);
	assert_int_equal(r, TS_LOGIN_OK);
	assert_int_equal(ts_acct_session_user(f->app.store, sess.secret, &back, &err), TS_OK);
	assert_int_equal(back.id, u.id);
	/* Logging out ends that session. */
	assert_int_equal(ts_acct_logout(f->app.store, u.id, sess.secret, 0, &err), TS_OK);
	assert_int_not_equal(ts_acct_session_user(f->app.store, sess.secret, &back, &err), TS_OK);
	ts_error_release(&err);
	assert_int_equal(ts_acct_user_set_disabled_by_name(f->app.store, "nobody", 1, &back, &err),
			 TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

/* The server keeps one enabled admin: disabling the last one is refused
 * and changes nothing; once another admin exists it is allowed. */
static void the_last_admin_stays_enabled(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_user a, b, back;

	assert_int_equal(ts_acct_user_create(f->app.store, "root", "long enough pw", 1, &a, &err),
			 TS_OK);
	assert_int_equal(ts_acct_user_create(f->app.store, "bea", "long enough pw", 0, &b, &err),
			 TS_OK);
	assert_int_equal(ts_acct_user_set_disabled(f->app.store, a.id, 1, &back, &err),
			 TS_ERR_CONFLICT);
	assert_string_equal(err.code, "last_admin");
	ts_error_release(&err);
	assert_int_equal(ts_acct_user_get(f->app.store, a.id, &back, &err), TS_OK);
	assert_int_equal(back.disabled_at, 0);
	assert_int_equal(ts_acct_user_set_disabled(f->app.store, b.id, 1, &back, &err), TS_OK);
	assert_int_equal(ts_acct_user_create(f->app.store, "root2", "long enough pw", 1, &b, &err),
			 TS_OK);
	assert_int_equal(ts_acct_user_set_disabled(f->app.store, a.id, 1, &back, &err), TS_OK);
	assert_int_not_equal(back.disabled_at, 0);
	assert_int_equal(ts_acct_user_set_disabled(f->app.store, b.id, 1, &back, &err),
			 TS_ERR_CONFLICT);
	ts_error_release(&err);
}

static void tokens_work_until_revoked_and_must_expire_later(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	char secret[TS_AUTH_SECRET_MAX];
	struct ts_token t;
	struct ts_user u, back;
	int64_t token_id = 0;

	assert_int_equal(ts_acct_user_create(f->app.store, "bot", "long enough pw", 0, &u, &err),
			 TS_OK);
	assert_int_equal(ts_acct_token_create(f->app.store, u.id, "ci", ts_time_now_ms() - 1000, &t,
					      secret, &err),
			 TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_expiry");
	ts_error_release(&err);
	assert_int_equal(ts_acct_token_create(f->app.store, u.id, "bad\x01name", 0, &t, secret,
					      &err),
			 TS_ERR_INVALID);
	ts_error_release(&err);
	/* The command line's token: named, never expiring. */
	assert_int_equal(ts_acct_token_create(f->app.store, u.id, "command line", 0, &t, secret,
					      &err),
			 TS_OK);
	assert_int_equal(strncmp(secret, "tsk_", 4), 0);
	assert_string_equal(t.name, "command line");
	assert_int_equal(ts_acct_token_user(f->app.store, secret, &back, &token_id, &err), TS_OK);
	assert_int_equal(back.id, u.id);
	assert_int_equal(token_id, t.id);
	assert_int_equal(ts_acct_token_revoke(f->app.store, u.id, t.id, &err), TS_OK);
	assert_int_equal(ts_acct_token_user(f->app.store, secret, &back, &token_id, &err),
			 TS_ERR_UNAUTHORIZED);
	ts_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(bad_names_and_passwords_create_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(the_first_account_is_made_once, setup, teardown),
		cmocka_unit_test_setup_teardown(the_last_admin_stays_enabled, setup, teardown),
		cmocka_unit_test_setup_teardown(login_outcomes_follow_the_account, setup, teardown),
		cmocka_unit_test_setup_teardown(tokens_work_until_revoked_and_must_expire_later, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
