#include "domain/role.h"

#include <string.h>

#include "core/banned.h"

static const char *const names[] = { "", "labeler", "reviewer", "manager", "admin" };

const char *ts_role_name(enum ts_role r)
{
	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "";
}

int ts_role_parse(const char *s, enum ts_role *out)
{
	if (!s)
		return -1;
	for (int r = TS_ROLE_LABELER; r <= TS_ROLE_MANAGER; r++)
		if (strcmp(s, names[r]) == 0) {
			*out = (enum ts_role)r;
			return 0;
		}
	return -1;
}
