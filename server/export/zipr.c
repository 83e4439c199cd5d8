/* The zip reader (see zipr.h): the end records are found in the last
 * 64 KB of the file, the central directory is read through a window of
 * WINDOW bytes, and a member is read with pread (stored) or through zlib
 * (deflated), its CRC-32 and size checked at its end. */
#include "export/zipr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/error.h"
#include "core/fdio.h"
#include "export/zipw.h"
#include "core/banned.h"

#define CHUNK ((size_t)64 << 10)
#define WINDOW ((size_t)128 << 10) /* holds a record: 46 bytes and a name < 64 KB */
#define EOCD_LEN 22
#define Z64_LOCATOR_LEN 20
#define Z64_EOCD_LEN 56
#define CENTRAL_LEN 46
#define LOCAL_LEN 30
#define FLAG_ENCRYPTED 1u

struct ts_zipr {
	int fd;
	uint64_t size;
	uint64_t cd_off, cd_end, n_entries;
	uint64_t pos, seen; /* the next record of the directory */
	unsigned char *win;  /* file bytes [win_at, win_at + win_len) */
	uint64_t win_at;
	size_t win_len;
	char name[65536];
};

struct ts_zipr_file {
	struct ts_zipr *z;
	int method;
	uint32_t crc, crc_want;
	uint64_t uncomp, out; /* size said, bytes given */
	uint64_t at, left;    /* the next compressed byte, and how many are left */
	int ended;            /* the deflate stream ended */
	int done;
	int inflating;
	z_stream zs;
	unsigned char in[CHUNK];
};

