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

/* Each process writes in its own folder, locked while it lives: a sweep
 * (another process starting on the same data folder) removes the folders
 * of dead processes only. */
static void keeps_live_process_folders(void **state)
{
	char p[256], mine[4096], dir[4096], cmd[300];
	int fd;
	(void)state;

	snprintf(root, sizeof(root), "/tmp/tessera-sweep-XXXXXX");
	assert_non_null(mkdtemp(root));
	path_in(p, sizeof(p), "tmp");
	assert_int_equal(mkdir(p, 0755), 0);
	/* a dead process's folder: its lock file is there, but no one holds it */
	path_in(p, sizeof(p), "tmp/p1-0123456789abcdef");
	assert_int_equal(mkdir(p, 0755), 0);
	touch("tmp/p1-0123456789abcdef.lock");
	touch("tmp/p1-0123456789abcdef/0.upload");
	touch("tmp/p1-0123456789abcdef/1.jpg");
	/* a folder whose lock file is gone (never a live process's) */
	path_in(p, sizeof(p), "tmp/p2-0123456789abcdef");
	assert_int_equal(mkdir(p, 0755), 0);
	touch("tmp/p2-0123456789abcdef/5.upload");
	/* folders and files of other names stay */
	path_in(p, sizeof(p), "tmp/keep");
	assert_int_equal(mkdir(p, 0755), 0);
	touch("tmp/keep/0.upload");
	touch("tmp/p3.lock");

	/* this process's own folder, with a file being written */
	assert_int_equal(ts_blob_tmp_name(root, ".upload", mine, sizeof(mine)), 0);
	assert_int_equal(ts_blob_tmp_dir(root, dir, sizeof(dir)), 0);
	assert_int_equal(strncmp(mine, dir, strlen(dir)), 0);
	assert_int_equal(strncmp(dir + strlen(root), "/tmp/p", 6), 0);
	fd = open(mine, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(ts_blob_sweep_tmp(root), 3);
	assert_false(exists("tmp/p1-0123456789abcdef"));
	assert_false(exists("tmp/p1-0123456789abcdef.lock"));
	assert_false(exists("tmp/p2-0123456789abcdef"));
	assert_true(exists("tmp/keep/0.upload"));
	assert_true(exists("tmp/p3.lock"));
	assert_int_equal(access(mine, F_OK), 0);
	/* names stay unique, in the same folder */
	assert_int_equal(ts_blob_tmp_name(root, ".upload", p, sizeof(p)), 0);
	assert_string_not_equal(p, mine);
	assert_int_equal(strncmp(p, dir, strlen(dir)), 0);
	assert_int_equal(ts_blob_sweep_tmp(root), 0);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(removes_only_leftovers),
		cmocka_unit_test(keeps_live_process_folders),
	};
	return cmocka_run_group_tests_name("storage/sweep", tests, NULL, NULL);
}
