#include "import/archive.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

#include "core/utf8.h"
#include "core/banned.h"

struct ts_import_archive {
	zip_t *zip;
	struct ts_import_entry *entries;
	size_t n;
};

const char *ts_import_basename(const char *name)
{
	const char *slash = strrchr(name, '/');

	return slash ? slash + 1 : name;
}

/* A name an unpacker could not be tricked by: relative, forward slashes,
 * no "." or ".." component, no empty component but a folder's final one,
 * valid UTF-8 without control characters. */
static int name_safe(const char *name)
{
	size_t len = strlen(name);
	const char *p = name;

	if (len == 0 || len > TS_IMPORT_NAME_MAX || name[0] == '/' ||
	    (len >= 2 && name[1] == ':') || ts_utf8_count(name, len) < 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c == 0x7F || c == '\\')
			return 0;
	}
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if ((n == 0 && end) || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n + (end ? 1 : 0);
	}
	return 1;
}

static int is_link(zip_t *z, zip_uint64_t i)
{
	zip_uint8_t opsys;
	zip_uint32_t attr;

	if (zip_file_get_external_attributes(z, i, 0, &opsys, &attr) != 0)
		return 0;
	return opsys == ZIP_OPSYS_UNIX && ((attr >> 16) & S_IFMT) == S_IFLNK;
}

static enum ts_err check(struct ts_import_archive *a, struct ts_error *err)
{
	zip_int64_t n = zip_get_num_entries(a->zip, 0);
	uint64_t total = 0;

	if (n < 0)
		return ts_error_set(err, TS_ERR_INVALID, "not_a_zip", "The file is not a readable zip.");
	if ((uint64_t)n > TS_IMPORT_MAX_ENTRIES)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "too_many_entries",
				    "The zip holds %lld entries; an import takes at most %d.",
				    (long long)n, TS_IMPORT_MAX_ENTRIES);
	a->entries = ts_xcalloc((size_t)n + 1, sizeof(*a->entries));
	for (zip_int64_t i = 0; i < n; i++) {
		struct ts_import_entry *e = &a->entries[a->n];
		zip_stat_t st;
		const char *name;

		zip_stat_init(&st);
		if (zip_stat_index(a->zip, (zip_uint64_t)i, 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
			return ts_error_set(err, TS_ERR_INVALID, "not_a_zip",
					    "Entry %lld of the zip cannot be read.", (long long)i);
		name = st.name;
		if (!name_safe(name))
			return ts_error_set(err, TS_ERR_INVALID, "unsafe_entry_name",
					    "The zip entry name \"%.200s\" is not allowed: names must be "
					    "relative paths with forward slashes, without \"..\", "
					    "backslashes or control characters.",
					    ts_utf8_count(name, strlen(name)) >= 0 ? name : "(not UTF-8)");
		if (is_link(a->zip, (zip_uint64_t)i) ||
		    ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) ||
		    ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
		     st.comp_method != ZIP_CM_DEFLATE))
			return ts_error_set(err, TS_ERR_INVALID, "unsupported_entry",
					    "The zip entry \"%.200s\" is a link, encrypted, or compressed "
					    "with a method other than deflate.",
					    name);
		if (st.size > TS_IMPORT_MAX_ENTRY)
			return ts_error_set(err, TS_ERR_TOO_LARGE, "entry_too_large",
					    "The zip entry \"%.200s\" holds %llu bytes; an entry may hold "
					    "at most %llu.",
					    name, (unsigned long long)st.size,
					    (unsigned long long)TS_IMPORT_MAX_ENTRY);
		if (st.size > TS_IMPORT_RATIO_FLOOR &&
		    st.size / (st.comp_size ? st.comp_size : 1) >= TS_IMPORT_MAX_RATIO)
			return ts_error_set(err, TS_ERR_TOO_LARGE, "zip_bomb",
					    "The zip entry \"%.200s\" inflates %llu bytes to %llu, more "
					    "than %d times: refused as a zip bomb.",
					    name, (unsigned long long)st.comp_size,
					    (unsigned long long)st.size, TS_IMPORT_MAX_RATIO);
		total += st.size;
		if (total > TS_IMPORT_MAX_TOTAL)
			return ts_error_set(err, TS_ERR_TOO_LARGE, "import_too_large",
					    "The zip's entries hold more than %llu bytes in all.",
					    (unsigned long long)TS_IMPORT_MAX_TOTAL);
		e->name = ts_xstrdup(name);
		e->size = st.size;
		e->index = i;
		e->dir = name[strlen(name) - 1] == '/';
		a->n++;
	}
	return TS_OK;
}

