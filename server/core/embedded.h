/* Files compiled into the binary (the contract's JSON Schemas), generated
 * by scripts/embed-files.sh. */
#ifndef TS_EMBEDDED_H
#define TS_EMBEDDED_H

#include <stddef.h>

struct ts_embedded {
	const char *path; /* as in the repository, e.g. "contract/schema/manifest.schema.json" */
	const char *text;
};

extern const struct ts_embedded ts_embedded_files[];
extern const size_t ts_embedded_count;

/* The text of an embedded file by path, or NULL. */
const char *ts_embedded_get(const char *path);

#endif
