/* Project membership, the audit history of project changes, and finding
 * the project that an id belongs to. Roles are kept as their names
 * ("labeler", "reviewer", "manager"); what a role may do is decided above
 * the store (domain/role.h). */
#ifndef TS_STORE_MEMBERS_H
#define TS_STORE_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_users.h"

#define TS_ROLE_NAME_MAX 12
#define TS_EVENTS_PAGE_MAX 500

/* What kind of id a request names. */
enum ts_scope {
	TS_SCOPE_PROJECT = 1,
	TS_SCOPE_ASSET,
	TS_SCOPE_EXPORT,
	TS_SCOPE_VIDEO,
	/* A project, also when it is deleted (restoring it). The other kinds
	 * are not found in a deleted project. */
	TS_SCOPE_ANY_PROJECT,
	TS_SCOPE_IMPORT,
};

struct ts_member {
	int64_t project_id;
	int64_t user_id;
	char user_name[TS_USER_NAME_MAX * 4 + 1];
	int disabled; /* the user's account is disabled */
	char role[TS_ROLE_NAME_MAX];
	int64_t added_at;
};

struct ts_project_event {
	int64_t id;
	int64_t project_id;
	int64_t user_id; /* 0: unknown (a tool, or a deleted user) */
	char user_name[TS_USER_NAME_MAX * 4 + 1];
	int64_t at;
	char action[32];
	char *detail; /* JSON object text, malloc'd: ts_store_events_release */
};

struct ts_store_member_ops {
	/* The project that id (of kind scope) belongs to, and user_id's role
	 * there ("" when not a member). NOT_FOUND "<kind>_not_found" when
	 * there is no such id, or when its project is deleted (except for
	 * TS_SCOPE_ANY_PROJECT). */
	enum ts_err (*resolve)(struct ts_store *s, enum ts_scope scope, int64_t id,
			       int64_t user_id, int64_t *project_id, char role[TS_ROLE_NAME_MAX],
			       struct ts_error *err);
	/* By user name; *out malloc'd. NOT_FOUND for an unknown project. */
	enum ts_err (*list)(struct ts_store *s, int64_t project_id, struct ts_member **out,
			    size_t *n, struct ts_error *err);
	/* Inside the caller's write transaction, deciding nothing (who may
	 * change roles, and that a project keeps a manager, are
	 * service/projects.c's). set adds user_id with role, or changes their
	 * role (nothing when it is that role already); *created says which and
	 * before receives the role they had ("" when not a member). remove
	 * takes them out (before: the role they had). Both record a member
	 * event by `by`. NOT_FOUND "project_not_found", "user_not_found"
	 * (set), "member_not_found" (remove). */
	enum ts_err (*set)(struct ts_store_tx *tx, int64_t project_id, int64_t user_id,
			   const char *role, int64_t by, struct ts_member *out, int *created,
			   char before[TS_ROLE_NAME_MAX], struct ts_error *err);
	enum ts_err (*remove)(struct ts_store_tx *tx, int64_t project_id, int64_t user_id,
			      int64_t by, char before[TS_ROLE_NAME_MAX], struct ts_error *err);
	/* The number of the project's members with role, inside tx. */
	enum ts_err (*count_role)(struct ts_store_tx *tx, int64_t project_id, const char *role,
				  int64_t *n, struct ts_error *err);
	/* Newest first, ids below before_id (0: from the newest), at most
	 * limit. Release with ts_store_events_release. */
	enum ts_err (*events)(struct ts_store *s, int64_t project_id, int64_t before_id, int limit,
			      struct ts_project_event **out, size_t *n, struct ts_error *err);
};

static inline enum ts_err ts_store_resolve(struct ts_store *s, enum ts_scope scope, int64_t id,
					   int64_t user_id, int64_t *project_id,
					   char role[TS_ROLE_NAME_MAX], struct ts_error *err)
{
	return s->ops->members->resolve(s, scope, id, user_id, project_id, role, err);
}
static inline enum ts_err ts_store_member_list(struct ts_store *s, int64_t project_id,
					       struct ts_member **out, size_t *n,
					       struct ts_error *err)
{
	return s->ops->members->list(s, project_id, out, n, err);
}
static inline enum ts_err ts_store_member_set(struct ts_store_tx *tx, int64_t project_id,
					      int64_t user_id, const char *role, int64_t by,
					      struct ts_member *out, int *created,
					      char before[TS_ROLE_NAME_MAX], struct ts_error *err)
{
	return tx->store->ops->members->set(tx, project_id, user_id, role, by, out, created,
					    before, err);
}
static inline enum ts_err ts_store_member_remove(struct ts_store_tx *tx, int64_t project_id,
						 int64_t user_id, int64_t by,
						 char before[TS_ROLE_NAME_MAX], struct ts_error *err)
{
	return tx->store->ops->members->remove(tx, project_id, user_id, by, before, err);
}
static inline enum ts_err ts_store_member_count_role(struct ts_store_tx *tx, int64_t project_id,
						     const char *role, int64_t *n,
						     struct ts_error *err)
{
	return tx->store->ops->members->count_role(tx, project_id, role, n, err);
}
static inline enum ts_err ts_store_project_events(struct ts_store *s, int64_t project_id,
						  int64_t before_id, int limit,
						  struct ts_project_event **out, size_t *n,
						  struct ts_error *err)
{
	return s->ops->members->events(s, project_id, before_id, limit, out, n, err);
}
void ts_store_events_release(struct ts_project_event *ev, size_t n);

#endif
