/* Conformance: store_models.h (models, suggestions, runs, ranks) and the
 * asset list's model filters. Included by conformance.h. */
#ifndef TS_TEST_STORE_CONFORMANCE_MODELS_H
#define TS_TEST_STORE_CONFORMANCE_MODELS_H

#include "store/store_models.h"

#define CONF_HASH "sha256:0000000000000000000000000000000000000000000000000000000000000000"

static int64_t conf_model(struct ts_store *s, int64_t project_id, const char *name)
{
	struct ts_error err = { 0 };
	struct ts_model_row m;
	struct ts_model_new in = { project_id, 0, name, "classification_single", CONF_HASH,
				   "{\"outputs\":[1,2]}",
				   "1111111111111111111111111111111111111111111111111111111111111111",
				   458 };

	OK(ts_store_model_create(s, &in, &m, &err));
	ts_model_row_release(&m);
	return m.id;
}

static int64_t conf_suggest(struct ts_store *s, int64_t project_id, int64_t asset_id,
			    int64_t model_id, int64_t category_id, int supersede)
{
	struct ts_error err = { 0 };
	struct ts_suggestion g;
	struct ts_suggestion_new in = { asset_id, project_id, model_id,
					"{\"type\":\"classification\",\"category_ids\":[1],"
					"\"scores\":[]}",
					category_id, 0.75, supersede };

	OK(ts_store_suggestion_put(s, &in, &g, &err));
	assert_int_equal(g.status, TS_SUGGESTION_PENDING);
	ts_suggestion_release(&g);
	return g.id;
}

