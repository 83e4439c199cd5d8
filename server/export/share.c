/* Shared zips: a version identical to an earlier one reuses its zip's
 * bytes. See share.h for the layout.
 *
 * The build's zips are plain: entries stored, no data descriptors,
 * manifest.json first at offset 0, annotations.json right after it. Only
 * the manifest entry (its local header and data) and the central
 * directory change; every later local header moves by the same delta, so
 * the new central directory is the old one with the manifest's CRC and
 * sizes replaced and every other offset shifted (in its zip64 extra field
 * when the 32-bit field is 0xFFFFFFFF), and the end records point at it. */
#include "export/share.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fdio.h"
#include "export/zipr.h"
#include "export/zipw.h"
#include "core/banned.h"

#define PATH_LEN 4096
#define SIG_LOCAL TS_ZIP_SIG_LOCAL
#define SIG_CENTRAL TS_ZIP_SIG_CENTRAL
#define MAX32 TS_ZIP_MAX32
/* The central directory is patched in chunks; a record is at most 46
 * bytes and three 16-bit lengths. */
#define CD_CHUNK ((size_t)1 << 20)
#define CD_RECORD_MAX ((size_t)46 + 3 * 65535)
/* The end records: zip64 record, locator, end record and its comment. */
#define ENDS_MAX ((uint64_t)56 + 20 + 22 + 65535)
#define MANIFEST_NAME "manifest.json"
#define ANNOTATIONS_NAME "annotations.json"

static uint32_t rd16(const unsigned char *p)
{
	return (uint32_t)ts_zip_get(p, 2);
}

static uint32_t rd32(const unsigned char *p)
{
	return (uint32_t)ts_zip_get(p, 4);
}

static uint64_t rd64(const unsigned char *p)
{
	return ts_zip_get(p, 8);
}

static void wr32(unsigned char *p, uint32_t v)
{
	ts_zip_put(p, v, 4);
}

static void wr64(unsigned char *p, uint64_t v)
{
	ts_zip_put(p, v, 8);
}

int ts_export_fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

enum ts_err ts_export_write_file(const char *path, const char *data, size_t len,
				 struct ts_error *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	enum ts_err e = TS_OK;

	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "export_io", "cannot create %s: %s", path,
				    strerror(errno));
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot write %s: %s", path,
					 strerror(errno));
			goto out;
		}
		data += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot sync %s: %s", path,
				 strerror(errno));
out:
	close(fd);
	return e;
}

/* The parsed base zip. */
struct base {
	int fd;
	uint64_t size;
	uint64_t cd_off, cd_size, entries;
	uint64_t eocd_pos;       /* of the end of central directory record */
	uint64_t z64_eocd_pos;   /* 0: no zip64 end records */
	uint64_t z64_locator_pos;
	unsigned char lh[30 + sizeof(MANIFEST_NAME) - 1]; /* manifest's local header */
	uint64_t after_manifest; /* offset of annotations.json's local header */
};

static int unsupported(struct ts_error *err, const char *why)
{
	ts_error_set(err, TS_ERR_UNSUPPORTED, "zip_not_shareable", "%s", why);
	return -1;
}

/* Finds the end records (export/zipr.h) and the manifest's local header. */
static int read_base(struct base *b, struct ts_error *err)
{
	struct ts_zip_ends ends;
	char why[160];

	if (ts_zip_find_ends(b->fd, b->size, &ends, why, sizeof(why)))
		return unsupported(err, why);
	/* The build's layout: nothing after the end record, and the end
	 * records right after the directory. */
	if (ends.end != b->size)
		return unsupported(err, "bytes follow the end of central directory");
	if (ends.cd_off + ends.cd_size != (ends.z64_eocd_at ? ends.z64_eocd_at : ends.eocd_at))
		return unsupported(err, "the central directory is not before its end records");
	b->eocd_pos = ends.eocd_at;
	b->z64_eocd_pos = ends.z64_eocd_at;
	b->z64_locator_pos = ends.z64_locator_at;
	b->cd_off = ends.cd_off;
	b->cd_size = ends.cd_size;
	b->entries = ends.entries;
	/* The first entry: manifest.json, stored, sizes in the header. */
	if (ts_pread_all(b->fd, b->lh, sizeof(b->lh), 0) || rd32(b->lh) != SIG_LOCAL ||
	    (rd16(b->lh + 6) & 8) || rd16(b->lh + 8) != 0 || rd32(b->lh + 18) == MAX32 ||
	    rd16(b->lh + 26) != sizeof(MANIFEST_NAME) - 1 || rd16(b->lh + 28) != 0 ||
	    memcmp(b->lh + 30, MANIFEST_NAME, sizeof(MANIFEST_NAME) - 1) != 0)
		return unsupported(err, "the zip does not start with a stored manifest.json");
	b->after_manifest = sizeof(b->lh) + rd32(b->lh + 18);
	if (b->after_manifest > b->cd_off)
		return unsupported(err, "the manifest overlaps the central directory");
	return 0;
}

