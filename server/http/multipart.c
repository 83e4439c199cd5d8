#include "http/multipart.h"

#include <string.h>
#include <strings.h>

#include "core/banned.h"

enum state {
	PREAMBLE, /* before the first delimiter: ignored */
	AFTER,    /* after a delimiter: "--" ends the body, CRLF starts a part */
	HEADERS,  /* a part's header lines */
	BODY,     /* a part's data */
	DONE,     /* after the closing delimiter: the epilogue, ignored */
};

static int boundary_char(unsigned char c)
{
	/* RFC 2046 bchars, and the space (not last). */
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("'()+_,-./:=? ", c));
}

int ts_multipart_init(struct ts_multipart *mp, const char *content_type,
		      const struct ts_multipart_cb *cb, void *ctx)
{
	const char *p;
	size_t len = 0;
	char b[TS_MULTIPART_BOUNDARY_MAX + 1];

	memset(mp, 0, sizeof(*mp));
	mp->cb = cb;
	mp->ctx = ctx;
	mp->failed = 1;
	if (!content_type || strncasecmp(content_type, "multipart/form-data", 19) != 0)
		return -1;
	p = content_type + 19;
	while (*p) {
		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, "boundary=", 9) == 0) {
			p += 9;
			if (*p == '"') {
				for (p++; *p && *p != '"' && len < sizeof(b) - 1; p++)
					b[len++] = *p;
				if (*p != '"')
					return -1;
			} else {
				while (*p && *p != ';' && *p != ' ' && *p != '\t' &&
				       len < sizeof(b) - 1)
					b[len++] = *p++;
				if (*p && *p != ';' && *p != ' ' && *p != '\t')
					return -1;
			}
			break;
		}
		p += strcspn(p, ";");
	}
	if (len == 0 || len > TS_MULTIPART_BOUNDARY_MAX || b[len - 1] == ' ')
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!boundary_char((unsigned char)b[i]))
			return -1;
	memcpy(mp->delim, "\r\n--", 4);
	memcpy(mp->delim + 4, b, len);
	mp->dlen = len + 4;
	/* The body may start with the delimiter at once, without its CRLF. */
	mp->match = 2;
	mp->state = PREAMBLE;
	mp->failed = 0;
	return 0;
}

/* One parameter value of a Content-Disposition, in place: quoted or a
 * token. Returns the value (NUL-terminated in
 * the headers buffer) and moves *pp past it; NULL when malformed. */
static char *param_value(char **pp)
{
	char *p = *pp, *v;

	if (*p == '"') {
		/* Browsers escape '"' as %22 and send '\\' as it is (HTML's
		 * form submission): a backslash is a character, not an escape. */
		v = ++p;
		p += strcspn(p, "\"");
		if (*p != '"')
			return NULL;
		*p++ = '\0';
	} else {
		v = p;
		p += strcspn(p, "; \t");
		if (*p) {
			*p = '\0';
			p++;
		}
	}
	*pp = p;
	return v;
}

