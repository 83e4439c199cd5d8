/* The export build against a real SQLite store and real blobs in a temp
 * folder: hardlinks, the copy fallback across filesystems, a stop that puts
 * the export back in the queue without leftovers, a missing blob that fails
 * with a reason, and a snapshot that later label changes do not reach. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/build.h"
#include "export/verify.h"
#include "hash/sha256.h"
#include "store/store.h"
#include "store/store_annotations.h"
#include "store/store_assets.h"
#include "store/store_exports.h"
#include "store/store_projects.h"
#include "export/test_util.h"
#include "testdir.h"

#define NIMG 3

struct fixture {
	char dir[64];
	char blobs[128];
	char exports[128];
	struct ts_store *s;
	int64_t project;
	int64_t cats[2];
	int64_t assets[NIMG];
	char hex[NIMG][TS_SHA256_HEX_SIZE];
};

/* Sets asset's label to category, approved, through the store's
 * annotation primitives. */
static void label(struct fixture *f, int64_t asset, int64_t category)
{
	struct ts_error err = { 0 };
	struct ts_store_tx tx;
	struct ts_ann_row r;
	char payload[96];

	snprintf(payload, sizeof(payload), "{\"type\":\"classification\",\"category_ids\":[%lld]}",
		 (long long)category);
	assert_int_equal(ts_store_begin(f->s, 1, &tx, &err), TS_OK);
	assert_int_equal(ts_store_ann_load(&tx, asset, &r, &err), TS_OK);
	struct ts_ann_write w = { asset, r.project_id, "approved", "done", r.revision + 1, 0, 0,
				  "classification", payload, 1, &category, 1 };
	ts_ann_row_release(&r);
	assert_int_equal(ts_store_ann_write(&tx, &w, &err), TS_OK);
	assert_int_equal(ts_store_commit(&tx, &err), TS_OK);
}

/* A decoded PNG asset (seed makes its bytes: 4x3 below 256, wider above) in project: its blob
 * written, its id returned (0 on failure), its checksum into hex. */
