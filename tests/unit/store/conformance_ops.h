/* The conformance suite, part 1: every operation of every port header,
 * one test per header. Included by conformance.h only. */
#ifndef TS_TEST_STORE_CONFORMANCE_OPS_H
#define TS_TEST_STORE_CONFORMANCE_OPS_H

/* ---- store.h ---- */

static void conf_open_ping_and_urls(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };

	OK(ts_store_ping(f->s, &err));
	assert_non_null(f->s->ops->name);
	/* An unknown URL is refused with a reason, whatever the backend. */
	assert_null(ts_store_open("nosuch:thing", "/nonexistent", &err));
	assert_string_equal(err.code, "bad_db_url");
	ts_error_release(&err);
	/* The name key: trimmed and lowercased. */
	char *k = ts_store_name_key("  Cat Food \t");
	assert_string_equal(k, "cat food");
	free(k);
}

static void conf_transactions(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "Tx");
	int64_t c = conf_category(f->s, p, "cat");
	int64_t a = conf_asset(f->s, p, 1);
	struct ts_store_tx tx, rd;
	struct ts_ann_row r;

	/* A rolled-back write leaves nothing. */
	OK(ts_store_begin(f->s, 1, &tx, &err));
	struct ts_ann_write w = { a, p, "labeled", "in_review", 1, 0, 5, "classification",
				  "{\"type\":\"classification\",\"category_ids\":[1]}", 1, &c, 1 };
	OK(ts_store_ann_write(&tx, &w, &err));
	OK(ts_store_ann_load(&tx, a, &r, &err)); /* the transaction sees its own write */
	assert_int_equal(r.revision, 1);
	ts_ann_row_release(&r);
	ts_store_rollback(&tx);
	OK(ts_store_begin(f->s, 0, &rd, &err));
	OK(ts_store_ann_load(&rd, a, &r, &err));
	assert_int_equal(r.revision, 0);
	assert_string_equal(r.status, "unlabeled");
	assert_int_equal(r.ncat, 0);
	ts_ann_row_release(&r);
	OK(ts_store_commit(&rd, &err));

	/* ts_store_end commits on TS_OK and rolls back otherwise. */
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_ann_write(&tx, &w, &err));
	assert_int_equal(ts_store_end(&tx, TS_ERR_CONFLICT, &err), TS_ERR_CONFLICT);
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_ann_write(&tx, &w, &err));
	OK(ts_store_end(&tx, TS_OK, &err));
	OK(ts_store_begin(f->s, 0, &rd, &err));
	OK(ts_store_ann_load(&rd, a, &r, &err));
	assert_int_equal(r.revision, 1);
	assert_string_equal(r.status, "labeled");
	assert_string_equal(r.payload_type, "classification");
	assert_string_equal(r.payload, "{\"type\":\"classification\",\"category_ids\":[1]}");
	assert_int_equal(r.ncat, 1);
	assert_int_equal(r.category_ids[0], c);
	ts_ann_row_release(&r);
	OK(ts_store_commit(&rd, &err));
}

/* ---- store_users.h ---- */

