/* Shared zips (export/share.c): a zip in the build's layout with its
 * manifest replaced, made from parts, is byte for byte the zip libzip
 * writes for the new manifest; also for a zip64 base (more than 65535
 * entries, whose central directory is patched in several chunks); a base
 * in another layout is refused without leftovers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "export/share.h"
#include "testdir.h"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/tessera-unit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	ts_test_rmtree(f->dir);
	free(f);
	return 0;
}

static void add(zip_t *za, const char *name, const char *data, size_t len, int store)
{
	zip_source_t *src = zip_source_buffer(za, data, len, 0);
	zip_int64_t idx = zip_file_add(za, name, src, 0);

	assert_true(idx >= 0);
	assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx,
						  store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0), 0);
	assert_int_equal(zip_file_set_mtime(za, (zip_uint64_t)idx, 315532800, 0), 0);
}

/* A zip like the build's: manifest.json, annotations.json, images/, then n
 * images, all stored (store_manifest 0: the manifest deflated). */
static void write_zip(const char *path, const char *manifest, size_t n, int store_manifest)
{
	static const char ann[] = "{\"images\":[]}";
	char name[32], *data = malloc(n * 8 + 1);
	int zerr = 0;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
	zip_int64_t dir;

	assert_non_null(za);
	add(za, "manifest.json", manifest, strlen(manifest), store_manifest);
	add(za, "annotations.json", ann, sizeof(ann) - 1, 1);
	dir = zip_dir_add(za, "images", 0);
	assert_true(dir >= 0);
	assert_int_equal(zip_file_set_mtime(za, (zip_uint64_t)dir, 315532800, 0), 0);
	for (size_t i = 0; i < n; i++) {
		snprintf(data + i * 8, 9, "%08x", (unsigned)(i & 0xffffffffu));
		snprintf(name, sizeof(name), "images/%zu.png", i);
		add(za, name, data + i * 8, 8, 1);
	}
	assert_int_equal(zip_close(za), 0);
	free(data);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* Shares base (version 1 of project 7) as version 2 with manifest2 and
 * returns the whole zip as read through ts_export_zip_open. */
static char *share_and_read(struct fixture *f, const char *manifest2, size_t *len,
			    struct ts_export *ex)
{
	char base[128], parts[160], exports[96];
	struct ts_export_share share = { .version = 1 };
	struct ts_export_zip z;
	struct ts_error err = { 0 };
	int64_t bytes = 0;
	char *out;
	size_t got = 0;

	snprintf(exports, sizeof(exports), "%s/exports", f->dir);
	snprintf(base, sizeof(base), "%s/7/1.zip", exports);
	snprintf(parts, sizeof(parts), "%s/7/2.zip.parts", exports);
	assert_int_equal(ts_export_share_zip(base, manifest2, strlen(manifest2), parts, &share,
					     &bytes, &err),
			 TS_OK);
	memset(ex, 0, sizeof(*ex));
	ex->project_id = 7;
	ex->version = 2;
	ex->shares_files_with = 1;
	ex->zip_base_from = share.base_from;
	ex->zip_base_len = share.base_len;
	ex->zip_bytes = bytes;
	assert_int_equal(ts_export_zip_open(exports, ex, &z, &err), TS_OK);
	assert_int_equal(z.n, 3);
	assert_int_equal(z.size, (uint64_t)bytes);
	out = malloc((size_t)bytes + 1);
	/* Odd-sized reads cross the parts' boundaries. */
	while (got < (size_t)bytes) {
		ssize_t n = ts_export_zip_pread(&z, out + got, 777, got);

		assert_true(n > 0);
		got += (size_t)n;
	}
	assert_int_equal(ts_export_zip_pread(&z, out, 10, got), 0);
	ts_export_zip_close(&z);
	*len = got;
	return out;
}

/* Version 1 of project 7, with n images. */
static void make_base(struct fixture *f, const char *manifest, size_t n, char *path, size_t len)
{
	snprintf(path, len, "%s/exports", f->dir);
	mkdir(path, 0755);
	snprintf(path, len, "%s/exports/7", f->dir);
	mkdir(path, 0755);
	snprintf(path, len, "%s/exports/7/1.zip", f->dir);
	write_zip(path, manifest, n, 1);
}

static void check_same_as_full(struct fixture *f, size_t n)
{
	static const char m1[] = "{\n  \"version\": 9,\n  \"created_by\": \"al\"\n}\n";
	static const char m2[] = "{\n  \"version\": 10,\n  \"created_by\": \"alice\"\n}\n";
	char path[160];
	struct ts_export ex;
	char *shared, *full;
	size_t shared_len, full_len;
	struct stat st;

	make_base(f, m1, n, path, sizeof(path));
	shared = share_and_read(f, m2, &shared_len, &ex);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_nlink, 2); /* the base is a hardlink */

	snprintf(path, sizeof(path), "%s/full.zip", f->dir);
	write_zip(path, m2, n, 1);
	full = slurp(path, &full_len);
	if (n > 65535) /* the zip64 end locator sits before the end record */
		assert_memory_equal(full + full_len - 22 - 20, "PK\x06\x07", 4);
	assert_int_equal(shared_len, full_len);
	assert_memory_equal(shared, full, full_len);
	free(shared);
	free(full);
}

