/* S3-compatible object storage through libcurl with SigV4. */
#include "storage/s3.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "hash/sha256.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/banned.h"

#define S3_EMPTY_SHA256 TS_S3_EMPTY_SHA256
#define S3_ERR_BODY_MAX 4096
#define S3_MIB (1ULL << 20)
#define S3_UPLOAD_ID_MAX 1024
#define S3_ETAG_MAX 128
/* A part's ETag in a Complete body, XML-escaped: at most 6 bytes a byte. */
#define S3_PART_XML_MAX (64 + 6 * S3_ETAG_MAX)

struct s3 {
	struct ts_blob_remote base; /* first: a struct ts_blob_remote * is a struct s3 * */
	char *endpoint; /* no trailing slash */
	char *region;
	char *bucket;
	char *prefix; /* "" or "a/b/" */
	char *access_key;
	char *secret_key;
	char sigv4[160];
	uint64_t part_bytes; /* objects above it are multipart uploads */
	unsigned wrong_part; /* for the tests: this part's payload hash is wrong (0: none) */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int copy_until(char *out, size_t outlen, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= outlen)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static const char *env_first(const char *a, const char *b)
{
	const char *v = getenv(a);

	if ((!v || !*v) && b)
		v = getenv(b);
	return v && *v ? v : NULL;
}

/* A key safe to put in a path: the relative names we make (hex, digits,
 * '/', '.', '-', '_'); the prefix comes from the operator and is checked
 * the same way. */
static int key_ok(const char *k)
{
	if (!*k)
		return 0;
	for (const char *p = k; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return strstr(k, "//") == NULL && strstr(k, "..") == NULL;
}

static void s3_free(struct ts_blob_remote *r)
{
	struct s3 *s = (struct s3 *)r;

	if (!s)
		return;
	free(s->endpoint);
	free(s->region);
	free(s->bucket);
	free(s->prefix);
	free(s->access_key);
	free(s->secret_key);
	free(s);
}

/* The body of an answer: kept up to S3_ERR_BODY_MAX (errors), or written
 * to fd (a GET that succeeds). */
struct sink {
	int fd; /* -1: keep in buf */
	long status;
	CURL *c;
	char buf[S3_ERR_BODY_MAX];
	size_t len;
	uint64_t bytes;
	int write_failed;
	int want_etag; /* capture the answer's ETag header in etag */
	char etag[S3_ETAG_MAX];
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *k = arg;
	size_t all = size * nmemb, n = all;

	if (!k->status)
		curl_easy_getinfo(k->c, CURLINFO_RESPONSE_CODE, &k->status);
	if (k->fd >= 0 && k->status >= 200 && k->status < 300) {
		const char *p = data;
		size_t left = n;

		while (left) {
			ssize_t w = write(k->fd, p, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				k->write_failed = 1;
				return 0;
			}
			p += w;
			left -= (size_t)w;
		}
		k->bytes += n;
		return n;
	}
	/* S3 may send spaces ahead of a late answer's XML (a Complete that
	 * takes a while): they are not kept. */
	while (!k->len && n && (*data == ' ' || *data == '\t' || *data == '\r' || *data == '\n')) {
		data++;
		n--;
	}
	if (k->len < sizeof(k->buf) - 1) {
		size_t take = n < sizeof(k->buf) - 1 - k->len ? n : sizeof(k->buf) - 1 - k->len;

		memcpy(k->buf + k->len, data, take);
		k->len += take;
	}
	return all;
}

/* Keeps the ETag of the final answer (an interim 100 Continue has none). */
static size_t on_header(char *line, size_t size, size_t nitems, void *arg)
{
	struct sink *k = arg;
	size_t n = size * nitems;

	if (n >= 5 && !memcmp(line, "HTTP/", 5))
		k->etag[0] = '\0';
	else
		ts_s3_etag_header(line, n, k->etag, sizeof(k->etag));
	return n;
}

/* A body: the bytes of read() from pos up to size (an offset: a part
 * starts further in). */
struct source {
	ts_blob_read_fn read;
	void *ctx;
	uint64_t pos, size;
	int failed;
};

struct mem {
	const char *p;
	size_t len;
};

static ssize_t read_mem(void *ctx, void *buf, size_t len, uint64_t pos)
{
	const struct mem *m = ctx;

	if (pos >= m->len)
		return 0;
	if (len > m->len - pos)
		len = m->len - (size_t)pos;
	memcpy(buf, m->p + pos, len);
	return (ssize_t)len;
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct source *s = arg;
	size_t want = size * nitems;
	ssize_t n;

	if (s->pos >= s->size)
		return 0;
	if (want > s->size - s->pos)
		want = (size_t)(s->size - s->pos);
	n = s->read(s->ctx, buf, want, s->pos);
	if (n <= 0) {
		s->failed = 1;
		return CURL_READFUNC_ABORT;
	}
	s->pos += (uint64_t)n;
	return (size_t)n;
}

/* One request. query: "" or "?..." as signed (see s3_put_multipart).
 * body: NULL for none (PUT and POST have one). Returns the HTTP status, or
 * 0 when the store could not be reached (err set). */
static long s3_request(struct s3 *s, const char *method, const char *key, const char *query,
		       const char *payload_hex, struct source *body, struct sink *k,
		       struct ts_error *err)
{
	char url[8192], hdr[128], cerr[CURL_ERROR_SIZE] = "";
	struct curl_slist *h = NULL;
	CURLcode rc;
	CURL *c;
	int n;

	pthread_once(&curl_once, curl_init);
	if (!key_ok(key)) {
		ts_error_set(err, TS_ERR_INTERNAL, "blobs_unavailable", "bad object key");
		return 0;
	}
	n = snprintf(url, sizeof(url), "%s/%s/%s%s%s", s->endpoint, s->bucket, s->prefix, key,
		     query);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		ts_error_set(err, TS_ERR_INTERNAL, "blobs_unavailable", "the object URL is too long");
		return 0;
	}
	c = curl_easy_init();
	if (!c) {
		ts_error_set(err, TS_ERR_IO, "blobs_unavailable", "cannot start a request");
		return 0;
	}
	snprintf(hdr, sizeof(hdr), "x-amz-content-sha256: %s", payload_hex);
	h = curl_slist_append(h, hdr);
	if (body)
		h = curl_slist_append(h, !strcmp(method, "POST") ? "Content-Type: application/xml"
								 : "Content-Type: application/octet-stream");
	/* No "Expect:" line to drop 100-continue: libcurl 7.88 signs the empty
	 * header it never sends, and the store answers SignatureDoesNotMatch. */
	k->c = c;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_AWS_SIGV4, s->sigv4);
	curl_easy_setopt(c, CURLOPT_USERNAME, s->access_key);
	curl_easy_setopt(c, CURLOPT_PASSWORD, s->secret_key);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	/* A stalled transfer (under 1 byte/s for 60 s) ends. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, k);
	if (k->want_etag) {
		curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
		curl_easy_setopt(c, CURLOPT_HEADERDATA, k);
	}
	if (!strcmp(method, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, body);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(body->size - body->pos));
	} else if (!strcmp(method, "POST")) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body->size - body->pos));
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &k->status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	if (k->write_failed) {
		ts_error_set(err, TS_ERR_IO, "write_failed", "cannot write a fetched blob to disk");
		return 0;
	}
	if (body && body->failed) {
		ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read a blob to store it");
		return 0;
	}
	if (rc != CURLE_OK) {
		ts_error_set(err, TS_ERR_UNAVAILABLE, "blobs_unavailable",
			     "the object store at %s cannot be reached: %s", s->endpoint,
			     cerr[0] ? cerr : curl_easy_strerror(rc));
		return 0;
	}
	return k->status;
}

/* An error answer as an error: the store's code and message. */
static enum ts_err s3_refused(struct s3 *s, const char *method, const char *key,
			      const struct sink *k, struct ts_error *err)
{
	char code[64], msg[256];

	if (ts_s3_error_parse(k->buf, k->len, code, sizeof(code), msg, sizeof(msg)) != 0)
		snprintf(code, sizeof(code), "HTTP %ld", k->status);
	return ts_error_set(err, TS_ERR_UNAVAILABLE, "blobs_unavailable",
			    "the object store refused %s %s/%s%s: %s%s%s", method, s->bucket,
			    s->prefix, key, code, msg[0] ? " (" : "", msg[0] ? msg : "");
}

/* Percent-encodes in as SigV4 does (only A-Z a-z 0-9 - _ . ~ kept, hex
 * in capitals). -1 when out is too small. */
static int uri_encode(const char *in, char *out, size_t outlen)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			if (o + 1 >= outlen)
				return -1;
			out[o++] = (char)c;
		} else {
			if (o + 3 >= outlen)
				return -1;
			out[o++] = '%';
			out[o++] = hexd[c >> 4];
			out[o++] = hexd[c & 15];
		}
	}
	out[o] = '\0';
	return 0;
}

