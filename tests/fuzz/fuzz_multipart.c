/* libFuzzer target: the streaming multipart/form-data reader
 * (server/http/multipart.c) that every image upload goes through. The
 * first input byte picks the chunk size the body is pushed in; the rest is
 * the body, with the boundary "XyZ". The same body read in one push and in
 * small chunks must give the same parts and data.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iserver \
 *     tests/fuzz/fuzz_multipart.c server/http/multipart.c
 *   ./a.out tests/fuzz/corpus/multipart */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/multipart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct digest {
	uint64_t hash; /* of every callback and its arguments, in order */
	size_t bytes;
	int parts, ends;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		d->hash = (d->hash ^ c[i]) * 1099511628211ull;
}

static void mix_str(struct digest *d, const char *s)
{
	if (!s) {
		mix(d, "\1", 1);
		return;
	}
	mix(d, s, strlen(s) + 1);
}

static int on_begin(void *ctx, const char *name, const char *filename, const char *type)
{
	struct digest *d = ctx;

	d->parts++;
	mix(d, "B", 1);
	mix_str(d, name);
	mix_str(d, filename);
	mix_str(d, type);
	return 0;
}

static int on_data(void *ctx, const char *p, size_t n)
{
	struct digest *d = ctx;

	if (n == 0)
		__builtin_trap(); /* empty calls are never made */
	d->bytes += n;
	mix(d, p, n);
	return 0;
}

static int on_end(void *ctx)
{
	struct digest *d = ctx;

	d->ends++;
	mix(d, "E", 1);
	return 0;
}

static const struct ts_multipart_cb cb = { on_begin, on_data, on_end };

static int read_all(const char *body, size_t len, size_t chunk, struct digest *d, int *fin)
{
	struct ts_multipart mp;
	int r = 0;

	memset(d, 0, sizeof(*d));
	if (ts_multipart_init(&mp, "multipart/form-data; boundary=XyZ", &cb, d))
		__builtin_trap();
	for (size_t off = 0; off < len && r == 0; off += chunk)
		r = ts_multipart_push(&mp, body + off, len - off < chunk ? len - off : chunk);
	*fin = ts_multipart_finish(&mp);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole, chunked;
	int fin_whole, fin_chunked, r_whole, r_chunked;
	size_t chunk;

	if (size < 1)
		return 0;
	chunk = (size_t)(data[0] % 17) + 1;
	data++;
	size--;
	r_whole = read_all((const char *)data, size, size ? size : 1, &whole, &fin_whole);
	r_chunked = read_all((const char *)data, size, chunk, &chunked, &fin_chunked);
	/* Data never exceeds the input; a part ends at most once; chunking
	 * changes nothing (the data may be split differently, so compare
	 * sums and the outcome rather than the call sequence). */
	if (whole.bytes > size || whole.ends > whole.parts || r_whole != r_chunked ||
	    fin_whole != fin_chunked || whole.parts != chunked.parts ||
	    whole.ends != chunked.ends || whole.bytes != chunked.bytes)
		__builtin_trap();
	/* The content-type parser on the input as a header value. */
	{
		char ct[256];
		struct ts_multipart mp;
		size_t n = size < sizeof(ct) - 1 ? size : sizeof(ct) - 1;

		memcpy(ct, data, n);
		ct[n] = '\0';
		if (ts_multipart_init(&mp, ct, &cb, &whole) == 0 &&
		    (mp.dlen < 5 || mp.dlen > TS_MULTIPART_BOUNDARY_MAX + 4))
			__builtin_trap();
	}
	return 0;
}