static void conf_models(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "M"), c1 = conf_category(f->s, p, "a");
	int64_t c2 = conf_category(f->s, p, "b"), a[4], m1, m2, s1, s2, next = 0, nsup = 0;
	struct ts_model_row row, *rows = NULL;
	struct ts_suggestion g;
	struct ts_suggestion_count *counts = NULL;
	struct ts_model_candidate *cands = NULL;
	struct ts_asset *page = NULL;
	size_t n = 0;

	for (int i = 0; i < 4; i++)
		a[i] = conf_asset(f->s, p, 700 + i);
	/* The first model is active; a second is not. */
	m1 = conf_model(f->s, p, "one");
	m2 = conf_model(f->s, p, "two");
	OK(ts_store_model_get(f->s, m1, &row, &err));
	assert_int_equal(row.active, 1);
	assert_string_equal(row.labels_hash, CONF_HASH);
	assert_string_equal(row.metadata, "{\"outputs\":[1,2]}");
	ts_model_row_release(&row);
	OK(ts_store_model_list(f->s, p, &rows, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].id, m2); /* newest first */
	for (size_t i = 0; i < n; i++)
		ts_model_row_release(&rows[i]);
	free(rows);
	OK(ts_store_model_set_active(f->s, p, m2, 1, &err));
	OK(ts_store_model_get_active(f->s, p, &row, &err));
	assert_int_equal(row.id, m2);
	ts_model_row_release(&row);
	OK(ts_store_model_set_active(f->s, p, m2, 0, &err));
	assert_int_equal(ts_store_model_get_active(f->s, p, &row, &err), TS_ERR_NOT_FOUND);
	assert_int_equal(ts_store_model_set_active(f->s, conf_project(f->s, "other"), m1, 1, &err),
			 TS_ERR_NOT_FOUND);

	/* Suggestions: one per asset and model; a newer one replaces it. */
	s1 = conf_suggest(f->s, p, a[0], m1, c1, 0);
	assert_int_equal(conf_suggest(f->s, p, a[0], m1, c1, 0), s1);
	conf_suggest(f->s, p, a[1], m1, c2, 0);
	OK(ts_store_suggestion_get(f->s, a[0], m1, &g, &err));
	assert_int_equal(g.id, s1);
	assert_null(g.chosen);
	ts_suggestion_release(&g);
	assert_int_equal(ts_store_suggestion_get(f->s, a[2], m1, &g, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_suggestion_review(f->s, s1, TS_SUGGESTION_ACCEPTED, "[1]", 0, &g, &err));
	assert_int_equal(g.status, TS_SUGGESTION_ACCEPTED);
	assert_string_equal(g.chosen, "[1]");
	assert_true(g.reviewed_at > 0);
	ts_suggestion_release(&g);
	/* The newer model supersedes the older one's pending suggestions. */
	s2 = conf_suggest(f->s, p, a[1], m2, c2, 0);
	OK(ts_store_suggestion_supersede_older(f->s, p, m2, &nsup, &err));
	assert_int_equal(nsup, 1);
	OK(ts_store_suggestion_get(f->s, a[1], m1, &g, &err));
	assert_int_equal(g.status, TS_SUGGESTION_SUPERSEDED);
	assert_int_equal(ts_store_suggestion_review(f->s, g.id, TS_SUGGESTION_REJECTED, "[]", 0,
						    &(struct ts_suggestion){ 0 }, &err),
			 TS_ERR_CONFLICT);
	assert_string_equal(err.code, "suggestion_superseded");
	ts_suggestion_release(&g);
	(void)s2;

	/* Counts: the accepted one is overridden once its asset names another
	 * category. */
	conf_label(f->s, a[0], c2, "labeled");
	OK(ts_store_suggestion_counts(f->s, p, &counts, &n, &err));
	{
		int64_t accepted_overridden = 0, superseded = 0, pending = 0;

		for (size_t i = 0; i < n; i++) {
			if (counts[i].status == TS_SUGGESTION_ACCEPTED && counts[i].overridden)
				accepted_overridden += counts[i].count;
			if (counts[i].status == TS_SUGGESTION_SUPERSEDED)
				superseded += counts[i].count;
			if (counts[i].status == TS_SUGGESTION_PENDING)
				pending += counts[i].count;
		}
		assert_int_equal(accepted_overridden, 1);
		assert_int_equal(superseded, 1);
		assert_int_equal(pending, 1);
	}
	free(counts);

	/* Candidates: by status, leaving out pending suggestions of a model. */
	struct ts_model_criteria cr = { "unlabeled", 0, 0, m2, 10 };
	OK(ts_store_model_candidates(f->s, p, &cr, &cands, &n, &err));
	assert_int_equal(n, 2); /* a[2], a[3]: a[0] is labeled, a[1] pending for m2 */
	assert_int_equal(cands[0].asset_id, a[2]);
	assert_int_equal(cands[0].video_id, 0);
	free(cands);

	/* The asset list: the suggested flag and filter. */
	struct ts_asset_query q = { .project_id = p, .limit = 10, .suggested = 1 };
	OK(ts_store_asset_list(f->s, &q, &page, &n, &next, &err));
	assert_int_equal(n, 1);
	assert_int_equal(page[0].id, a[1]);
	assert_int_equal(page[0].suggested, 1);
	free(page);

	/* Runs, their job, progress, cancel, ranks. */
	struct ts_model_run in = { 0 }, r, *runs = NULL;
	in.project_id = p;
	snprintf(in.kind, sizeof(in.kind), "sampling");
	snprintf(in.strategy, sizeof(in.strategy), "entropy");
	in.model_ids[0] = m1;
	in.n_models = 1;
	OK(ts_store_run_create(f->s, &in, TS_JOB_MODEL_SAMPLING, &r, &err));
	assert_string_equal(r.state, "queued");
	assert_true(r.job_id > 0);
	assert_int_equal(r.n_models, 1);
	assert_int_equal(r.model_ids[0], m1);
	assert_int_equal(ts_store_latest_sampling(f->s, p, &r, &err), TS_ERR_NOT_FOUND);
	OK(ts_store_run_get(f->s, r.id, &r, &err));
	snprintf(r.state, sizeof(r.state), "done");
	r.done = r.total = 2;
	OK(ts_store_run_update(f->s, &r, &err));
	struct ts_sampling_rank ranks[] = { { 1, a[3], 0.9 }, { 2, a[2], 0.5 } }, *got = NULL;
	OK(ts_store_ranks_put(f->s, r.id, ranks, 2, &err));
	OK(ts_store_ranks_get(f->s, r.id, 1, 10, &got, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(got[0].asset_id, a[2]);
	free(got);
	OK(ts_store_latest_sampling(f->s, p, &r, &err));
	assert_true(r.finished_at > 0);
	struct ts_asset_query qs = { .project_id = p, .limit = 1, .sampling_run = r.id };
	OK(ts_store_asset_list(f->s, &qs, &page, &n, &next, &err));
	assert_int_equal(n, 1);
	assert_int_equal(page[0].id, a[3]);
	assert_int_equal(next, 1); /* the cursor is a rank */
	free(page);
	{
		int64_t *ids = NULL;

		OK(ts_store_model_lease_next(f->s, p, conf_user(f->s, "u", 0), "unlabeled", 5, 1000,
					     60000, 0, r.id, &ids, &n, &err));
		assert_int_equal(n, 2);
		assert_int_equal(ids[0], a[3]);
		assert_int_equal(ids[1], a[2]);
		free(ids);
	}
	in.criteria[0] = '\0';
	snprintf(in.kind, sizeof(in.kind), "batch");
	OK(ts_store_run_create(f->s, &in, TS_JOB_MODEL_BATCH, &r, &err));
	OK(ts_store_run_cancel(f->s, r.id, &err));
	OK(ts_store_run_get(f->s, r.id, &r, &err));
	assert_string_equal(r.state, "cancelled");
	assert_int_equal(r.cancel_requested, 1);
	OK(ts_store_run_list(f->s, p, &runs, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(runs[0].id, r.id);
	free(runs);
	assert_int_equal(ts_store_run_get(f->s, 99999, &r, &err), TS_ERR_NOT_FOUND);
}

#endif