/* The SHA-256 of read()'s bytes from..to into hex, each byte also added
 * to whole; read in chunks of buf. */
static enum ts_err hash_range(ts_blob_read_fn read, void *ctx, uint64_t from, uint64_t to,
			      char *buf, size_t buflen, struct ts_sha256 *whole, char *hex,
			      struct ts_error *err)
{
	struct ts_sha256 h;

	ts_sha256_init(&h);
	while (from < to) {
		size_t want = to - from < buflen ? (size_t)(to - from) : buflen;
		ssize_t n = read(ctx, buf, want, from);

		if (n <= 0) {
			ts_sha256_release(&h);
			return ts_error_set(err, TS_ERR_IO, "read_failed",
					    "cannot read a blob to store it");
		}
		ts_sha256_update(&h, buf, (size_t)n);
		ts_sha256_update(whole, buf, (size_t)n);
		from += (uint64_t)n;
	}
	ts_sha256_final(&h, hex, NULL);
	return TS_OK;
}

/* Adds <Part> n with its ETag (XML-escaped) to a Complete body. */
static void add_part_xml(struct ts_buf *xml, unsigned n, const char *etag)
{
	ts_buf_addf(xml, "<Part><PartNumber>%u</PartNumber><ETag>", n);
	for (const char *p = etag; *p; p++) {
		switch (*p) {
		case '"': ts_buf_adds(xml, "&quot;"); break;
		case '&': ts_buf_adds(xml, "&amp;"); break;
		case '<': ts_buf_adds(xml, "&lt;"); break;
		case '>': ts_buf_adds(xml, "&gt;"); break;
		case '\'': ts_buf_adds(xml, "&apos;"); break;
		default: ts_buf_add(xml, p, 1);
		}
	}
	ts_buf_adds(xml, "</ETag></Part>");
}

