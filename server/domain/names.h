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

#endif
