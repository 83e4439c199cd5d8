/* Small helpers shared by the export unit tests (header-only).
 *
 * Tests find the repository through the environment variable TESSERA_SRCDIR
 * (default "."), so run them from the repository root or set it. */
#ifndef TS_TEST_UTIL_H
#define TS_TEST_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

static inline const char *tu_srcdir(void)
{
	const char *s = getenv("TESSERA_SRCDIR");

	return s && *s ? s : ".";
}

/* Path under the repository; returns a static buffer (one at a time). */
static inline const char *tu_src(const char *rel)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", tu_srcdir(), rel);
	return path;
}

/* Reads a whole file into a NUL-terminated malloc'd buffer, or NULL. */
static inline char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct ts_buf b;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	ts_buf_init(&b, (size_t)1 << 30);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (ts_buf_add(&b, chunk, n))
			break;
	fclose(f);
	return ts_buf_take(&b, len);
}

static inline int tu_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(data, 1, len, f) == len;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

static inline int tu_copy_file(const char *from, const char *to)
{
	size_t len;
	char *data = tu_read_file(from, &len);
	int rc;

	if (!data)
		return -1;
	rc = tu_write_file(to, data, len);
	free(data);
	return rc;
}

/* Copies a directory tree of regular files (one level of subdirectories
 * is enough for an export). */
static inline int tu_copy_tree(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;
	int rc = 0;

	if (!d || mkdir(to, 0755) != 0) {
		if (d)
			closedir(d);
		return -1;
	}
	while (rc == 0 && (de = readdir(d))) {
		char a[4096], b[4096];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(a, sizeof(a), "%s/%s", from, de->d_name) >= (int)sizeof(a) ||
		    snprintf(b, sizeof(b), "%s/%s", to, de->d_name) >= (int)sizeof(b) ||
		    stat(a, &st) != 0)
			rc = -1;
		else if (S_ISDIR(st.st_mode))
			rc = tu_copy_tree(a, b);
		else
			rc = tu_copy_file(a, b);
	}
	closedir(d);
	return rc;
}

static inline int tu_remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return unlink(path);
	while ((de = readdir(d))) {
		char p[4096];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", path, de->d_name) < (int)sizeof(p))
			tu_remove_tree(p);
	}
	closedir(d);
	return rmdir(path);
}

/* Replaces the first occurrence of `from` by `to` in a file. */
static inline int tu_replace_in_file(const char *path, const char *from, const char *to)
{
	size_t len;
	char *data = tu_read_file(path, &len);
	char *at;
	struct ts_buf b;
	int rc = -1;

	if (!data)
		return -1;
	at = strstr(data, from);
	if (at) {
		ts_buf_init(&b, (size_t)1 << 30);
		ts_buf_add(&b, data, (size_t)(at - data));
		ts_buf_adds(&b, to);
		ts_buf_adds(&b, at + strlen(from));
		rc = tu_write_file(path, b.ptr, b.len);
		ts_buf_release(&b);
	}
	free(data);
	return rc;
}

#endif
