/* libFuzzer target: reading an import (server/import/): the zip's
 * directory checks and entry reads, annotations.json (COCO) and the
 * instance-mask CSV.
 *
 * Input: a first byte choosing the reader (0 mod 3: the rest is a zip,
 * whose annotations.json and .csv entries are parsed in turn; 1: COCO
 * JSON; 2: CSV), then its bytes. Besides memory errors and leaks, it
 * checks that a refusal always carries a code and that the parsed counts
 * stay within the documented limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import/archive.h"
#include "import/coco.h"
#include "import/csv.h"

static void check_refusal(enum ts_err e, const struct ts_error *err)
{
	if (e && !err->code[0])
		abort();
}

static void coco(const char *d, size_t n)
{
	struct ts_error err = { 0 };
	struct ts_coco c;
	enum ts_err e = ts_coco_parse(d, n, &c, &err);

	check_refusal(e, &err);
	if (c.points > TS_COCO_MAX_POINTS || c.nobjects > TS_COCO_MAX_OBJECTS)
		abort();
	ts_coco_release(&c);
	ts_error_release(&err);
}

static void csv(const char *d, size_t n)
{
	struct ts_error err = { 0 };
	struct ts_csv_rows r;
	enum ts_err e = ts_csv_parse(d, n, &r, &err);

	check_refusal(e, &err);
	if (r.n > TS_CSV_MAX_ROWS)
		abort();
	ts_csv_release(&r);
	ts_error_release(&err);
}

static void zip(const uint8_t *d, size_t n)
{
	struct ts_error err = { 0 };
	struct ts_import_archive *a = NULL;
	const struct ts_import_entry *ents;
	size_t count;
	enum ts_err e = ts_import_archive_open_buffer(d, n, &a, &err);

	check_refusal(e, &err);
	ts_error_release(&err);
	if (e)
		return;
	ents = ts_import_archive_entries(a, &count);
	for (size_t i = 0; i < count; i++) {
		const char *base = ts_import_basename(ents[i].name);
		size_t blen = strlen(base), len;
		char *buf;

		if (ents[i].dir || strstr(ents[i].name, "..") == ents[i].name)
			continue;
		e = ts_import_archive_read(a, &ents[i], 1 << 20, &buf, &len, &err);
		check_refusal(e, &err);
		ts_error_release(&err);
		if (e)
			continue;
		if (len != ents[i].size)
			abort();
		if (strcmp(base, "annotations.json") == 0)
			coco(buf, len);
		else if (blen > 4 && strcmp(base + blen - 4, ".csv") == 0)
			csv(buf, len);
		free(buf);
	}
	ts_import_archive_close(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		zip(data + 1, size - 1);
		break;
	case 1:
		coco((const char *)data + 1, size - 1);
		break;
	default:
		csv((const char *)data + 1, size - 1);
		break;
	}
	return 0;
}
