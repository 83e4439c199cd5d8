/* Projects and their categories. Category ids are assigned here, from a
 * per-project counter that only grows: an id is never changed or reused. */
#ifndef TS_STORE_PROJECTS_H
#define TS_STORE_PROJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

#define TS_PROJECT_NAME_MAX 200  /* characters */
#define TS_CATEGORY_NAME_MAX 100 /* characters */

struct ts_project {
	int64_t id;
	char name[TS_PROJECT_NAME_MAX * 4 + 1];
	char task_type[40];
	char schema_version[16];
	int64_t created_at;
	int64_t updated_at;
	int review_own_labels; /* may a reviewer approve labels they set? */
	char role[12];         /* list_for only: the user's role ("" otherwise) */
	int64_t deleted_at;    /* epoch ms; 0: not deleted */
};

struct ts_category {
	int64_t id;
	int64_t project_id;
	char name[TS_CATEGORY_NAME_MAX * 4 + 1];
	int64_t display_order;
	char state[12]; /* active, disabled, deleted */
	int64_t created_at;
	int64_t updated_at;
};

/* Changes to a project and its categories record their author (`by`, a user
 * id; 0 for none) in the project's history (store/members.h), in the same
 * transaction. The creator of a project becomes its manager. The wrappers
 * without `by` (ts_store_category_create ...) record no author: for tools
 * and tests; requests use the `_by` ones. */
struct ts_store_project_ops {
	enum ts_err (*create)(struct ts_store *s, const char *name, const char *task_type,
			      int64_t user_id, struct ts_project *out, struct ts_error *err);
	enum ts_err (*get)(struct ts_store *s, int64_t id, struct ts_project *out,
			   struct ts_error *err);
	/* Newest first; before_id 0 starts at the newest. *out malloc'd.
	 * member_of > 0: only that user's projects, each with their role.
	 * deleted 0: the projects that are not deleted; 1: only the deleted
	 * ones (with member_of, only those where the user is a manager). */
	enum ts_err (*list)(struct ts_store *s, int64_t member_of, int deleted, int64_t before_id,
			    int limit, struct ts_project **out, size_t *n, struct ts_error *err);
	/* Soft-deletes (deleted 1) or restores (0) a project: only deleted_at
	 * changes (nothing under it is touched), recorded in its history by
	 * `by`. Asking for the state it is in changes nothing. *out (may be
	 * NULL) receives the project. NOT_FOUND "project_not_found". */
	enum ts_err (*set_deleted)(struct ts_store *s, int64_t id, int deleted, int64_t by,
				   struct ts_project *out, struct ts_error *err);
	/* name NULL: unchanged; review_own_labels < 0: unchanged. */
	enum ts_err (*update)(struct ts_store *s, int64_t id, const char *name,
			      int review_own_labels, int64_t by, struct ts_project *out,
			      struct ts_error *err);

	/* By display_order; *out malloc'd. NOT_FOUND for an unknown project. */
	enum ts_err (*category_list)(struct ts_store *s, int64_t project_id, int include_deleted,
				     struct ts_category **out, size_t *n, struct ts_error *err);
	enum ts_err (*category_get)(struct ts_store *s, int64_t project_id, int64_t id,
				    struct ts_category *out, struct ts_error *err);
	/* CONFLICT "name_taken" when a live category has the same name key. */
	enum ts_err (*category_create)(struct ts_store *s, int64_t project_id, const char *name,
				       int64_t by, struct ts_category *out, struct ts_error *err);
	/* name or state may be NULL (unchanged); state is "active" or
	 * "disabled"; a deleted category cannot be changed. */
	enum ts_err (*category_update)(struct ts_store *s, int64_t project_id, int64_t id,
				       const char *name, const char *state, int64_t by,
				       struct ts_category *out, struct ts_error *err);
	enum ts_err (*category_delete)(struct ts_store *s, int64_t project_id, int64_t id,
				       int64_t by, struct ts_category *out, struct ts_error *err);
	/* Brings a deleted category back, with its id, as "active" and last in
	 * the display order; CONFLICT "name_taken" when a live category took
	 * its name meanwhile. A category that is not deleted is left as is. */
	enum ts_err (*category_restore)(struct ts_store *s, int64_t project_id, int64_t id,
					int64_t by, struct ts_category *out, struct ts_error *err);
	/* ids must be a permutation of the non-deleted ids (INVALID
	 * "invalid_order" otherwise); only display_order changes. */
	enum ts_err (*category_reorder)(struct ts_store *s, int64_t project_id,
					const int64_t *ids, size_t n, int64_t by,
					struct ts_error *err);
};

