/* libFuzzer target: the Range header parser (ts_req_range).
 *
 * Input: 8 bytes of body size (little endian; fewer bytes are zero-padded),
 * then the header value (cut at the first NUL, as a header cannot hold one).
 * Besides memory errors, it checks what req.h promises: a satisfiable range
 * lies inside the body, and only a well-formed single "bytes=" range (RFC
 * 9110: first-last, first-, or -suffix, digits only) is ever honoured or
 * refused; anything else is ignored (0). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/req.h"

static int digits(const char **p)
{
	const char *s = *p;

	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p > s;
}

/* 1 when h is "bytes=" SP* ( DIGITS "-" [DIGITS] | "-" DIGITS ). */
static int well_formed(const char *h)
{
	const char *p = h;

	if (strncmp(p, "bytes=", 6) != 0)
		return 0;
	p += 6;
	while (*p == ' ')
		p++;
	if (*p == '-') {
		p++;
		return digits(&p) && *p == '\0';
	}
	if (!digits(&p) || *p++ != '-')
		return 0;
	digits(&p);
	return *p == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t body = 0, from = 7, to = 7;
	char *h;
	int r;

	for (size_t i = 0; i < 8 && i < size; i++)
		body |= (uint64_t)data[i] << (8 * i);
	size = size > 8 ? size - 8 : 0;
	h = malloc(size + 1);
	if (!h)
		return 0;
	if (size)
		memcpy(h, data + 8, size);
	h[size] = '\0';

	r = ts_req_range(h, body, &from, &to);
	if (r < -1 || r > 1)
		abort();
	if (r != 0 && !well_formed(h))
		abort(); /* a malformed header must be ignored, not honoured or refused */
	if (r == 1 && !(from <= to && to < body))
		abort(); /* a satisfiable range lies inside the body */
	free(h);
	return 0;
}
