/* libFuzzer target: the reader of S3 error bodies (ts_s3_error_parse), which
 * reads what an object store answers.
 *
 * Input: the body, as received (not terminated). Besides memory errors, it
 * checks what s3.h promises: both buffers always terminated within their
 * size, no control byte copied, and an empty code exactly when -1 is
 * returned. The buffers are small so that truncation is exercised. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/s3.h"

static void check(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char code[16], message[24];
	int r;

	memset(code, 'x', sizeof(code));
	memset(message, 'x', sizeof(message));
	r = ts_s3_error_parse((const char *)data, size, code, sizeof(code), message,
			      sizeof(message));
	check(code, sizeof(code));
	check(message, sizeof(message));
	if ((r == 0) != (code[0] != '\0'))
		abort();
	return 0;
}