static inline enum ts_err ts_store_project_create(struct ts_store *s, const char *name,
						  const char *task_type, int64_t user_id,
						  struct ts_project *out, struct ts_error *err)
{
	return s->ops->projects->create(s, name, task_type, user_id, out, err);
}
static inline enum ts_err ts_store_project_get(struct ts_store *s, int64_t id,
					       struct ts_project *out, struct ts_error *err)
{
	return s->ops->projects->get(s, id, out, err);
}
static inline enum ts_err ts_store_project_list(struct ts_store *s, int64_t before_id, int limit,
						struct ts_project **out, size_t *n,
						struct ts_error *err)
{
	return s->ops->projects->list(s, 0, 0, before_id, limit, out, n, err);
}
static inline enum ts_err ts_store_project_list_for(struct ts_store *s, int64_t user_id,
						    int64_t before_id, int limit,
						    struct ts_project **out, size_t *n,
						    struct ts_error *err)
{
	return s->ops->projects->list(s, user_id, 0, before_id, limit, out, n, err);
}
/* The deleted projects: every one (user_id 0) or those user_id manages. */
static inline enum ts_err ts_store_project_list_deleted(struct ts_store *s, int64_t user_id,
							int64_t before_id, int limit,
							struct ts_project **out, size_t *n,
							struct ts_error *err)
{
	return s->ops->projects->list(s, user_id, 1, before_id, limit, out, n, err);
}
static inline enum ts_err ts_store_project_set_deleted(struct ts_store *s, int64_t id,
						       int deleted, int64_t by,
						       struct ts_project *out,
						       struct ts_error *err)
{
	return s->ops->projects->set_deleted(s, id, deleted, by, out, err);
}
static inline enum ts_err ts_store_project_rename(struct ts_store *s, int64_t id,
						  const char *name, struct ts_project *out,
						  struct ts_error *err)
{
	return s->ops->projects->update(s, id, name, -1, 0, out, err);
}
static inline enum ts_err ts_store_project_update(struct ts_store *s, int64_t id,
						  const char *name, int review_own_labels,
						  int64_t by, struct ts_project *out,
						  struct ts_error *err)
{
	return s->ops->projects->update(s, id, name, review_own_labels, by, out, err);
}
static inline enum ts_err ts_store_category_list(struct ts_store *s, int64_t project_id,
						 int include_deleted, struct ts_category **out,
						 size_t *n, struct ts_error *err)
{
	return s->ops->projects->category_list(s, project_id, include_deleted, out, n, err);
}
static inline enum ts_err ts_store_category_get(struct ts_store *s, int64_t project_id,
						int64_t id, struct ts_category *out,
						struct ts_error *err)
{
	return s->ops->projects->category_get(s, project_id, id, out, err);
}
static inline enum ts_err ts_store_category_create(struct ts_store *s, int64_t project_id,
						   const char *name, struct ts_category *out,
						   struct ts_error *err)
{
	return s->ops->projects->category_create(s, project_id, name, 0, out, err);
}
static inline enum ts_err ts_store_category_create_by(struct ts_store *s, int64_t project_id,
						      const char *name, int64_t by,
						      struct ts_category *out, struct ts_error *err)
{
	return s->ops->projects->category_create(s, project_id, name, by, out, err);
}
static inline enum ts_err ts_store_category_update(struct ts_store *s, int64_t project_id,
						   int64_t id, const char *name, const char *state,
						   struct ts_category *out, struct ts_error *err)
{
	return s->ops->projects->category_update(s, project_id, id, name, state, 0, out, err);
}
static inline enum ts_err ts_store_category_update_by(struct ts_store *s, int64_t project_id,
						      int64_t id, const char *name,
						      const char *state, int64_t by,
						      struct ts_category *out, struct ts_error *err)
{
	return s->ops->projects->category_update(s, project_id, id, name, state, by, out, err);
}
static inline enum ts_err ts_store_category_delete(struct ts_store *s, int64_t project_id,
						   int64_t id, struct ts_category *out,
						   struct ts_error *err)
{
	return s->ops->projects->category_delete(s, project_id, id, 0, out, err);
}
static inline enum ts_err ts_store_category_delete_by(struct ts_store *s, int64_t project_id,
						      int64_t id, int64_t by,
						      struct ts_category *out, struct ts_error *err)
{
	return s->ops->projects->category_delete(s, project_id, id, by, out, err);
}
static inline enum ts_err ts_store_category_restore_by(struct ts_store *s, int64_t project_id,
						       int64_t id, int64_t by,
						       struct ts_category *out, struct ts_error *err)
{
	return s->ops->projects->category_restore(s, project_id, id, by, out, err);
}
static inline enum ts_err ts_store_category_reorder(struct ts_store *s, int64_t project_id,
						    const int64_t *ids, size_t n,
						    struct ts_error *err)
{
	return s->ops->projects->category_reorder(s, project_id, ids, n, 0, err);
}
static inline enum ts_err ts_store_category_reorder_by(struct ts_store *s, int64_t project_id,
						       const int64_t *ids, size_t n, int64_t by,
						       struct ts_error *err)
{
	return s->ops->projects->category_reorder(s, project_id, ids, n, by, err);
}

#endif
