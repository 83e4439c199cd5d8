/* The backend-independent part of the store port: picking a backend by
 * URL, and helpers shared by every backend. */
#include "store/store.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/store_exports.h"
#include "store/store_members.h"

#include "core/banned.h"

struct ts_store *ts_store_open(const char *url, const char *data_dir, struct ts_error *err)
{
	struct ts_store *s = NULL;
	struct ts_buf path;
	char *p;

	ts_buf_init(&path, 4096);
	if (!url || !*url) {
		if (ts_buf_addf(&path, "%s/tessera.db", data_dir)) {
			ts_error_set(err, TS_ERR_INVALID, "bad_db_url", "data path too long");
			goto fail;
		}
	} else if (strncmp(url, "sqlite:", 7) == 0 && url[7]) {
		if (ts_buf_adds(&path, url + 7)) {
			ts_error_set(err, TS_ERR_INVALID, "bad_db_url", "database path too long");
			goto fail;
		}
	} else if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
		ts_buf_release(&path);
		return ts_store_pg_open(url, err);
	} else {
		ts_error_set(err, TS_ERR_INVALID, "bad_db_url",
			     "--db must be sqlite:PATH or postgresql://...");
		goto fail;
	}

	p = ts_buf_take(&path, NULL);
	s = ts_store_sqlite_open(p, err);
	free(p);
	return s;
fail:
	ts_buf_release(&path);
	return s;
}

void ts_store_free(struct ts_store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s);
}

const char *ts_store_like_pattern(const char *text, char *out, size_t size)
{
	size_t o = 0;

	if (!text || !*text || size < 3)
		return NULL;
	out[o++] = '%';
	for (size_t i = 0; text[i] && i < (size - 3) / 2; i++) {
		if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
			out[o++] = '\\';
		out[o++] = text[i];
	}
	out[o++] = '%';
	out[o] = '\0';
	return out;
}

char *ts_store_name_key(const char *name)
{
	size_t len = strlen(name);
	size_t start = 0;
	char *key;

	while (start < len && isspace((unsigned char)name[start]))
		start++;
	while (len > start && isspace((unsigned char)name[len - 1]))
		len--;
	key = ts_xstrndup(name + start, len - start);
	for (char *p = key; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return key;
}

void ts_store_events_release(struct ts_project_event *ev, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ev[i].detail);
	free(ev);
}

void ts_export_release(struct ts_export *ex)
{
	if (!ex)
		return;
	free(ex->manifest);
	ex->manifest = NULL;
}

void ts_export_snapshot_release(struct ts_export_snapshot *snap)
{
	if (!snap)
		return;
	for (size_t i = 0; i < snap->n_categories; i++)
		free(snap->categories[i].name);
	free(snap->categories);
	memset(snap, 0, sizeof(*snap));
}

void ts_export_items_release(struct ts_export_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].labeled_by);
		free(items[i].file_name);
		free(items[i].video_file_name);
		free(items[i].payload);
	}
	free(items);
}

/* ---- models (store_models.h) ---- */
#include "store/store_models.h"

void ts_model_row_release(struct ts_model_row *m)
{
	free(m->metadata);
	m->metadata = NULL;
}

void ts_suggestion_release(struct ts_suggestion *sg)
{
	free(sg->payload);
	free(sg->chosen);
	sg->payload = NULL;
	sg->chosen = NULL;
}

