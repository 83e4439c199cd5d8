/* The conformance suite, continued: imports (store_imports.h). Included by
 * conformance.h after the other operations. */
#ifndef TS_TEST_STORE_CONFORMANCE_IMPORTS_H
#define TS_TEST_STORE_CONFORMANCE_IMPORTS_H

#include "store/store_imports.h"

static void conf_imports(void **state)
{
	struct conf *f = *state;
	struct ts_error err = { 0 };
	int64_t u = conf_user(f->s, "importer", 0), p = conf_project(f->s, "I");
	int64_t a1 = conf_asset(f->s, p, 1), a2 = conf_asset(f->s, p, 2);
	struct ts_import_new in = { p, u, "class_masks", "masks.zip", "cd", 1.5 };
	struct ts_import im, *list = NULL;
	struct ts_import_change ch = { 0 }, *chs = NULL;
	struct ts_import_end end = { "done", 2, 3, 1, "[{\"entry\":\"x.png\"}]", NULL, NULL };
	struct ts_store_tx tx;
	struct ts_job job;
	size_t n = 0;

	/* Created queued, with its job. */
	OK(ts_store_import_create(f->s, &in, &im, &err));
	assert_string_equal(im.state, "queued");
	assert_string_equal(im.user_name, "importer");
	assert_true(im.tolerance == 1.5);
	assert_int_equal(im.started_at, 0);
	assert_string_equal(im.report, "[]");
	ts_import_release(&im);
	OK(ts_store_job_claim(f->s, TS_IMPORT_JOB_KIND, &job, &err));
	in.project_id = 999;
	assert_int_equal(ts_store_import_create(f->s, &in, &im, &err), TS_ERR_NOT_FOUND);
	ts_error_release(&err);
	OK(ts_store_import_list(f->s, p, 0, 10, &list, &n, &err));
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, job.ref_id);
	assert_null(list[0].report);
	free(list);

	/* Running: started once, progress, then done with its report. */
	OK(ts_store_import_set_running(f->s, job.ref_id, 0, &err));
	OK(ts_store_import_get(f->s, job.ref_id, &im, &err));
	int64_t started = im.started_at;
	assert_true(started > 0);
	assert_string_equal(im.state, "running");
	ts_import_release(&im);
	OK(ts_store_import_set_running(f->s, job.ref_id, 0, &err));
	OK(ts_store_import_set_progress(f->s, job.ref_id, 3, 7, &err));
	OK(ts_store_import_get(f->s, job.ref_id, &im, &err));
	assert_int_equal(im.started_at, started);
	assert_int_equal(im.progress_done, 3);
	assert_int_equal(im.progress_total, 7);
	ts_import_release(&im);

	/* Changes recorded inside a write transaction, read back by asset. */
	OK(ts_store_begin(f->s, 1, &tx, &err));
	ch.asset_id = a2;
	ch.revision = 4;
	snprintf(ch.prev_status, sizeof(ch.prev_status), "labeled");
	ch.prev_labeled_by = u;
	snprintf(ch.prev_payload_type, sizeof(ch.prev_payload_type), "polygons");
	ch.prev_payload = "{\"type\":\"polygons\",\"objects\":[]}";
	snprintf(ch.prev_categories, sizeof(ch.prev_categories), "[]");
	OK(ts_store_import_change_add(&tx, job.ref_id, &ch, &err));
	ch.asset_id = a1;
	ch.revision = 1;
	snprintf(ch.prev_status, sizeof(ch.prev_status), "unlabeled");
	ch.prev_labeled_by = 0;
	ch.prev_payload_type[0] = '\0';
	ch.prev_payload = NULL;
	OK(ts_store_import_change_add(&tx, job.ref_id, &ch, &err));
	OK(ts_store_commit(&tx, &err));
	OK(ts_store_import_finish(f->s, job.ref_id, &end, &err));
	OK(ts_store_import_get(f->s, job.ref_id, &im, &err));
	assert_string_equal(im.state, "done");
	assert_int_equal(im.images, 2);
	assert_int_equal(im.objects, 3);
	assert_int_equal(im.refused, 1);
	assert_int_equal(im.progress_done, im.progress_total);
	assert_string_equal(im.report, "[{\"entry\":\"x.png\"}]");
	assert_string_equal(im.error_code, "");
	assert_true(im.finished_at >= started);
	ts_import_release(&im);

	OK(ts_store_begin(f->s, 1, &tx, &err));
	OK(ts_store_import_changes(&tx, job.ref_id, &chs, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(chs[0].asset_id, a1);
	assert_string_equal(chs[0].prev_status, "unlabeled");
	assert_null(chs[0].prev_payload);
	assert_string_equal(chs[0].prev_payload_type, "");
	assert_int_equal(chs[1].asset_id, a2);
	assert_int_equal(chs[1].revision, 4);
	assert_int_equal(chs[1].prev_labeled_by, u);
	assert_string_equal(chs[1].prev_payload, "{\"type\":\"polygons\",\"objects\":[]}");
	ts_import_changes_free(chs, n);
	/* Undone once; a second time is a conflict. */
	OK(ts_store_import_set_undone(&tx, job.ref_id, 2, &err));
	assert_int_equal(ts_store_import_set_undone(&tx, job.ref_id, 2, &err), TS_ERR_CONFLICT);
	assert_string_equal(err.code, "import_not_done");
	OK(ts_store_commit(&tx, &err));
	OK(ts_store_import_get(f->s, job.ref_id, &im, &err));
	assert_string_equal(im.state, "undone");
	assert_int_equal(im.undone, 2);
	assert_true(im.undone_at > 0);
	ts_import_release(&im);

	/* A failed import keeps its error. */
	in.project_id = p;
	OK(ts_store_import_create(f->s, &in, &im, &err));
	int64_t second = im.id;
	ts_import_release(&im);
	struct ts_import_end failed = { "failed", 0, 0, 0, "[]", "mask_too_large", "Too large." };
	OK(ts_store_import_finish(f->s, second, &failed, &err));
	OK(ts_store_import_get(f->s, second, &im, &err));
	assert_string_equal(im.state, "failed");
	assert_string_equal(im.error_code, "mask_too_large");
	assert_string_equal(im.error, "Too large.");
	ts_import_release(&im);
	OK(ts_store_import_list(f->s, p, 0, 10, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(list[0].id, second); /* newest first */
	free(list);
	OK(ts_store_import_list(f->s, p, second, 10, &list, &n, &err));
	assert_int_equal(n, 1);
	free(list);
	assert_int_equal(ts_store_import_get(f->s, 999, &im, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "import_not_found");
	ts_error_release(&err);
}

#endif
