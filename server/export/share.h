/* Versions that share files. A version whose annotations.json is identical
 * to an earlier ready version's (the same hash) differs from it only in
 * manifest.json (version, created_at, created_by). Instead of a second copy
 * of every image in a second zip, it keeps:
 *
 *   <exports>/<project>/<version>/            its own manifest.json; its
 *                                             annotations.json and images/
 *                                             are hardlinks (no new space)
 *   <exports>/<project>/<version>.zip.parts/  head: its manifest.json entry
 *                                             base: a hardlink of the earlier
 *                                                   version's zip
 *                                             tail: its central directory
 *
 * and its zip is the concatenation head + base[base_from, base_from +
 * base_len) + tail: a complete, valid zip holding its own manifest.json,
 * byte for byte what a full build would have written, made without copying
 * a single image. The base is a hardlink, so the earlier version's zip
 * may be removed later without breaking this one. */
#ifndef TS_EXPORT_SHARE_H
#define TS_EXPORT_SHARE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"
#include "store/store_exports.h"

/* Writes the parts of a zip equal to base_zip (a zip written by the build)
 * with its first entry, manifest.json, replaced by manifest (len bytes),
 * into parts_dir (created; must not exist). Fills share->base_from,
 * share->base_len and *zip_bytes (the whole zip's size). Returns
 * TS_ERR_UNSUPPORTED (nothing left behind) when base_zip's layout cannot be
 * shared (not the build's layout, a hardlink impossible): the caller then
 * writes a full zip. Other errors: IO. */
enum ts_err ts_export_share_zip(const char *base_zip, const char *manifest, size_t len,
				const char *parts_dir, struct ts_export_share *share,
				int64_t *zip_bytes, struct ts_error *err);

/* The zip of a ready export, open for reading: one part (its zip file) or
 * the three of a shared zip. */
struct ts_export_zip {
	struct {
		int fd;
		uint64_t from, len; /* the byte range of fd that this part is */
	} parts[3];
	size_t n;
	uint64_t size; /* the whole zip's */
};

/* Opens the zip of ex (ready) under exports_dir. NOT_FOUND
 * "export_file_missing" when a file is missing or does not have the
 * expected size. Close with ts_export_zip_close. */
enum ts_err ts_export_zip_open(const char *exports_dir, const struct ts_export *ex,
			       struct ts_export_zip *z, struct ts_error *err);
void ts_export_zip_close(struct ts_export_zip *z);

/* Reads up to len bytes of the zip at pos; returns the count (0 at the
 * end) or -1 on a read error. */
ssize_t ts_export_zip_pread(const struct ts_export_zip *z, void *buf, size_t len, uint64_t pos);

/* Small file helpers shared with the build. */
enum ts_err ts_export_write_file(const char *path, const char *data, size_t len,
				 struct ts_error *err);
int ts_export_fsync_path(const char *path, int dir);

#endif
