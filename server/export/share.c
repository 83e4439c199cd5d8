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

#include "core/fdio.h"
#include "export/zipw.h"
#include "core/banned.h"

#define PATH_LEN 4096
#define SIG_LOCAL TS_ZIP_SIG_LOCAL
#define SIG_CENTRAL TS_ZIP_SIG_CENTRAL
#define SIG_EOCD TS_ZIP_SIG_EOCD
#define SIG_Z64_LOCATOR TS_ZIP_SIG_Z64_LOCATOR
#define SIG_Z64_EOCD TS_ZIP_SIG_Z64_EOCD
#define MAX32 TS_ZIP_MAX32
/* The central directory and end records are read into memory: about 80
 * bytes per image, so this allows millions of images. */
#define TAIL_CAP ((uint64_t)1 << 30)
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

/* CRC-32 (the zip polynomial), bit by bit: it runs over one manifest. */
static uint32_t crc32_of(const char *data, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (unsigned char)data[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
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

/* Finds the end records and the manifest's local header. */
static int read_base(struct base *b, struct ts_error *err)
{
	unsigned char buf[65535 + 22], loc[20], z64[56];
	size_t want = b->size < sizeof(buf) ? (size_t)b->size : sizeof(buf);
	uint64_t start = b->size - want;
	size_t i;
	int found = 0;

	if (b->size < 22 || ts_pread_all(b->fd, buf, want, start))
		return unsupported(err, "the zip is too short");
	for (i = want - 22 + 1; i-- > 0;) {
		if (rd32(buf + i) == SIG_EOCD && i + 22 + rd16(buf + i + 20) == want) {
			found = 1;
			break;
		}
	}
	if (!found)
		return unsupported(err, "no end of central directory");
	b->eocd_pos = start + i;
	b->cd_size = rd32(buf + i + 12);
	b->cd_off = rd32(buf + i + 16);
	b->entries = rd16(buf + i + 10);
	if (b->eocd_pos >= 20 && !ts_pread_all(b->fd, loc, sizeof(loc), b->eocd_pos - 20) &&
	    rd32(loc) == SIG_Z64_LOCATOR) {
		b->z64_locator_pos = b->eocd_pos - 20;
		b->z64_eocd_pos = rd64(loc + 8);
		if (b->z64_eocd_pos + sizeof(z64) > b->z64_locator_pos ||
		    ts_pread_all(b->fd, z64, sizeof(z64), b->z64_eocd_pos) ||
		    rd32(z64) != SIG_Z64_EOCD)
			return unsupported(err, "a bad zip64 end record");
		b->entries = rd64(z64 + 32);
		b->cd_size = rd64(z64 + 40);
		b->cd_off = rd64(z64 + 48);
		if (b->cd_off + b->cd_size > b->z64_eocd_pos)
			return unsupported(err, "a bad zip64 end record");
	} else if (b->cd_off + b->cd_size != b->eocd_pos) {
		return unsupported(err, "the central directory is not before its end record");
	}
	if (b->size - b->cd_off > TAIL_CAP)
		return unsupported(err, "the central directory is too large");
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

/* Rewrites the central directory in tail (which starts at the base's
 * cd_off) for the new manifest: its CRC and size, and every other entry's
 * offset moved by delta. */
static int patch_central(const struct base *b, unsigned char *tail, uint32_t crc, uint32_t mlen,
			 int64_t delta, struct ts_error *err)
{
	uint64_t pos = 0, n = 0;

	while (pos < b->cd_size) {
		unsigned char *e = tail + pos;
		uint32_t nlen, xlen, clen, off32;
		uint64_t off;

		if (pos + 46 > b->cd_size || rd32(e) != SIG_CENTRAL)
			return unsupported(err, "a bad central directory entry");
		nlen = rd16(e + 28);
		xlen = rd16(e + 30);
		clen = rd16(e + 32);
		if (pos + 46 + nlen + xlen + clen > b->cd_size)
			return unsupported(err, "a bad central directory entry");
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
			if (n == 1 && (off32 != b->after_manifest ||
				       nlen != sizeof(ANNOTATIONS_NAME) - 1 ||
				       memcmp(e + 46, ANNOTATIONS_NAME, nlen) != 0))
				return unsupported(err, "annotations.json does not follow the manifest");
			off = (uint64_t)((int64_t)off32 + delta);
			if (off >= MAX32)
				return unsupported(err, "an offset would need zip64");
			wr32(e + 42, (uint32_t)off);
		} else {
			/* The zip64 extra field holds, in this order, the sizes that
			 * are 0xFFFFFFFF in the entry, then the offset. */
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
		pos += 46 + nlen + xlen + clen;
		n++;
	}
	if (n != b->entries || n < 2)
		return unsupported(err, "the central directory does not hold every entry");
	return 0;
}

/* Moves the end records' pointers by delta. */
static int patch_end(const struct base *b, unsigned char *tail, int64_t delta,
		     struct ts_error *err)
{
	unsigned char *eocd = tail + (b->eocd_pos - b->cd_off);
	uint32_t off32 = rd32(eocd + 16);

	if (b->z64_eocd_pos) {
		unsigned char *z = tail + (b->z64_eocd_pos - b->cd_off);
		unsigned char *l = tail + (b->z64_locator_pos - b->cd_off);

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

enum ts_err ts_export_share_zip(const char *base_zip, const char *manifest, size_t len,
				const char *parts_dir, struct ts_export_share *share,
				int64_t *zip_bytes, struct ts_error *err)
{
	struct base b = { .fd = -1 };
	struct stat st;
	unsigned char *head = NULL, *tail = NULL;
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
	crc = crc32_of(manifest, len);
	head_len = sizeof(b.lh) + len;
	tail_len = b.size - b.cd_off;
	delta = (int64_t)head_len - (int64_t)b.after_manifest;
	head = malloc(head_len);
	tail = malloc(tail_len ? tail_len : 1);
	if (!head || !tail)
		ts_die("out of memory");
	memcpy(head, b.lh, sizeof(b.lh));
	wr32(head + 14, crc);
	wr32(head + 18, (uint32_t)len);
	wr32(head + 22, (uint32_t)len);
	memcpy(head + sizeof(b.lh), manifest, len);
	if (ts_pread_all(b.fd, tail, tail_len, b.cd_off)) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot read %s: %s", base_zip,
				 strerror(errno));
		goto out;
	}
	if (patch_central(&b, tail, crc, (uint32_t)len, delta, err) ||
	    patch_end(&b, tail, delta, err)) {
		e = TS_ERR_UNSUPPORTED;
		goto out;
	}

	if (mkdir(parts_dir, 0755) != 0) {
		e = ts_error_set(err, TS_ERR_IO, "export_io", "cannot create %s: %s", parts_dir,
				 strerror(errno));
		goto out;
	}
	made_dir = 1;
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
	snprintf(path, sizeof(path), "%s/tail", parts_dir);
	e = ts_export_write_file(path, (const char *)tail, tail_len, err);
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
	free(tail);
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
