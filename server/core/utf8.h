/* UTF-8, in one place: every check of client or export text goes through
 * ts_utf8_count, so "valid UTF-8" means the same everywhere. Pure. */
#ifndef TS_CORE_UTF8_H
#define TS_CORE_UTF8_H

#include <stddef.h>

/* Number of code points in valid UTF-8 s of len bytes, or -1 when s is not
 * valid UTF-8 (overlongs, surrogates and values over U+10FFFF refused). */
long ts_utf8_count(const char *s, size_t len);

/* Length of the valid UTF-8 sequence at s (at most avail bytes, avail >
 * 0), 0 when s does not start one. */
size_t ts_utf8_seq(const char *s, size_t avail);
/* A malloc'd, NUL-terminated copy of the first len bytes of s that is valid
 * UTF-8: each byte that does not start a valid sequence (and, when
 * no_controls, each C0 control or DEL) becomes U+FFFD. The copy is cut at a
 * character boundary so that it holds at most max_bytes bytes. For text
 * from clients that ends up in JSON (jansson refuses invalid UTF-8) or in
 * the log. The caller frees. */
char *ts_utf8_scrub(const char *s, size_t len, size_t max_bytes, int no_controls);

#endif
