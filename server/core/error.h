/* Errors: one enum, 0 for success, and an optional struct that carries a
 * code and a human sentence up to the HTTP layer, which alone maps it to a
 * status code. */
#ifndef TS_ERROR_H
#define TS_ERROR_H

#include <stddef.h>

enum ts_err {
	TS_OK = 0,
	TS_ERR_INVALID,      /* bad input from the caller (400) */
	TS_ERR_NOT_FOUND,    /* unknown id (404) */
	TS_ERR_CONFLICT,     /* unique name, stale revision (409) */
	TS_ERR_FORBIDDEN,    /* authenticated but not allowed (403) */
	TS_ERR_UNAUTHORIZED, /* no or wrong credentials (401) */
	TS_ERR_TOO_LARGE,    /* over a configured limit (413) */
	TS_ERR_UNSUPPORTED,  /* wrong media type (415) */
	TS_ERR_UNPROCESSABLE,/* well-formed but unusable content (422) */
	TS_ERR_IO,           /* disk or database failure (500) */
	TS_ERR_INTERNAL,     /* a bug (500) */
	TS_ERR_UNAVAILABLE,  /* not ready (503) */
	TS_ERR_QUOTA,        /* over a configured storage quota (507) */
};

#define TS_ERROR_CODE_MAX 48
#define TS_ERROR_MSG_MAX 512

/* code: a stable snake_case word for clients; message: a sentence for people.
 * Optional details: a borrowed jansson object, owned by the error (set with
 * ts_error_details, released by ts_error_release). */
struct ts_error {
	enum ts_err err;
	char code[TS_ERROR_CODE_MAX];
	char message[TS_ERROR_MSG_MAX];
	void *details; /* json_t *, or NULL */
};

/* Sets err (if non-NULL) and returns e, so callers can write
 * `return ts_error_set(err, TS_ERR_INVALID, "bad_name", "...")`. */
enum ts_err ts_error_set(struct ts_error *err, enum ts_err e, const char *code,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A malloc'd copy of msg that reads as a sentence for the people who see it
 * in an API error: the first letter upper-cased (when it is an ASCII
 * letter) and a final period added unless msg already ends with '.', '!' or
 * '?'. Trailing spaces are dropped; an empty msg stays empty. The caller
 * frees. */
char *ts_error_sentence(const char *msg);

/* Takes ownership of details (a json_t *). */
void ts_error_details(struct ts_error *err, void *details);
void ts_error_release(struct ts_error *err);

/* Out of memory and broken invariants are fatal: print and abort. */
_Noreturn void ts_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *ts_xmalloc(size_t n);
void *ts_xcalloc(size_t n, size_t size);
void *ts_xrealloc(void *p, size_t n);
char *ts_xstrdup(const char *s);
char *ts_xstrndup(const char *s, size_t n);

#endif