static enum ts_err open_source(zip_source_t *src, zip_error_t *ze, struct ts_import_archive **out,
			       struct ts_error *err)
{
	struct ts_import_archive *a;
	enum ts_err e;

	*out = NULL;
	if (!src)
		return ts_error_set(err, TS_ERR_INVALID, "not_a_zip", "The file is not a readable zip.");
	a = ts_xcalloc(1, sizeof(*a));
	a->zip = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, ze);
	if (!a->zip) {
		zip_source_free(src);
		free(a);
		return ts_error_set(err, TS_ERR_INVALID, "not_a_zip",
				    "The file is not a readable zip: %s.", zip_error_strerror(ze));
	}
	e = check(a, err);
	if (e) {
		ts_import_archive_close(a);
		return e;
	}
	*out = a;
	return TS_OK;
}

enum ts_err ts_import_archive_open(const char *path, struct ts_import_archive **out,
				   struct ts_error *err)
{
	zip_error_t ze;
	enum ts_err e;

	zip_error_init(&ze);
	e = open_source(zip_source_file_create(path, 0, -1, &ze), &ze, out, err);
	zip_error_fini(&ze);
	return e;
}

enum ts_err ts_import_archive_open_buffer(const void *buf, size_t len,
					  struct ts_import_archive **out, struct ts_error *err)
{
	zip_error_t ze;
	enum ts_err e;

	zip_error_init(&ze);
	e = open_source(zip_source_buffer_create(buf, len, 0, &ze), &ze, out, err);
	zip_error_fini(&ze);
	return e;
}

void ts_import_archive_close(struct ts_import_archive *a)
{
	if (!a)
		return;
	if (a->zip)
		zip_discard(a->zip);
	for (size_t i = 0; i < a->n; i++)
		free(a->entries[i].name);
	free(a->entries);
	free(a);
}

const struct ts_import_entry *ts_import_archive_entries(const struct ts_import_archive *a,
							size_t *n)
{
	*n = a->n;
	return a->entries;
}

const struct ts_import_entry *ts_import_archive_find(const struct ts_import_archive *a,
						     const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->entries[i].name, name) == 0)
			return &a->entries[i];
	return NULL;
}

enum ts_err ts_import_archive_read(struct ts_import_archive *a, const struct ts_import_entry *e,
				   size_t max, char **out, size_t *len, struct ts_error *err)
{
	size_t want = (size_t)e->size, got = 0;
	zip_file_t *zf;
	char *buf;

	*out = NULL;
	*len = 0;
	if (max && e->size > max)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "entry_too_large",
				    "The zip entry \"%.200s\" holds %llu bytes; it may hold at most %zu.",
				    e->name, (unsigned long long)e->size, max);
	zf = zip_fopen_index(a->zip, (zip_uint64_t)e->index, 0);
	if (!zf)
		return ts_error_set(err, TS_ERR_INVALID, "bad_entry",
				    "The zip entry \"%.200s\" cannot be opened: %s.", e->name,
				    zip_strerror(a->zip));
	/* One byte more than promised: an entry that inflates past its
	 * stated size is caught without reading the rest. */
	buf = ts_xmalloc(want + 2);
	while (got < want + 1) {
		zip_int64_t r = zip_fread(zf, buf + got, want + 1 - got);

		if (r < 0) {
			ts_error_set(err, TS_ERR_INVALID, "bad_entry",
				     "The zip entry \"%.200s\" does not inflate: %s.", e->name,
				     zip_file_strerror(zf));
			goto fail;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got > want) {
		ts_error_set(err, TS_ERR_TOO_LARGE, "entry_too_large",
			     "The zip entry \"%.200s\" holds more bytes than its directory says.",
			     e->name);
		goto fail;
	}
	if (got < want) {
		ts_error_set(err, TS_ERR_INVALID, "bad_entry",
			     "The zip entry \"%.200s\" holds fewer bytes than its directory says.",
			     e->name);
		goto fail;
	}
	zip_fclose(zf);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return TS_OK;
fail:
	zip_fclose(zf);
	free(buf);
	return err ? err->err : TS_ERR_INVALID;
}
