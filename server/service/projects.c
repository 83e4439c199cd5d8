#include "service/projects.h"
#include "domain/payload.h"

#include <stdlib.h>
#include <string.h>

#include "domain/names.h"
#include "core/banned.h"

/* name cleaned into *out (NULL stays NULL). */
static enum ts_err clean(const char *name, size_t max, const char *what, char **out,
			 struct ts_error *err)
{
	*out = NULL;
	if (!name)
		return TS_OK;
	*out = ts_name_clean(name, max, what, err);
	return *out ? TS_OK : (err->err ? err->err : TS_ERR_INVALID);
}

enum ts_err ts_svc_project_create(struct ts_app *app, const char *name, const char *task_type,
				  int64_t user_id, struct ts_project *out, struct ts_error *err)
{
	char *clean_name;
	enum ts_err e;

	if (!ts_payload_task_type_valid(task_type))
		return ts_error_set(err, TS_ERR_INVALID, "unsupported_task_type",
				    "The task_type must be \"classification_single\", "
				    "\"classification_multi\", \"detection\" or \"segmentation\".");
	e = clean(name, TS_PROJECT_NAME_MAX, "project name", &clean_name, err);
	if (!e)
		e = ts_store_project_create(app->store, clean_name, task_type, user_id, out, err);
	free(clean_name);
	return e;
}

enum ts_err ts_svc_project_get(struct ts_app *app, int64_t id, struct ts_project *out,
			       struct ts_error *err)
{
	return ts_store_project_get(app->store, id, out, err);
}

enum ts_err ts_svc_project_list(struct ts_app *app, int64_t user_id, int is_admin, int deleted,
				int64_t before_id, int limit, struct ts_project **out, size_t *n,
				struct ts_error *err)
{
	if (deleted)
		return ts_store_project_list_deleted(app->store, is_admin ? 0 : user_id, before_id,
						     limit, out, n, err);
	if (is_admin)
		return ts_store_project_list(app->store, before_id, limit, out, n, err);
	return ts_store_project_list_for(app->store, user_id, before_id, limit, out, n, err);
}

enum ts_err ts_svc_project_update(struct ts_app *app, int64_t id, const char *name,
				  int review_own_labels, int64_t by, struct ts_project *out,
				  struct ts_error *err)
{
	char *clean_name;
	enum ts_err e;

	e = clean(name, TS_PROJECT_NAME_MAX, "project name", &clean_name, err);
	if (!e)
		e = ts_store_project_update(app->store, id, clean_name, review_own_labels, by, out,
					    err);
	free(clean_name);
	return e;
}

enum ts_err ts_svc_project_events(struct ts_app *app, int64_t id, int64_t before_id, int limit,
				  struct ts_project_event **out, size_t *n, struct ts_error *err)
{
	return ts_store_project_events(app->store, id, before_id, limit, out, n, err);
}

void ts_svc_project_events_release(struct ts_project_event *ev, size_t n)
{
	ts_store_events_release(ev, n);
}

enum ts_err ts_svc_category_list(struct ts_app *app, int64_t project_id, int include_deleted,
				 struct ts_category **out, size_t *n, struct ts_error *err)
{
	return ts_store_category_list(app->store, project_id, include_deleted, out, n, err);
}

enum ts_err ts_svc_category_create(struct ts_app *app, int64_t project_id, const char *name,
				   int64_t by, struct ts_category *out, struct ts_error *err)
{
	char *clean_name;
	enum ts_err e;

	e = clean(name ? name : "", TS_CATEGORY_NAME_MAX, "category name", &clean_name, err);
	if (!e)
		e = ts_store_category_create_by(app->store, project_id, clean_name, by, out, err);
	free(clean_name);
	return e;
}

enum ts_err ts_svc_category_update(struct ts_app *app, int64_t project_id, int64_t id,
				   const char *name, const char *state, int64_t by,
				   struct ts_category *out, struct ts_error *err)
{
	char *clean_name;
	enum ts_err e;

