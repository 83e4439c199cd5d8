/* Validation of the names people type (projects, categories). Pure. */
#ifndef TS_DOMAIN_NAMES_H
#define TS_DOMAIN_NAMES_H

#include <stddef.h>

#include "core/error.h"
#include "core/utf8.h" /* names are checked with it; callers use both */

/* Returns a malloc'd copy of in with leading and trailing white space
 * removed, after checking it is valid UTF-8 with no control characters (nor
 * bidi controls, see below) and 1..max_chars characters (code points). On failure returns NULL and fills
 * err (INVALID, code "invalid_name", the message naming `what`). */
char *ts_name_clean(const char *in, size_t max_chars, const char *what, struct ts_error *err);

/* Bidirectional controls. The embeddings, overrides and isolates
 * (U+202A..U+202E, U+2066..U+2069) reorder whole runs of text: a name
 * holding one can display as something it is not (an RLO turns
 * "cat\u202Egnp.exe" into "catexe.png"). They are refused in every name.
 * The marks U+200E, U+200F and U+061C are allowed: they only steer the
 * neutral characters next to them, and Arabic and Hebrew names need them.
 *
 * ts_name_bidi_control returns the code point of the first refused control
 * in valid UTF-8 s of len bytes, or 0 when there is none. */
unsigned long ts_name_bidi_control(const char *s, size_t len);

/* TS_OK, or INVALID with code and a message naming `what` and the code
 * point when s (valid UTF-8, len bytes) holds a refused bidi control. */
enum ts_err ts_name_check_bidi(const char *s, size_t len, const char *what, const char *code,
			       struct ts_error *err);

#endif
