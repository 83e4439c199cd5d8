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

#include <zlib.h>

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

/* A w x h grey PNG whose pixels depend on seed, into out (cap bytes, at
 * least 8 KiB); every row's filter byte is filter (0 for a whole image, 5
 * and above for one that does not decode although its CRCs are good).
 * Returns its length, 0 if out is too small. */
static inline size_t tu_png(int seed, unsigned w, unsigned h, unsigned char filter,
			    unsigned char *out, size_t cap)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
	unsigned char raw[4096], z[4096 + 64], ihdr[13] = { 0 };
	uLongf zlen = sizeof(z);
	size_t n = 0, rawlen = (size_t)(w + 1) * h;
	const struct { const char *type; const unsigned char *data; size_t len; } chunks[3] = {
		{ "IHDR", ihdr, 13 }, { "IDAT", z, 0 }, { "IEND", NULL, 0 } };

	if (rawlen > sizeof(raw) || cap < 8 + 3 * 12 + 13 + sizeof(z))
		return 0;
	for (unsigned y = 0; y < h; y++) {
		raw[y * (w + 1)] = filter;
		for (unsigned x = 0; x < w; x++)
			raw[y * (w + 1) + 1 + x] = (unsigned char)(seed * 31 + x * 7 + y * 13);
	}
	if (compress(z, &zlen, raw, rawlen) != Z_OK)
		return 0;
	for (int i = 0; i < 4; i++) {
		ihdr[i] = (unsigned char)(w >> (24 - 8 * i));
		ihdr[4 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	ihdr[8] = 8; /* depth 8, grey, deflate, no filter choice, not interlaced */
	memcpy(out, sig, 8);
	n = 8;
	for (int i = 0; i < 3; i++) {
		size_t len = i == 1 ? zlen : chunks[i].len;
		uLong crc;

		out[n] = (unsigned char)(len >> 24);
		out[n + 1] = (unsigned char)(len >> 16);
		out[n + 2] = (unsigned char)(len >> 8);
		out[n + 3] = (unsigned char)len;
		memcpy(out + n + 4, chunks[i].type, 4);
		if (len)
			memcpy(out + n + 8, chunks[i].data, len);
		crc = crc32(0L, out + n + 4, (uInt)(len + 4));
		out[n + 8 + len] = (unsigned char)(crc >> 24);
		out[n + 9 + len] = (unsigned char)(crc >> 16);
		out[n + 10 + len] = (unsigned char)(crc >> 8);
		out[n + 11 + len] = (unsigned char)crc;
		n += 12 + len;
	}
	return n;
}

#endif
