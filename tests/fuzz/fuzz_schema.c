/* libFuzzer target: the contract's JSON Schema validation (export/schema.c)
 * of arbitrary documents against the built-in schemas.
 *
 * Input: the first byte picks the schema (bit 0: annotations or manifest)
 * and whether scalars are accepted at the top (bit 1); the rest is the
 * document. Besides memory errors and leaks, it checks that the failure
 * count is the same with and without an error buffer (lines over the cap
 * are dropped but still counted), and that every kept line ends in '\n'. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "export/schema.h"
#include "export/schemas.h"

static json_t *load_schema(const unsigned char *text, size_t len)
{
	json_error_t je;
	json_t *s = json_loadb((const char *)text, len, 0, &je);

	if (!s)
		abort();
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *schemas[2];
	struct ts_buf errors;
	json_error_t je;
	json_t *doc;
	int counted, listed;

	if (!schemas[0]) {
		schemas[0] = load_schema(ts_schema_annotations_json, ts_schema_annotations_json_len);
		schemas[1] = load_schema(ts_schema_manifest_json, ts_schema_manifest_json_len);
	}
	if (size < 1)
		return 0;
	doc = json_loadb((const char *)data + 1, size - 1,
			 JSON_REJECT_DUPLICATES | (data[0] & 2 ? JSON_DECODE_ANY : 0), &je);
	if (!doc)
		return 0;
	/* a small cap, so that dropping lines is exercised too */
	ts_buf_init(&errors, 1024);
	listed = ts_schema_validate(schemas[data[0] & 1], doc, &errors);
	counted = ts_schema_validate(schemas[data[0] & 1], doc, NULL);
	if (listed != counted || listed < 0)
		abort();
	if (listed == 0 && errors.len != 0)
		abort();
	if (errors.len && errors.ptr[errors.len - 1] != '\n')
		abort();
	ts_buf_release(&errors);
	json_decref(doc);
	return 0;
}
