#include "hash/sha256.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

#define CHUNK (64 * 1024)

static void to_hex(const unsigned char *raw, char out65[TS_SHA256_HEX_SIZE])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < TS_SHA256_RAW_SIZE; i++) {
		out65[2 * i] = digits[raw[i] >> 4];
		out65[2 * i + 1] = digits[raw[i] & 0x0f];
	}
	out65[64] = '\0';
}

void ts_sha256_init(struct ts_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		ts_die("sha256: cannot initialise a digest context");
	h->ctx = ctx;
}

void ts_sha256_update(struct ts_sha256 *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		ts_die("sha256: digest update failed");
}

void ts_sha256_final(struct ts_sha256 *h, char out65[TS_SHA256_HEX_SIZE],
		     unsigned char *raw32)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, raw, &n) != 1 || n != TS_SHA256_RAW_SIZE)
		ts_die("sha256: digest final failed");
	to_hex(raw, out65);
	if (raw32)
		memcpy(raw32, raw, TS_SHA256_RAW_SIZE);
	ts_sha256_release(h);
}

void ts_sha256_release(struct ts_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void ts_sha256_hex(const void *data, size_t len, char out65[TS_SHA256_HEX_SIZE])
{
	struct ts_sha256 h;

	ts_sha256_init(&h);
	ts_sha256_update(&h, data, len);
	ts_sha256_final(&h, out65, NULL);
}

enum ts_err ts_sha256_fd(int fd, char out65[TS_SHA256_HEX_SIZE], uint64_t *bytes,
			 struct ts_error *err)
{
	struct ts_sha256 h;
	unsigned char *chunk = ts_xmalloc(CHUNK);
	uint64_t total = 0;
	enum ts_err e = TS_OK;

	ts_sha256_init(&h);
	for (;;) {
		ssize_t n = read(fd, chunk, CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = ts_error_set(err, TS_ERR_IO, "read_failed",
					 "read failed: %s", strerror(errno));
			ts_sha256_release(&h);
			goto out;
		}
		if (n == 0)
			break;
		ts_sha256_update(&h, chunk, (size_t)n);
		total += (uint64_t)n;
	}
	ts_sha256_final(&h, out65, NULL);
	if (bytes)
		*bytes = total;
out:
	free(chunk);
	return e;
}

enum ts_err ts_sha256_file(const char *path, char out65[TS_SHA256_HEX_SIZE],
			   uint64_t *bytes, struct ts_error *err)
{
	enum ts_err e;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return ts_error_set(err, TS_ERR_NOT_FOUND, "file_not_found",
					    "%s: no such file", path);
		return ts_error_set(err, TS_ERR_IO, "open_failed", "%s: %s", path,
				    strerror(errno));
	}
	e = ts_sha256_fd(fd, out65, bytes, err);
	if (e && err) {
		char msg[TS_ERROR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", err->message);
		ts_error_set(err, e, "read_failed", "%s: %s", path, msg);
	}
	close(fd);
	return e;
}

int ts_sha256_is_hex(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++) {
		char c = s[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return s[64] == '\0';
}