/* Rewrites one central directory record at e (avail bytes of the
 * directory from there), the n-th: the manifest's CRC and size, every
 * other entry's offset moved by delta. Returns the record's length, 0 when
 * avail does not hold all of it, or -1 (unsupported, err set). */
static int64_t patch_record(const struct base *b, unsigned char *e, uint64_t avail, uint64_t n,
			    uint32_t crc, uint32_t mlen, int64_t delta, struct ts_error *err)
{
	uint32_t nlen, xlen, clen, off32;
	uint64_t off;

	if (avail < 46)
		return 0;
	if (rd32(e) != SIG_CENTRAL)
		return unsupported(err, "a bad central directory entry");
	nlen = rd16(e + 28);
	xlen = rd16(e + 30);
	clen = rd16(e + 32);
	if (46 + (uint64_t)nlen + xlen + clen > avail)
		return 0;
	off32 = rd32(e + 42);
	if (n == 0) {
		if (off32 != 0 || nlen != sizeof(MANIFEST_NAME) - 1 ||
		    memcmp(e + 46, MANIFEST_NAME, nlen) != 0 || rd32(e + 20) == MAX32 ||
		    rd32(e + 24) == MAX32)
			return unsupported(err, "manifest.json is not the first entry");
		wr32(e + 16, crc);
		wr32(e + 20, mlen);
		wr32(e + 24, mlen);
	} else if (off32 != MAX32) {
		if (n == 1 && (off32 != b->after_manifest || nlen != sizeof(ANNOTATIONS_NAME) - 1 ||
			       memcmp(e + 46, ANNOTATIONS_NAME, nlen) != 0))
			return unsupported(err, "annotations.json does not follow the manifest");
		off = (uint64_t)((int64_t)off32 + delta);
		if (off >= MAX32)
			return unsupported(err, "an offset would need zip64");
		wr32(e + 42, (uint32_t)off);
	} else {
		/* The zip64 extra field holds, in this order, the sizes that are
		 * 0xFFFFFFFF in the entry, then the offset. */
		unsigned char *x = e + 46 + nlen, *end = x + xlen;
		int done = 0;

		while (x + 4 <= end && !done) {
			uint32_t id = rd16(x), sz = rd16(x + 2);
			unsigned char *v = x + 4;

			if (v + sz > end)
				break;
			if (id == 1) {
				v += rd32(e + 24) == MAX32 ? 8 : 0;
				v += rd32(e + 20) == MAX32 ? 8 : 0;
				if (v + 8 > x + 4 + sz)
					break;
				off = rd64(v);
				if (n == 1 && off != b->after_manifest)
					break;
				wr64(v, (uint64_t)((int64_t)off + delta));
				done = 1;
			}
			x += 4 + sz;
		}
		if (!done)
			return unsupported(err, "a bad zip64 extra field");
	}
	return (int64_t)(46 + nlen + xlen + clen);
}

/* Writes the base's central directory, patched record by record, to fd:
 * read and written in chunks, never whole (it holds about 80 bytes per
 * image). Returns 0, -1 unsupported or -2 IO (err set). */
static int write_central(const struct base *b, int fd, uint32_t crc, uint32_t mlen,
			 int64_t delta, struct ts_error *err)
{
	size_t cap = CD_CHUNK + CD_RECORD_MAX, have = 0;
	unsigned char *buf = malloc(cap);
	uint64_t read_at = 0, n = 0;
	int rc = 0;

	if (!buf)
		ts_die("out of memory");
	while (rc == 0 && (read_at < b->cd_size || have > 0)) {
		size_t want = cap - have, used = 0;

		if (want > b->cd_size - read_at)
			want = (size_t)(b->cd_size - read_at);
		if (want && ts_pread_all(b->fd, buf + have, want, b->cd_off + read_at)) {
			ts_error_set(err, TS_ERR_IO, "export_io", "cannot read the base zip: %s",
				     strerror(errno));
			rc = -2;
			break;
		}
		read_at += want;
		have += want;
		for (;;) {
			int64_t len = patch_record(b, buf + used, have - used, n, crc, mlen, delta,
						   err);

			if (len < 0) {
				rc = -1;
				break;
			}
			if (len == 0)
				break;
			used += (size_t)len;
			n++;
		}
		if (rc)
			break;
		if (used == 0) {
			/* Not even one record in a full buffer, or bytes after the
			 * last record. */
			rc = unsupported(err, "a bad central directory entry");
			break;
		}
		if (ts_write_all(fd, buf, used) != 0) {
			ts_error_set(err, TS_ERR_IO, "export_io", "cannot write a zip part: %s",
				     strerror(errno));
			rc = -2;
			break;
		}
		memmove(buf, buf + used, have - used);
		have -= used;
	}
	free(buf);
	if (rc == 0 && (n != b->entries || n < 2))
		rc = unsupported(err, "the central directory does not hold every entry");
	return rc;
}