/* Parses a Content-Disposition value "form-data; name=...; filename=..." */
static int disposition(char *v, char **name, char **filename)
{
	char *p = v;

	if (strncasecmp(p, "form-data", 9) != 0 || (p[9] && p[9] != ';' && p[9] != ' '))
		return -1;
	p += 9;
	while (*p) {
		char *key, *val;
		size_t klen;

		while (*p == ';' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		key = p;
		klen = strcspn(p, "=; \t");
		p += klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			return -1;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		val = param_value(&p);
		if (!val)
			return -1;
		if (klen == 4 && strncasecmp(key, "name", 4) == 0)
			*name = val;
		else if (klen == 8 && strncasecmp(key, "filename", 8) == 0)
			*filename = val;
	}
	return 0;
}

/* The part's headers are complete in mp->headers: calls part_begin. */
static enum ts_multipart_result begin_part(struct ts_multipart *mp)
{
	char *name = NULL, *filename = NULL, *type = NULL;
	char *line = mp->headers;

	/* A NUL would cut a name short ("a.jpg\0.exe"): refused. */
	if (memchr(mp->headers, '\0', mp->hlen))
		return TS_MULTIPART_MALFORMED;
	mp->headers[mp->hlen] = '\0';
	while (*line) {
		char *end = strstr(line, "\r\n");
		char *colon, *v;

		if (!end)
			return TS_MULTIPART_MALFORMED;
		*end = '\0';
		if (*line) {
			colon = strchr(line, ':');
			if (!colon || colon == line)
				return TS_MULTIPART_MALFORMED;
			*colon = '\0';
			for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
				;
			for (char *t = v + strlen(v); t > v && (t[-1] == ' ' || t[-1] == '\t'); t--)
				t[-1] = '\0';
			if (strcasecmp(line, "Content-Disposition") == 0) {
				if (disposition(v, &name, &filename))
					return TS_MULTIPART_MALFORMED;
			} else if (strcasecmp(line, "Content-Type") == 0) {
				type = v;
			}
		}
		line = end + 2;
	}
	mp->state = BODY;
	if (mp->cb->part_begin && mp->cb->part_begin(mp->ctx, name, filename, type))
		return TS_MULTIPART_STOPPED;
	return TS_MULTIPART_OK;
}

static enum ts_multipart_result emit(struct ts_multipart *mp, const char *d, size_t n)
{
	if (mp->state == BODY && n && mp->cb->part_data && mp->cb->part_data(mp->ctx, d, n))
		return TS_MULTIPART_STOPPED;
	return TS_MULTIPART_OK;
}

/* Data up to the next delimiter (part data in BODY, ignored in PREAMBLE).
 * Bytes that may begin a delimiter are held back (as mp->match: they are
 * delim's own first bytes) until it is clear whether they do. */
static enum ts_multipart_result scan(struct ts_multipart *mp, const char *d, size_t n,
				     size_t *used)
{
	size_t i = 0, run = 0;
	enum ts_multipart_result r;

	while (i < n) {
		if (d[i] == mp->delim[mp->match]) {
			if (mp->match == 0 && (r = emit(mp, d + run, i - run)))
				return r;
			mp->match++;
			run = ++i;
			if (mp->match == mp->dlen) {
				mp->match = 0;
				*used = i;
				if (mp->state == BODY && mp->cb->part_end && mp->cb->part_end(mp->ctx))
					return TS_MULTIPART_STOPPED;
				mp->state = AFTER;
				mp->after = 0;
				return TS_MULTIPART_OK;
			}
			continue;
		}
		if (mp->match) {
			/* Not a delimiter after all: the held bytes were data. A
			 * delimiter starts only at its CR, which is nowhere else in
			 * it, so d[i] is looked at afresh. */
			if ((r = emit(mp, mp->delim, mp->match)))
				return r;
			mp->match = 0;
			run = i;
			continue;
		}
		i++;
	}
	*used = n;
	return mp->match ? TS_MULTIPART_OK : emit(mp, d + run, n - run);
}

enum ts_multipart_result ts_multipart_push(struct ts_multipart *mp, const char *data, size_t len)
{
	size_t i = 0;

	if (mp->failed)
		return mp->failed == 2 ? TS_MULTIPART_STOPPED : TS_MULTIPART_MALFORMED;
	while (i < len) {
		enum ts_multipart_result r = TS_MULTIPART_OK;
		char c = data[i];
		size_t used;

		switch (mp->state) {
		case PREAMBLE:
		case BODY:
			r = scan(mp, data + i, len - i, &used);
			i += used;
			break;
		case AFTER:
			/* "--" closes the body; else optional blanks, then CRLF. */
			i++;
			if (mp->after == 0 && c == '-') {
				mp->after = -1;
			} else if (mp->after == -1) {
				if (c != '-')
					r = TS_MULTIPART_MALFORMED;
				else
					mp->state = DONE;
			} else if (mp->after >= 0 && (c == ' ' || c == '\t') && mp->after < 64) {
				mp->after++;
			} else if (mp->after >= 0 && c == '\r') {
				mp->after = -2;
			} else if (mp->after == -2 && c == '\n') {
				mp->state = HEADERS;
				mp->hlen = 0;
			} else {
				r = TS_MULTIPART_MALFORMED;
			}
			break;
		case HEADERS:
			if (mp->hlen == TS_MULTIPART_HEADERS_MAX) {
				r = TS_MULTIPART_MALFORMED;
				break;
			}
			mp->headers[mp->hlen++] = c;
			i++;
			/* The empty line ends them (at once when there are none). */
			if ((mp->hlen == 2 && memcmp(mp->headers, "\r\n", 2) == 0) ||
			    (mp->hlen >= 4 && memcmp(mp->headers + mp->hlen - 4, "\r\n\r\n", 4) == 0)) {
				mp->hlen -= 2; /* keep each line's CRLF, drop the empty line's */
				r = begin_part(mp);
			}
			break;
		case DONE:
			i = len;
			break;
		}
		if (r != TS_MULTIPART_OK) {
			mp->failed = r == TS_MULTIPART_STOPPED ? 2 : 1;
			return r;
		}
	}
	return TS_MULTIPART_OK;
}

int ts_multipart_finish(struct ts_multipart *mp)
{
	return !mp->failed && mp->state == DONE ? 0 : -1;
}
