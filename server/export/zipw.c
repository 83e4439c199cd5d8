/* Stored zips written as a stream. See zipw.h. */
#include "export/zipw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/banned.h"
#include "core/fdio.h"

#define PATH_LEN 4096
#define OUT_CAP ((size_t)1 << 20) /* the zip's write buffer */
#define CD_CAP ((size_t)64 << 10) /* the central directory's */
#define IN_CAP ((size_t)1 << 20)  /* a file read at once; larger ones stream */
#define LOCAL_LEN 30
#define CENTRAL_LEN 46
#define Z64_EXTRA_MAX (4 + 3 * 8)
/* Version made by: 6.3 (the zip specification libzip follows), UNIX. */
#define MADE_BY (63 | 3 << 8)
#define NEED_FILE 10
#define NEED_DIR 20
#define NEED_ZIP64 45
#define FLAG_UTF8 0x0800
/* 1980-01-01 00:00:00, the earliest DOS date: zip bytes never depend on
 * the clock or the time zone. */
#define DOS_TIME 0
#define DOS_DATE (1 << 5 | 1)
#define ATTR_FILE ((uint32_t)0100644 << 16)
#define ATTR_DIR ((uint32_t)040755 << 16 | 0x10)

struct ts_zipw {
	int fd, cd_fd;
	char path[PATH_LEN];
	uint64_t flushed;    /* bytes of the zip on disk */
	unsigned char *out;  /* what follows them */
	size_t out_len;
	unsigned char *cd;   /* central directory records not yet in cd_fd */
	size_t cd_len;
	uint64_t cd_size;    /* the whole central directory's */
	uint64_t n_entries;
	unsigned char *in;   /* file data being copied */
};

static void put16(unsigned char *p, uint32_t v)
{
	ts_zip_put(p, v, 2);
}

static void put32(unsigned char *p, uint32_t v)
{
	ts_zip_put(p, v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	ts_zip_put(p, v, 8);
}

static enum ts_err fail(struct ts_zipw *w, struct ts_error *err, const char *what,
			const char *path)
{
	return ts_error_set(err, TS_ERR_IO, "export_zip", "zip %s: %s%s%s: %s", w->path, what,
			    *path ? " " : "", path, errno ? strerror(errno) : "unexpected end of file");
}

/* Bytes written to the zip so far. */
static uint64_t offset_of(const struct ts_zipw *w)
{
	return w->flushed + w->out_len;
}

static enum ts_err flush_out(struct ts_zipw *w, struct ts_error *err)
{
	if (w->out_len && ts_write_all(w->fd, w->out, w->out_len) != 0)
		return fail(w, err, "cannot write", "");
	w->flushed += w->out_len;
	w->out_len = 0;
	return TS_OK;
}

static enum ts_err put_out(struct ts_zipw *w, const void *data, size_t len,
			   struct ts_error *err)
{
	const unsigned char *p = data;

	while (len) {
		size_t n = OUT_CAP - w->out_len < len ? OUT_CAP - w->out_len : len;

		memcpy(w->out + w->out_len, p, n);
		w->out_len += n;
		p += n;
		len -= n;
		if (w->out_len == OUT_CAP) {
			enum ts_err e = flush_out(w, err);

			if (e)
				return e;
		}
	}
	return TS_OK;
}

static enum ts_err put_cd(struct ts_zipw *w, const void *data, size_t len,
			  struct ts_error *err)
{
	if (w->cd_len + len > CD_CAP) {
		if (ts_write_all(w->cd_fd, w->cd, w->cd_len) != 0)
			return fail(w, err, "cannot write", "its central directory");
		w->cd_len = 0;
	}
	memcpy(w->cd + w->cd_len, data, len);
	w->cd_len += len;
	w->cd_size += len;
	return TS_OK;
}

enum ts_err ts_zipw_open(const char *path, struct ts_zipw **out, struct ts_error *err)
{
	struct ts_zipw *w = ts_xcalloc(1, sizeof(*w));
	char cd_path[PATH_LEN + 4];

	*out = NULL;
	w->fd = w->cd_fd = -1;
	if (strlen(path) >= sizeof(w->path)) {
		free(w);
		return ts_error_set(err, TS_ERR_IO, "export_zip", "zip path too long");
	}
	memcpy(w->path, path, strlen(path) + 1);
	snprintf(cd_path, sizeof(cd_path), "%s.cd", path);
	errno = 0;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		ts_zipw_abort(w);
		return ts_error_set(err, TS_ERR_IO, "export_zip", "cannot create %s: %s", path,
				    strerror(errno));
	}
	/* Nameless from the start: a crash leaves nothing of it behind. */
	w->cd_fd = open(cd_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->cd_fd < 0 || unlink(cd_path) != 0) {
		int saved = errno;

		ts_zipw_abort(w);
		return ts_error_set(err, TS_ERR_IO, "export_zip", "cannot create %s: %s", cd_path,
				    strerror(saved));
	}
	w->out = ts_xmalloc(OUT_CAP);
	w->cd = ts_xmalloc(CD_CAP);
	w->in = ts_xmalloc(IN_CAP);
	*out = w;
	return TS_OK;
}