static void conf_users(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	struct ts_user u, *list = NULL;
	struct ts_token t, *tokens = NULL;
	char *hash = NULL;
	int64_t n = -1, tid = 0, admin, bob;
	size_t ln = 0;

	OK(ts_store_user_count(f->s, &n, &err));
	assert_int_equal(n, 0);
	OK(ts_store_user_create(f->s, "Admin", "h-admin", 1, 1, &u, &err));
	admin = u.id;
	assert_int_equal(ts_store_user_create(f->s, "x", "h", 0, 1, &u, &err), TS_ERR_CONFLICT);
	assert_string_equal(err.code, "already_set_up");
	assert_int_equal(ts_store_user_create(f->s, "ADMIN", "h", 0, 0, &u, &err), TS_ERR_CONFLICT);
	bob = conf_user(f->s, "bob", 0);
	OK(ts_store_user_find_by_name(f->s, "admin", &u, &hash, &err));
	assert_int_equal(u.id, admin);
	assert_string_equal(hash, "h-admin");
	free(hash);
	OK(ts_store_user_list(f->s, &list, &ln, &err));
	assert_int_equal(ln, 2);
	assert_true(list[0].id < list[1].id);
	free(list);
	OK(ts_store_user_get(f->s, bob, &u, &err));
	assert_string_equal(u.name, "bob");
	assert_int_equal(ts_store_user_get(f->s, 999, &u, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "user_not_found");

	OK(ts_store_session_create(f->s, "s1", bob, 2000, &err));
	OK(ts_store_session_user(f->s, "s1", 1000, &u, &err));
	assert_int_equal(u.id, bob);
	assert_int_equal(ts_store_session_user(f->s, "s1", 2000, &u, &err), TS_ERR_UNAUTHORIZED);
	OK(ts_store_session_purge(f->s, 3000, &n, &err));
	assert_int_equal(n, 1);
	OK(ts_store_session_create(f->s, "s2", bob, 9000, &err));
	OK(ts_store_session_delete(f->s, "s2", &err));
	assert_int_equal(ts_store_session_user(f->s, "s2", 1000, &u, &err), TS_ERR_UNAUTHORIZED);

	OK(ts_store_token_create(f->s, "t1", bob, "ci", 0, &t, &err));
	OK(ts_store_token_user(f->s, "t1", 1000, &u, &tid, &err));
	assert_int_equal(u.id, bob);
	assert_int_equal(tid, t.id);
	OK(ts_store_token_list(f->s, bob, &tokens, &ln, &err));
	assert_int_equal(ln, 1);
	assert_string_equal(tokens[0].name, "ci");
	free(tokens);
	OK(ts_store_token_revoke(f->s, bob, t.id, &err));
	assert_int_equal(ts_store_token_revoke(f->s, bob, t.id, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_token_create(f->s, "t2", bob, "", 0, NULL, &err));
	OK(ts_store_session_create(f->s, "s3", bob, 9000, &err));
	OK(ts_store_revoke_all(f->s, bob, &err));
	assert_int_equal(ts_store_token_user(f->s, "t2", 1000, &u, NULL, &err), TS_ERR_UNAUTHORIZED);
	assert_int_equal(ts_store_session_user(f->s, "s3", 1000, &u, &err), TS_ERR_UNAUTHORIZED);

	/* Disabling runs in the caller's write transaction; whether the last
	 * admin may go is the caller's decision, from count_admins. */
	struct ts_store_tx tx;
	int64_t admins = -1;
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_user_count_admins(&tx, &admins, &err));
	assert_int_equal(admins, 1);
	OK(ts_store_user_set_disabled(&tx, admin, 1, &u, &err));
	OK(ts_store_user_count_admins(&tx, &admins, &err));
	assert_int_equal(admins, 0);
	ts_store_rollback(&tx);
	OK(ts_store_session_create(f->s, "s4", bob, 9000, &err));
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_user_count_admins(&tx, &admins, &err));
	assert_int_equal(admins, 1);
	assert_int_equal(ts_store_user_set_disabled(&tx, 999, 1, &u, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_user_set_disabled(&tx, bob, 1, &u, &err));
	assert_true(u.disabled_at > 0);
	OK(ts_store_commit(&tx, &err));
	assert_int_equal(ts_store_session_user(f->s, "s4", 1000, &u, &err), TS_ERR_UNAUTHORIZED);
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_user_set_disabled(&tx, bob, 0, &u, &err));
	assert_int_equal(u.disabled_at, 0);
	OK(ts_store_commit(&tx, &err));
	ts_error_release(&err);
}

/* ---- store_projects.h ---- */

