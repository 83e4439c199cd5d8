#include "core/embedded.h"

#include <string.h>

#include "core/banned.h"

const char *ts_embedded_get(const char *path)
{
	for (size_t i = 0; i < ts_embedded_count; i++)
		if (strcmp(ts_embedded_files[i].path, path) == 0)
			return ts_embedded_files[i].text;
	return NULL;
}
