/* Temporary folders for unit tests: one way to remove them, without a
 * shell. Header-only; tests build with -Itests/unit. */
#ifndef TS_TEST_TESTDIR_H
#define TS_TEST_TESTDIR_H

#include <ftw.h>
#include <stdio.h>

static int ts_test_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes dir and everything under it (links are removed, not followed).
 * Returns 0, or -1 when something could not be removed. */
static inline int ts_test_rmtree(const char *dir)
{
	return nftw(dir, ts_test_rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : -1;
}

#endif
