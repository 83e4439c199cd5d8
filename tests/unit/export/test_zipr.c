/* The zip reader (server/export/zipr.c) on zips libzip writes (stored and
 * deflated entries) and on one the export writer (export/zipw.c) writes
 * with zip64 end records (more than 65,535 entries): every entry is
 * listed, in order, and reads back byte for byte; a changed byte, a
 * truncated zip and a file that is no zip are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "export/zipr.h"
#include "export/zipw.h"
#include "test_util.h"
#include "core/banned.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tessera-zipr-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	tu_remove_tree(dir);
	return 0;
}

/* Content of entry i: len bytes, compressible or not. */
static char *content(size_t i, size_t *len)
{
	size_t n = i == 0 ? 0 : i == 1 ? 200000 : 100 * i + 7;
	char *p = malloc(n + 1);

	for (size_t k = 0; k < n; k++)
		p[k] = (char)(i % 2 ? 'a' + k % 7 : (k * 2654435761u >> 13) & 0xff);
	*len = n;
	return p;
}

/* Reads the member at at whole: its bytes (malloc'd), or NULL with why. */
static char *read_all(struct ts_zipr *z, uint64_t at, size_t *len, char *why, size_t wn)
{
	struct ts_zipr_file *f = ts_zipr_fopen(z, at, why, wn);
	char *out = NULL, buf[3000];
	ssize_t n;

	*len = 0;
	if (!f)
		return NULL;
	out = malloc(1);
	while ((n = ts_zipr_fread(f, buf, sizeof(buf), why, wn)) > 0) {
		out = realloc(out, *len + (size_t)n + 1);
		memcpy(out + *len, buf, (size_t)n);
		*len += (size_t)n;
	}
	ts_zipr_fclose(f);
	if (n < 0) {
		free(out);
		return NULL;
	}
	return out;
}

#define N_LIBZIP 12

static void write_libzip(const char *path)
{
	int e = 0;
	zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &e);

	assert_non_null(za);
	for (size_t i = 0; i < N_LIBZIP; i++) {
		char name[64];
		size_t len;
		char *data = content(i, &len);
		zip_source_t *src;
		zip_int64_t idx;

		if (!len) { /* libzip does not free an empty buffer */
			free(data);
			data = NULL;
		}
		src = zip_source_buffer(za, data, len, len > 0);

		snprintf(name, sizeof(name), "dir/entry-%zu.bin", i);
		idx = zip_file_add(za, name, src, 0);
		assert_true(idx >= 0);
		assert_int_equal(zip_set_file_compression(za, (zip_uint64_t)idx,
							  i % 3 ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0),
				 0);
	}
	assert_true(zip_dir_add(za, "folder/", 0) >= 0);
	assert_int_equal(zip_close(za), 0);
}

static void test_libzip_entries(void **state)
{
	char path[128], why[160];
	struct ts_zipr *z;
	const char *name;
	uint64_t at[N_LIBZIP];
	size_t n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/libzip.zip", dir);
	write_libzip(path);
	z = ts_zipr_open(path, why, sizeof(why));
	assert_non_null(z);
	assert_int_equal(ts_zipr_entries(z), N_LIBZIP + 1);
	for (;;) {
		uint64_t a;
		int r = ts_zipr_next(z, &name, &a, why, sizeof(why));
		char want[64];

		assert_true(r >= 0);
		if (!r)
			break;
		if (n < N_LIBZIP) {
			snprintf(want, sizeof(want), "dir/entry-%zu.bin", n);
			assert_string_equal(name, want);
			at[n] = a;
		} else {
			assert_string_equal(name, "folder/");
		}
		n++;
	}
	assert_int_equal(n, N_LIBZIP + 1);
	for (size_t i = 0; i < N_LIBZIP; i++) {
		size_t len, got_len;
		char *want = content(i, &len), *got = read_all(z, at[i], &got_len, why, sizeof(why));

		if (!got)
			fail_msg("entry %zu: %s", i, why);
		assert_int_equal(got_len, len);
		assert_memory_equal(got, want, len);
		free(got);
		free(want);
	}
	ts_zipr_close(z);
}

