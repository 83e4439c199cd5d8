/* Where blobs live beyond this machine. By default (no remote) the data
 * folder is their only home. With a remote (tessera serve --blobs
 * s3://bucket/prefix), the remote is their home and the data folder a
 * cache of it, with the same layout: every original, video frame,
 * thumbnail and export zip written here is also put there under the same
 * relative name (blobs/sha256/ab/<hex>, thumbs/ab/<hex>.jpg,
 * exports/<project>/<version>.zip; a deleted export version's zip is
 * removed there), and a file missing here is fetched
 * from there (streamed to a temporary file, checked against its digest
 * when it has one, renamed into place) before it is read. Downloads are
 * then served from the local copy with Range and ETag, through the same
 * access checks as before.
 *
 * A backend fills struct ts_blob_remote_ops; storage/s3.h is the one
 * there is (objects of any size up to 5 TiB: above its part size, a
 * multipart upload). */
#ifndef TS_STORAGE_REMOTE_H
#define TS_STORAGE_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/error.h"

/* Fills buf with up to len bytes of an object being put, from pos; returns
 * the count, 0 at the end, -1 on an error. */
typedef ssize_t (*ts_blob_read_fn)(void *ctx, void *buf, size_t len, uint64_t pos);

struct ts_blob_remote;

struct ts_blob_remote_ops {
	/* Stores size bytes read from read(), whose SHA-256 is sha256_hex,
	 * under key (a relative name). read() may be asked for the same
	 * bytes more than once (a multipart upload hashes a part, then sends
	 * it). UNAVAILABLE "blobs_unavailable" when the store cannot be
	 * reached or refuses (the message says why); TOO_LARGE
	 * "file_too_large" above what the store takes in one object. */
	enum ts_err (*put)(struct ts_blob_remote *r, const char *key, uint64_t size,
			   const char *sha256_hex, ts_blob_read_fn read, void *ctx,
			   struct ts_error *err);
	/* Writes the object under key to fd (from its current offset).
	 * NOT_FOUND "blob_missing" when there is none. */
	enum ts_err (*get)(struct ts_blob_remote *r, const char *key, int fd, uint64_t *bytes,
			   struct ts_error *err);
	/* *exists = 1 when there is an object under key. */
	enum ts_err (*head)(struct ts_blob_remote *r, const char *key, int *exists,
			    struct ts_error *err);
	/* Removes the object under key (none there is not an error). */
	enum ts_err (*del)(struct ts_blob_remote *r, const char *key, struct ts_error *err);
	void (*free)(struct ts_blob_remote *r);
};

struct ts_blob_remote {
	const struct ts_blob_remote_ops *ops;
	char describe[512]; /* for logs: "s3://bucket/prefix at http://host:port" */
};

/* The process's remote (NULL: local disk only). Set once at start, before
 * any thread reads or writes blobs; ts_blob_remote_set(NULL) frees it. */
void ts_blob_remote_set(struct ts_blob_remote *r);
struct ts_blob_remote *ts_blob_remote_get(void);

/* Puts the file at path (data_dir/<key>) under its key, unless the remote
 * has it already. sha256_hex may be NULL (the file is hashed first). A
 * no-op without a remote. */
enum ts_err ts_blob_remote_put_file(const char *data_dir, const char *path,
				    const char *sha256_hex, struct ts_error *err);
/* The same with the bytes read from the file at from (a temporary file
 * about to be renamed to path), so that a file is in the remote before it
 * is in its place here: one in place is then always in the remote too. */
enum ts_err ts_blob_remote_put_file_as(const char *data_dir, const char *path, const char *from,
				       const char *sha256_hex, struct ts_error *err);

/* Makes sure path (data_dir/<key>) exists, fetching it from the remote
 * when it does not. want_hex, when not NULL, is the digest the bytes must
 * have (a mismatch is IO "blob_corrupt" and nothing is kept). NOT_FOUND
 * "blob_missing" without a remote or when neither has it. */
enum ts_err ts_blob_remote_ensure(const char *data_dir, const char *path, const char *want_hex,
				  struct ts_error *err);

/* Removes the object of path (data_dir/<key>) from the remote, when there
 * is one (none there is not an error). A no-op without a remote. */
enum ts_err ts_blob_remote_remove(const char *data_dir, const char *path, struct ts_error *err);

/* Puts a probe object (its bytes and key made from the time), finds it
 * and removes it: the check that the configuration works, run at start and by
 * `tessera blobs check`. With TESSERA_S3_TEST_WRONG_PAYLOAD_HASH=1 in the
 * environment the probe is sent with a payload hash that does not match
 * its bytes, which a correct store refuses (for the tests; =partN does
 * that to part N of multipart uploads instead, see storage/s3.h). */
enum ts_err ts_blob_remote_check(struct ts_blob_remote *r, struct ts_error *err);

#endif