	if (state && strcmp(state, "active") != 0 && strcmp(state, "disabled") != 0)
		return ts_error_set(err, TS_ERR_INVALID, "invalid_state",
				    "The state must be \"active\" or \"disabled\"; use DELETE to "
				    "delete.");
	e = clean(name, TS_CATEGORY_NAME_MAX, "category name", &clean_name, err);
	if (!e)
		e = ts_store_category_update_by(app->store, project_id, id, clean_name, state, by,
						out, err);
	free(clean_name);
	return e;
}

enum ts_err ts_svc_category_delete(struct ts_app *app, int64_t project_id, int64_t id,
				   int64_t by, struct ts_category *out, struct ts_error *err)
{
	return ts_store_category_delete_by(app->store, project_id, id, by, out, err);
}

enum ts_err ts_svc_category_restore(struct ts_app *app, int64_t project_id, int64_t id,
				    int64_t by, struct ts_category *out, struct ts_error *err)
{
	return ts_store_category_restore_by(app->store, project_id, id, by, out, err);
}

enum ts_err ts_svc_category_reorder(struct ts_app *app, int64_t project_id, const int64_t *ids,
				    size_t n, int64_t by, struct ts_error *err)
{
	return ts_store_category_reorder_by(app->store, project_id, ids, n, by, err);
}

enum ts_err ts_svc_project_resolve(struct ts_app *app, enum ts_scope scope, int64_t id,
				   int64_t user_id, int64_t *project_id,
				   char role[TS_ROLE_NAME_MAX], struct ts_error *err)
{
	return ts_store_resolve(app->store, scope, id, user_id, project_id, role, err);
}

enum ts_err ts_svc_member_list(struct ts_app *app, int64_t project_id, struct ts_member **out,
			       size_t *n, struct ts_error *err)
{
	return ts_store_member_list(app->store, project_id, out, n, err);
}

/* A project keeps a manager: after a change inside tx that took the
 * manager role from someone (before), CONFLICT "last_manager" when nobody
 * has it any more (the caller then rolls the change back). */
static enum ts_err keep_a_manager(struct ts_store_tx *tx, int64_t project_id, const char *before,
				  struct ts_error *err)
{
	int64_t managers = 1;
	enum ts_err e = TS_OK;

	if (strcmp(before, "manager") == 0)
		e = ts_store_member_count_role(tx, project_id, "manager", &managers, err);
	if (!e && managers == 0)
		e = ts_error_set(err, TS_ERR_CONFLICT, "last_manager",
				 "the project needs at least one manager; make someone else manager "
				 "first");
	return e;
}

enum ts_err ts_svc_member_set(struct ts_app *app, int64_t project_id, int64_t user_id,
			      const char *role, int64_t by, struct ts_member *out, int *created,
			      struct ts_error *err)
{
	char before[TS_ROLE_NAME_MAX];
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(app->store, 1, &tx, err);

	if (e)
		return e;
	e = ts_store_member_set(&tx, project_id, user_id, role, by, out, created, before, err);
	if (!e)
		e = keep_a_manager(&tx, project_id, before, err);
	return ts_store_end(&tx, e, err);
}

enum ts_err ts_svc_member_find_user(struct ts_app *app, const char *name, int64_t *user_id,
				    struct ts_error *err)
{
	struct ts_user u;
	char *hash = NULL;
	enum ts_err e = ts_store_user_find_by_name(app->store, name, &u, &hash, err);

	free(hash);
	if (e == TS_ERR_NOT_FOUND) {
		ts_error_release(err);
		return ts_error_set(err, TS_ERR_NOT_FOUND, "user_not_found",
				    "There is no user named \"%.100s\".", name);
	}
	if (!e)
		*user_id = u.id;
	return e;
}

enum ts_err ts_svc_member_remove(struct ts_app *app, int64_t project_id, int64_t user_id,
				 int64_t by, struct ts_error *err)
{
	char before[TS_ROLE_NAME_MAX];
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(app->store, 1, &tx, err);

	if (e)
		return e;
	e = ts_store_member_remove(&tx, project_id, user_id, by, before, err);
	if (!e)
		e = keep_a_manager(&tx, project_id, before, err);
	return ts_store_end(&tx, e, err);
}