static int is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* The fields a local header and a central record share, in the same
 * order: flags, method (stored), DOS time and date, CRC, both sizes. */
static void put_common(unsigned char *p, uint32_t flags, uint32_t crc, uint32_t size32)
{
	put16(p, flags);
	put16(p + 2, 0);
	put16(p + 4, DOS_TIME);
	put16(p + 6, DOS_DATE);
	put32(p + 8, crc);
	put32(p + 12, size32);
	put32(p + 16, size32);
}

/* One entry's local header (into the zip) and central record (into the
 * central directory); sizes at or past 4 GiB and offsets past 4 GiB go to a
 * zip64 extra field, as libzip writes them. Returns the local header's
 * offset in *at. */
static enum ts_err put_headers(struct ts_zipw *w, const char *name, int dir, uint64_t size,
			       uint32_t crc, uint64_t *at, struct ts_error *err)
{
	unsigned char h[CENTRAL_LEN + Z64_EXTRA_MAX];
	size_t name_len = strlen(name), extra = 0;
	uint64_t off = offset_of(w);
	int big = size >= TS_ZIP_MAX32, far = off >= TS_ZIP_MAX32;
	uint32_t flags = is_ascii(name) ? 0 : FLAG_UTF8;
	uint32_t need = dir ? NEED_DIR : NEED_FILE;
	enum ts_err e;

	if (name_len == 0 || name_len > 0xFFFF)
		return ts_error_set(err, TS_ERR_IO, "export_zip", "zip %s: bad entry name length",
				    w->path);
	*at = off;
	/* Local header. */
	put32(h, TS_ZIP_SIG_LOCAL);
	put16(h + 4, big ? NEED_ZIP64 : need);
	put_common(h + 6, flags, crc, big ? TS_ZIP_MAX32 : (uint32_t)size);
	put16(h + 26, (uint32_t)name_len);
	put16(h + 28, big ? 20 : 0);
	e = put_out(w, h, LOCAL_LEN, err);
	if (!e)
		e = put_out(w, name, name_len, err);
	if (!e && big) {
		put16(h, 1);
		put16(h + 2, 16);
		put64(h + 4, size);
		put64(h + 12, size);
		e = put_out(w, h, 20, err);
	}
	if (e)
		return e;
	/* Central record. */
	put32(h, TS_ZIP_SIG_CENTRAL);
	put16(h + 4, MADE_BY);
	put16(h + 6, big || far ? NEED_ZIP64 : need);
	put_common(h + 8, flags, crc, big ? TS_ZIP_MAX32 : (uint32_t)size);
	put16(h + 28, (uint32_t)name_len);
	put16(h + 32, 0); /* comment */
	put16(h + 34, 0); /* disk */
	put16(h + 36, 0); /* internal attributes */
	put32(h + 38, dir ? ATTR_DIR : ATTR_FILE);
	put32(h + 42, far ? TS_ZIP_MAX32 : (uint32_t)off);
	if (big || far) {
		unsigned char *x = h + CENTRAL_LEN;

		extra = 4;
		if (big) {
			put64(x + extra, size);
			put64(x + extra + 8, size);
			extra += 16;
		}
		if (far) {
			put64(x + extra, off);
			extra += 8;
		}
		put16(x, 1);
		put16(x + 2, (uint32_t)(extra - 4));
	}
	put16(h + 30, (uint32_t)extra);
	e = put_cd(w, h, CENTRAL_LEN, err);
	if (!e)
		e = put_cd(w, name, name_len, err);
	if (!e && extra)
		e = put_cd(w, h + CENTRAL_LEN, extra, err);
	if (!e)
		w->n_entries++;
	return e;
}

/* The CRC of bytes [0, size) of fd. */
static enum ts_err crc_of(struct ts_zipw *w, int fd, uint64_t size, const char *src_path,
			  uint32_t *crc, struct ts_error *err)
{
	for (uint64_t done = 0; done < size;) {
		size_t want = size - done < IN_CAP ? (size_t)(size - done) : IN_CAP;

		if (ts_pread_all(fd, w->in, want, done) != 0)
			return fail(w, err, "cannot read", src_path);
		*crc = (uint32_t)crc32(*crc, w->in, (uInt)want);
		done += want;
	}
	return TS_OK;
}

