/* A streaming JSON writer: appends compact JSON text to a struct ts_buf as
 * it is called, with no tree in between (the list views write thousands of
 * rows per page). The text is what jansson's
 * json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER) prints for the same values,
 * byte for byte, so a view written either way answers the same bytes.
 *
 * Errors are sticky: the first one (the buffer's cap, a non-finite double,
 * nesting past TS_JSONW_DEPTH, a value where a key is due, unbalanced ends,
 * a second top-level value)
 * is kept and every later call does nothing; ts_jsonw_finish reports it.
 * Strings come out as valid UTF-8: each byte that does not start a valid
 * sequence becomes U+FFFD; control characters are escaped. */
#ifndef TS_CORE_JSONW_H
#define TS_CORE_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* The largest integer a JSON number carries exactly (2^53 - 1): ids and
 * revisions from clients are refused above it. */
#define TS_JSON_MAX_SAFE_INT 9007199254740991LL

#define TS_JSONW_DEPTH 32

struct ts_jsonw {
	struct ts_buf *b; /* borrowed */
	enum ts_err err;
	int depth;          /* open objects and arrays */
	int started;        /* the document's value has begun */
	int want_key;       /* inside an object, before a member's key */
	uint32_t in_object; /* bit d: the container at depth d is an object */
	uint32_t has_items; /* bit d: it has an item already */
};

/* Writes into b (appends to what it holds). */
void ts_jsonw_init(struct ts_jsonw *w, struct ts_buf *b);
/* TS_OK when every call succeeded and every object and array is closed;
 * else the first error. */
enum ts_err ts_jsonw_finish(struct ts_jsonw *w);

void ts_jsonw_object(struct ts_jsonw *w);
void ts_jsonw_object_end(struct ts_jsonw *w);
void ts_jsonw_array(struct ts_jsonw *w);
void ts_jsonw_array_end(struct ts_jsonw *w);
/* The key of the next member (NUL-terminated). */
void ts_jsonw_key(struct ts_jsonw *w, const char *key);

/* s NULL writes null. */
void ts_jsonw_string(struct ts_jsonw *w, const char *s);
void ts_jsonw_stringn(struct ts_jsonw *w, const char *s, size_t len);
void ts_jsonw_int(struct ts_jsonw *w, int64_t v);
/* As jansson prints reals ("%.17g", always with a '.' or an exponent).
 * NaN and infinities are an error (TS_ERR_INVALID): JSON has no such
 * number. */
void ts_jsonw_double(struct ts_jsonw *w, double v);
void ts_jsonw_bool(struct ts_jsonw *w, int v);
/* text[0..len) as one value, as it is: the caller vouches that it is one
 * compact JSON value in valid UTF-8 (for example what jansson printed). */
void ts_jsonw_raw(struct ts_jsonw *w, const char *text, size_t len);
void ts_jsonw_null(struct ts_jsonw *w);

/* key + value in one call. */
void ts_jsonw_kstring(struct ts_jsonw *w, const char *key, const char *s);
void ts_jsonw_kint(struct ts_jsonw *w, const char *key, int64_t v);
void ts_jsonw_kbool(struct ts_jsonw *w, const char *key, int v);
void ts_jsonw_knull(struct ts_jsonw *w, const char *key);

#endif
