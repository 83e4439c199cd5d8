/* libFuzzer target: the stream that `tessera verify` reads annotations.json
 * with (core/jsonstream.c), split at "images" and "annotations" as verify
 * splits it, fed in chunks of a size taken from the first byte (1 to 16,
 * so pieces straddle reads), with a small cap on a piece (4 KB).
 *
 * Besides memory errors, it checks the stream's promises: every piece it
 * hands out is inside the cap; and for every text jansson reads as an
 * object without duplicate keys whose values all fit the cap, the stream
 * ends well, its pieces each parse, and there are as many members as the
 * object has (a split member counting once). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/jsonstream.h"

#define CAP 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *data;
	size_t size, at, chunk;
};

static ssize_t feed_read(void *arg, char *buf, size_t len)
{
	struct feed *f = arg;
	size_t n = f->size - f->at;

	if (n > f->chunk)
		n = f->chunk;
	if (n > len)
		n = len;
	memcpy(buf, f->data + f->at, n);
	f->at += n;
	return (ssize_t)n;
}

/* Whether a piece is JSON by itself. */
static int parses(const char *text, size_t len)
{
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);

	json_decref(v);
	return v != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const split[] = { "images", "annotations", NULL };
	struct feed f = { data, size, 1, 0 };
	struct ts_jsonstream s;
	struct ts_jsonstream_item it;
	enum ts_jsonstream_event ev;
	json_t *whole;
	size_t members = 0;
	int bad_piece = 0, ended = 0;

	if (size < 1)
		return 0;
	f.chunk = 1 + (data[0] & 15);
	ts_jsonstream_init(&s, CAP, split, feed_read, &f);
	do {
		ev = ts_jsonstream_next(&s, &it);
		switch (ev) {
		case TS_JSONSTREAM_MEMBER:
		case TS_JSONSTREAM_ARRAY:
			members++;
			if (!parses(it.key, it.key_len))
				bad_piece = 1;
			if (ev == TS_JSONSTREAM_ARRAY)
				break;
			/* fall through */
		case TS_JSONSTREAM_ELEMENT:
		case TS_JSONSTREAM_DOCUMENT:
			if (it.len > CAP)
				abort(); /* the cap holds */
			if (ev != TS_JSONSTREAM_DOCUMENT && !parses(it.value, it.len))
				bad_piece = 1;
			break;
		case TS_JSONSTREAM_END:
			ended = 1;
			break;
		default:
			break;
		}
	} while (ev != TS_JSONSTREAM_END && ev != TS_JSONSTREAM_ERROR);
	/* The same event again after the end. */
	if (ts_jsonstream_next(&s, &it) != ev)
		abort();
	ts_jsonstream_release(&s);

	whole = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL);
	/* Under the cap as a whole, no piece can be over it. */
	if (json_is_object(whole) && size - 1 <= CAP) {
		if (!ended || bad_piece)
			abort(); /* a document jansson reads is read by pieces too */
		if (members != json_object_size(whole))
			abort();
	}
	json_decref(whole);
	return 0;
}