enum ts_err ts_zipw_add_file(struct ts_zipw *w, const char *name, const char *src_path,
			     struct ts_error *err)
{
	struct stat st;
	uint64_t size, at = 0, done = 0;
	uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0), again = crc;
	enum ts_err e = TS_OK;
	int fd;

	errno = 0;
	fd = open(src_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0 && !errno)
			errno = EINVAL;
		e = fail(w, err, "cannot read", src_path);
		goto out;
	}
	size = (uint64_t)st.st_size;
	if (size <= IN_CAP) {
		/* Small: read once, header and data written together. */
		if (size && ts_pread_all(fd, w->in, (size_t)size, 0) != 0) {
			e = fail(w, err, "cannot read", src_path);
			goto out;
		}
		crc = (uint32_t)crc32(crc, w->in, (uInt)size);
		e = put_headers(w, name, 0, size, crc, &at, err);
		if (!e)
			e = put_out(w, w->in, (size_t)size, err);
		goto out;
	}
	/* Large: a first pass for the CRC the header needs, then the copy,
	 * checked against it. */
	e = crc_of(w, fd, size, src_path, &crc, err);
	if (!e)
		e = put_headers(w, name, 0, size, crc, &at, err);
	while (!e && done < size) {
		size_t want = size - done < IN_CAP ? (size_t)(size - done) : IN_CAP;

		if (ts_pread_all(fd, w->in, want, done) != 0) {
			e = fail(w, err, "cannot read", src_path);
			break;
		}
		again = (uint32_t)crc32(again, w->in, (uInt)want);
		e = put_out(w, w->in, want, err);
		done += want;
	}
	if (!e && again != crc)
		e = ts_error_set(err, TS_ERR_IO, "export_zip", "zip %s: %s changed while it was read",
				 w->path, src_path);
out:
	if (fd >= 0)
		close(fd);
	return e;
}

enum ts_err ts_zipw_add_dir(struct ts_zipw *w, const char *name, struct ts_error *err)
{
	char full[PATH_LEN];
	size_t len = strlen(name);
	uint64_t at;

	if (len + 2 > sizeof(full))
		return ts_error_set(err, TS_ERR_IO, "export_zip", "zip %s: entry name too long",
				    w->path);
	memcpy(full, name, len);
	if (!len || full[len - 1] != '/')
		full[len++] = '/';
	full[len] = '\0';
	return put_headers(w, full, 1, 0, 0, &at, err);
}

/* The end records after the central directory at cd_off. */
static enum ts_err put_end(struct ts_zipw *w, uint64_t cd_off, struct ts_error *err)
{
	unsigned char h[56 + 20 + 22];
	size_t n = 0;
	uint64_t entries = w->n_entries;
	int z64 = entries >= 0xFFFF || w->cd_size >= TS_ZIP_MAX32 || cd_off >= TS_ZIP_MAX32;

	if (z64) {
		uint64_t at = offset_of(w);

		put32(h, TS_ZIP_SIG_Z64_EOCD);
		put64(h + 4, 44);
		put16(h + 12, NEED_ZIP64);
		put16(h + 14, NEED_ZIP64);
		put32(h + 16, 0);
		put32(h + 20, 0);
		put64(h + 24, entries);
		put64(h + 32, entries);
		put64(h + 40, w->cd_size);
		put64(h + 48, cd_off);
		put32(h + 56, TS_ZIP_SIG_Z64_LOCATOR);
		put32(h + 60, 0);
		put64(h + 64, at);
		put32(h + 72, 1);
		n = 76;
	}
	put32(h + n, TS_ZIP_SIG_EOCD);
	put16(h + n + 4, 0);
	put16(h + n + 6, 0);
	put16(h + n + 8, entries >= 0xFFFF ? 0xFFFF : (uint32_t)entries);
	put16(h + n + 10, entries >= 0xFFFF ? 0xFFFF : (uint32_t)entries);
	put32(h + n + 12, w->cd_size >= TS_ZIP_MAX32 ? TS_ZIP_MAX32 : (uint32_t)w->cd_size);
	put32(h + n + 16, cd_off >= TS_ZIP_MAX32 ? TS_ZIP_MAX32 : (uint32_t)cd_off);
	put16(h + n + 20, 0);
	return put_out(w, h, n + 22, err);
}

enum ts_err ts_zipw_finish(struct ts_zipw *w, struct ts_error *err)
{
	uint64_t cd_off = offset_of(w), copied = 0;
	enum ts_err e = TS_OK;

	errno = 0;
	if (w->cd_len && ts_write_all(w->cd_fd, w->cd, w->cd_len) != 0)
		e = fail(w, err, "cannot write", "its central directory");
	w->cd_len = 0;
	while (!e && copied < w->cd_size) {
		size_t want = w->cd_size - copied < IN_CAP ? (size_t)(w->cd_size - copied) : IN_CAP;

		if (ts_pread_all(w->cd_fd, w->in, want, copied) != 0)
			e = fail(w, err, "cannot read", "its central directory");
		else
			e = put_out(w, w->in, want, err);
		copied += want;
	}
	if (!e)
		e = put_end(w, cd_off, err);
	if (!e)
		e = flush_out(w, err);
	if (!e && fsync(w->fd) != 0)
		e = fail(w, err, "cannot sync", "");
	if (!e && close(w->fd) != 0)
		e = fail(w, err, "cannot close", "");
	else if (!e)
		w->fd = -1;
	ts_zipw_abort(w);
	return e;
}

void ts_zipw_abort(struct ts_zipw *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		close(w->fd);
	if (w->cd_fd >= 0)
		close(w->cd_fd);
	free(w->out);
	free(w->cd);
	free(w->in);
	free(w);
}
