/* The SQLite store: migrations, category id allocation, reorder rules,
 * uniqueness, users and sessions, against a real database in a temp dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_jobs.h"
#include "store/store_members.h"
#include "store/store_projects.h"
#include "store/store.h"
#include "store/store_users.h"
#include "store/tx_helpers.h"
#include "testdir.h"

struct fixture {
	char dir[64];
	struct ts_store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_error err = { 0 };

	snprintf(f->dir, sizeof(f->dir), "/tmp/tessera-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->s = ts_store_open(NULL, f->dir, &err);
	if (!f->s)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_store_free(f->s);
	if (ts_test_rmtree(f->dir) != 0)
		return -1;
	free(f);
	return 0;
}

static int64_t new_project(struct ts_store *s)
{
	struct ts_project p;
	struct ts_error err = { 0 };

	assert_int_equal(ts_store_project_create(s, "P", "classification_single", 0, &p, &err), TS_OK);
	assert_string_equal(p.schema_version, "1.0.0");
	return p.id;
}

static void ids_grow_and_are_never_reused(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_category c;
	int64_t pid = new_project(f->s), pid2 = new_project(f->s);

	assert_int_equal(ts_store_category_create(f->s, pid, "a", &c, &err), TS_OK);
	assert_int_equal(c.id, 1);
	assert_int_equal(ts_store_category_create(f->s, pid, "b", &c, &err), TS_OK);
	assert_int_equal(c.id, 2);
	assert_int_equal(ts_store_category_delete(f->s, pid, 2, &c, &err), TS_OK);
	assert_string_equal(c.state, "deleted");
	assert_int_equal(ts_store_category_create(f->s, pid, "b", &c, &err), TS_OK);
	assert_int_equal(c.id, 3);
	/* Another project counts from 1. */
	assert_int_equal(ts_store_category_create(f->s, pid2, "a", &c, &err), TS_OK);
	assert_int_equal(c.id, 1);
	/* Reopen: the counter persists. */
	ts_store_free(f->s);
	f->s = ts_store_open(NULL, f->dir, &err);
	assert_non_null(f->s);
	assert_int_equal(ts_store_category_create(f->s, pid, "c", &c, &err), TS_OK);
	assert_int_equal(c.id, 4);
	assert_int_equal(ts_store_category_create(f->s, 999, "x", &c, &err), TS_ERR_NOT_FOUND);
}

static void names_are_unique_among_live(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_category c;
	int64_t pid = new_project(f->s);

	assert_int_equal(ts_store_category_create(f->s, pid, "Dog", &c, &err), TS_OK);
	assert_int_equal(ts_store_category_create(f->s, pid, "dOG", &c, &err), TS_ERR_CONFLICT);
	assert_string_equal(err.code, "name_taken");
	assert_int_equal(ts_store_category_update(f->s, pid, 1, "DOG", NULL, &c, &err), TS_OK);
	assert_string_equal(c.name, "DOG");
	assert_int_equal(ts_store_category_update(f->s, pid, 1, NULL, "disabled", &c, &err), TS_OK);
	assert_string_equal(c.state, "disabled");
	assert_string_equal(c.name, "DOG");
}

static void reorder_needs_a_permutation(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_category c, *list = NULL;
	size_t n = 0;
	int64_t pid = new_project(f->s);
	const int64_t good[] = { 3, 1 }, dup[] = { 1, 1 }, missing[] = { 1 }, deleted[] = { 1, 2, 3 };

	for (int i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "c%d", i);
		assert_int_equal(ts_store_category_create(f->s, pid, name, &c, &err), TS_OK);
	}
	assert_int_equal(ts_store_category_delete(f->s, pid, 2, &c, &err), TS_OK);
	assert_int_equal(ts_store_category_reorder(f->s, pid, dup, 2, &err), TS_ERR_INVALID);
	assert_int_equal(ts_store_category_reorder(f->s, pid, missing, 1, &err), TS_ERR_INVALID);
	assert_int_equal(ts_store_category_reorder(f->s, pid, deleted, 3, &err), TS_ERR_INVALID);
	assert_string_equal(err.code, "invalid_order");
	assert_int_equal(ts_store_category_reorder(f->s, pid, good, 2, &err), TS_OK);
	assert_int_equal(ts_store_category_list(f->s, pid, 0, &list, &n, &err), TS_OK);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, 3);
	assert_int_equal(list[1].id, 1);
	free(list);
}

