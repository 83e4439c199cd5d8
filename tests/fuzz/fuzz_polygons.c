/* libFuzzer target: polygons payloads and the geometry behind them
 * (server/domain/payload.c, server/domain/polygon.c). The input is read as
 * JSON and validated as a payload; an accepted polygons payload must have
 * every object pass ts_polygon_object_check, a non-negative area and a
 * bbox equal to its rings' bounds; its canonical text reads back to the
 * same text. An object that lies in a 64x48 image is rasterised: its RLE
 * must add up to the image, its pixel count stay within the edges' reach
 * of its area (the sum of |dx| + |dy| + 2 over its edges, CONTRACT.md),
 * and its compressed string decode back to the same counts. An input that
 * is not JSON is read as a compressed RLE string of a 16x16 mask: a
 * string that decodes must encode back to itself after a round trip
 * through the mask.
 *
 *   make fuzz-build FUZZ_TARGETS=polygons
 *   build-fuzz/fuzz/fuzz_polygons tests/fuzz/corpus/polygons */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/payload.h"
#include "domain/polygon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rle_string(const uint8_t *data, size_t size)
{
	struct ts_error err = { 0 };
	struct ts_rle r, again;
	uint8_t mask[16 * 16];

	if (ts_rle_from_string((const char *)data, size, 16, 16, &r, &err) == TS_OK) {
		char *s;

		ts_rle_decode(&r, mask);
		ts_rle_encode(mask, 0, 0, 16, 16, 16, 16, &again);
		/* The encoder merges nothing a valid RLE keeps apart. */
		if (again.n != r.n || memcmp(again.counts, r.counts, r.n * sizeof(*r.counts)))
			__builtin_trap();
		s = ts_rle_to_string(&again);
		ts_rle_release(&again);
		if (ts_rle_from_string(s, strlen(s), 16, 16, &again, &err) || again.n != r.n)
			__builtin_trap();
		free(s);
		ts_rle_release(&again);
	}
	ts_rle_release(&r);
	ts_error_release(&err);
}

static void check_object(const struct ts_payload_box *o, int inside)
{
	double bb[4], area = ts_polygon_area(o->rings, o->nrings), reach = 0;
	size_t r, other;
	struct ts_rle rle, back;
	struct ts_error err = { 0 };
	char *s;

	if (ts_polygon_object_check(o->rings, o->nrings, &r, &other) != TS_POLYGON_OK)
		__builtin_trap(); /* accepted means valid */
	ts_polygon_bounds(o->rings, o->nrings, bb);
	if (memcmp(bb, o->bbox, sizeof(bb)) != 0 || !(area > -1e-9 * (1 + bb[2] * bb[3])))
		__builtin_trap();
	if (!inside)
		return;
	for (r = 0; r < o->nrings; r++)
		for (size_t k = 0; k < o->rings[r].n; k++) {
			size_t m = (k + 1) % o->rings[r].n;

			reach += fabs(o->rings[r].xy[2 * m] - o->rings[r].xy[2 * k]) +
				 fabs(o->rings[r].xy[2 * m + 1] - o->rings[r].xy[2 * k + 1]) + 2;
		}
	ts_rle_from_object(o->rings, o->nrings, 48, 64, &rle);
	if (fabs((double)ts_rle_area(&rle) - area) > reach + 1e-6)
		__builtin_trap();
	s = ts_rle_to_string(&rle);
	if (ts_rle_from_string(s, strlen(s), 48, 64, &back, &err) || back.n != rle.n ||
	    memcmp(back.counts, rle.counts, rle.n * sizeof(*rle.counts)))
		__builtin_trap();
	free(s);
	ts_rle_release(&back);
	ts_rle_release(&rle);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ts_error err = { 0 };
	struct ts_payload p, again;
	json_t *v;
	char *text, *text2;
	int inside;

	if (size > (1u << 20))
		return 0;
	v = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (!v) {
		check_rle_string(data, size);
		return 0;
	}
	if (ts_payload_from_json(v, "payload", &p, &err)) {
		if (p.type != TS_PAYLOAD_NONE || !err.code[0])
			__builtin_trap(); /* a refusal leaves no content and names a code */
		goto out;
	}
	inside = ts_payload_check_bounds(&p, 64, 48, "payload", &err) == TS_OK;
	ts_error_release(&err);
	for (size_t i = 0; p.type == TS_PAYLOAD_POLYGONS && i < p.nobj; i++)
		check_object(&p.objects[i], inside);
	ts_payload_assign_ids(&p, NULL, 3);
	text = ts_payload_text(&p);
	if (ts_payload_from_text(text, &again, &err))
		__builtin_trap(); /* the canonical text always reads back */
	text2 = ts_payload_text(&again);
	if (strcmp(text, text2) != 0)
		__builtin_trap();
	free(text);
	free(text2);
	ts_payload_release(&again);
out:
	ts_payload_release(&p);
	ts_error_release(&err);
	json_decref(v);
	return 0;
}
