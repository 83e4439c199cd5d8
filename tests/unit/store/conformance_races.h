/* The conformance suite, part 2: concurrent writers of one annotation,
 * concurrent creates, and ids that are never given twice. Included by
 * conformance.h only. */
#ifndef TS_TEST_STORE_CONFORMANCE_RACES_H
#define TS_TEST_STORE_CONFORMANCE_RACES_H

/* ---- concurrency ---- */

#define RACE_THREADS 8
#define RACE_TRIES 40

struct race {
	struct ts_store *s;
	int64_t asset_id, category_id;
	int wins, conflicts;
};

/* Reads the revision, then tries to write revision + 1 if it is still the
 * one read: the check-then-write of the labeling service. */
static void *race_main(void *arg)
{
	struct race *r = arg;

	for (int i = 0; i < RACE_TRIES; i++) {
		struct ts_error err = { 0 };
		struct ts_store_tx tx;
		struct ts_ann_row row;
		int64_t seen;

		if (ts_store_begin(r->s, 0, &tx, &err))
			return (void *)1;
		if (ts_store_ann_load(&tx, r->asset_id, &row, &err))
			return (void *)1;
		seen = row.revision;
		ts_ann_row_release(&row);
		if (ts_store_commit(&tx, &err))
			return (void *)1;

		if (ts_store_begin(r->s, 1, &tx, &err))
			return (void *)1;
		if (ts_store_ann_load(&tx, r->asset_id, &row, &err))
			return (void *)1;
		if (row.revision != seen) {
			r->conflicts++;
			ts_ann_row_release(&row);
			ts_store_rollback(&tx);
			continue;
		}
		struct ts_ann_write w = { r->asset_id, row.project_id, "labeled", "in_review",
					  seen + 1, 0, seen + 1, NULL, NULL, 1, &r->category_id, 1 };
		struct ts_ann_history_add h = { r->asset_id, row.project_id, seen + 1, 0, seen + 1,
						row.status, "[]", NULL, "labeled", "[]", NULL,
						"single" };
		ts_ann_row_release(&row);
		if (ts_store_ann_write(&tx, &w, &err) || ts_store_ann_history_add(&tx, &h, &err) ||
		    ts_store_commit(&tx, &err))
			return (void *)1;
		r->wins++;
	}
	return NULL;
}

static void conf_concurrent_revisions(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "Race");
	struct race r[RACE_THREADS];
	pthread_t t[RACE_THREADS];
	struct ts_ann_history_entry *h = NULL;
	struct ts_store_tx tx;
	struct ts_ann_row row;
	size_t n = 0;
	int wins = 0, conflicts = 0;

	r[0].s = f->s;
	r[0].asset_id = conf_asset(f->s, p, 1);
	r[0].category_id = conf_category(f->s, p, "cat");
	for (int i = 0; i < RACE_THREADS; i++) {
		r[i] = r[0];
		r[i].wins = r[i].conflicts = 0;
		assert_int_equal(pthread_create(&t[i], NULL, race_main, &r[i]), 0);
	}
	for (int i = 0; i < RACE_THREADS; i++) {
		void *ret = NULL;

		pthread_join(t[i], &ret);
		assert_null(ret);
		wins += r[i].wins;
		conflicts += r[i].conflicts;
	}
	assert_int_equal(wins + conflicts, RACE_THREADS * RACE_TRIES);
	/* Exactly one writer won each revision: the final revision counts the
	 * wins, and the history has each revision once, in order. */
	OK(ts_store_begin(f->s, 0, &tx, &err));
	OK(ts_store_ann_load(&tx, r[0].asset_id, &row, &err));
	assert_int_equal(row.revision, wins);
	ts_ann_row_release(&row);
	OK(ts_store_ann_history(&tx, r[0].asset_id, &h, &n, &err));
	OK(ts_store_commit(&tx, &err));
	assert_int_equal(n, (size_t)wins);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(h[i].revision, (int64_t)i + 1);
	ts_ann_history_release(h, n);
}

#define CREATE_THREADS 6
#define CREATES 15

struct creator {
	struct ts_store *s;
	int64_t project_id;
	int base;
	int64_t asset_ids[CREATES], category_ids[CREATES], job_ids[CREATES];
	int failed;
};

