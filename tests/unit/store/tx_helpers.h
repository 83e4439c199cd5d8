/* Store primitives that run inside a transaction, each wrapped in a write
 * transaction of its own, for tests that make one change at a time. */
#ifndef TS_TEST_STORE_TX_HELPERS_H
#define TS_TEST_STORE_TX_HELPERS_H

#include "store/store.h"
#include "store/store_members.h"
#include "store/store_users.h"

/* A member set, or a remove when role is NULL; before receives the role
 * the user had. */
static inline enum ts_err tx_member(struct ts_store *s, int64_t project_id, int64_t user_id,
				    const char *role, int64_t by, struct ts_member *out,
				    int *created, char before[TS_ROLE_NAME_MAX],
				    struct ts_error *err)
{
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(s, 1, &tx, err);

	if (e)
		return e;
	e = role ? ts_store_member_set(&tx, project_id, user_id, role, by, out, created, before, err)
		 : ts_store_member_remove(&tx, project_id, user_id, by, before, err);
	return ts_store_end(&tx, e, err);
}

static inline enum ts_err tx_set_disabled(struct ts_store *s, int64_t id, int disabled,
					  struct ts_user *out, struct ts_error *err)
{
	struct ts_store_tx tx;
	enum ts_err e = ts_store_begin(s, 1, &tx, err);

	if (!e)
		e = ts_store_end(&tx, ts_store_user_set_disabled(&tx, id, disabled, out, err), err);
	return e;
}

#endif