static void users_sessions_tokens(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_user u, got;
	struct ts_token t, *list = NULL;
	int64_t n = 0, tid = 0;
	size_t n2 = 0;
	char *hash = NULL;

	assert_int_equal(ts_store_user_create(f->s, "alice", "h1", 1, 1, &u, &err), TS_OK);
	assert_int_equal(ts_store_user_create(f->s, "bob", "h2", 0, 1, &u, &err), TS_ERR_CONFLICT);
	assert_string_equal(err.code, "already_set_up");
	assert_int_equal(ts_store_user_create(f->s, "ALICE", "h2", 0, 0, &u, &err), TS_ERR_CONFLICT);
	assert_int_equal(ts_store_user_find_by_name(f->s, "Alice", &got, &hash, &err), TS_OK);
	assert_string_equal(hash, "h1");
	free(hash);
	assert_int_equal(ts_store_session_create(f->s, "d1", got.id, 2000, &err), TS_OK);
	assert_int_equal(ts_store_session_user(f->s, "d1", 1000, &u, &err), TS_OK);
	assert_string_equal(u.name, "alice");
	assert_int_equal(ts_store_session_user(f->s, "d1", 3000, &u, &err), TS_ERR_UNAUTHORIZED);
	assert_int_equal(ts_store_session_purge(f->s, 3000, &n, &err), TS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ts_store_token_create(f->s, "t1", got.id, "ci", 0, &t, &err), TS_OK);
	assert_int_equal(ts_store_token_user(f->s, "t1", 1000, &u, &tid, &err), TS_OK);
	assert_int_equal(tid, t.id);
	assert_int_equal(ts_store_token_user(f->s, "t2", 1000, &u, &tid, &err), TS_ERR_UNAUTHORIZED);

	/* Expiry, revocation, and a disabled account, each said as such. */
	assert_int_equal(ts_store_token_create(f->s, "t3", got.id, "", 5000, &t, &err), TS_OK);
	assert_int_equal(ts_store_token_user(f->s, "t3", 4999, &u, NULL, &err), TS_OK);
	assert_int_equal(ts_store_token_user(f->s, "t3", 5000, &u, NULL, &err), TS_ERR_UNAUTHORIZED);
	assert_non_null(strstr(err.message, "expired"));
	assert_int_equal(ts_store_token_list(f->s, got.id, &list, &n2, &err), TS_OK);
	assert_int_equal(n2, 2);
	assert_string_equal(list[0].name, "ci");
	free(list);
	assert_int_equal(ts_store_token_revoke(f->s, got.id, t.id, &err), TS_OK);
	assert_int_equal(ts_store_token_revoke(f->s, got.id, t.id, &err), TS_ERR_NOT_FOUND);
	assert_int_equal(ts_store_token_user(f->s, "t3", 1000, &u, NULL, &err), TS_ERR_UNAUTHORIZED);
	assert_non_null(strstr(err.message, "revoked"));

	/* A disabled user's credentials end at once (the last-admin rule is
	 * the accounts service's, tested there). */
	assert_int_equal(ts_store_user_create(f->s, "carol", "h3", 0, 0, &u, &err), TS_OK);
	assert_int_equal(ts_store_token_create(f->s, "t4", u.id, "", 0, NULL, &err), TS_OK);
	assert_int_equal(ts_store_session_create(f->s, "d4", u.id, 9000, &err), TS_OK);
	assert_int_equal(tx_set_disabled(f->s, u.id, 1, &got, &err), TS_OK);
	assert_true(got.disabled_at > 0);
	assert_int_equal(ts_store_token_user(f->s, "t4", 1000, &got, NULL, &err), TS_ERR_UNAUTHORIZED);
	assert_non_null(strstr(err.message, "disabled"));
	assert_int_equal(ts_store_session_user(f->s, "d4", 1000, &got, &err), TS_ERR_UNAUTHORIZED);
	assert_int_equal(tx_set_disabled(f->s, u.id, 0, &got, &err), TS_OK);
	assert_int_equal(got.disabled_at, 0);
	/* Enabling again does not bring ended credentials back. */
	assert_int_equal(ts_store_token_user(f->s, "t4", 1000, &got, NULL, &err), TS_ERR_UNAUTHORIZED);
}