static void *creator_main(void *arg)
{
	struct creator *c = arg;

	for (int i = 0; i < CREATES; i++) {
		struct ts_error err = { 0 };
		struct ts_category cat;
		struct ts_asset a;
		char sum[65], name[32];
		int dup = 0;

		snprintf(sum, sizeof(sum), "%064x", c->base + i);
		snprintf(name, sizeof(name), "k%d", c->base + i);
		struct ts_asset_new in = { c->project_id, 0, name, 4, 3, "image/png", 1, sum, NULL };
		if (ts_store_asset_insert(c->s, &in, &a, &dup, NULL, &err) || dup ||
		    ts_store_category_create(c->s, c->project_id, name, &cat, &err) ||
		    ts_store_job_enqueue(c->s, "conf", a.id, &c->job_ids[i], &err)) {
			c->failed = 1;
			return NULL;
		}
		c->asset_ids[i] = a.id;
		c->category_ids[i] = cat.id;
	}
	return NULL;
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void assert_distinct(int64_t *ids, size_t n)
{
	qsort(ids, n, sizeof(*ids), cmp_id);
	for (size_t i = 1; i < n; i++)
		assert_true(ids[i] > ids[i - 1]);
}

static void conf_concurrent_creates(void **state)
{
	struct conf *f = *state;
	int64_t p = conf_project(f->s, "Many");
	struct creator c[CREATE_THREADS];
	pthread_t t[CREATE_THREADS];
	int64_t assets[CREATE_THREADS * CREATES], cats[CREATE_THREADS * CREATES];
	int64_t jobs[CREATE_THREADS * CREATES];

	for (int i = 0; i < CREATE_THREADS; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].s = f->s;
		c[i].project_id = p;
		c[i].base = 1000 * (i + 1);
		assert_int_equal(pthread_create(&t[i], NULL, creator_main, &c[i]), 0);
	}
	for (int i = 0; i < CREATE_THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(c[i].failed, 0);
		memcpy(&assets[i * CREATES], c[i].asset_ids, sizeof(c[i].asset_ids));
		memcpy(&cats[i * CREATES], c[i].category_ids, sizeof(c[i].category_ids));
		memcpy(&jobs[i * CREATES], c[i].job_ids, sizeof(c[i].job_ids));
	}
	assert_distinct(assets, CREATE_THREADS * CREATES);
	assert_distinct(cats, CREATE_THREADS * CREATES);
	assert_distinct(jobs, CREATE_THREADS * CREATES);
}

/* ---- ids are never reused ---- */

static void conf_ids_never_reused(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t p = conf_project(f->s, "Ids");
	struct ts_video v;
	struct ts_category cat;
	struct ts_asset gone;
	int64_t c1, c2, frame, a, after, job1, job2;
	struct ts_video_new in = { p, 0, "clip.mp4", "cd", 1000, 1.0, 0, 3000, 25.0, 64, 48, 0,
				   "h264", 3 };

	/* A deleted category's id is not given again, also after a reopen. */
	c1 = conf_category(f->s, p, "one");
	c2 = conf_category(f->s, p, "two");
	OK(ts_store_category_delete(f->s, p, c2, &cat, &err));
	conf_reopen(f);
	assert_true(conf_category(f->s, p, "three") > c2);
	(void)c1;

	/* The newest assets are removed by a failed video extraction (the
	 * only way assets are deleted): a new asset never takes their ids. */
	OK(ts_store_video_create(f->s, &in, &v, &err));
	OK(ts_store_video_start(f->s, v.id, 3, 0, &err));
	struct ts_asset_origin o = { "video_frame", v.id, "clip.mp4", 0, 0 };
	frame = conf_asset_from(f->s, p, 500, &o);
	struct ts_store_tx tx;
	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_video_drop_frame(&tx, frame, &err));
	OK(ts_store_video_finish(&tx, v.id, "the decoder failed", 0, &err));
	OK(ts_store_commit(&tx, &err));
	assert_int_equal(ts_store_asset_get(f->s, frame, &gone, &err), TS_ERR_NOT_FOUND);
	a = conf_asset(f->s, p, 501);
	assert_true(a > frame);
	/* And after a reopen. */
	conf_reopen(f);
	after = conf_asset(f->s, p, 502);
	assert_true(after > a);

	/* Job ids keep growing after their jobs finished and across reopens. */
	OK(ts_store_job_enqueue(f->s, "conf", 1, &job1, &err));
	conf_reopen(f);
	OK(ts_store_job_enqueue(f->s, "conf", 1, &job2, &err));
	assert_true(job2 > job1);
	ts_error_release(&err);
}

#endif
