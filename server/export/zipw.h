/* A streaming writer of stored (uncompressed) zips, in memory that does
 * not grow with the number of entries: each entry's local header and data
 * go straight to the zip, its central directory record to a temporary file
 * beside it, copied after the last entry.
 *
 * The bytes are those libzip writes for the same stored entries (what
 * export zips were before this writer; export/share.c and readers rely on
 * nothing else): no data descriptors, no extra fields except zip64's when a
 * size or offset needs it, version made by 6.3 on UNIX, the fixed DOS time
 * 1980-01-01 00:00, the UTF-8 flag on names that are not ASCII, files
 * 0100644 and folders 040755, and zip64 end records only when the entries,
 * the central directory's size or its offset need them. */
#ifndef TS_EXPORT_ZIPW_H
#define TS_EXPORT_ZIPW_H

#include <stdint.h>

#include "core/error.h"

#define TS_ZIP_SIG_LOCAL 0x04034b50u
#define TS_ZIP_SIG_CENTRAL 0x02014b50u
#define TS_ZIP_SIG_EOCD 0x06054b50u
#define TS_ZIP_SIG_Z64_LOCATOR 0x07064b50u
#define TS_ZIP_SIG_Z64_EOCD 0x06064b50u
#define TS_ZIP_MAX32 0xFFFFFFFFu

/* Little-endian fields of n bytes (n <= 8). */
static inline void ts_zip_put(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint64_t ts_zip_get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

struct ts_zipw;

/* Creates (truncates) the zip at path; its central directory is kept in a
 * file made at path + ".cd" and unlinked at once. Errors: IO "export_zip". */
enum ts_err ts_zipw_open(const char *path, struct ts_zipw **out, struct ts_error *err);

/* Adds the file at src_path as the entry name. Errors: IO "export_zip"
 * (the file cannot be read, changed size while read, the zip cannot be
 * written). */
enum ts_err ts_zipw_add_file(struct ts_zipw *w, const char *name, const char *src_path,
			     struct ts_error *err);

/* Adds a folder entry; a '/' is appended to name when it has none. */
enum ts_err ts_zipw_add_dir(struct ts_zipw *w, const char *name, struct ts_error *err);

/* Writes the central directory and the end records, syncs the zip to disk
 * and frees w (also on error, after which the zip is incomplete). */
enum ts_err ts_zipw_finish(struct ts_zipw *w, struct ts_error *err);

/* Frees w without finishing; the incomplete zip stays at its path for the
 * caller to remove. NULL is allowed. */
void ts_zipw_abort(struct ts_zipw *w);

#endif