/* Moves the end records' pointers by delta; ends holds the base's bytes
 * from the end of its central directory on. */
static int patch_end(const struct base *b, unsigned char *ends, int64_t delta,
		     struct ts_error *err)
{
	uint64_t cd_end = b->cd_off + b->cd_size;
	unsigned char *eocd = ends + (b->eocd_pos - cd_end);
	uint32_t off32 = rd32(eocd + 16);

	if (b->z64_eocd_pos) {
		unsigned char *z = ends + (b->z64_eocd_pos - cd_end);
		unsigned char *l = ends + (b->z64_locator_pos - cd_end);

		wr64(z + 48, (uint64_t)((int64_t)rd64(z + 48) + delta));
		wr64(l + 8, (uint64_t)((int64_t)rd64(l + 8) + delta));
	}
	if (off32 != MAX32) {
		uint64_t off = (uint64_t)((int64_t)off32 + delta);

		if (off >= MAX32)
			return unsupported(err, "an offset would need zip64");
		wr32(eocd + 16, (uint32_t)off);
	}
	return 0;
}

static void remove_parts(const char *dir)
{
	static const char *const names[] = { "head", "base", "tail" };
	char path[PATH_LEN];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Writes the tail part: the base's central directory patched, then its
 * end records patched. */
static enum ts_err write_tail(const struct base *b, const char *path, uint32_t crc,
			      uint32_t mlen, int64_t delta, struct ts_error *err)
{
	uint64_t cd_end = b->cd_off + b->cd_size, ends_len = b->size - cd_end;
	unsigned char *ends = NULL;
	enum ts_err e = TS_OK;
	int fd, rc;

	if (ends_len > ENDS_MAX)
		return ts_error_set(err, TS_ERR_UNSUPPORTED, "zip_not_shareable",
				    "the zip's end records are too large");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "export_io", "cannot create %s: %s", path,
				    strerror(errno));
	rc = write_central(b, fd, crc, mlen, delta, err);
	if (rc) {
		e = rc == -1 ? TS_ERR_UNSUPPORTED : TS_ERR_IO;
		goto out;
	}
	ends = malloc(ends_len ? ends_len : 1);
	if (!ends)
		ts_die("out of memory");
	if (ts_pread_all(b->fd, ends, ends_len, cd_end)) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot read the base zip: %s",
				 strerror(errno));
		goto out;
	}
	if (patch_end(b, ends, delta, err)) {
		e = TS_ERR_UNSUPPORTED;
		goto out;
	}
	if (ts_write_all(fd, ends, ends_len) != 0 || fsync(fd) != 0)
		e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot write %s: %s", path,
				 strerror(errno));
out:
	free(ends);
	close(fd);
	return e;
}

enum ts_err ts_export_share_zip(const char *base_zip, const char *manifest, size_t len,
				const char *parts_dir, struct ts_export_share *share,
				int64_t *zip_bytes, struct ts_error *err)
{
	struct base b = { .fd = -1 };
	struct stat st;
	unsigned char *head = NULL;
	char path[PATH_LEN];
	uint64_t head_len, tail_len;
	int64_t delta;
	uint32_t crc;
	enum ts_err e = TS_OK;
	int made_dir = 0;

	if (len >= MAX32)
		return ts_error_set(err, TS_ERR_UNSUPPORTED, "zip_not_shareable",
				    "the manifest is too large");
	b.fd = open(base_zip, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (b.fd < 0 || fstat(b.fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		e = ts_error_set(err, TS_ERR_UNSUPPORTED, "zip_not_shareable", "cannot open %s: %s",
				 base_zip, strerror(errno));
		goto out;
	}
	b.size = (uint64_t)st.st_size;
	if (read_base(&b, err)) {
		e = err ? err->err : TS_ERR_UNSUPPORTED;
		goto out;
	}
	crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), (const Bytef *)manifest, (uInt)len);
	head_len = sizeof(b.lh) + len;
	tail_len = b.size - b.cd_off;
	delta = (int64_t)head_len - (int64_t)b.after_manifest;
	head = malloc(head_len);
	if (!head)
		ts_die("out of memory");
	memcpy(head, b.lh, sizeof(b.lh));
	wr32(head + 14, crc);
	wr32(head + 18, (uint32_t)len);
	wr32(head + 22, (uint32_t)len);
	memcpy(head + sizeof(b.lh), manifest, len);

	if (mkdir(parts_dir, 0755) != 0) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot create %s: %s", parts_dir,
				 strerror(errno));
		goto out;
	}
	made_dir = 1;
	/* The tail first: a base that cannot be shared is found out before
	 * anything else is made. */
	snprintf(path, sizeof(path), "%s/tail", parts_dir);
	e = write_tail(&b, path, crc, (uint32_t)len, delta, err);
	if (e)
		goto out;
	snprintf(path, sizeof(path), "%s/base", parts_dir);
	if (link(base_zip, path) != 0) {
		e = ts_error_set(err, TS_ERR_UNSUPPORTED, "zip_not_shareable", "cannot link %s: %s",
				 base_zip, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/head", parts_dir);
	e = ts_export_write_file(path, (const char *)head, head_len, err);
	if (e)
		goto out;
	if (ts_export_fsync_path(parts_dir, 1) != 0) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot sync %s: %s", parts_dir,
				 strerror(errno));
		goto out;
	}
	share->base_from = (int64_t)b.after_manifest;
	share->base_len = (int64_t)(b.cd_off - b.after_manifest);
	*zip_bytes = (int64_t)(head_len + (uint64_t)share->base_len + tail_len);
