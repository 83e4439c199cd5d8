#include "import/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "core/banned.h"

#define MAX_FIELDS 32

void ts_csv_release(struct ts_csv_rows *r)
{
	for (size_t i = 0; r->rows && i < r->n; i++) {
		free(r->rows[i].mask);
		free(r->rows[i].image);
	}
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* Reads one line's fields from *p (advanced past the line). Returns the
 * number of fields, or -1 for an unclosed quote. Fields longer than
 * TS_CSV_FIELD_MAX or past MAX_FIELDS are cut (and *cut set). */
static int read_line(const char **p, const char *end, char fields[MAX_FIELDS][TS_CSV_FIELD_MAX + 1],
		     int *cut)
{
	const char *s = *p;
	int nf = 0;
	size_t len = 0;
	int quoted = 0;

	*cut = 0;
	fields[0][0] = '\0';
	while (s < end) {
		char c = *s++;

		if (quoted) {
			if (c == '"') {
				if (s < end && *s == '"') {
					s++;
				} else {
					quoted = 0;
					continue;
				}
			}
		} else if (c == '"' && len == 0) {
			quoted = 1;
			continue;
		} else if (c == ',') {
			if (nf < MAX_FIELDS)
				fields[nf][len < TS_CSV_FIELD_MAX ? len : TS_CSV_FIELD_MAX] = '\0';
			nf++;
			len = 0;
			if (nf < MAX_FIELDS)
				fields[nf][0] = '\0';
			continue;
		} else if (c == '\n') {
			break;
		} else if (c == '\r' && s < end && *s == '\n') {
			s++;
			break;
		}
		if (nf < MAX_FIELDS && len < TS_CSV_FIELD_MAX)
			fields[nf][len] = c;
		else
			*cut = 1;
		len++;
	}
	*p = s;
	if (quoted)
		return -1;
	if (nf < MAX_FIELDS)
		fields[nf][len < TS_CSV_FIELD_MAX ? len : TS_CSV_FIELD_MAX] = '\0';
	else
		*cut = 1;
	return nf + 1 > MAX_FIELDS ? MAX_FIELDS : nf + 1;
}

static int column(char fields[MAX_FIELDS][TS_CSV_FIELD_MAX + 1], int nf, const char *name)
{
	for (int i = 0; i < nf; i++)
		if (strcmp(fields[i], name) == 0)
			return i;
	return -1;
}

static int parse_id(const char *s, int64_t *out)
{
	int64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 900719925474099LL)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return v > 0 ? 0 : -1;
}

enum ts_err ts_csv_parse(const char *text, size_t len, struct ts_csv_rows *out,
			 struct ts_error *err)
{
	const char *p = text, *end = text + len;
	int nf, cut, cm, ci, cc;
	size_t line = 1, cap = 0;

	/* The fields of one line: 32 KiB, off the stack. */
	char (*f)[TS_CSV_FIELD_MAX + 1] = ts_xmalloc(MAX_FIELDS * sizeof(*f));

	memset(out, 0, sizeof(*out));
	if (len > TS_CSV_MAX_BYTES) {
		free(f);
		return ts_error_set(err, TS_ERR_TOO_LARGE, "entry_too_large",
				    "The CSV holds more than %u bytes.", TS_CSV_MAX_BYTES);
	}
	if (ts_utf8_count(text, len) < 0) {
		free(f);
		return ts_error_set(err, TS_ERR_INVALID, "invalid_csv", "The CSV is not UTF-8.");
	}
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	nf = read_line(&p, end, f, &cut);
	cm = nf > 0 ? column(f, nf, "mask") : -1;
	ci = nf > 0 ? column(f, nf, "image") : -1;
	cc = nf > 0 ? column(f, nf, "category_id") : -1;
	if (cm < 0 || ci < 0 || cc < 0) {
		free(f);
		return ts_error_set(err, TS_ERR_INVALID, "invalid_csv",
				    "The CSV's first line must name the columns mask, image and "
				    "category_id.");
	}
	while (p < end) {
		struct ts_csv_row *r;

		line++;
		nf = read_line(&p, end, f, &cut);
		if (nf < 0) {
			free(f);
			return ts_error_set(err, TS_ERR_INVALID, "invalid_csv",
					    "Line %zu of the CSV has an unclosed quote.", line);
		}
		if (nf == 1 && f[0][0] == '\0')
			continue;
		if (out->n == TS_CSV_MAX_ROWS) {
			free(f);
			return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_objects",
					    "The CSV holds more than %d rows.", TS_CSV_MAX_ROWS);
		}
		if (out->n == cap) {
			cap = cap ? 2 * cap : 64;
			out->rows = ts_xrealloc(out->rows, cap * sizeof(*out->rows));
		}
		r = &out->rows[out->n++];
		memset(r, 0, sizeof(*r));
		r->line = line;
		r->mask = ts_xstrdup(cm < nf ? f[cm] : "");
		r->image = ts_xstrdup(ci < nf ? f[ci] : "");
		if (cut)
			snprintf(r->bad, sizeof(r->bad), "a field is longer than %d bytes",
				 TS_CSV_FIELD_MAX);
		else if (cm >= nf || ci >= nf || cc >= nf || !r->mask[0] || !r->image[0])
			snprintf(r->bad, sizeof(r->bad), "the row lacks a mask, image or category_id");
		else if (parse_id(f[cc], &r->category_id))
			snprintf(r->bad, sizeof(r->bad), "the category_id is not a positive integer");
	}
	free(f);
	return TS_OK;
}