static void *why(char *w, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Sets the reason; returns NULL (callers returning -1 do so themselves). */
static void *why(char *w, size_t n, const char *fmt, ...)
{
	va_list ap;

	if (w && n) {
		va_start(ap, fmt);
		vsnprintf(w, n, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

static const char *read_error(void)
{
	return errno ? strerror(errno) : "the file ends early";
}

#define GET16(p) ((unsigned)ts_zip_get((p), 2))
#define GET32(p) ((uint32_t)ts_zip_get((p), 4))
#define GET64(p) ts_zip_get((p), 8)

int ts_zip_find_ends(int fd, uint64_t size, struct ts_zip_ends *out, char *w, size_t wn)
{
	unsigned char *tail, *e = NULL, loc[Z64_LOCATOR_LEN], z64[Z64_EOCD_LEN];
	uint64_t tail_at, limit, n_disk;
	unsigned disk, cd_disk;
	size_t tail_len;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (size < EOCD_LEN) {
		why(w, wn, "not a zip archive (too short)");
		return -1;
	}
	tail_len = size < EOCD_LEN + 65535 ? (size_t)size : EOCD_LEN + 65535;
	tail_at = size - tail_len;
	tail = ts_xmalloc(tail_len);
	if (ts_pread_all(fd, tail, tail_len, tail_at)) {
		why(w, wn, "cannot read: %s", read_error());
		goto out;
	}
	/* The last end record whose comment fits in the file. */
	for (size_t i = tail_len - EOCD_LEN + 1; i-- > 0;)
		if (GET32(tail + i) == TS_ZIP_SIG_EOCD &&
		    i + EOCD_LEN + GET16(tail + i + 20) <= tail_len) {
			e = tail + i;
			break;
		}
	if (!e) {
		why(w, wn, "not a zip archive (no end of central directory record)");
		goto out;
	}
	out->eocd_at = tail_at + (uint64_t)(e - tail);
	out->end = out->eocd_at + EOCD_LEN + GET16(e + 20);
	disk = GET16(e + 4);
	cd_disk = GET16(e + 6);
	n_disk = GET16(e + 8);
	out->entries = GET16(e + 10);
	out->cd_size = GET32(e + 12);
	out->cd_off = GET32(e + 16);
	limit = out->eocd_at;
	if (out->entries == 0xFFFF || n_disk == 0xFFFF || out->cd_size == TS_ZIP_MAX32 ||
	    out->cd_off == TS_ZIP_MAX32) {
		uint64_t z64_at, loc_at = out->eocd_at - Z64_LOCATOR_LEN;

		if (out->eocd_at < Z64_LOCATOR_LEN || ts_pread_all(fd, loc, sizeof(loc), loc_at) ||
		    GET32(loc) != TS_ZIP_SIG_Z64_LOCATOR) {
			why(w, wn, "no zip64 end of central directory locator");
			goto out;
		}
		z64_at = GET64(loc + 8);
		if (z64_at > loc_at || loc_at - z64_at < Z64_EOCD_LEN ||
		    ts_pread_all(fd, z64, sizeof(z64), z64_at) || GET32(z64) != TS_ZIP_SIG_Z64_EOCD) {
			why(w, wn, "no zip64 end of central directory record");
			goto out;
		}
		disk = GET32(z64 + 16);
		cd_disk = GET32(z64 + 20);
		n_disk = GET64(z64 + 24);
		out->entries = GET64(z64 + 32);
		out->cd_size = GET64(z64 + 40);
		out->cd_off = GET64(z64 + 48);
		out->z64_eocd_at = z64_at;
		out->z64_locator_at = loc_at;
		limit = z64_at;
	}
	if (disk || cd_disk || n_disk != out->entries) {
		why(w, wn, "split over several disks (not supported)");
		goto out;
	}
	if (out->cd_off > limit || out->cd_size > limit - out->cd_off) {
		why(w, wn, "the central directory is not inside the file");
		goto out;
	}
	if (out->entries > out->cd_size / CENTRAL_LEN) {
		why(w, wn, "more entries than the central directory holds");
		goto out;
	}
	rc = 0;
out:
	free(tail);
	return rc;
}

struct ts_zipr *ts_zipr_open(const char *path, char *w, size_t wn)
{
	struct ts_zip_ends ends;
	struct ts_zipr *z;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return why(w, wn, "%s", strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return why(w, wn, "not a regular file");
	}
	if (ts_zip_find_ends(fd, (uint64_t)st.st_size, &ends, w, wn)) {
		close(fd);
		return NULL;
	}
	z = ts_xcalloc(1, sizeof(*z));
	z->fd = fd;
	z->size = (uint64_t)st.st_size;
	z->cd_off = ends.cd_off;
	z->cd_end = ends.cd_off + ends.cd_size;
	z->n_entries = ends.entries;
	z->pos = ends.cd_off;
	z->win = ts_xmalloc(WINDOW);
	return z;
}

uint64_t ts_zipr_entries(const struct ts_zipr *z)
{
	return z->n_entries;
}

/* The directory's bytes [off, off + len) (len <= WINDOW), or NULL. */
static const unsigned char *cd_bytes(struct ts_zipr *z, uint64_t off, size_t len, char *w,
				     size_t wn)
{
	size_t want;

	if (off > z->cd_end || len > z->cd_end - off)
		return why(w, wn, "the central directory ends inside a record");
	if (off >= z->win_at && off + len <= z->win_at + z->win_len)
		return z->win + (off - z->win_at);
	want = z->cd_end - off < WINDOW ? (size_t)(z->cd_end - off) : WINDOW;
	if (ts_pread_all(z->fd, z->win, want, off)) {
		z->win_len = 0;
		return why(w, wn, "cannot read the central directory: %s", read_error());
	}
	z->win_at = off;
	z->win_len = want;
	return z->win;
}

int ts_zipr_next(struct ts_zipr *z, const char **name, uint64_t *at, char *w, size_t wn)
{
	const unsigned char *r;
	size_t nlen, total;

	if (z->seen == z->n_entries)
		return 0;
	r = cd_bytes(z, z->pos, CENTRAL_LEN, w, wn);
	if (!r)
		return -1;
	if (GET32(r) != TS_ZIP_SIG_CENTRAL) {
		why(w, wn, "entry %llu: not a central directory record",
		    (unsigned long long)z->seen);
		return -1;
	}
	nlen = GET16(r + 28);
	total = CENTRAL_LEN + nlen + GET16(r + 30) + GET16(r + 32);
	r = cd_bytes(z, z->pos, CENTRAL_LEN + nlen, w, wn);
	if (!r || z->cd_end - z->pos < total) {
		if (r)
			why(w, wn, "the central directory ends inside a record");
		return -1;
	}
	memcpy(z->name, r + CENTRAL_LEN, nlen);
	z->name[nlen] = '\0';
	*name = memchr(z->name, '\0', nlen) ? NULL : z->name;
	*at = z->pos;
	z->pos += total;
	z->seen++;
	return 1;
}

struct ts_zipr_file *ts_zipr_fopen(struct ts_zipr *z, uint64_t at, char *w, size_t wn)
{
	unsigned char c[CENTRAL_LEN], l[LOCAL_LEN];
	unsigned flags, method, nlen, elen, lnlen, lelen;
	uint64_t comp, uncomp, local, data;
	struct ts_zipr_file *f;
	uint32_t crc;

	if (at > z->cd_end || z->cd_end - at < CENTRAL_LEN || ts_pread_all(z->fd, c, sizeof(c), at) ||
	    GET32(c) != TS_ZIP_SIG_CENTRAL)
		return why(w, wn, "no central directory record");
	flags = GET16(c + 8);
	method = GET16(c + 10);
	crc = GET32(c + 16);
	comp = GET32(c + 20);
	uncomp = GET32(c + 24);
	nlen = GET16(c + 28);
	elen = GET16(c + 30);
	local = GET32(c + 42);
	if (comp == TS_ZIP_MAX32 || uncomp == TS_ZIP_MAX32 || local == TS_ZIP_MAX32) {
		/* zip64: the extra field 0x0001 holds the ones that did not fit */
		unsigned char *x = ts_xmalloc(elen + 1u);
		size_t k = 0;
		int found = 0;

		if (!ts_pread_all(z->fd, x, elen, at + CENTRAL_LEN + nlen)) {
			while (k + 4 <= elen) {
				unsigned id = GET16(x + k), len = GET16(x + k + 2);
				size_t p = k + 4, end = k + 4 + len;

				if (end > elen)
					break;
				if (id == 1) {
					found = 1;
					if (uncomp == TS_ZIP_MAX32 && (found = p + 8 <= end))
						uncomp = GET64(x + p), p += 8;
					if (found && comp == TS_ZIP_MAX32 && (found = p + 8 <= end))
						comp = GET64(x + p), p += 8;
					if (found && local == TS_ZIP_MAX32 && (found = p + 8 <= end))
						local = GET64(x + p);
					break;
				}
				k = end;
			}
		}
		free(x);
		if (!found)
			return why(w, wn, "a zip64 size or offset is missing");
	}
	if (flags & FLAG_ENCRYPTED)
		return why(w, wn, "encrypted (not supported)");
	if (method != 0 && method != 8)
		return why(w, wn, "compression method %u (not supported)", method);
	if (method == 0 && comp != uncomp)
		return why(w, wn, "a stored entry whose sizes differ");
	if (local > z->size || z->size - local < LOCAL_LEN ||
	    ts_pread_all(z->fd, l, sizeof(l), local) || GET32(l) != TS_ZIP_SIG_LOCAL)
		return why(w, wn, "no local header where the central directory says");
	lnlen = GET16(l + 26);
	lelen = GET16(l + 28);
	data = local + LOCAL_LEN + lnlen + lelen;
	if (data > z->size || comp > z->size - data)
		return why(w, wn, "the data run past the end of the file");
	if (lnlen != nlen)
		return why(w, wn, "the local header's name differs from the central directory's");
	f = ts_xcalloc(1, sizeof(*f));
	{
		/* the names are equal (what libzip's consistency check asks) */
		char *a = ts_xmalloc(2 * (size_t)nlen + 1);
		int same = !ts_pread_all(z->fd, a, nlen, at + CENTRAL_LEN) &&
			   !ts_pread_all(z->fd, a + nlen, nlen, local + LOCAL_LEN) &&
			   !memcmp(a, a + nlen, nlen);

		free(a);
		if (!same) {
			free(f);
			return why(w, wn,
				   "the local header's name differs from the central directory's");
		}
	}
	f->z = z;
	f->method = (int)method;
	f->crc = (uint32_t)crc32(0L, Z_NULL, 0);
	f->crc_want = crc;
	f->uncomp = uncomp;
	f->at = data;
	f->left = comp;
	if (method == 8) {
		if (inflateInit2(&f->zs, -MAX_WBITS) != Z_OK) {
			free(f);
			return why(w, wn, "cannot start inflating");
		}
		f->inflating = 1;
	}
	return f;
}

/* The member ended: its size and CRC-32 must be those said. */
static ssize_t finish(struct ts_zipr_file *f, char *w, size_t wn)
{
	if (f->out != f->uncomp) {
		why(w, wn, "%llu bytes, but the central directory says %llu",
		    (unsigned long long)f->out, (unsigned long long)f->uncomp);
		return -1;
	}
	if (f->crc != f->crc_want) {
		why(w, wn, "CRC error");
		return -1;
	}
	f->done = 1;
	return 0;
}

ssize_t ts_zipr_fread(struct ts_zipr_file *f, void *buf, size_t len, char *w, size_t wn)
{
	size_t got;

	if (f->done)
		return 0;
	if (len > ((size_t)1 << 30))
		len = (size_t)1 << 30;
	if (f->method == 0) {
		got = f->left < len ? (size_t)f->left : len;
		if (!got)
			return finish(f, w, wn);
		if (ts_pread_all(f->z->fd, buf, got, f->at)) {
			why(w, wn, "cannot read: %s", read_error());
			return -1;
		}
		f->at += got;
		f->left -= got;
	} else {
		f->zs.next_out = buf;
		f->zs.avail_out = (uInt)len;
		while (!f->ended && f->zs.avail_out == len) {
			int r;

			if (!f->zs.avail_in && f->left) {
				size_t n = f->left < CHUNK ? (size_t)f->left : CHUNK;

				if (ts_pread_all(f->z->fd, f->in, n, f->at)) {
					why(w, wn, "cannot read: %s", read_error());
					return -1;
				}
				f->at += n;
				f->left -= n;
				f->zs.next_in = f->in;
				f->zs.avail_in = (uInt)n;
			}
			r = inflate(&f->zs, Z_NO_FLUSH);
			if (r == Z_STREAM_END) {
				f->ended = 1;
			} else if (r == Z_BUF_ERROR && !f->zs.avail_in && !f->left) {
				why(w, wn, "the compressed data end early");
				return -1;
			} else if (r != Z_OK && r != Z_BUF_ERROR) {
				why(w, wn, "the compressed data are damaged");
				return -1;
			}
		}
		got = len - f->zs.avail_out;
		if (!got)
			return finish(f, w, wn);
	}
	if (got > f->uncomp - f->out) {
		why(w, wn, "more bytes than the central directory says (%llu)",
		    (unsigned long long)f->uncomp);
		return -1;
	}
	f->out += got;
	f->crc = (uint32_t)crc32(f->crc, buf, (uInt)got);
	return (ssize_t)got;
}

void ts_zipr_fclose(struct ts_zipr_file *f)
{
	if (!f)
		return;
	if (f->inflating)
		inflateEnd(&f->zs);
	free(f);
}

void ts_zipr_close(struct ts_zipr *z)
{
	if (!z)
		return;
	close(z->fd);
	free(z->win);
	free(z);
}