static int64_t add_asset(struct fixture *f, int64_t project, int seed,
			 char hex[TS_SHA256_HEX_SIZE])
{
	struct ts_error err = { 0 };
	unsigned char bytes[8192];
	unsigned w = 4 + (unsigned)seed / 256;
	size_t blen = tu_png(seed % 256, w, 3, 0, bytes, sizeof(bytes));
	char path[256], name[32];
	struct ts_asset a;
	int dup = 0;
	FILE *fp;

	if (!blen)
		return 0;
	ts_sha256_hex(bytes, blen, hex);
	snprintf(path, sizeof(path), "%s/sha256/%.2s", f->blobs, hex);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/sha256/%.2s/%s", f->blobs, hex, hex);
	fp = fopen(path, "wb");
	if (!fp)
		return 0;
	fwrite(bytes, 1, blen, fp);
	fclose(fp);
	snprintf(name, sizeof(name), "a%d.png", seed);
	struct ts_asset_new in = { project, 0, name, w, 3, "image/png", (int64_t)blen, hex, NULL };

	if (ts_store_asset_insert(f->s, &in, &a, &dup, NULL, &err) || dup ||
	    ts_store_asset_set_decoded(f->s, hex, 1, NULL, &err)) {
		ts_error_release(&err);
		return 0;
	}
	return a.id;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct ts_error err = { 0 };
	struct ts_project p;
	struct ts_category c;
	char path[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/tessera-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->blobs, sizeof(f->blobs), "%s/blobs", f->dir);
	snprintf(f->exports, sizeof(f->exports), "%s/exports", f->dir);
	f->s = ts_store_open(NULL, f->dir, &err);
	if (!f->s || ts_store_project_create(f->s, "Unit", "classification_single", 0, &p, &err))
		return -1;
	f->project = p.id;
	if (ts_store_category_create(f->s, p.id, "cat", &c, &err))
		return -1;
	f->cats[0] = c.id;
	if (ts_store_category_create(f->s, p.id, "dog", &c, &err))
		return -1;
	f->cats[1] = c.id;
	mkdir(f->blobs, 0755);
	snprintf(path, sizeof(path), "%s/sha256", f->blobs);
	mkdir(path, 0755);
	for (int i = 0; i < NIMG; i++) {
		f->assets[i] = add_asset(f, p.id, i, f->hex[i]);
		if (f->assets[i] < 1)
			return -1;
		label(f, f->assets[i], f->cats[i % 2]);
	}
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

static int64_t create_export(struct fixture *f)
{
	static const int approved[] = { TS_STATUS_APPROVED };
	struct ts_export ex;
	struct ts_export_counts counts;
	struct ts_error err = { 0 };

	struct ts_store_tx tx;

	assert_int_equal(ts_store_begin(f->s, 1, &tx, &err), TS_OK);
	assert_int_equal(ts_store_export_counts(&tx, f->project, approved, 1, 1, &counts, &err), TS_OK);
	assert_int_equal(ts_store_export_create(&tx, f->project, approved, 1, 0, "unit", NULL, &counts,
						&ex, &err),
			 TS_OK);
	assert_int_equal(ts_store_commit(&tx, &err), TS_OK);
	assert_int_equal(counts.images, NIMG);
	assert_string_equal(ex.state, "queued");
	return ex.id;
}

static enum ts_err build(struct fixture *f, const char *exports, int64_t id, int (*stop)(void *),
			 struct ts_error *err)
{
	struct ts_export_build_opts o = { 0 };

	o.store = f->s;
	o.blobs_dir = f->blobs;
	o.exports_dir = exports;
	o.stop = stop;
	return ts_export_build(&o, id, err);
}

static void get(struct fixture *f, int64_t id, struct ts_export *ex)
{
	struct ts_error err = { 0 };

	assert_int_equal(ts_store_export_get(f->s, id, 1, ex, &err), TS_OK);
}

static int verify(const char *path)
{
	FILE *devnull = fopen("/dev/null", "w");
	int rc = ts_verify_path(path, devnull, NULL);

	fclose(devnull);
	return rc;
}

static void test_build_hardlinks_and_verifies(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_export ex;
	struct stat img, blob;
	char path[256];
	int64_t id = create_export(f);

	assert_int_equal(build(f, f->exports, id, NULL, &err), TS_OK);
	get(f, id, &ex);
	assert_string_equal(ex.state, "ready");
	assert_non_null(ex.manifest);
	assert_non_null(strstr(ex.manifest, ex.hash));
	assert_true(ex.zip_bytes > 0);
	snprintf(path, sizeof(path), "%s/%lld/1/images/%lld.png", f->exports, (long long)f->project,
		 (long long)f->assets[0]);
	assert_int_equal(stat(path, &img), 0);
	snprintf(path, sizeof(path), "%s/sha256/%.2s/%s", f->blobs, f->hex[0], f->hex[0]);
	assert_int_equal(stat(path, &blob), 0);
	assert_int_equal(img.st_ino, blob.st_ino); /* a hardlink, not a copy */
	snprintf(path, sizeof(path), "%s/%lld/1", f->exports, (long long)f->project);
	assert_int_equal(verify(path), 0);
	snprintf(path, sizeof(path), "%s/%lld/1.zip", f->exports, (long long)f->project);
	assert_int_equal(verify(path), 0);
	/* building a ready export again changes nothing */
	assert_int_equal(build(f, f->exports, id, NULL, &err), TS_OK);
	ts_export_release(&ex);
}

static void test_build_copies_across_filesystems(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_export ex;
	struct stat a, b;
	char other[64], path[256];
	int64_t id;

	snprintf(other, sizeof(other), "/dev/shm/tessera-unit-XXXXXX");
	if (!mkdtemp(other) || stat(other, &a) != 0 || stat(f->dir, &b) != 0 ||
	    a.st_dev == b.st_dev) {
		skip();
		return;
	}
	id = create_export(f);
	assert_int_equal(build(f, other, id, NULL, &err), TS_OK);
	get(f, id, &ex);
	assert_string_equal(ex.state, "ready");
	snprintf(path, sizeof(path), "%s/%lld/1/images/%lld.png", other, (long long)f->project,
		 (long long)f->assets[1]);
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(a.st_nlink, 1); /* copied */
	snprintf(path, sizeof(path), "%s/%lld/1.zip", other, (long long)f->project);
	assert_int_equal(verify(path), 0);
	ts_export_release(&ex);
	assert_int_equal(ts_test_rmtree(other), 0);
}

static int always_stop(void *arg)
{
	(void)arg;
	return 1;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_stop_requeues_without_leftovers(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_export ex;
	char path[256];
	int64_t id = create_export(f);

	assert_int_equal(build(f, f->exports, id, always_stop, &err), TS_ERR_UNAVAILABLE);
	get(f, id, &ex);
	assert_string_equal(ex.state, "queued");
	assert_string_equal(ex.hash, "");
	snprintf(path, sizeof(path), "%s/%lld", f->exports, (long long)f->project);
	assert_int_equal(count_entries(path), 0);
	ts_error_release(&err);
	/* the next start builds it from the same snapshot */
	assert_int_equal(build(f, f->exports, id, NULL, &err), TS_OK);
	ts_export_release(&ex);
	get(f, id, &ex);
	assert_string_equal(ex.state, "ready");
	ts_export_release(&ex);
}

static void test_missing_blob_fails_with_reason(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_export ex;
	char path[256];
	int64_t id = create_export(f);

	snprintf(path, sizeof(path), "%s/sha256/%.2s/%s", f->blobs, f->hex[1], f->hex[1]);
	assert_int_equal(unlink(path), 0);
	assert_int_not_equal(build(f, f->exports, id, NULL, &err), TS_OK);
	assert_string_equal(err.code, "blob_missing");
	get(f, id, &ex);
	assert_string_equal(ex.state, "failed");
	snprintf(path, sizeof(path), "asset %lld", (long long)f->assets[1]);
	assert_non_null(strstr(ex.error, path));
	snprintf(path, sizeof(path), "%s/%lld", f->exports, (long long)f->project);
	assert_int_equal(count_entries(path), 0);
	ts_export_release(&ex);
	ts_error_release(&err);
}

static void test_snapshot_ignores_later_changes(void **state)
{
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_export a, b;
	struct ts_category cat;
	int64_t first = create_export(f), second;

	/* After the snapshot, relabel everything and rename a category. */
	for (int i = 0; i < NIMG; i++)
		label(f, f->assets[i], f->cats[1]);
	assert_int_equal(ts_store_category_update(f->s, f->project, f->cats[0], "kitten", NULL, &cat,
						  &err),
			 TS_OK);
	second = create_export(f);
	assert_int_equal(build(f, f->exports, first, NULL, &err), TS_OK);
	assert_int_equal(build(f, f->exports, second, NULL, &err), TS_OK);
	get(f, first, &a);
	get(f, second, &b);
	assert_string_not_equal(a.hash, b.hash);
	assert_string_not_equal(a.categories_hash, b.categories_hash);
	assert_non_null(strstr(a.manifest, "\"cat\""));
	assert_null(strstr(a.manifest, "kitten"));
	assert_int_equal(b.identical_to, 0);
	ts_export_release(&a);
	ts_export_release(&b);
}

/* More items than one snapshot page, an image's two items on either side
 * of a page boundary (classification_multi: one item per category): every
 * image and annotation is exported once, and the export verifies. */
static void test_build_streams_pages(void **state)
{
	static const int labeled[] = { TS_STATUS_LABELED };
	struct fixture *f = *state;
	struct ts_error err = { 0 };
	struct ts_project p;
	struct ts_export ex;
	struct ts_export_counts counts;
	struct ts_store_tx tx;
	int64_t cats[2], n = TS_EXPORT_PAGE / 2 + 20;
	char hex[TS_SHA256_HEX_SIZE], path[256], want[64];
	struct ts_category c;

	assert_int_equal(ts_store_project_create(f->s, "Pages", "classification_multi", 0, &p, &err),
			 TS_OK);
	assert_int_equal(ts_store_category_create(f->s, p.id, "cat", &c, &err), TS_OK);
	cats[0] = c.id;
	assert_int_equal(ts_store_category_create(f->s, p.id, "dog", &c, &err), TS_OK);
	cats[1] = c.id;
	for (int64_t i = 0; i < n; i++) {
		int64_t id = add_asset(f, p.id, 1000 + (int)i, hex);
		/* The first image has one category, every other one two: the
		 * first page ends between an image's two items. */
		size_t k = i ? 2 : 1;
		char payload[96];
		struct ts_ann_row r;

		assert_true(id > 0);
		snprintf(payload, sizeof(payload),
			 "{\"type\":\"classification\",\"category_ids\":[%lld%s%lld]}",
			 (long long)cats[0], k == 2 ? "," : "", k == 2 ? (long long)cats[1] : 0LL);
		if (k == 1)
			snprintf(payload, sizeof(payload),
				 "{\"type\":\"classification\",\"category_ids\":[%lld]}",
				 (long long)cats[0]);
		assert_int_equal(ts_store_begin(f->s, 1, &tx, &err), TS_OK);
		assert_int_equal(ts_store_ann_load(&tx, id, &r, &err), TS_OK);
		struct ts_ann_write w = { id, p.id, "labeled", "done", r.revision + 1, 0, 0,
					  "classification", payload, 1, cats, k };
		ts_ann_row_release(&r);
		assert_int_equal(ts_store_ann_write(&tx, &w, &err), TS_OK);
		assert_int_equal(ts_store_commit(&tx, &err), TS_OK);
	}
	assert_int_equal(ts_store_begin(f->s, 1, &tx, &err), TS_OK);
	assert_int_equal(ts_store_export_counts(&tx, p.id, labeled, 1, 1, &counts, &err), TS_OK);
	assert_int_equal(ts_store_export_create(&tx, p.id, labeled, 1, 0, "unit", NULL, &counts, &ex,
						&err),
			 TS_OK);
	assert_int_equal(ts_store_commit(&tx, &err), TS_OK);
	assert_true(2 * n - 1 > TS_EXPORT_PAGE);
	assert_int_equal(build(f, f->exports, ex.id, NULL, &err), TS_OK);
	ts_export_release(&ex);
	get(f, ex.id, &ex);
	assert_string_equal(ex.state, "ready");
	snprintf(want, sizeof(want), "\"images\": %lld,", (long long)n);
	assert_non_null(strstr(ex.manifest, want));
	snprintf(want, sizeof(want), "\"annotations\": %lld,", (long long)(2 * n - 1));
	assert_non_null(strstr(ex.manifest, want));
	snprintf(path, sizeof(path), "%s/%lld/1.zip", f->exports, (long long)p.id);
	assert_int_equal(verify(path), 0);
	ts_export_release(&ex);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build_hardlinks_and_verifies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_copies_across_filesystems, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_requeues_without_leftovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_blob_fails_with_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_ignores_later_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_build_streams_pages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
