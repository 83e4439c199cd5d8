#include "service/trash.h"

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
