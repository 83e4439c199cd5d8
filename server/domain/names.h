/* Validation of the names people type (projects, categories). Pure. */
#ifndef TS_DOMAIN_NAMES_H
#define TS_DOMAIN_NAMES_H

#include <stddef.h>

#include "core/error.h"

/* Returns a malloc'd copy of in with leading and trailing white space
 * removed, after checking it is valid UTF-8 with no control characters and
 * 1..max_chars characters (code points). On failure returns NULL and fills
 * err (INVALID, code "invalid_name", the message naming `what`). */
char *ts_name_clean(const char *in, size_t max_chars, const char *what, struct ts_error *err);

/* Number of code points in valid UTF-8 s of len bytes, or -1 when s is not
 * valid UTF-8 (overlongs, surrogates and values over U+10FFFF refused). */
long ts_utf8_count(const char *s, size_t len);

/* A malloc'd, NUL-terminated copy of the first len bytes of s that is valid
 * UTF-8: each byte that does not start a valid sequence (and, when
 * no_controls, each C0 control or DEL) becomes U+FFFD. The copy is cut at a
 * character boundary so that it holds at most max_bytes bytes. For text
 * from clients that ends up in JSON (jansson refuses invalid UTF-8) or in
 * the log. The caller frees. */
char *ts_utf8_scrub(const char *s, size_t len, size_t max_bytes, int no_controls);

#endif
