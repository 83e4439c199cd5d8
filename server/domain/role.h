/* Project roles: who may do what in a project. Pure.
 *
 * A member of a project has one role; each role can do everything the one
 * before it can: a labeler reads the project and labels, a reviewer also
 * approves and bulk-edits, a manager also changes categories, settings,
 * uploads, exports and members. An admin is above every role in every
 * project, member or not. */
#ifndef TS_DOMAIN_ROLE_H
#define TS_DOMAIN_ROLE_H

enum ts_role {
	TS_ROLE_NONE = 0, /* not a member */
	TS_ROLE_LABELER = 1,
	TS_ROLE_REVIEWER = 2,
	TS_ROLE_MANAGER = 3,
	TS_ROLE_ADMIN = 4, /* not a membership role: a server admin */
};

/* "labeler", "reviewer", "manager", "admin", or "" for TS_ROLE_NONE. */
const char *ts_role_name(enum ts_role r);
/* The membership roles only (labeler, reviewer, manager): 0 and *out set,
 * or -1 for anything else (admin and NULL included). */
int ts_role_parse(const char *s, enum ts_role *out);

#endif