out:
	if (e && made_dir)
		remove_parts(parts_dir);
	if (b.fd >= 0)
		close(b.fd);
	free(head);
	return e;
}

/* --- reading ----------------------------------------------------------------- */

static int open_part(const char *path, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

enum ts_err ts_export_zip_open(const char *exports_dir, const struct ts_export *ex,
			       struct ts_export_zip *z, struct ts_error *err)
{
	static const char *const names[] = { "head", "base", "tail" };
	char path[PATH_LEN];
	uint64_t size;
	int n;

	memset(z, 0, sizeof(*z));
	for (size_t i = 0; i < 3; i++)
		z->parts[i].fd = -1;
	/* A shared zip fetched back from a remote store is one whole file. */
	n = snprintf(path, sizeof(path), "%s/%lld/%lld.zip", exports_dir, (long long)ex->project_id,
		     (long long)ex->version);
	if (ex->shares_files_with <= 0 ||
	    (n > 0 && (size_t)n < sizeof(path) && ex->zip_bytes >= 0 && access(path, F_OK) == 0)) {
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    (z->parts[0].fd = open_part(path, &size)) < 0)
			goto missing;
		z->parts[0].len = size;
		z->n = 1;
		z->size = size;
		return TS_OK;
	}
	for (size_t i = 0; i < 3; i++) {
		n = snprintf(path, sizeof(path), "%s/%lld/%lld.zip.parts/%s", exports_dir,
			     (long long)ex->project_id, (long long)ex->version, names[i]);
		if (n < 0 || (size_t)n >= sizeof(path) ||
		    (z->parts[i].fd = open_part(path, &size)) < 0)
			goto missing;
		z->n = i + 1;
		if (i == 1) {
			if (ex->zip_base_from < 0 || ex->zip_base_len < 0 ||
			    (uint64_t)ex->zip_base_from + (uint64_t)ex->zip_base_len > size)
				goto missing;
			z->parts[i].from = (uint64_t)ex->zip_base_from;
			size = (uint64_t)ex->zip_base_len;
		}
		z->parts[i].len = size;
		z->size += size;
	}
	if (ex->zip_bytes >= 0 && z->size != (uint64_t)ex->zip_bytes)
		goto missing;
	return TS_OK;
missing:
	ts_export_zip_close(z);
	return ts_error_set(err, TS_ERR_NOT_FOUND, "export_file_missing",
			    "the zip of version %lld is missing from the server's export folder",
			    (long long)ex->version);
}

void ts_export_zip_close(struct ts_export_zip *z)
{
	for (size_t i = 0; i < 3; i++) {
		if (z->parts[i].fd >= 0)
			close(z->parts[i].fd);
		z->parts[i].fd = -1;
	}
	z->n = 0;
}

ssize_t ts_export_zip_pread(const struct ts_export_zip *z, void *buf, size_t len, uint64_t pos)
{
	uint64_t start = 0;

	for (size_t i = 0; i < z->n; i++) {
		uint64_t plen = z->parts[i].len;

		if (pos < start + plen) {
			uint64_t at = pos - start;
			size_t want = len < plen - at ? len : (size_t)(plen - at);
			ssize_t r;

			do
				r = pread(z->parts[i].fd, buf, want, (off_t)(z->parts[i].from + at));
			while (r < 0 && errno == EINTR);
			return r == 0 ? -1 : r; /* a part shorter than recorded */
		}
		start += plen;
	}
	return 0;
}
