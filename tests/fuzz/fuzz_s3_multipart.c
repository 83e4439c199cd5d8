/* libFuzzer target: the readers of a multipart upload's answers
 * (storage/s3.c): the UploadId of a CreateMultipartUpload answer
 * (ts_s3_upload_id_parse) and a part's ETag header line
 * (ts_s3_etag_header), both fed the same input, as received (not
 * terminated).
 *
 * Besides memory errors, it checks what s3.h promises: an accepted ID or
 * ETag is terminated within its buffer, not empty, and has only bytes
 * 0x21..0x7e; a refused ID leaves its buffer empty, a refused ETag leaves
 * its buffer as it was. The buffers are small so that "too long" is
 * exercised. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storage/s3.h"

static void check_token(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size || n == 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[24], etag[20], before[sizeof(etag)];

	memset(id, 'x', sizeof(id));
	if (ts_s3_upload_id_parse((const char *)data, size, id, sizeof(id)) == 0)
		check_token(id, sizeof(id));
	else if (id[0] != '\0')
		abort();

	memset(etag, 0x7f, sizeof(etag));
	memcpy(before, etag, sizeof(etag));
	if (ts_s3_etag_header((const char *)data, size, etag, sizeof(etag)) == 0)
		check_token(etag, sizeof(etag));
	else if (memcmp(etag, before, sizeof(etag)) != 0)
		abort();
	return 0;
}