/* S3 may answer 200 to a Complete and then say in the body that it failed. */
static int answered_error(const struct sink *k)
{
	char code[64], msg[8];

	return ts_s3_error_parse(k->buf, k->len, code, sizeof(code), msg, sizeof(msg)) == 0;
}

static enum ts_err request_failed(struct ts_error *err)
{
	return err ? err->err : TS_ERR_UNAVAILABLE;
}

/* A multipart upload: CreateMultipartUpload, one PUT a part (each with
 * its own payload hash: a part is read twice, to hash it and to send it),
 * CompleteMultipartUpload with the parts' ETags; on any failure after the
 * upload was created, AbortMultipartUpload, so that the store keeps no
 * parts. Memory: the Complete body (about 100 bytes a part, at most
 * TS_S3_MAX_PARTS parts) and a read buffer.
 *
 * The query strings: libcurl 7.88.1 copies the URL's query into the SigV4
 * canonical request as written (it neither sorts the parameters, nor adds
 * the "=" of one without a value, nor encodes values), while the store
 * builds its canonical query from the parsed parameters: sorted,
 * "name=value", values percent-encoded (uri_encode). A bare "?uploads" is
 * therefore refused with SignatureDoesNotMatch; written in the canonical
 * form already, the two agree: "?uploads=", "?partNumber=N&uploadId=ID"
 * (in that order) and "?uploadId=ID", with ID encoded. */
