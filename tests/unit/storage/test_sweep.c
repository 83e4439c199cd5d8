/* ts_blob_sweep_tmp: what a dead process left in DATA/tmp goes, nothing else. */
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
#include <unistd.h>

#include "storage/blobs.h"

static char root[64];

static void path_in(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", root, rel);
}

static void touch(const char *rel)
{
	char p[256];
	int fd;

	path_in(p, sizeof(p), rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static int exists(const char *rel)
{
	char p[256];
	struct stat st;

	path_in(p, sizeof(p), rel);
	return lstat(p, &st) == 0;
}

static void removes_only_leftovers(void **state)
{
	char p[256], target[256];
	(void)state;

	snprintf(root, sizeof(root), "/tmp/tessera-sweep-XXXXXX");
	assert_non_null(mkdtemp(root));
	path_in(p, sizeof(p), "tmp");
	assert_int_equal(mkdir(p, 0755), 0);
	touch("tmp/123-456-0.upload");
	touch("tmp/.readyz-AbC123");
	touch("tmp/notes.txt");
	touch("tmp/upload");
	touch("outside.upload");
	/* a symlink and a folder with the suffix are not regular files */
	path_in(target, sizeof(target), "outside.upload");
	path_in(p, sizeof(p), "tmp/link.upload");
	assert_int_equal(symlink(target, p), 0);
	path_in(p, sizeof(p), "tmp/dir.upload");
	assert_int_equal(mkdir(p, 0755), 0);

	assert_int_equal(ts_blob_sweep_tmp(root), 2);
	assert_false(exists("tmp/123-456-0.upload"));
	assert_false(exists("tmp/.readyz-AbC123"));
	assert_true(exists("tmp/notes.txt"));
	assert_true(exists("tmp/upload"));
	assert_true(exists("tmp/link.upload"));
	assert_true(exists("tmp/dir.upload"));
	assert_true(exists("outside.upload"));
	/* a second sweep has nothing to do; a missing folder is no error */
	assert_int_equal(ts_blob_sweep_tmp(root), 0);
	assert_int_equal(ts_blob_sweep_tmp("/nonexistent/tessera"), 0);

	path_in(p, sizeof(p), "tmp/link.upload");
	unlink(p);
	path_in(p, sizeof(p), "tmp/dir.upload");
	rmdir(p);
	path_in(p, sizeof(p), "tmp/notes.txt");
	unlink(p);
	path_in(p, sizeof(p), "tmp/upload");
	unlink(p);
	path_in(p, sizeof(p), "tmp");
	rmdir(p);
	path_in(p, sizeof(p), "outside.upload");
	unlink(p);
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(removes_only_leftovers),
	};
	return cmocka_run_group_tests_name("storage/sweep", tests, NULL, NULL);
}
