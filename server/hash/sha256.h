/* SHA-256 (OpenSSL libcrypto EVP underneath; this module is the only one
 * that includes OpenSSL headers).
 *
 * Digests are given as 64 lowercase hex characters plus a NUL (char[65]),
 * the form used everywhere in the dataset contract (checksum_sha256, and
 * after a "sha256:" prefix for hash and categories_hash).
 *
 * Streaming use:
 *
 *	struct ts_sha256 h;
 *	char hex[TS_SHA256_HEX_SIZE];
 *	ts_sha256_init(&h);
 *	ts_sha256_update(&h, data, len);   (any number of times)
 *	ts_sha256_final(&h, hex);          (releases h)
 *
 * A context that is abandoned before ts_sha256_final must be released with
 * ts_sha256_release. Failures inside libcrypto (out of memory) are fatal. */
#ifndef TS_SHA256_H
#define TS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_SHA256_HEX_SIZE 65 /* 64 hex digits + NUL */
#define TS_SHA256_RAW_SIZE 32

struct ts_sha256 {
	void *ctx; /* EVP_MD_CTX *, owned; NULL after final/release */
};

void ts_sha256_init(struct ts_sha256 *h);
void ts_sha256_update(struct ts_sha256 *h, const void *data, size_t len);
/* Writes the lowercase hex digest to out65 and releases the context.
 * raw32 (optional, may be NULL) receives the 32 raw digest bytes. */
void ts_sha256_final(struct ts_sha256 *h, char out65[TS_SHA256_HEX_SIZE],
		     unsigned char *raw32);
/* Frees the context without producing a digest; safe to call twice. */
void ts_sha256_release(struct ts_sha256 *h);

/* One-shot digest of a memory buffer. */
void ts_sha256_hex(const void *data, size_t len, char out65[TS_SHA256_HEX_SIZE]);

/* Digest of everything readable from fd (from its current offset to EOF),
 * read in fixed-size chunks (bounded memory). The fd is not closed.
 * bytes (optional) receives the number of bytes hashed.
 * Errors: TS_ERR_IO ("read_failed") with errno text in err. */
enum ts_err ts_sha256_fd(int fd, char out65[TS_SHA256_HEX_SIZE], uint64_t *bytes,
			 struct ts_error *err);

/* Same for a file by path (opened read-only, closed before returning).
 * Errors: TS_ERR_NOT_FOUND ("file_not_found") when it does not exist,
 * TS_ERR_IO ("open_failed"/"read_failed") otherwise. */
enum ts_err ts_sha256_file(const char *path, char out65[TS_SHA256_HEX_SIZE],
			   uint64_t *bytes, struct ts_error *err);

/* 1 when s is exactly 64 lowercase hex digits, else 0. */
int ts_sha256_is_hex(const char *s);

#endif