/* A changed byte of a member's data: its CRC-32 no longer matches. */
static void test_changed_byte(void **state)
{
	char path[128], why[160];
	struct ts_zipr *z;
	const char *name;
	uint64_t at = 0, a;
	size_t len;
	char *bytes, *got;

	(void)state;
	snprintf(path, sizeof(path), "%s/changed.zip", dir);
	write_libzip(path);
	bytes = tu_read_file(path, &len);
	/* entry 3 (stored, 307 bytes): its data follow its local header */
	{
		char *p = memmem(bytes, len, "dir/entry-3.bin", 15);

		assert_non_null(p);
		p[15 + 100] ^= 1;
	}
	assert_int_equal(tu_write_file(path, bytes, len), 0);
	free(bytes);
	z = ts_zipr_open(path, why, sizeof(why));
	assert_non_null(z);
	while (ts_zipr_next(z, &name, &a, why, sizeof(why)) > 0)
		if (!strcmp(name, "dir/entry-3.bin"))
			at = a;
	got = read_all(z, at, &len, why, sizeof(why));
	assert_null(got);
	assert_string_equal(why, "CRC error");
	ts_zipr_close(z);
}

static void test_not_zips(void **state)
{
	char path[128], why[160];
	size_t len;
	char *bytes;

	(void)state;
	snprintf(path, sizeof(path), "%s/trunc.zip", dir);
	write_libzip(path);
	bytes = tu_read_file(path, &len);
	assert_int_equal(tu_write_file(path, bytes, len - 10), 0);
	free(bytes);
	assert_null(ts_zipr_open(path, why, sizeof(why)));
	assert_string_equal(why, "not a zip archive (no end of central directory record)");
	assert_int_equal(tu_write_file(path, "{\"a\": 1}", 8), 0);
	assert_null(ts_zipr_open(path, why, sizeof(why)));
	assert_string_equal(why, "not a zip archive (too short)");
	snprintf(path, sizeof(path), "%s/missing.zip", dir);
	assert_null(ts_zipr_open(path, why, sizeof(why)));
	assert_string_equal(why, "No such file or directory");
}

/* zip64 end records: 70,000 entries written by the export's writer. */
static void test_zip64_entries(void **state)
{
	char path[128], src[128], why[160];
	struct ts_zipw *w;
	struct ts_error err = { 0 };
	struct ts_zipr *z;
	const char *name;
	uint64_t a, last = 0;
	size_t n = 0, len;
	char *got;

	(void)state;
	snprintf(src, sizeof(src), "%s/src", dir);
	assert_int_equal(tu_write_file(src, "tessera", 7), 0);
	snprintf(path, sizeof(path), "%s/many.zip", dir);
	assert_int_equal(ts_zipw_open(path, &w, &err), TS_OK);
	for (size_t i = 0; i < 70000; i++) {
		char entry[32];

		snprintf(entry, sizeof(entry), "images/%zu.png", i);
		assert_int_equal(ts_zipw_add_file(w, entry, src, &err), TS_OK);
	}
	assert_int_equal(ts_zipw_finish(w, &err), TS_OK);
	z = ts_zipr_open(path, why, sizeof(why));
	if (!z)
		fail_msg("%s", why);
	assert_int_equal(ts_zipr_entries(z), 70000);
	while (ts_zipr_next(z, &name, &a, why, sizeof(why)) > 0) {
		char want[32];

		snprintf(want, sizeof(want), "images/%zu.png", n++);
		assert_string_equal(name, want);
		last = a;
	}
	assert_int_equal(n, 70000);
	got = read_all(z, last, &len, why, sizeof(why));
	assert_non_null(got);
	assert_int_equal(len, 7);
	assert_memory_equal(got, "tessera", 7);
	free(got);
	ts_zipr_close(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libzip_entries),
		cmocka_unit_test(test_changed_byte),
		cmocka_unit_test(test_not_zips),
		cmocka_unit_test(test_zip64_entries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
