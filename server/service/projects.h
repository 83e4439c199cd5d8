/* The projects service: projects, their categories and their members.
 * Names are checked and cleaned here (domain/names.h); each change is
 * recorded by the store with who made it (project history). */
#ifndef TS_SERVICE_PROJECTS_H
#define TS_SERVICE_PROJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "core/error.h"
#include "store/store_members.h"
#include "store/store_projects.h"
#include "store/store_users.h"

/* The task types a project can have so far. */
#define TS_TASK_CLASSIFICATION_SINGLE "classification_single"

/* A new project named name (cleaned) of task_type, created by user_id
 * (who becomes its manager). INVALID "unsupported_task_type" /
 * "invalid_name". */
enum ts_err ts_svc_project_create(struct ts_app *app, const char *name, const char *task_type,
				  int64_t user_id, struct ts_project *out, struct ts_error *err);
enum ts_err ts_svc_project_get(struct ts_app *app, int64_t id, struct ts_project *out,
			       struct ts_error *err);
/* A page of projects before before_id: every one for an admin, else
 * those user_id belongs to. deleted: the deleted ones instead (for anyone
 * but an admin, those where user_id is a manager). The caller frees
 * *out. */
enum ts_err ts_svc_project_list(struct ts_app *app, int64_t user_id, int is_admin, int deleted,
				int64_t before_id, int limit, struct ts_project **out, size_t *n,
				struct ts_error *err);
/* Renames (name: NULL keeps it; cleaned) and/or sets review_own_labels
 * (-1 keeps it), by user `by`. */
enum ts_err ts_svc_project_update(struct ts_app *app, int64_t id, const char *name,
				  int review_own_labels, int64_t by, struct ts_project *out,
				  struct ts_error *err);
/* The project's history, newest first; free with
 * ts_svc_project_events_release. */
enum ts_err ts_svc_project_events(struct ts_app *app, int64_t id, int64_t before_id, int limit,
				  struct ts_project_event **out, size_t *n, struct ts_error *err);
void ts_svc_project_events_release(struct ts_project_event *ev, size_t n);

/* Categories (names cleaned; state "active" or "disabled", NULL keeps it). */
enum ts_err ts_svc_category_list(struct ts_app *app, int64_t project_id, int include_deleted,
				 struct ts_category **out, size_t *n, struct ts_error *err);
enum ts_err ts_svc_category_create(struct ts_app *app, int64_t project_id, const char *name,
				   int64_t by, struct ts_category *out, struct ts_error *err);
enum ts_err ts_svc_category_update(struct ts_app *app, int64_t project_id, int64_t id,
				   const char *name, const char *state, int64_t by,
				   struct ts_category *out, struct ts_error *err);
enum ts_err ts_svc_category_delete(struct ts_app *app, int64_t project_id, int64_t id,
				   int64_t by, struct ts_category *out, struct ts_error *err);
enum ts_err ts_svc_category_restore(struct ts_app *app, int64_t project_id, int64_t id,
				    int64_t by, struct ts_category *out, struct ts_error *err);
enum ts_err ts_svc_category_reorder(struct ts_app *app, int64_t project_id, const int64_t *ids,
				    size_t n, int64_t by, struct ts_error *err);

/* What project the object id of scope (a project, asset, export or
 * video) belongs to, and user_id's role there ("" when not a member).
 * NOT_FOUND for an unknown id. */
enum ts_err ts_svc_project_resolve(struct ts_app *app, enum ts_scope scope, int64_t id,
				   int64_t user_id, int64_t *project_id,
				   char role[TS_ROLE_NAME_MAX], struct ts_error *err);

/* Members. */
enum ts_err ts_svc_member_list(struct ts_app *app, int64_t project_id, struct ts_member **out,
			       size_t *n, struct ts_error *err);
/* Gives user_id role in the project (*created: newly added). */
enum ts_err ts_svc_member_set(struct ts_app *app, int64_t project_id, int64_t user_id,
			      const char *role, int64_t by, struct ts_member *out, int *created,
			      struct ts_error *err);
/* The id of the user named name; NOT_FOUND "user_not_found". */
enum ts_err ts_svc_member_find_user(struct ts_app *app, const char *name, int64_t *user_id,
				    struct ts_error *err);
enum ts_err ts_svc_member_remove(struct ts_app *app, int64_t project_id, int64_t user_id,
				 int64_t by, struct ts_error *err);

#endif
