/* The trash service: soft delete and restore. A deleted asset keeps its
 * row and files (ready export versions that hold it stay valid) but leaves
 * every list, count, queue, stat and new export; restoring brings it back
 * with its labels. Each change is kept in the project's history. */
#ifndef TS_SERVICE_TRASH_H
#define TS_SERVICE_TRASH_H

#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "store/store_assets.h"
#include "store/store_projects.h"

/* Deleting a deleted asset is not an error. NOT_FOUND "asset_not_found". */
enum ts_err ts_svc_asset_delete(struct ts_app *app, int64_t id, int64_t by,
				struct ts_error *err);
/* Restores it (an asset that is not deleted is left as is) and reads it
 * back into *out. NOT_FOUND "asset_not_found". */
enum ts_err ts_svc_asset_restore(struct ts_app *app, int64_t id, int64_t by,
				 struct ts_asset *out, struct ts_error *err);

/* Deletes a finished export version: its row, hash and snapshot stay (so
 * "identical to version N" still names it; GET shows deleted_at), its
 * files are removed, it leaves the list and the version quota. It cannot
 * be restored: export again. CONFLICT "export_not_finished" while it is
 * being built; NOT_FOUND "export_not_found". */
enum ts_err ts_svc_export_delete(struct ts_app *app, int64_t id, int64_t by,
				 struct ts_error *err);

/* Soft-deletes a project: it leaves the lists and everything under it
 * answers as unknown, but nothing is removed (its assets, labels, members
 * and export versions, files included, stay; ready versions still
 * verify). Restoring brings it back as it was; *out (may be NULL) receives
 * it. Either one on a project already in that state changes nothing.
 * NOT_FOUND "project_not_found". */
enum ts_err ts_svc_project_set_deleted(struct ts_app *app, int64_t id, int deleted, int64_t by,
				       struct ts_project *out, struct ts_error *err);

#endif
