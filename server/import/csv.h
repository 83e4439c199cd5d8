/* Reading the CSV of an instance-mask import: one row per object, mapping
 * a mask PNG of the zip to its image and category. Pure: no I/O.
 *
 * The first line names the columns "mask", "image" and "category_id" (in
 * any order; other columns are ignored). Fields may be quoted ("a,b" with
 * "" for a quote). Lines end with LF or CRLF; empty lines are skipped. A
 * row that is malformed is kept with its problem (bad) for the import's
 * report. */
#ifndef TS_IMPORT_CSV_H
#define TS_IMPORT_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_CSV_MAX_ROWS 20000
#define TS_CSV_MAX_BYTES (8u << 20)
#define TS_CSV_FIELD_MAX 1024

struct ts_csv_row {
	size_t line;       /* 1-based, in the file */
	char *mask;        /* owned; the entry's name in the zip */
	char *image;       /* owned; the image's file name */
	int64_t category_id;
	char bad[120];     /* why the row cannot be used, or "" */
};

struct ts_csv_rows {
	struct ts_csv_row *rows;
	size_t n;
};

/* Parses text[0 .. len - 1]. Refusals of the whole file: INVALID
 * "invalid_csv" (not UTF-8, no header with the three columns, an unclosed
 * quote), TOO_LARGE "too_many_objects" (more than TS_CSV_MAX_ROWS rows),
 * "entry_too_large". Release *out with ts_csv_release, also after an
 * error. */
enum ts_err ts_csv_parse(const char *text, size_t len, struct ts_csv_rows *out,
			 struct ts_error *err);
void ts_csv_release(struct ts_csv_rows *r);

#endif
