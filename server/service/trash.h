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

#endif
