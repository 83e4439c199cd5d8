/* The bounded blob cache's trim pass: it removes the copies used least
 * recently until the cache is at its target, never one used within the
 * grace period, touches nothing outside blobs/ and thumbs/, and leaves a
 * cache under its limit alone. The keeper thread: a write that passes
 * the limit starts a pass; a copy marked as used survives it. */
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

#include "storage/cache.h"
#include "testdir.h"

static char dir[64];

static void mk(const char *sub)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* A file of len bytes at dir/name, last modified age_s seconds ago. */
static void put(const char *name, size_t len, time_t age_s)
{
	char path[256];
	struct timespec t[2];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < len; i++)
		fputc('x', f);
	assert_int_equal(fclose(f), 0);
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec -= age_s;
	t[1] = t[0];
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static int there(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tessera-cache-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	mk("blobs");
	mk("blobs/sha256");
	mk("blobs/sha256/aa");
	mk("blobs/sha256/bb");
	mk("thumbs");
	mk("thumbs/aa");
	mk("exports");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return ts_test_rmtree(dir);
}

static void oldest_go_first_and_young_ones_stay(void **state)
{
	struct ts_blob_cache_pass pass;
	struct ts_error err = { 0 };

	(void)state;
	put("blobs/sha256/aa/a1", 1000, 86400 * 30); /* a month */
	put("blobs/sha256/bb/b1", 1000, 86400);      /* a day */
	put("thumbs/aa/a1.jpg", 1000, 3600);         /* an hour */
	put("blobs/sha256/aa/a2", 1000, 60);         /* a minute */
	put("blobs/sha256/bb/b2", 1000, 1);          /* just now: within the grace */
	put("exports/v1.zip", 50000, 86400 * 365);   /* not the cache's */
	/* 5,000 bytes against a limit of 4,000: down to 2,500, so the three
	 * oldest go. */
	assert_int_equal(ts_blob_cache_trim(dir, 4000, 2500, 30000, &pass, &err), TS_OK);
	assert_int_equal(pass.before, 5000);
	assert_int_equal(pass.after, 2000);
	assert_int_equal(pass.removed, 3);
	assert_false(there("blobs/sha256/aa/a1"));
	assert_false(there("blobs/sha256/bb/b1"));
	assert_false(there("thumbs/aa/a1.jpg"));
	assert_true(there("blobs/sha256/aa/a2"));
	assert_true(there("blobs/sha256/bb/b2"));
	assert_true(there("exports/v1.zip"));
	/* Under the limit: nothing more goes. */
	assert_int_equal(ts_blob_cache_trim(dir, 4000, 2500, 30000, &pass, &err), TS_OK);
	assert_int_equal(pass.before, 2000);
	assert_int_equal(pass.removed, 0);
}

static void nothing_within_the_grace_period_goes(void **state)
{
	struct ts_blob_cache_pass pass;
	struct ts_error err = { 0 };

	(void)state;
	put("blobs/sha256/aa/a1", 3000, 10);
	put("blobs/sha256/bb/b1", 3000, 5);
	put("blobs/sha256/bb/b2", 3000, 3600);
	/* 9,000 over 1,000: only the hour-old one is past 60 s. */
	assert_int_equal(ts_blob_cache_trim(dir, 1000, 900, 60000, &pass, &err), TS_OK);
	assert_int_equal(pass.removed, 1);
	assert_int_equal(pass.after, 6000);
	assert_true(there("blobs/sha256/aa/a1"));
	assert_true(there("blobs/sha256/bb/b1"));
	assert_false(there("blobs/sha256/bb/b2"));
}

static void many_files_of_one_age_stop_once_enough_is_freed(void **state)
{
	struct ts_blob_cache_pass pass;
	struct ts_error err = { 0 };
	char name[64];

	(void)state;
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "blobs/sha256/aa/f%03d", i);
		put(name, 100, 7200);
	}
	assert_int_equal(ts_blob_cache_trim(dir, 9000, 5000, 0, &pass, &err), TS_OK);
	assert_int_equal(pass.before, 10000);
	assert_int_equal(pass.removed, 50);
	assert_int_equal(pass.after, 5000);
}

static void a_missing_data_folder_is_an_error(void **state)
{
	struct ts_blob_cache_pass pass;
	struct ts_error err = { 0 };

	(void)state;
	assert_int_equal(ts_blob_cache_trim("/nonexistent/tessera", 1, 0, 0, &pass, &err),
			 TS_ERR_IO);
	ts_error_release(&err);
}

static void the_keeper_trims_when_a_write_passes_the_limit(void **state)
{
	struct ts_error err = { 0 };
	char path[256];

	(void)state;
	put("blobs/sha256/aa/old", 4000, 86400);
	put("blobs/sha256/bb/used", 4000, 86400);
	/* 8,000 bytes against 10,000: the first pass leaves them. */
	assert_int_equal(ts_blob_cache_start(dir, 10000, 1000, &err), TS_OK);
	usleep(100000);
	assert_true(there("blobs/sha256/aa/old"));
	/* One is read (marked as used); a new copy passes the limit. */
	snprintf(path, sizeof(path), "%s/blobs/sha256/bb/used", dir);
	ts_blob_cache_used(path);
	put("blobs/sha256/aa/new", 4000, 0);
	snprintf(path, sizeof(path), "%s/blobs/sha256/aa/new", dir);
	ts_blob_cache_added(path);
	for (int i = 0; i < 100 && there("blobs/sha256/aa/old"); i++)
		usleep(20000);
	ts_blob_cache_stop();
	assert_false(there("blobs/sha256/aa/old"));
	assert_true(there("blobs/sha256/bb/used"));
	assert_true(there("blobs/sha256/aa/new"));
	/* Stopped: a write counts for nothing and starts no pass. */
	snprintf(path, sizeof(path), "%s/exports/x", dir);
	put("exports/x", 100, 0);
	ts_blob_cache_added(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(oldest_go_first_and_young_ones_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(nothing_within_the_grace_period_goes, setup, teardown),
		cmocka_unit_test_setup_teardown(many_files_of_one_age_stop_once_enough_is_freed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_missing_data_folder_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(the_keeper_trims_when_a_write_passes_the_limit, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
