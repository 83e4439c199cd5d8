/* libFuzzer target: annotation payloads (server/domain/payload.c). The
 * input is read as JSON and validated as a payload; an accepted payload
 * gets its object ids, is checked against a 640x480 image, written as its
 * canonical text, read back from it and written again: the two texts must
 * be equal, and the categories it names must be as many as its index says.
 * Nothing may crash, leak or accept a box with w or h <= 0.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iserver -Ibuild/gen \
 *     $(pkg-config --cflags jansson) tests/fuzz/fuzz_payload.c \
 *     build-fuzz/libtessera.a $(pkg-config --libs jansson) -lm
 *   ./a.out tests/fuzz/corpus/payload */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_error err = { 0 };
	struct ts_payload p, again;
	json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES,
			       NULL);
	char *text, *text2;
	size_t n;

	if (!v)
		return 0;
	if (ts_payload_from_json(v, "payload", &p, &err)) {
		if (p.type != TS_PAYLOAD_NONE || !err.code[0])
			__builtin_trap(); /* a refusal leaves no content and names a code */
		ts_payload_release(&p);
		ts_error_release(&err);
		json_decref(v);
		return 0;
	}
	for (size_t i = 0; i < p.nobj; i++)
		if (!(p.objects[i].bbox[2] > 0) || !(p.objects[i].bbox[3] > 0))
			__builtin_trap();
	(void)ts_payload_check_bounds(&p, 640, 480, "payload", &err);
	ts_error_release(&err);
	ts_payload_assign_ids(&p, NULL, 7);
	(void)ts_payload_categories(&p, &n);
	if (n != p.ncat)
		__builtin_trap();
	text = ts_payload_text(&p);
	if (ts_payload_from_text(text, &again, &err))
		__builtin_trap(); /* the canonical text always reads back */
	text2 = ts_payload_text(&again);
	if (strcmp(text, text2) != 0)
		__builtin_trap();
	free(text);
	free(text2);
	ts_payload_release(&again);
	ts_payload_release(&p);
	ts_error_release(&err);
	json_decref(v);
	return 0;
}
