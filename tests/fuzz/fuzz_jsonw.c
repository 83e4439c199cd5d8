/* The streaming JSON writer driven by any bytes: each byte picks a call
 * (strings and numbers come from the bytes that follow). Whatever the
 * calls, no crash; the text is valid UTF-8; and when the writer reports
 * success, jansson parses it. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_buf b;
	struct ts_jsonw w;
	size_t i = 0;

	ts_buf_init(&b, 1 << 20);
	ts_jsonw_init(&w, &b);
	while (i < size) {
		uint8_t op = data[i++];
		size_t n = (size_t)(op >> 4);
		int64_t v = 0;
		double d;

		if (n > size - i)
			n = size - i;
		switch (op & 0x0f) {
		case 0: ts_jsonw_object(&w); break;
		case 1: ts_jsonw_object_end(&w); break;
		case 2: ts_jsonw_array(&w); break;
		case 3: ts_jsonw_array_end(&w); break;
		case 4: {
			char key[16];

			memcpy(key, data + i, n);
			key[n] = '\0';
			ts_jsonw_key(&w, key);
			i += n;
			break;
		}
		case 5: ts_jsonw_stringn(&w, (const char *)data + i, n); i += n; break;
		case 6:
			memcpy(&v, data + i, n < sizeof(v) ? n : sizeof(v));
			ts_jsonw_int(&w, v);
			i += n;
			break;
		case 7:
			d = 0;
			memcpy(&d, data + i, n < sizeof(d) ? n : sizeof(d));
			ts_jsonw_double(&w, d);
			i += n;
			break;
		case 8: ts_jsonw_bool(&w, op & 0x10); break;
		case 9: ts_jsonw_null(&w); break;
		default: ts_jsonw_kstring(&w, "k", (const char *)"v"); break;
		}
	}
	if (b.len && ts_utf8_count(b.ptr, b.len) < 0)
		abort();
	if (ts_jsonw_finish(&w) == TS_OK && b.len) {
		json_error_t je;
		json_t *doc = json_loadb(b.ptr, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);

		if (!doc)
			abort();
		json_decref(doc);
	}
	ts_buf_release(&b);
	return 0;
}
