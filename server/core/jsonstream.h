/* A JSON document read as a stream, one piece at a time, for documents too
 * large to hold whole (an export's annotations.json at a million images).
 *
 * The top-level object is walked by a byte-level scanner (string- and
 * escape-aware, depth-counting) that hands out the raw bytes of each piece:
 * every member whole, except the members named in `split` whose value is an
 * array: those come as the array's opening, each element on its own, and
 * its end. At most one piece (plus a read chunk) is held, and no piece may
 * be longer than value_max bytes. A document that is not an object comes
 * whole as one piece (bounded the same way).
 *
 * The scanner finds where each piece ends; it does not judge the piece's
 * content: the caller parses it (json_loadb), which refuses what is not
 * JSON. The structure around the pieces (braces, brackets, colons, commas)
 * is checked here. */
#ifndef TS_CORE_JSONSTREAM_H
#define TS_CORE_JSONSTREAM_H

#include <stddef.h>
#include <sys/types.h>

/* The next bytes of the document into buf: their count, 0 at its end, or
 * -1 on a failure (which ends the stream with an error). */
typedef ssize_t (*ts_jsonstream_read_fn)(void *arg, char *buf, size_t len);

enum ts_jsonstream_event {
	TS_JSONSTREAM_END,       /* the object ended and only whitespace follows */
	TS_JSONSTREAM_ERROR,     /* malformed or unreadable: item.message */
	TS_JSONSTREAM_DOCUMENT,  /* the document is not an object: value is all of it */
	TS_JSONSTREAM_MEMBER,    /* a member: key and value */
	TS_JSONSTREAM_ARRAY,     /* a split member's array opens: key */
	TS_JSONSTREAM_ELEMENT,   /* one element of that array: value, index */
	TS_JSONSTREAM_ARRAY_END, /* that array closed: index is its length */
};

struct ts_jsonstream_item {
	const char *key; /* the key's raw bytes, quotes included */
	size_t key_len;
	const char *value; /* the value's raw bytes */
	size_t len;
	size_t index;
	/* Where value (or the error) starts: 1-based line, and the byte
	 * column (1-based) on that line. */
	size_t line, column;
	const char *message; /* TS_JSONSTREAM_ERROR */
};

struct ts_jsonstream {
	ts_jsonstream_read_fn read;
	void *arg;
	size_t value_max;
	const char *const *split; /* NULL-terminated member names */
	char *buf;
	size_t start, end, cap; /* unconsumed bytes: buf[start..end) */
	size_t pending;         /* bytes of the last piece, consumed on the next call */
	size_t line, column;    /* of buf[start] */
	size_t index;           /* elements of the open split array so far */
	int state;
	int eof;
	int spaced; /* whitespace was skipped between pieces */
	size_t err_line, err_column;
	char message[160];
};

/* split: names of the members whose arrays come element by element
 * (NULL-terminated; the array itself is borrowed). */
void ts_jsonstream_init(struct ts_jsonstream *s, size_t value_max, const char *const *split,
			ts_jsonstream_read_fn read, void *arg);

/* The next piece into *it (pointers valid until the next call). After END
 * or ERROR, the same event again. */
enum ts_jsonstream_event ts_jsonstream_next(struct ts_jsonstream *s,
					    struct ts_jsonstream_item *it);

/* Whether whitespace stood between pieces so far (compact JSON has none). */
int ts_jsonstream_spaced(const struct ts_jsonstream *s);

void ts_jsonstream_release(struct ts_jsonstream *s);

#endif