static enum ts_err s3_put_multipart(struct s3 *s, const char *key, uint64_t size,
				    const char *sha256_hex, ts_blob_read_fn read, void *ctx,
				    struct ts_error *err)
{
	enum { CHUNK = 1 << 16 };
	uint64_t part = ts_s3_part_bytes(s->part_bytes, size);
	unsigned nparts = (unsigned)((size + part - 1) / part), i;
	char id[S3_UPLOAD_ID_MAX], enc[3 * S3_UPLOAD_ID_MAX], query[3 * S3_UPLOAD_ID_MAX + 64];
	char what[96], hex[TS_SHA256_HEX_SIZE];
	struct mem none = { "", 0 }, body;
	struct source src = { .read = read_mem, .ctx = &none };
	struct sink *k = ts_xcalloc(1, sizeof(*k));
	struct ts_sha256 whole;
	struct ts_buf xml;
	char *buf = NULL;
	enum ts_err e = TS_OK;
	long st;

	ts_sha256_init(&whole);
	ts_buf_init(&xml, (size_t)nparts * S3_PART_XML_MAX + 256);
	k->fd = -1;
	st = s3_request(s, "POST", key, "?uploads=", S3_EMPTY_SHA256, &src, k, err);
	if (st == 0) {
		e = request_failed(err);
		goto out;
	}
	if (st < 200 || st >= 300) {
		e = s3_refused(s, "CreateMultipartUpload of", key, k, err);
		goto out;
	}
	if (ts_s3_upload_id_parse(k->buf, k->len, id, sizeof(id)) != 0 ||
	    uri_encode(id, enc, sizeof(enc)) != 0) {
		e = ts_error_set(err, TS_ERR_UNAVAILABLE, "blobs_unavailable",
				 "the object store answered CreateMultipartUpload of %s/%s%s "
				 "without a usable UploadId",
				 s->bucket, s->prefix, key);
		goto out;
	}
	ts_buf_adds(&xml, "<CompleteMultipartUpload "
			  "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
	buf = ts_xmalloc(CHUNK);
	for (i = 0; i < nparts && !e; i++) {
		uint64_t from = (uint64_t)i * part, to = size - from > part ? from + part : size;

		e = hash_range(read, ctx, from, to, buf, CHUNK, &whole, hex, err);
		if (e)
			break;
		if (s->wrong_part == i + 1)
			hex[0] = hex[0] == '0' ? '1' : '0';
		snprintf(query, sizeof(query), "?partNumber=%u&uploadId=%s", i + 1, enc);
		memset(k, 0, sizeof(*k));
		k->fd = -1;
		k->want_etag = 1;
		src = (struct source){ .read = read, .ctx = ctx, .pos = from, .size = to };
		st = s3_request(s, "PUT", key, query, hex, &src, k, err);
		snprintf(what, sizeof(what), "PUT part %u of %u of", i + 1, nparts);
		if (st == 0)
			e = request_failed(err);
		else if (st < 200 || st >= 300)
			e = s3_refused(s, what, key, k, err);
		else if (!k->etag[0])
			e = ts_error_set(err, TS_ERR_UNAVAILABLE, "blobs_unavailable",
					 "the object store answered %s %s/%s%s without an ETag",
					 what, s->bucket, s->prefix, key);
		else
			add_part_xml(&xml, i + 1, k->etag);
	}
	if (!e) {
		/* What was sent is what the caller described. */
		ts_sha256_final(&whole, hex, NULL);
		if (strcmp(hex, sha256_hex) != 0)
			e = ts_error_set(err, TS_ERR_IO, "blob_corrupt",
					 "the bytes read to store %s/%s%s have sha256 %s, not %s",
					 s->bucket, s->prefix, key, hex, sha256_hex);
	}
	if (!e) {
		ts_buf_adds(&xml, "</CompleteMultipartUpload>");
		ts_sha256_hex(xml.ptr, xml.len, hex);
		body = (struct mem){ xml.ptr, xml.len };
		src = (struct source){ .read = read_mem, .ctx = &body, .size = xml.len };
		snprintf(query, sizeof(query), "?uploadId=%s", enc);
		memset(k, 0, sizeof(*k));
		k->fd = -1;
		st = s3_request(s, "POST", key, query, hex, &src, k, err);
		if (st == 0)
			e = request_failed(err);
		else if (st < 200 || st >= 300 || answered_error(k))
			e = s3_refused(s, "CompleteMultipartUpload of", key, k, err);
	}
	if (e) {
		struct ts_error ignore = { 0 };

		snprintf(query, sizeof(query), "?uploadId=%s", enc);
		memset(k, 0, sizeof(*k));
		k->fd = -1;
		st = s3_request(s, "DELETE", key, query, S3_EMPTY_SHA256, NULL, k, &ignore);
		if (st == 0 || ((st < 200 || st >= 300) && st != 404)) {
			if (st)
				s3_refused(s, "AbortMultipartUpload of", key, k, &ignore);
			ts_log_warn("%s; its parts may stay in the store", ignore.message);
		}
		ts_error_release(&ignore);
	}
out:
	ts_sha256_release(&whole);
	ts_buf_release(&xml);
	free(buf);
	free(k);
	return e;
}

static enum ts_err s3_put(struct ts_blob_remote *r, const char *key, uint64_t size,
			  const char *sha256_hex, ts_blob_read_fn read, void *ctx,
			  struct ts_error *err)
{
	struct s3 *s = (struct s3 *)r;
	struct source src = { .read = read, .ctx = ctx, .size = size };
	struct sink *k;
	enum ts_err e = TS_OK;
	long st;

