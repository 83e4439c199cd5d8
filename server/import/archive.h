/* The import zip, read safely: its central directory is checked against
 * fixed limits before any entry is read, and each entry is then read whole
 * into memory with its size capped by what the directory promised. Nothing
 * is ever written to disk under an entry's name.
 *
 * Limits (all refused as INVALID or TOO_LARGE with a code, see below):
 *   entries                 TS_IMPORT_MAX_ENTRIES
 *   total uncompressed size TS_IMPORT_MAX_TOTAL bytes
 *   one entry               TS_IMPORT_MAX_ENTRY bytes
 *   compression ratio       TS_IMPORT_MAX_RATIO : 1 for entries over
 *                           TS_IMPORT_RATIO_FLOOR bytes (a zip bomb)
 *   names                   1..TS_IMPORT_NAME_MAX bytes of UTF-8; no
 *                           absolute path, drive letter, backslash, "."
 *                           or ".." component, control character
 *   kinds                   regular files and folders only (no links);
 *                           stored or deflated, not encrypted */
#ifndef TS_IMPORT_ARCHIVE_H
#define TS_IMPORT_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_IMPORT_MAX_ENTRIES 20000
#define TS_IMPORT_MAX_TOTAL (4ULL << 30)
#define TS_IMPORT_MAX_ENTRY (512ULL << 20)
#define TS_IMPORT_MAX_RATIO 100
#define TS_IMPORT_RATIO_FLOOR (1ULL << 20)
#define TS_IMPORT_NAME_MAX 1024

struct ts_import_entry {
	char *name;      /* as in the zip, checked; owned */
	uint64_t size;   /* uncompressed bytes the directory promises */
	int64_t index;   /* in the zip */
	int dir;         /* a folder (name ends with '/') */
};

struct ts_import_archive;

/* Opens the zip at path (or the bytes buf[0 .. len - 1], borrowed until
 * close) and checks its directory. Errors:
 *   INVALID "not_a_zip"          not a readable zip
 *   INVALID "unsafe_entry_name"  a name that could escape a folder or is
 *                                not valid (the message names it)
 *   INVALID "unsupported_entry"  a link, an encrypted entry or a
 *                                compression method other than store and
 *                                deflate
 *   TOO_LARGE "too_many_entries", "import_too_large" (total size),
 *             "entry_too_large", "zip_bomb" (compression ratio)
 * *out is NULL on error. */
enum ts_err ts_import_archive_open(const char *path, struct ts_import_archive **out,
				   struct ts_error *err);
enum ts_err ts_import_archive_open_buffer(const void *buf, size_t len,
					  struct ts_import_archive **out, struct ts_error *err);
void ts_import_archive_close(struct ts_import_archive *a);

/* The entries, in the zip's order (borrowed). */
const struct ts_import_entry *ts_import_archive_entries(const struct ts_import_archive *a,
							size_t *n);
/* The entry whose name is name, or NULL. */
const struct ts_import_entry *ts_import_archive_find(const struct ts_import_archive *a,
						     const char *name);

/* Reads entry e whole into *out (malloc'd, NUL-terminated after *len
 * bytes; caller frees). TOO_LARGE "entry_too_large" when it holds more
 * than its directory promised or more than max (0: no cap of its own);
 * INVALID "bad_entry" when it does not inflate (the message says why). */
enum ts_err ts_import_archive_read(struct ts_import_archive *a, const struct ts_import_entry *e,
				   size_t max, char **out, size_t *len, struct ts_error *err);

/* The last path component of name (borrowed, inside name). */
const char *ts_import_basename(const char *name);

#endif
