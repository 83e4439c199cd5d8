/* Backend-independent helpers of the export store. */
#include "store/exports.h"

#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

const char *const ts_export_statuses[TS_EXPORT_NSTATUS] = {
	"unlabeled", "labeled", "skipped", "needs_review", "approved",
};

int ts_export_status_index(const char *status)
{
	for (int i = 0; i < TS_EXPORT_NSTATUS; i++)
		if (status && strcmp(status, ts_export_statuses[i]) == 0)
			return i;
	return -1;
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
	for (size_t i = 0; i < snap->n_items; i++) {
		free(snap->items[i].labeled_by);
		free(snap->items[i].file_name);
		free(snap->items[i].video_file_name);
	}
	free(snap->categories);
	free(snap->items);
	memset(snap, 0, sizeof(*snap));
}
