/* The streaming zip writer against libzip: the same entries (files of
 * several sizes, folders, a UTF-8 name, more than 65,535 entries for the
 * zip64 end records) give the same bytes as libzip writes with the calls
 * the export build used to make, and libzip reads every entry back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#include "export/zipw.h"
#include "testdir.h"

struct entry {
	const char *name;
	const char *src; /* NULL: a folder */
};

static char dir[64];

static void write_src(const char *name, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < len; i++)
		fputc((int)((i * 131 + len) & 0xff), f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tessera-zipw-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	write_src("empty", 0);
	write_src("small", 5000);
	write_src("edge", (size_t)1 << 20);          /* exactly one read buffer */
	write_src("large", ((size_t)3 << 20) + 17); /* streamed in three passes */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return ts_test_rmtree(dir);
}

/* libzip's 1980-01-01 local time gives the DOS fields 0 and 0x21. */
static time_t dos_epoch(void)
{
	struct tm tm = { 0 };

	tm.tm_year = 80;
	tm.tm_mday = 1;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

static void write_libzip(const char *zip_path, const struct entry *es, size_t n)
{
	char src[128];
	int zerr = 0;
	zip_t *za = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);

	assert_non_null(za);
	for (size_t i = 0; i < n; i++) {
		zip_int64_t idx;

		if (es[i].src) {
			snprintf(src, sizeof(src), "%s/%s", dir, es[i].src);
			idx = zip_file_add(za, es[i].name, zip_source_file(za, src, 0, -1), 0);
			assert_true(idx >= 0);
			assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx,
								  ZIP_CM_STORE, 0), 0);
			assert_int_equal(zip_file_set_external_attributes(
						 za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
						 (zip_uint32_t)0100644 << 16), 0);
		} else {
			idx = zip_dir_add(za, es[i].name, 0);
			assert_true(idx >= 0);
			assert_int_equal(zip_file_set_external_attributes(
						 za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
						 (zip_uint32_t)(040755 << 16) | 0x10), 0);
		}
		assert_int_equal(zip_file_set_mtime(za, (zip_uint64_t)idx, dos_epoch(), 0), 0);
	}
	assert_int_equal(zip_close(za), 0);
}

static void write_ours(const char *zip_path, const struct entry *es, size_t n)
{
	struct ts_zipw *w = NULL;
	struct ts_error err = { 0 };
	char src[128];

	assert_int_equal(ts_zipw_open(zip_path, &w, &err), TS_OK);
	for (size_t i = 0; i < n; i++) {
		if (es[i].src) {
			snprintf(src, sizeof(src), "%s/%s", dir, es[i].src);
			assert_int_equal(ts_zipw_add_file(w, es[i].name, src, &err), TS_OK);
		} else {
			assert_int_equal(ts_zipw_add_dir(w, es[i].name, &err), TS_OK);
		}
	}
	assert_int_equal(ts_zipw_finish(w, &err), TS_OK);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *p;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_int_equal(fstat(fileno(f), &st), 0);
	*len = (size_t)st.st_size;
	p = malloc(*len ? *len : 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, *len, f), *len);
	fclose(f);
	return p;
}

static void assert_same_as_libzip(const struct entry *es, size_t n)
{
	char a[128], b[128];
	size_t la, lb;
	unsigned char *pa, *pb;
	zip_t *za;
	int zerr = 0;

	snprintf(a, sizeof(a), "%s/libzip.zip", dir);
	snprintf(b, sizeof(b), "%s/ours.zip", dir);
	write_libzip(a, es, n);
	write_ours(b, es, n);
	pa = slurp(a, &la);
	pb = slurp(b, &lb);
	assert_int_equal(lb, la);
	for (size_t i = 0; i < la; i++)
		if (pa[i] != pb[i])
			fail_msg("byte %zu differs: libzip %02x, ours %02x", i, pa[i], pb[i]);
	free(pa);
	free(pb);
	/* And libzip reads it, every entry's data checked (CRC). */
	za = zip_open(b, ZIP_CHECKCONS | ZIP_RDONLY, &zerr);
	assert_non_null(za);
	assert_int_equal(zip_get_num_entries(za, 0), (zip_int64_t)n);
	for (size_t i = 0; i < n; i++) {
		char buf[65536];
		zip_file_t *zf = zip_fopen_index(za, i, 0);

		assert_non_null(zf);
		while (zip_fread(zf, buf, sizeof(buf)) > 0)
			;
		assert_int_equal(zip_fclose(zf), 0);
	}
	zip_discard(za);
	/* No central directory file is left beside the zip. */
	snprintf(a, sizeof(a), "%s/ours.zip.cd", dir);
	assert_int_equal(access(a, F_OK), -1);
}

static void test_entries_like_libzip(void **state)
{
	static const struct entry es[] = {
		{ "manifest.json", "small" },  { "annotations.json", "large" },
		{ "images", NULL },            { "images/a.jpg", "small" },
		{ "images/empty.png", "empty" }, { "images/edge.jpg", "edge" },
		{ "train/", NULL },            { "train/0_caf\xc3\xa9/x.jpg", "small" },
		{ "labels", NULL },            { "labels/a.txt", "small" },
	};

	(void)state;
	assert_same_as_libzip(es, sizeof(es) / sizeof(es[0]));
}

/* 70,000 entries: the counts go to zip64 end records. */
static void test_many_entries_like_libzip(void **state)
{
	size_t n = 70000;
	struct entry *es = calloc(n, sizeof(*es));
	char (*names)[32] = calloc(n, sizeof(*names));

	(void)state;
	assert_non_null(es);
	assert_non_null(names);
	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "images/%06zu.jpg", i);
		es[i].name = names[i];
		es[i].src = i % 1000 ? "empty" : "small";
	}
	assert_same_as_libzip(es, n);
	free(es);
	free(names);
}

static void test_bad_input(void **state)
{
	struct ts_zipw *w = NULL;
	struct ts_error err = { 0 };
	char path[128], src[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.zip", dir);
	assert_int_equal(ts_zipw_open(path, &w, &err), TS_OK);
	snprintf(src, sizeof(src), "%s/missing", dir);
	assert_int_equal(ts_zipw_add_file(w, "x", src, &err), TS_ERR_IO);
	assert_string_equal(err.code, "export_zip");
	ts_error_release(&err);
	/* A folder is not a file. */
	assert_int_equal(ts_zipw_add_file(w, "x", dir, &err), TS_ERR_IO);
	ts_error_release(&err);
	snprintf(src, sizeof(src), "%s/small", dir);
	assert_int_equal(ts_zipw_add_file(w, "", src, &err), TS_ERR_IO);
	ts_error_release(&err);
	ts_zipw_abort(w);
	/* A zip where none can be made. */
	assert_int_equal(ts_zipw_open("/nonexistent-dir/x.zip", &w, &err), TS_ERR_IO);
	assert_null(w);
	ts_error_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_like_libzip),
		cmocka_unit_test(test_many_entries_like_libzip),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