static void shared_zip_equals_a_full_one(void **state)
{
	check_same_as_full(*state, 5);
}

static void shared_zip64_equals_a_full_one(void **state)
{
	/* More than 65535 entries: libzip writes the zip64 end records. */
	check_same_as_full(*state, 65540);
}

static void another_layout_is_refused_without_leftovers(void **state)
{
	struct fixture *f = *state;
	char base[128], parts[160];
	struct ts_export_share share = { .version = 1 };
	struct ts_error err = { 0 };
	int64_t bytes = 0;
	FILE *fp;

	snprintf(base, sizeof(base), "%s/1.zip", f->dir);
	snprintf(parts, sizeof(parts), "%s/2.zip.parts", f->dir);
	write_zip(base, "{\"version\": 1}\n", 3, 0); /* the manifest deflated */
	assert_int_equal(ts_export_share_zip(base, "{}", 2, parts, &share, &bytes, &err),
			 TS_ERR_UNSUPPORTED);
	assert_string_equal(err.code, "zip_not_shareable");
	assert_int_equal(access(parts, F_OK), -1);
	/* Not a zip at all. */
	fp = fopen(base, "wb");
	fputs("not a zip", fp);
	fclose(fp);
	assert_int_equal(ts_export_share_zip(base, "{}", 2, parts, &share, &bytes, &err),
			 TS_ERR_UNSUPPORTED);
	assert_int_equal(access(parts, F_OK), -1);
	ts_error_release(&err);
}

static void a_missing_part_is_reported(void **state)
{
	struct fixture *f = *state;
	struct ts_export ex;
	struct ts_export_zip z;
	struct ts_error err = { 0 };
	char path[160], *data;
	size_t len;

	make_base(f, "{\"version\": 1}\n", 2, path, sizeof(path));
	data = share_and_read(f, "{\"version\": 2}\n", &len, &ex);
	free(data);
	snprintf(path, sizeof(path), "%s/exports/7/2.zip.parts/tail", f->dir);
	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/exports", f->dir);
	assert_int_equal(ts_export_zip_open(path, &ex, &z, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "export_file_missing");
	ts_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(shared_zip_equals_a_full_one, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_zip64_equals_a_full_one, setup, teardown),
		cmocka_unit_test_setup_teardown(another_layout_is_refused_without_leftovers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_missing_part_is_reported, setup, teardown),
	};
	return cmocka_run_group_tests_name("export/share", tests, NULL, NULL);
}
