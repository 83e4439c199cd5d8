/* A streaming multipart/form-data reader (RFC 7578, RFC 2046): the body
 * is pushed in chunks of any size, and callbacks receive each part's
 * headers, its data as it arrives (never buffered) and its end. Memory is
 * fixed: a part's headers are held up to TS_MULTIPART_HEADERS_MAX bytes.
 * Pure parsing: no I/O, no libmicrohttpd; the image and video uploads
 * share it. */
#ifndef TS_HTTP_MULTIPART_H
#define TS_HTTP_MULTIPART_H

#include <stddef.h>

#define TS_MULTIPART_BOUNDARY_MAX 70 /* RFC 2046 */
#define TS_MULTIPART_HEADERS_MAX 8192

/* Each returns 0 to go on, anything else to stop the reader (push then
 * returns TS_MULTIPART_STOPPED). The strings are borrowed for the call:
 * name and filename are the Content-Disposition parameters (NULL when
 * absent), content_type the part's Content-Type (NULL when absent). */
struct ts_multipart_cb {
	int (*part_begin)(void *ctx, const char *name, const char *filename,
			  const char *content_type);
	int (*part_data)(void *ctx, const char *data, size_t len);
	/* The part's closing delimiter was read: its data is complete. */
	int (*part_end)(void *ctx);
};

enum ts_multipart_result {
	TS_MULTIPART_OK = 0,
	TS_MULTIPART_MALFORMED = -1,
	TS_MULTIPART_STOPPED = -2,
};

struct ts_multipart {
	const struct ts_multipart_cb *cb;
	void *ctx;
	char delim[TS_MULTIPART_BOUNDARY_MAX + 5]; /* "\r\n--" boundary */
	size_t dlen;
	size_t match; /* bytes of delim matched so far (held back) */
	int state;
	int after; /* bytes seen after a delimiter */
	char headers[TS_MULTIPART_HEADERS_MAX + 1];
	size_t hlen;
	int failed; /* MALFORMED or STOPPED once returned: every later push says so */
};

/* Reads the boundary parameter of a multipart/form-data Content-Type.
 * Returns 0, or -1 when the type is another or the boundary is missing
 * or malformed. */
int ts_multipart_init(struct ts_multipart *mp, const char *content_type,
		      const struct ts_multipart_cb *cb, void *ctx);
/* Reads len more bytes of the body. */
enum ts_multipart_result ts_multipart_push(struct ts_multipart *mp, const char *data,
					   size_t len);
/* At the end of the body: 0 when the closing delimiter was read (a part
 * in progress is then complete), -1 when the body ended early. */
int ts_multipart_finish(struct ts_multipart *mp);

#endif