static void members_and_history(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_project_event *ev = NULL;
	struct ts_user a, b;
	struct ts_project p;
	struct ts_category c;
	struct ts_member m;
	char role[TS_ROLE_NAME_MAX];
	int64_t pid = 0;
	size_t n = 0;
	int created = 0;
	char before[TS_ROLE_NAME_MAX];

	assert_int_equal(ts_store_user_create(f->s, "m1", "h", 0, 0, &a, &err), TS_OK);
	assert_int_equal(ts_store_user_create(f->s, "m2", "h", 0, 0, &b, &err), TS_OK);
	assert_int_equal(ts_store_project_create(f->s, "Team", "classification_single", a.id, &p, &err),
			 TS_OK);
	assert_int_equal(ts_store_resolve(f->s, TS_SCOPE_PROJECT, p.id, a.id, &pid, role, &err), TS_OK);
	assert_int_equal(pid, p.id);
	assert_string_equal(role, "manager");
	assert_int_equal(ts_store_resolve(f->s, TS_SCOPE_PROJECT, p.id, b.id, &pid, role, &err), TS_OK);
	assert_string_equal(role, "");
	assert_int_equal(ts_store_resolve(f->s, TS_SCOPE_ASSET, 999, a.id, &pid, role, &err),
			 TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "asset_not_found");

	/* (The only manager stays one: service/projects.c's rule, tested
	 * through the API.) */
	assert_int_equal(tx_member(f->s, p.id, b.id, "reviewer", a.id, &m, &created, before, &err), TS_OK);
	assert_true(created);
	assert_int_equal(tx_member(f->s, p.id, b.id, "labeler", a.id, &m, &created, before, &err), TS_OK);
	assert_false(created);
	assert_string_equal(m.role, "labeler");
	assert_int_equal(tx_member(f->s, p.id, b.id, NULL, a.id, &m, &created, before, &err), TS_OK);
	assert_int_equal(tx_member(f->s, p.id, b.id, NULL, a.id, &m, &created, before, &err), TS_ERR_NOT_FOUND);

	assert_int_equal(ts_store_category_create_by(f->s, p.id, "cat", a.id, &c, &err), TS_OK);
	assert_int_equal(ts_store_project_update(f->s, p.id, "Team 2", 0, a.id, &p, &err), TS_OK);
	assert_false(p.review_own_labels);
	assert_int_equal(ts_store_project_events(f->s, p.id, 0, 100, &ev, &n, &err), TS_OK);
	/* Newest first: settings, rename, category, remove, role, add, create. */
	assert_int_equal(n, 7);
	assert_string_equal(ev[0].action, "project.settings");
	assert_string_equal(ev[1].action, "project.rename");
	assert_string_equal(ev[1].detail, "{\"from\":\"Team\",\"to\":\"Team 2\"}");
	assert_string_equal(ev[2].action, "category.create");
	assert_string_equal(ev[6].action, "project.create");
	assert_string_equal(ev[2].user_name, "m1");
	ts_store_events_release(ev, n);
}

static void jobs_claim_once_and_recover(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_job j;
	int64_t id, n = 0;

	assert_int_equal(ts_store_job_enqueue(f->s, "k", 7, &id, &err), TS_OK);
	assert_int_equal(ts_store_job_claim(f->s, "other", &j, &err), TS_ERR_NOT_FOUND);
	assert_int_equal(ts_store_job_claim(f->s, "k", &j, &err), TS_OK);
	assert_int_equal(j.ref_id, 7);
	assert_int_equal(j.attempts, 1);
	assert_int_equal(ts_store_job_claim(f->s, "k", &j, &err), TS_ERR_NOT_FOUND);
	assert_int_equal(ts_store_job_recover(f->s, &n, &err), TS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ts_store_job_claim(f->s, "k", &j, &err), TS_OK);
	assert_int_equal(j.attempts, 2);
	assert_int_equal(ts_store_job_finish(f->s, j.id, NULL, &err), TS_OK);
	assert_int_equal(ts_store_job_recover(f->s, &n, &err), TS_OK);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(ids_grow_and_are_never_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(names_are_unique_among_live, setup, teardown),
		cmocka_unit_test_setup_teardown(reorder_needs_a_permutation, setup, teardown),
		cmocka_unit_test_setup_teardown(members_and_history, setup, teardown),
		cmocka_unit_test_setup_teardown(users_sessions_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(jobs_claim_once_and_recover, setup, teardown),
	};
	return cmocka_run_group_tests_name("store/projects", tests, NULL, NULL);
}