static void conf_projects_and_categories(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	struct ts_project p, *list = NULL;
	struct ts_category c, *cats = NULL;
	size_t n = 0;
	int64_t p1 = conf_project(f->s, "One"), p2 = conf_project(f->s, "Two");
	int64_t a, b, d;

	OK(ts_store_project_get(f->s, p1, &p, &err));
	assert_string_equal(p.name, "One");
	assert_string_equal(p.task_type, "classification_single");
	assert_int_equal(ts_store_project_get(f->s, 999, &p, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_project_list(f->s, 0, 10, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, p2); /* newest first */
	free(list);
	OK(ts_store_project_list(f->s, p2, 10, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, p1);
	free(list);
	OK(ts_store_project_rename(f->s, p1, "Uno", &p, &err));
	assert_string_equal(p.name, "Uno");
	OK(f->s->ops->projects->update(f->s, p1, NULL, 0, 0, &p, &err));
	assert_int_equal(p.review_own_labels, 0);
	assert_string_equal(p.name, "Uno");

	a = conf_category(f->s, p1, "cat");
	b = conf_category(f->s, p1, "dog");
	assert_int_equal(ts_store_category_create(f->s, p1, " CAT ", &c, &err), TS_ERR_CONFLICT);
	assert_string_equal(err.code, "name_taken");
	OK(ts_store_category_get(f->s, p1, a, &c, &err));
	assert_string_equal(c.name, "cat");
	assert_string_equal(c.state, "active");
	OK(ts_store_category_update(f->s, p1, b, "hound", "disabled", &c, &err));
	assert_string_equal(c.name, "hound");
	assert_string_equal(c.state, "disabled");
	OK(ts_store_category_reorder(f->s, p1, (const int64_t[]){ b, a }, 2, &err));
	assert_int_equal(ts_store_category_reorder(f->s, p1, (const int64_t[]){ a }, 1, &err),
			 TS_ERR_INVALID);
	OK(ts_store_category_list(f->s, p1, 0, &cats, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(cats[0].id, b);
	free(cats);
	OK(ts_store_category_delete(f->s, p1, a, &c, &err));
	assert_string_equal(c.state, "deleted");
	assert_int_not_equal(ts_store_category_update(f->s, p1, a, "x", NULL, &c, &err), TS_OK);
	OK(ts_store_category_list(f->s, p1, 0, &cats, &n, &err));
	assert_int_equal(n, 1);
	free(cats);
	OK(ts_store_category_list(f->s, p1, 1, &cats, &n, &err));
	assert_int_equal(n, 2);
	free(cats);
	/* A deleted category's name is free again; its id is not. */
	d = conf_category(f->s, p1, "cat");
	assert_true(d > b);
	assert_int_equal(ts_store_category_list(f->s, 999, 0, &cats, &n, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

/* ---- store_members.h ---- */

static void conf_members(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "M"), u1 = conf_user(f->s, "ann", 0),
		u2 = conf_user(f->s, "ben", 0), pid = 0;
	int64_t a = conf_asset(f->s, p, 1);
	char role[TS_ROLE_NAME_MAX];
	struct ts_member m, *list = NULL;
	struct ts_project_event *ev = NULL;
	struct ts_project *mine = NULL;
	size_t n = 0;
	int created = -1;

	char before[TS_ROLE_NAME_MAX];
	struct ts_store_tx tx;
	int64_t managers = -1;

	OK(tx_member(f->s, p, u1, "manager", 0, &m, &created, before, &err));
	assert_int_equal(created, 1);
	assert_string_equal(before, "");
	OK(tx_member(f->s, p, u2, "labeler", u1, &m, &created, before, &err));
	OK(tx_member(f->s, p, u2, "reviewer", u1, &m, &created, before, &err));
	assert_int_equal(created, 0);
	assert_string_equal(m.role, "reviewer");
	assert_string_equal(before, "labeler");
	assert_int_equal(tx_member(f->s, p, 999, "labeler", u1, &m, &created, before, &err),
			 TS_ERR_NOT_FOUND);
	assert_int_equal(tx_member(f->s, 999, u1, "labeler", u1, &m, &created, before, &err),
			 TS_ERR_NOT_FOUND);
	/* The primitives decide nothing: the caller sees that the project
	 * would have no manager left, and rolls back. */
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_member_count_role(&tx, p, "manager", &managers, &err));
	assert_int_equal(managers, 1);
	OK(ts_store_member_set(&tx, p, u1, "labeler", u1, &m, &created, before, &err));
	assert_string_equal(before, "manager");
	OK(ts_store_member_count_role(&tx, p, "manager", &managers, &err));
	assert_int_equal(managers, 0);
	ts_store_rollback(&tx);
	OK(ts_store_member_list(f->s, p, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(list[0].user_name, "ann");
	free(list);
	OK(ts_store_resolve(f->s, TS_SCOPE_ASSET, a, u2, &pid, role, &err));
	assert_int_equal(pid, p);
	assert_string_equal(role, "reviewer");
	OK(ts_store_resolve(f->s, TS_SCOPE_PROJECT, p, conf_user(f->s, "cy", 0), &pid, role, &err));
	assert_string_equal(role, "");
	assert_int_equal(ts_store_resolve(f->s, TS_SCOPE_ASSET, 999, u1, &pid, role, &err),
			 TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "asset_not_found");
	OK(ts_store_project_list_for(f->s, u2, 0, 10, &mine, &n, &err));
	assert_int_equal(n, 1);
	assert_string_equal(mine[0].role, "reviewer");
	free(mine);
	OK(tx_member(f->s, p, u2, NULL, u1, NULL, NULL, before, &err));
	assert_string_equal(before, "reviewer");
	assert_int_equal(tx_member(f->s, p, u2, NULL, u1, NULL, NULL, before, &err),
			 TS_ERR_NOT_FOUND);
	OK(ts_store_project_events(f->s, p, 0, 100, &ev, &n, &err));
	assert_true(n >= 3);
	assert_true(ev[0].id > ev[n - 1].id); /* newest first */
	ts_store_events_release(ev, n);
	ts_error_release(&err);
}

/* ---- store_jobs.h ---- */

static void conf_jobs(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	struct ts_job j;
	int64_t id1, id2, n = -1;

	assert_int_equal(ts_store_job_claim(f->s, "conf", &j, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_job_enqueue(f->s, "conf", 7, &id1, &err));
	OK(ts_store_job_enqueue(f->s, "conf", 8, &id2, &err));
	assert_true(id2 > id1);
	OK(ts_store_job_claim(f->s, "conf", &j, &err));
	assert_int_equal(j.id, id1); /* oldest first */
	assert_int_equal(j.ref_id, 7);
	assert_string_equal(j.kind, "conf");
	OK(ts_store_job_finish(f->s, j.id, NULL, &err));
	OK(ts_store_job_claim(f->s, "conf", &j, &err));
	assert_int_equal(j.id, id2);
	/* The process dies with job 2 running: recover queues it again. */
	OK(ts_store_job_recover(f->s, &n, &err));
	assert_int_equal(n, 1);
	OK(ts_store_job_claim(f->s, "conf", &j, &err));
	assert_int_equal(j.id, id2);
	OK(ts_store_job_finish(f->s, j.id, "broken", &err));
	assert_int_equal(ts_store_job_claim(f->s, "conf", &j, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

/* ---- store_assets.h ---- */

/* A page names its uploaders and labelers: more distinct users than a page
 * usually has, every name right. */
static void conf_asset_names(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "A"), c = conf_category(f->s, p, "cat");
	int64_t users[40], labeler = conf_user(f->s, "Labeler", 0), next = -1;
	struct ts_asset a, *page = NULL;
	struct ts_store_tx tx;
	struct ts_ann_row r;
	size_t n = 0;
	int dup = -1;

	for (int i = 0; i < 40; i++) {
		char name[32], sum[65];

		snprintf(name, sizeof(name), "user %d", i);
		users[i] = conf_user(f->s, name, 0);
		snprintf(sum, sizeof(sum), "%064x", i + 100);
		/* Users 0..39, then again from user 0: a page sees each twice. */
		for (int k = 0; k < 2; k++) {
			sum[0] = k ? 'a' : '0';
			struct ts_asset_new in = { p, users[i], "x.png", 4, 3, "image/png", 1, sum, NULL };
			OK(ts_store_asset_insert(f->s, &in, &a, &dup, NULL, &err));
		}
	}
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_ann_load(&tx, a.id, &r, &err));
	struct ts_ann_write w = { a.id, p, "labeled", "in_review", 1, labeler, 1000,
				  "classification", "{\"type\":\"classification\",\"category_ids\":[1]}",
				  1, &c, 1 };
	OK(ts_store_ann_write(&tx, &w, &err));
	ts_ann_row_release(&r);
	OK(ts_store_commit(&tx, &err));

	struct ts_asset_query q = { p, NULL, 0, 0, 0, 100 };
	OK(ts_store_asset_list(f->s, &q, &page, &n, &next, &err));
	assert_int_equal(n, 80);
	for (size_t i = 0; i < n; i++) {
		char want[32];

		snprintf(want, sizeof(want), "user %zu", i / 2);
		assert_int_equal(page[i].uploaded_by, users[i / 2]);
		assert_string_equal(page[i].uploaded_by_name, want);
		assert_string_equal(page[i].annotation.labeled_by_name, i == n - 1 ? "Labeler" : "");
		assert_int_equal(page[i].annotation.labeled_by, i == n - 1 ? labeler : 0);
	}
	free(page);
	OK(ts_store_asset_get(f->s, a.id, &a, &err));
	assert_string_equal(a.uploaded_by_name, "user 39");
	assert_string_equal(a.annotation.labeled_by_name, "Labeler");
}

static void conf_assets(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "A"), c = conf_category(f->s, p, "cat");
	struct ts_asset a, *page = NULL;
	struct ts_asset_counts counts;
	struct ts_asset_damaged *dmg = NULL;
	struct ts_job j;
	int64_t ids[5], next = -1, total = -1, job = 0;
	size_t n = 0;
	int dup = -1;

	for (int i = 0; i < 5; i++)
		ids[i] = conf_asset(f->s, p, i + 1);
	/* The same bytes again: the existing asset, nothing written. */
	char sum[65];
	snprintf(sum, sizeof(sum), "%064x", 3);
	struct ts_asset_new again = { p, 0, "again.png", 4, 3, "image/png", 100, sum, NULL };
	OK(ts_store_asset_insert(f->s, &again, &a, &dup, &job, &err));
	assert_int_equal(dup, 1);
	assert_int_equal(a.id, ids[2]);
	assert_int_equal(job, 0);
	struct ts_asset_new nowhere = { 999, 0, "x.png", 4, 3, "image/png", 100, sum, NULL };
	assert_int_equal(ts_store_asset_insert(f->s, &nowhere, &a, &dup, NULL, &err),
			 TS_ERR_NOT_FOUND);
	/* Each asset comes with a thumbnail job. */
	OK(ts_store_job_claim(f->s, TS_JOB_THUMBNAIL, &j, &err));
	assert_int_equal(j.ref_id, ids[0]);

	OK(ts_store_asset_get(f->s, ids[0], &a, &err));
	assert_string_equal(a.file_name, "img1.png");
	assert_int_equal(a.annotation.status, TS_STATUS_UNLABELED);
	assert_string_equal(a.decode_state, "pending");
	assert_int_equal(a.thumbnail_ready, 0);
	assert_int_equal(ts_store_asset_get(f->s, 999, &a, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_asset_set_thumbnail_ready(f->s, ids[0], &err));
	OK(ts_store_asset_get(f->s, ids[0], &a, &err));
	assert_int_equal(a.thumbnail_ready, 1);

	conf_label(f->s, ids[1], c, "labeled");
	conf_label(f->s, ids[2], c, "approved");
	struct ts_asset_query q = { p, NULL, 0, 0, 0, 2 };
	OK(ts_store_asset_list(f->s, &q, &page, &n, &next, &err));
	assert_int_equal(n, 2);
	assert_int_equal(page[0].id, ids[0]);
	assert_int_equal(next, ids[1]);
	free(page);
	q.after_id = next;
	q.limit = 10;
	OK(ts_store_asset_list(f->s, &q, &page, &n, &next, &err));
	assert_int_equal(n, 3);
	assert_int_equal(next, 0);
	free(page);
	struct ts_asset_query qc = { p, "in_review", c, 0, 0, 10 };
	OK(ts_store_asset_list(f->s, &qc, &page, &n, &next, &err));
	assert_int_equal(n, 1);
	assert_int_equal(page[0].id, ids[1]);
	assert_int_equal(page[0].annotation.ncat, 1);
	assert_int_equal(page[0].annotation.category_ids[0], c);
	free(page);
	struct ts_asset_query qs = { p, NULL, 0, 0, 0, 10, "approved" };
	OK(ts_store_asset_list(f->s, &qs, &page, &n, &next, &err));
	assert_int_equal(n, 1);
	assert_int_equal(page[0].id, ids[2]);
	free(page);
	OK(ts_store_asset_counts(f->s, &q, &counts, &err));
	assert_int_equal(counts.all, 5);
	assert_int_equal(counts.by_status[TS_STATUS_UNLABELED], 3);
	assert_int_equal(counts.by_status[TS_STATUS_LABELED], 1);
	assert_int_equal(counts.by_status[TS_STATUS_APPROVED], 1);
	assert_int_equal(counts.by_status[TS_STATUS_NEEDS_REVIEW], 0);
	OK(ts_store_asset_counts(f->s, &qc, &counts, &err));
	assert_int_equal(counts.all, 2);
	assert_int_equal(counts.by_status[TS_STATUS_LABELED], 1);

	snprintf(sum, sizeof(sum), "%064x", 4);
	OK(ts_store_asset_set_decoded(f->s, sum, 0, "not an image", &err));
	snprintf(sum, sizeof(sum), "%064x", 5);
	OK(ts_store_asset_set_decoded(f->s, sum, 1, NULL, &err));
	OK(ts_store_asset_get(f->s, ids[4], &a, &err));
	assert_string_equal(a.decode_state, "ok");
	OK(ts_store_asset_list_damaged(f->s, p, 10, &dmg, &n, &total, &err));
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_int_equal(dmg[0].id, ids[3]);
	assert_string_equal(dmg[0].reason, "not an image");
	free(dmg);
	ts_error_release(&err);
}

/* ---- store_annotations.h ---- */

static void conf_annotations(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "L"), other = conf_project(f->s, "O");
	int64_t c1 = conf_category(f->s, p, "cat"), c2 = conf_category(f->s, p, "dog");
	int64_t a1 = conf_asset(f->s, p, 1), a2 = conf_asset(f->s, p, 2), a3 = conf_asset(f->s, p, 3);
	struct ts_ann_history_entry *h = NULL;
	struct ts_ann_counts counts;
	struct ts_category cat;
	struct ts_store_tx tx;
	struct ts_ann_row r;
	char states[3][12];
	int64_t *ids = NULL;
	size_t n = 0;

	(void)other;
	OK(ts_store_category_update(f->s, p, c2, NULL, "disabled", &cat, &err));
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_ann_load(&tx, a1, &r, &err));
	assert_int_equal(r.has_row, 1); /* created with the asset */
	assert_int_equal(r.project_id, p);
	assert_string_equal(r.status, "unlabeled");
	assert_int_equal(r.revision, 0);
	assert_string_equal(r.payload_type, "");
	assert_null(r.payload);
	assert_string_equal(r.task_type, "classification_single");
	assert_int_equal(r.review_own_labels, 1);
	ts_ann_row_release(&r);
	assert_int_equal(ts_store_ann_load(&tx, 999, &r, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "asset_not_found");
	ts_ann_row_release(&r);
	OK(ts_store_ann_category_states(&tx, p, (const int64_t[]){ c1, c2, 999 }, 3, states, &err));
	assert_string_equal(states[0], "active");
	assert_string_equal(states[1], "disabled");
	assert_string_equal(states[2], "");
	OK(ts_store_commit(&tx, &err));

	conf_label(f->s, a1, c1, "labeled");
	conf_label(f->s, a1, c1, "approved");
	conf_label(f->s, a2, c1, "labeled");
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_ann_load(&tx, a1, &r, &err));
	assert_int_equal(r.revision, 2);
	assert_string_equal(r.status, "approved");
	ts_ann_row_release(&r);
	OK(ts_store_ann_history(&tx, a1, &h, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(h[0].revision, 1);
	assert_string_equal(h[0].from_status, "unlabeled");
	assert_string_equal(h[1].to_status, "approved");
	assert_string_equal(h[1].via, "single");
	assert_null(h[0].from_payload);
	assert_non_null(h[0].to_payload);
	assert_string_equal(h[1].from_payload, h[0].to_payload);
	ts_ann_history_release(h, n);
	OK(ts_store_ann_match(&tx, p, "in_review", NULL, 0, 10, &ids, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a2);
	free(ids);
	OK(ts_store_ann_match(&tx, p, NULL, "approved", c1, 10, &ids, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], a1);
	free(ids);
	OK(ts_store_ann_match(&tx, p, NULL, NULL, 0, 2, &ids, &n, &err));
	assert_int_equal(n, 2); /* at most max */
	assert_int_equal(ids[0], a1);
	free(ids);
	assert_int_equal(ts_store_ann_match(&tx, 999, NULL, NULL, 0, 2, &ids, &n, &err),
			 TS_ERR_NOT_FOUND);
	OK(ts_store_ann_counts(&tx, p, &counts, &err));
	OK(ts_store_commit(&tx, &err));
	{
		int64_t unl = 0, lab = 0, app = 0, in_c1 = 0;

		for (size_t i = 0; i < counts.ncounts; i++) {
			const struct ts_ann_count *k = &counts.counts[i];

			if (k->category_id == 0 && strcmp(k->status, "unlabeled") == 0)
				unl = k->count;
			if (k->category_id == 0 && strcmp(k->status, "labeled") == 0)
				lab = k->count;
			if (k->category_id == 0 && strcmp(k->status, "approved") == 0)
				app = k->count;
			if (k->category_id == c1)
				in_c1 += k->count;
			if (i)
				assert_true(counts.counts[i - 1].category_id <= k->category_id);
		}
		assert_int_equal(unl, 1);
		assert_int_equal(lab, 1);
		assert_int_equal(app, 1);
		assert_int_equal(in_c1, 2);
	}
	assert_int_equal(counts.ncategories, 2);
	assert_string_equal(counts.categories[1].state, "disabled");
	assert_int_equal(counts.deleted_category, 0);
	ts_ann_counts_release(&counts);

	/* A deleted category still counts through the index, as an issue. */
	OK(ts_store_category_delete(f->s, p, c1, &cat, &err));
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_ann_counts(&tx, p, &counts, &err));
	assert_int_equal(counts.deleted_category, 2);
	ts_ann_counts_release(&counts);
	/* Clearing the index (skip): the row keeps no category. */
	OK(ts_store_commit(&tx, &err));
	OK(ts_store_begin(f->s, 1, &tx, &err));
	struct ts_ann_write skip = { a3, p, "skipped", "skipped", 1, 0, 7, NULL, NULL, 1, NULL, 0 };
	OK(ts_store_ann_write(&tx, &skip, &err));
	OK(ts_store_commit(&tx, &err));
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_ann_load(&tx, a3, &r, &err));
	assert_string_equal(r.status, "skipped");
	assert_int_equal(r.ncat, 0);
	assert_null(r.payload);
	ts_ann_row_release(&r);
	OK(ts_store_commit(&tx, &err));
	ts_error_release(&err);
}

/* ---- store_exports.h ---- */

static void conf_exports(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "E"), c = conf_category(f->s, p, "cat");
	int64_t u = conf_user(f->s, "eve", 0);
	int64_t a1 = conf_asset(f->s, p, 1), a2 = conf_asset(f->s, p, 2);
	const int approved[] = { TS_STATUS_APPROVED };
	struct ts_export_counts counts;
	struct ts_export ex, ex2, *list = NULL;
	struct ts_export_snapshot snap;
	struct ts_project_usage usage;
	int64_t *ids = NULL, version = -1, kept = -1;
	size_t n = 0;
	char sum[65];

	conf_label(f->s, a1, c, "approved");
	conf_label(f->s, a2, c, "approved");
	OK(conf_export_counts(f->s, p, approved, 1, 0, &counts, &err));
	assert_int_equal(counts.images, 2);
	assert_int_equal(counts.excluded_unchecked, 2);
	OK(ts_store_export_unchecked(f->s, p, approved, 1, &ids, &n, &err));
	assert_int_equal(n, 2);
	free(ids);
	snprintf(sum, sizeof(sum), "%064x", 1);
	OK(ts_store_asset_set_decoded(f->s, sum, 1, NULL, &err));
	snprintf(sum, sizeof(sum), "%064x", 2);
	OK(ts_store_asset_set_decoded(f->s, sum, 0, "bad", &err));
	OK(conf_export_counts(f->s, p, approved, 1, 0, &counts, &err));
	assert_int_equal(counts.images, 1);
	assert_int_equal(counts.excluded_damaged, 1);

	OK(conf_export_counts(f->s, p, approved, 1, 1, &counts, &err));
	assert_int_equal(counts.images, 1);
	OK(conf_export_create(f->s, p, approved, 1, u, &ex, &kept, &err));
	assert_int_equal(kept, 0);
	assert_int_equal(ex.version, 1);
	assert_int_equal(ex.image_count, 1);
	assert_string_equal(ex.state, "queued");
	OK(ts_store_export_snapshot(f->s, ex.id, &snap, &err));
	assert_int_equal(snap.n_categories, 1);
	assert_int_equal(snap.n_items, 1);
	assert_int_equal(snap.items[0].asset_id, a1);
	assert_int_equal(snap.items[0].category_id, c);
	ts_export_snapshot_release(&snap);
	OK(ts_store_export_set_building(f->s, ex.id, 1, &err));
	OK(ts_store_export_set_progress(f->s, ex.id, 1, &err));
	OK(ts_store_export_set_queued(f->s, ex.id, &err));
	OK(ts_store_export_set_ready(f->s, ex.id, "sha256:aa", "sha256:cc", "{}", 10, NULL, &err));
	assert_int_equal(ts_store_export_set_failed(f->s, ex.id, "late", &err), TS_ERR_CONFLICT);
	assert_string_equal(err.code, "export_immutable");
	OK(ts_store_export_get(f->s, ex.id, 1, &ex2, &err));
	assert_string_equal(ex2.state, "ready");
	assert_string_equal(ex2.manifest, "{}");
	assert_int_equal(ex2.zip_bytes, 10);
	ts_export_release(&ex2);
	assert_int_equal(ts_store_export_get(f->s, 999, 0, &ex2, &err), TS_ERR_NOT_FOUND);

	/* A second version with the same hash may share the first one's files;
	 * versions that did not fail are counted (a quota is the caller's). */
	OK(conf_export_create(f->s, p, approved, 1, u, &ex2, &kept, &err));
	assert_int_equal(kept, 1);
	assert_int_equal(ex2.version, 2);
	OK(ts_store_export_find_shareable(f->s, p, "sha256:aa", 2, &version, &err));
	assert_int_equal(version, 1);
	OK(ts_store_export_find_shareable(f->s, p, "sha256:bb", 2, &version, &err));
	assert_int_equal(version, 0);
	OK(ts_store_export_set_failed(f->s, ex2.id, "stopped", &err));
	OK(ts_store_export_list(f->s, p, 0, 10, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(list[0].version, 2);
	assert_string_equal(list[0].state, "failed");
	free(list);
	OK(ts_store_project_usage(f->s, p, &usage, &err));
	assert_int_equal(usage.export_versions, 1);
	assert_int_equal(usage.stored_bytes, 200);
	const int unlabeled[] = { TS_STATUS_UNLABELED };
	OK(conf_export_counts(f->s, p, unlabeled, 1, 1, &counts, &err));
	assert_int_equal(counts.images, 0);
	assert_int_equal(conf_export_counts(f->s, 999, unlabeled, 1, 1, &counts, &err),
			 TS_ERR_NOT_FOUND);
	assert_int_equal(conf_export_create(f->s, 999, approved, 1, u, &ex, &version, &err),
			 TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

/* ---- store_videos.h ---- */

/* A segmentation project (schema_version 1.4.0): its polygons payloads are
 * stored as given, counted per category, and kept in an export's snapshot
 * as the images' content, as boxes are. */
static void conf_segmentation(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	struct ts_project proj;
	struct ts_store_tx tx;
	struct ts_ann_row r;
	struct ts_export ex;
	struct ts_export_snapshot snap;
	const int labeled[] = { TS_STATUS_LABELED };
	int64_t kept = 0;
	const char *payload = "{\"type\":\"polygons\",\"objects\":[{\"id\":\"1-1\","
			      "\"category_id\":1,\"polygons\":[[0.0,0.0,4.0,0.0,2.0,3.0]]}]}";
	int64_t p, c, a, objects = 1;
	char sum[65];

	OK(ts_store_project_create(f->s, "Masks", "segmentation", 0, &proj, &err));
	assert_string_equal(proj.task_type, "segmentation");
	assert_string_equal(proj.schema_version, "1.4.0");
	p = proj.id;
	c = conf_category(f->s, p, "leaf");
	a = conf_asset(f->s, p, 41);
	snprintf(sum, sizeof(sum), "%064x", 41);
	OK(ts_store_asset_set_decoded(f->s, sum, 1, NULL, &err));
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_ann_load(&tx, a, &r, &err));
	struct ts_ann_write w = { a, p, "labeled", "in_review", 1, 0, 1000, "polygons", payload, 1,
				  &c, 1, &objects };
	OK(ts_store_ann_write(&tx, &w, &err));
	ts_ann_row_release(&r);
	OK(ts_store_commit(&tx, &err));
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_ann_load(&tx, a, &r, &err));
	assert_string_equal(r.payload_type, "polygons");
	assert_string_equal(r.payload, payload);
	ts_ann_row_release(&r);
	OK(ts_store_commit(&tx, &err));
	OK(conf_export_create(f->s, p, labeled, 1, 0, &ex, &kept, &err));
	OK(ts_store_export_snapshot(f->s, ex.id, &snap, &err));
	assert_int_equal(snap.n_items, 1);
	assert_non_null(snap.items[0].payload);
	assert_string_equal(snap.items[0].payload, payload);
	ts_export_snapshot_release(&snap);
	ts_export_release(&ex);
}

static void conf_videos(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "V");
	struct ts_video v, *list = NULL;
	int64_t *frames = NULL;
	size_t n = 0;
	struct ts_video_new in = { p, 0, "clip.mp4", "ab", 1000, 1.0, 0, 3000, 25.0, 64, 48, 0,
				   "h264", 3 };

	OK(ts_store_video_create(f->s, &in, &v, &err));
	assert_string_equal(v.state, "queued");
	assert_true(v.job_id > 0);
	in.project_id = 999;
	assert_int_equal(ts_store_video_create(f->s, &in, &v, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_video_list(f->s, p, 0, 10, &list, &n, &err));
	assert_int_equal(n, 1);
	int64_t vid = list[0].id;
	free(list);
	OK(ts_store_video_start(f->s, vid, 3, 0, &err));
	for (int i = 0; i < 2; i++) {
		struct ts_asset_origin o = { "video_frame", vid, "clip.mp4", i, i * 1000 };

		conf_asset_from(f->s, p, 100 + i, &o);
		OK(ts_store_video_progress(f->s, vid, 0, &err));
	}
	OK(ts_store_video_stored_frames(f->s, vid, &frames, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(frames[0], 0);
	assert_int_equal(frames[1], 1);
	free(frames);
	/* The frames as the end of an extraction sees them: one labeled. */
	struct ts_video_frame_row *rows = NULL;
	struct ts_store_tx tx;
	int64_t cat = conf_category(f->s, p, "car");
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_video_frames(&tx, vid, &rows, &n, &err));
	OK(ts_store_commit(&tx, &err));
	assert_int_equal(n, 2);
	conf_label(f->s, rows[1].asset_id, cat, "labeled");
	free(rows);
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_video_frames(&tx, vid, &rows, &n, &err));
	OK(ts_store_commit(&tx, &err));
	assert_int_equal(rows[0].revision, 0);
	assert_string_equal(rows[0].status, "unlabeled");
	assert_int_equal(rows[0].history, 0);
	assert_int_equal(rows[1].revision, 1);
	assert_string_equal(rows[1].status, "labeled");
	assert_int_equal(rows[1].history, 1);
	/* drop_frame takes a frame away with its annotation; rolled back here. */
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_video_drop_frame(&tx, rows[0].asset_id, &err));
	ts_store_rollback(&tx);
	free(rows);
	OK(conf_video_finish(f->s, vid, NULL, 0, &err));
	OK(ts_store_video_get(f->s, vid, &v, &err));
	assert_string_equal(v.state, "ready");
	assert_int_equal(v.frames_extracted, 2);
	assert_string_equal(v.codec, "h264");
	assert_int_equal(ts_store_video_get(f->s, 999, &v, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

#endif

/* A deleted project leaves the lists and resolves as unknown (as do its
 * assets), except for TS_SCOPE_ANY_PROJECT; restoring brings it back. */
static void conf_project_trash(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	struct ts_project p, *list = NULL;
	char role[TS_ROLE_NAME_MAX];
	int64_t pid = conf_project(f->s, "Gone"), keep = conf_project(f->s, "Kept"), owner = 0;
	int64_t asset = conf_asset(f->s, pid, 1);
	size_t n = 0;

	OK(ts_store_project_set_deleted(f->s, pid, 1, 0, &p, &err));
	assert_true(p.deleted_at > 0);
	OK(ts_store_project_set_deleted(f->s, pid, 1, 0, NULL, &err)); /* again: no change */
	OK(ts_store_project_list(f->s, 0, 10, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, keep);
	free(list);
	OK(ts_store_project_list_deleted(f->s, 0, 0, 10, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, pid);
	assert_true(list[0].deleted_at > 0);
	free(list);
	assert_int_equal(ts_store_resolve(f->s, TS_SCOPE_PROJECT, pid, 0, &owner, role, &err),
			 TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "project_not_found");
	ts_error_release(&err);
	assert_int_equal(ts_store_resolve(f->s, TS_SCOPE_ASSET, asset, 0, &owner, role, &err),
			 TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "asset_not_found");
	ts_error_release(&err);
	OK(ts_store_resolve(f->s, TS_SCOPE_ANY_PROJECT, pid, 0, &owner, role, &err));
	assert_int_equal(owner, pid);
	OK(ts_store_project_get(f->s, pid, &p, &err)); /* the row is all there */
	assert_string_equal(p.name, "Gone");

	OK(ts_store_project_set_deleted(f->s, pid, 0, 0, &p, &err));
	assert_int_equal(p.deleted_at, 0);
	OK(ts_store_resolve(f->s, TS_SCOPE_ASSET, asset, 0, &owner, role, &err));
	assert_int_equal(owner, pid);
	OK(ts_store_project_list_deleted(f->s, 0, 0, 10, &list, &n, &err));
	assert_int_equal(n, 0);
	free(list);
	assert_int_equal(ts_store_project_set_deleted(f->s, 999, 1, 0, NULL, &err),
			 TS_ERR_NOT_FOUND);
	ts_error_release(&err);
}

/* The asset list's sorts and file-name search: each order whole and in
 * pages of 2, ties broken by id; the counts follow the search. */
static void conf_asset_sorts(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "Sorted"), ids[4], got[8], next = 0;
	struct ts_asset_counts counts;
	struct ts_asset *page = NULL;
	size_t n = 0, k;
	/* img4, img2, img3, img1 by insertion; by name img1..img4 */
	const int order[4] = { 4, 2, 3, 1 };
	const int by_name[4] = { 3, 1, 2, 0 }; /* indexes into ids, img1..img4 */

	for (int i = 0; i < 4; i++)
		ids[i] = conf_asset(f->s, p, order[i]);
	struct ts_asset_query q = { .project_id = p, .limit = 2, .sort = TS_ASSET_SORT_NAME };
	for (int desc = 0; desc < 2; desc++) {
		q.descending = desc;
		q.after_id = 0;
		k = 0;
		do {
			OK(ts_store_asset_list(f->s, &q, &page, &n, &next, &err));
			for (size_t i = 0; i < n && k < 8; i++)
				got[k++] = page[i].id;
			free(page);
			q.after_id = next;
		} while (next);
		assert_int_equal(k, 4);
		for (size_t i = 0; i < 4; i++)
			assert_int_equal(got[desc ? 3 - i : i], ids[by_name[i]]);
	}
	q = (struct ts_asset_query){ .project_id = p, .limit = 10, .sort = TS_ASSET_SORT_UPLOADED,
				     .descending = 1 };
	OK(ts_store_asset_list(f->s, &q, &page, &n, &next, &err));
	assert_int_equal(n, 4);
	assert_int_equal(page[0].id, ids[3]);
	assert_int_equal(page[3].id, ids[0]);
	free(page);
	q = (struct ts_asset_query){ .project_id = p, .limit = 10, .name_contains = "G3" };
	OK(ts_store_asset_list(f->s, &q, &page, &n, &next, &err));
	assert_int_equal(n, 1);
	assert_int_equal(page[0].id, ids[2]);
	free(page);
	OK(ts_store_asset_counts(f->s, &q, &counts, &err));
	assert_int_equal(counts.all, 1);
	assert_int_equal(counts.by_status[TS_STATUS_UNLABELED], 1);
	q.name_contains = "img_";
	OK(ts_store_asset_counts(f->s, &q, &counts, &err));
	assert_int_equal(counts.all, 0); /* "_" is no wildcard */
}