	if (size > TS_S3_MAX_OBJECT_BYTES)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "file_too_large",
				    "an object store takes at most %llu bytes in one object",
				    (unsigned long long)TS_S3_MAX_OBJECT_BYTES);
	if (size > s->part_bytes)
		return s3_put_multipart(s, key, size, sha256_hex, read, ctx, err);
	k = ts_xcalloc(1, sizeof(*k));
	k->fd = -1;
	st = s3_request(s, "PUT", key, "", sha256_hex, &src, k, err);
	if (st == 0)
		e = request_failed(err);
	else if (st < 200 || st >= 300)
		e = s3_refused(s, "PUT", key, k, err);
	free(k);
	return e;
}

static enum ts_err s3_get(struct ts_blob_remote *r, const char *key, int fd, uint64_t *bytes,
			  struct ts_error *err)
{
	struct s3 *s = (struct s3 *)r;
	struct sink *k = ts_xcalloc(1, sizeof(*k));
	enum ts_err e = TS_OK;
	long st;

	k->fd = fd;
	st = s3_request(s, "GET", key, "", S3_EMPTY_SHA256, NULL, k, err);
	if (st == 0)
		e = err ? err->err : TS_ERR_UNAVAILABLE;
	else if (st == 404)
		e = ts_error_set(err, TS_ERR_NOT_FOUND, "blob_missing",
				 "the object store has no %s%s", s->prefix, key);
	else if (st < 200 || st >= 300)
		e = s3_refused(s, "GET", key, k, err);
	if (bytes)
		*bytes = k->bytes;
	free(k);
	return e;
}

static enum ts_err s3_head(struct ts_blob_remote *r, const char *key, int *exists,
			   struct ts_error *err)
{
	struct s3 *s = (struct s3 *)r;
	struct sink *k = ts_xcalloc(1, sizeof(*k));
	enum ts_err e = TS_OK;
	long st;

	k->fd = -1;
	*exists = 0;
	st = s3_request(s, "HEAD", key, "", S3_EMPTY_SHA256, NULL, k, err);
	if (st == 0)
		e = err ? err->err : TS_ERR_UNAVAILABLE;
	else if (st >= 200 && st < 300)
		*exists = 1;
	else if (st != 404)
		e = s3_refused(s, "HEAD", key, k, err);
	free(k);
	return e;
}

static enum ts_err s3_del(struct ts_blob_remote *r, const char *key, struct ts_error *err)
{
	struct s3 *s = (struct s3 *)r;
	struct sink *k = ts_xcalloc(1, sizeof(*k));
	enum ts_err e = TS_OK;
	long st;

	k->fd = -1;
	st = s3_request(s, "DELETE", key, "", S3_EMPTY_SHA256, NULL, k, err);
	if (st == 0)
		e = err ? err->err : TS_ERR_UNAVAILABLE;
	else if ((st < 200 || st >= 300) && st != 404)
		e = s3_refused(s, "DELETE", key, k, err);
	free(k);
	return e;
}

static const struct ts_blob_remote_ops s3_ops = {
	.put = s3_put,
	.get = s3_get,
	.head = s3_head,
	.del = s3_del,
	.free = s3_free,
};

