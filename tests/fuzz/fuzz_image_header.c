/* libFuzzer target: the image header checks that run on every upload
 * before any decoder sees the bytes (server/media/image_header.c): format
 * detection from magic bytes, header sizes, the decode-memory estimate,
 * the JPEG and PNG structure walks and the bounded PNG data check.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iserver \
 *     tests/fuzz/fuzz_image_header.c server/media/image_header.c -lz
 *   ./a.out tests/fuzz/corpus/image_header */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "media/image_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_image_header h;
	char why[160];
	int rc = ts_image_header_read(data, size, &h);

	if (rc == 0) {
		/* A header that reads gives a known format and sane sizes. */
		if (h.format <= TS_IMAGE_UNKNOWN || h.format >= TS_IMAGE_NFORMATS ||
		    h.width < 0 || h.height < 0 || h.bands < 1 || h.bytes_per_band < 1)
			__builtin_trap();
		(void)ts_image_decode_bytes(&h);
		if (strlen(ts_image_format_name(h.format)) == 0)
			__builtin_trap();
	}
	if (ts_image_sniff(data, size) == TS_IMAGE_JPEG)
		(void)ts_image_jpeg_whole(data, size);
	if (ts_image_png_whole(data, size) == 0) {
		why[0] = '\0';
		if (ts_image_png_data_check(data, size, why, sizeof(why)) != 0 && why[0] == '\0')
			__builtin_trap(); /* a refusal always says why */
	}
	return 0;
}
