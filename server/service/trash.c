#include "service/trash.h"

#include <stdio.h>

#include "core/log.h"
#include "export/build.h"
#include "storage/remote.h"
#include "store/store_exports.h"
#include "core/banned.h"

enum ts_err ts_svc_asset_delete(struct ts_app *app, int64_t id, int64_t by,
				struct ts_error *err)
{
	int64_t project_id;

	return ts_store_asset_set_deleted(app->store, id, 1, by, &project_id, err);
}

enum ts_err ts_svc_asset_restore(struct ts_app *app, int64_t id, int64_t by,
				 struct ts_asset *out, struct ts_error *err)
{
	int64_t project_id;
	enum ts_err e = ts_store_asset_set_deleted(app->store, id, 0, by, &project_id, err);

	return e ? e : ts_store_asset_get(app->store, id, out, err);
}

enum ts_err ts_svc_export_delete(struct ts_app *app, int64_t id, int64_t by,
				 struct ts_error *err)
{
	char exports_dir[4096];
	struct ts_export ex;
	int changed, len;
	enum ts_err e;

	e = ts_store_export_set_deleted(app->store, id, by, &changed, err);
	if (!e)
		e = ts_store_export_get(app->store, id, 0, &ex, err);
	if (e)
		return e;
	/* Also when it was deleted already: a removal cut short goes on. */
	len = snprintf(exports_dir, sizeof(exports_dir), "%s/exports", app->cfg.data_dir);
	if (len > 0 && (size_t)len < sizeof(exports_dir)) {
		char zip[4096 + 64];
		struct ts_error why = { 0 };

		ts_export_remove_files(exports_dir, ex.project_id, ex.version);
		/* And its zip in the object store: that copy is the version's
		 * home there. A store out of reach leaves it (logged); a later
		 * delete of the same version tries again. */
		if (ts_export_zip_path(exports_dir, ex.project_id, ex.version, zip, sizeof(zip)) == 0 &&
		    ts_blob_remote_remove(app->cfg.data_dir, zip, &why) != TS_OK)
			ts_log_warn("export %lld: its zip stays in the object store: %s",
				    (long long)id, why.message);
		ts_error_release(&why);
	}
	ts_export_release(&ex);
	return TS_OK;
}

enum ts_err ts_svc_project_set_deleted(struct ts_app *app, int64_t id, int deleted, int64_t by,
				       struct ts_project *out, struct ts_error *err)
{
	return ts_store_project_set_deleted(app->store, id, deleted, by, out, err);
}