struct ts_blob_remote *ts_s3_open(const char *url, struct ts_error *err)
{
	const char *rest, *slash, *v;
	struct s3 *s;
	size_t plen;

	if (strncmp(url, "s3://", 5) != 0) {
		ts_error_set(err, TS_ERR_INVALID, "bad_blobs_url",
			     "--blobs must be s3://bucket[/prefix], not \"%s\"", url);
		return NULL;
	}
	rest = url + 5;
	slash = strchr(rest, '/');
	s = ts_xcalloc(1, sizeof(*s));
	s->base.ops = &s3_ops;
	s->bucket = ts_xmalloc(strlen(rest) + 1);
	if (copy_until(s->bucket, strlen(rest) + 1, rest, slash ? slash : rest + strlen(rest)) ||
	    !s->bucket[0] || !key_ok(s->bucket) || strchr(s->bucket, '/'))
		goto bad_url;
	v = slash ? slash + 1 : "";
	plen = strlen(v);
	while (plen && v[plen - 1] == '/')
		plen--;
	s->prefix = ts_xmalloc(plen + 2);
	memcpy(s->prefix, v, plen);
	s->prefix[plen] = '\0';
	if (plen && !key_ok(s->prefix))
		goto bad_url;
	if (plen) {
		s->prefix[plen] = '/';
		s->prefix[plen + 1] = '\0';
	}
	v = env_first("TESSERA_S3_REGION", "AWS_REGION");
	s->region = ts_xstrdup(v ? v : "us-east-1");
	v = env_first("TESSERA_S3_ENDPOINT", NULL);
	if (v) {
		size_t elen = strlen(v);

		while (elen && v[elen - 1] == '/')
			elen--;
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) {
			ts_error_set(err, TS_ERR_INVALID, "bad_blobs_url",
				     "TESSERA_S3_ENDPOINT must start with http:// or https://");
			goto fail;
		}
		s->endpoint = ts_xmalloc(elen + 1);
		memcpy(s->endpoint, v, elen);
		s->endpoint[elen] = '\0';
	} else {
		size_t len = strlen(s->region) + 32;

		s->endpoint = ts_xmalloc(len);
		snprintf(s->endpoint, len, "https://s3.%s.amazonaws.com", s->region);
	}
	v = env_first("AWS_ACCESS_KEY_ID", NULL);
	if (!v) {
		ts_error_set(err, TS_ERR_INVALID, "bad_blobs_url",
			     "AWS_ACCESS_KEY_ID is not set (needed by --blobs s3://...)");
		goto fail;
	}
	s->access_key = ts_xstrdup(v);
	v = env_first("AWS_SECRET_ACCESS_KEY", NULL);
	if (!v) {
		ts_error_set(err, TS_ERR_INVALID, "bad_blobs_url",
			     "AWS_SECRET_ACCESS_KEY is not set (needed by --blobs s3://...)");
		goto fail;
	}
	s->secret_key = ts_xstrdup(v);
	v = env_first("TESSERA_S3_PART_BYTES", NULL);
	s->part_bytes = TS_S3_DEFAULT_PART_BYTES;
	if (v) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (*v < '0' || *v > '9' || errno || *end || n < TS_S3_MIN_PART_BYTES ||
		    n > TS_S3_MAX_PUT_BYTES) {
			ts_error_set(err, TS_ERR_INVALID, "bad_blobs_url",
				     "TESSERA_S3_PART_BYTES must be a number of bytes from %llu "
				     "(5 MiB, the smallest part S3 takes) to %llu (5 GiB), not \"%s\"",
				     (unsigned long long)TS_S3_MIN_PART_BYTES,
				     (unsigned long long)TS_S3_MAX_PUT_BYTES, v);
			goto fail;
		}
		s->part_bytes = n;
	}
	v = env_first("TESSERA_S3_TEST_WRONG_PAYLOAD_HASH", NULL);
	if (v && !strncmp(v, "part", 4) && v[4] >= '1' && v[4] <= '9')
		s->wrong_part = (unsigned)strtoul(v + 4, NULL, 10);
	if ((size_t)snprintf(s->sigv4, sizeof(s->sigv4), "aws:amz:%s:s3", s->region) >=
	    sizeof(s->sigv4)) {
		ts_error_set(err, TS_ERR_INVALID, "bad_blobs_url", "the region name is too long");
		goto fail;
	}
	snprintf(s->base.describe, sizeof(s->base.describe), "s3://%s/%s at %s", s->bucket,
		 s->prefix, s->endpoint);
	return &s->base;
