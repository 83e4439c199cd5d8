/* RFC 3339 times from clients (a token's expires_at): any bytes, no crash,
 * and what parses prints back to a time that parses to the same value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char back[40];
	int64_t t, t2;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (ts_time_parse_rfc3339(s, &t) == 0 && t >= 0 && t < 253402300800000LL) {
		ts_time_rfc3339(t, back, sizeof(back));
		if (ts_time_parse_rfc3339(back, &t2) != 0 || t2 != t)
			abort();
	}
	free(s);
	return 0;
}