bad_url:
	ts_error_set(err, TS_ERR_INVALID, "bad_blobs_url",
		     "--blobs must be s3://bucket[/prefix] (letters, digits, '.', '-', '_'), not \"%s\"",
		     url);
fail:
	s3_free(&s->base);
	return NULL;
}

/* Copies the text of <tag>...</tag> (the first one) entity-decoded, at
 * most outlen - 1 bytes. Returns 0, 1 when the text was cut to fit, -1
 * when there is no such element. */
static int element(const char *body, size_t len, const char *tag, char *out, size_t outlen)
{
	char open[32], close[32];
	const char *p, *q, *end = body + len;
	size_t olen, clen, o = 0;

	out[0] = '\0';
	olen = (size_t)snprintf(open, sizeof(open), "<%s>", tag);
	clen = (size_t)snprintf(close, sizeof(close), "</%s>", tag);
	p = memmem(body, len, open, olen);
	if (!p)
		return -1;
	p += olen;
	q = memmem(p, (size_t)(end - p), close, clen);
	if (!q)
		q = end;
	while (p < q && o + 1 < outlen) {
		static const struct {
			const char *ent;
			char c;
		} ents[] = { { "&lt;", '<' },	{ "&gt;", '>' },   { "&amp;", '&' },
			     { "&quot;", '"' }, { "&apos;", '\'' } };
		size_t i, n = sizeof(ents) / sizeof(ents[0]);

		if (*p == '&') {
			for (i = 0; i < n; i++) {
				size_t el = strlen(ents[i].ent);

				if ((size_t)(q - p) >= el && memcmp(p, ents[i].ent, el) == 0) {
					out[o++] = ents[i].c;
					p += el;
					break;
				}
			}
			if (i < n)
				continue;
		}
		out[o++] = (unsigned char)*p < 0x20 ? ' ' : *p;
		p++;
	}
	out[o] = '\0';
	return p < q ? 1 : 0;
}

int ts_s3_error_parse(const char *body, size_t len, char *code, size_t code_len, char *message,
		      size_t message_len)
{
	if (code_len)
		code[0] = '\0';
	if (message_len)
		message[0] = '\0';
	if (!body || code_len < 2 || message_len < 2)
		return -1;
	if (element(body, len, "Code", code, code_len) < 0 || !code[0]) {
		code[0] = '\0';
		return -1;
	}
	element(body, len, "Message", message, message_len);
	return 0;
}

int ts_s3_upload_id_parse(const char *body, size_t len, char *id, size_t id_len)
{
	if (!id_len)
		return -1;
	id[0] = '\0';
	/* Whole: a body cut short could end inside the ID. */
	if (!body || element(body, len, "UploadId", id, id_len) != 0 || !id[0] ||
	    !memmem(body, len, "</UploadId>", 11))
		goto bad;
	for (const char *p = id; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			goto bad;
	return 0;
bad:
	id[0] = '\0';
	return -1;
}

int ts_s3_etag_header(const char *line, size_t len, char *etag, size_t etag_len)
{
	static const char name[] = "etag:";
	const char *p = line, *end = line + len;
	size_t n;

	if (!line || len < sizeof(name) - 1 || !etag_len || strncasecmp(line, name, sizeof(name) - 1))
		return -1;
	p += sizeof(name) - 1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	n = (size_t)(end - p);
	if (!n || n >= etag_len)
		return -1;
	for (const char *c = p; c < end; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return -1;
	memcpy(etag, p, n);
	etag[n] = '\0';
	return 0;
}

uint64_t ts_s3_part_bytes(uint64_t configured, uint64_t size)
{
	uint64_t least = (size + TS_S3_MAX_PARTS - 1) / TS_S3_MAX_PARTS;

	least = (least + S3_MIB - 1) / S3_MIB * S3_MIB;
	return least > configured ? least : configured;
}
