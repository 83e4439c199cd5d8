/* The blob store: originals, content-addressed by SHA-256, under
 * DATA/blobs/sha256/ab/<64 hex>, and their thumbnails under
 * DATA/thumbs/ab/<64 hex>.jpg. Paths come only from the digest, never from
 * anything a user sent.
 *
 * Writing goes through a temporary file in this process's own folder
 * DATA/tmp/p<pid>-<16 hex> (same filesystem; see ts_blob_tmp_dir),
 * hashed while it is written, fsynced, then renamed into place: a blob
 * either exists whole or not at all. A blob is never modified; writing
 * bytes that already exist just drops the temporary file.
 *
 *	struct ts_blob_writer w;
 *	ts_blob_writer_open(&w, data_dir, max_bytes, &err);
 *	ts_blob_writer_write(&w, data, len, &err);      (any number of times)
 *	ts_blob_writer_finish(&w, hex, &err);           (fsync + close; tmp kept)
 *	... probe w.tmp_path ...
 *	ts_blob_commit(data_dir, w.tmp_path, hex, &err);  (rename into place)
 *
 * ts_blob_writer_abort removes the temporary file at any point (and is a
 * no-op after a commit or a previous abort), so every error path and a
 * client disconnect can call it unconditionally. */
#ifndef TS_STORAGE_BLOBS_H
#define TS_STORAGE_BLOBS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "hash/sha256.h"

#define TS_BLOB_PATH_MAX 4096

struct ts_blob_writer {
	int fd; /* -1 when closed */
	char tmp_path[TS_BLOB_PATH_MAX]; /* "" when there is no temporary file */
	struct ts_sha256 hash;
	uint64_t bytes;
	uint64_t max_bytes;
};

/* Creates a fresh temporary file in this process's folder of data_dir/tmp.
 * IO "tmp_failed". */
enum ts_err ts_blob_writer_open(struct ts_blob_writer *w, const char *data_dir,
				uint64_t max_bytes, struct ts_error *err);
/* Appends and hashes. TOO_LARGE "file_too_large" past max_bytes (nothing
 * more is written; call abort), IO "write_failed". */
enum ts_err ts_blob_writer_write(struct ts_blob_writer *w, const void *data, size_t len,
				 struct ts_error *err);
/* fsyncs and closes the file and gives its digest; the temporary file
 * stays until commit or abort. */
enum ts_err ts_blob_writer_finish(struct ts_blob_writer *w, char hex[TS_SHA256_HEX_SIZE],
				  struct ts_error *err);
/* Closes and unlinks the temporary file if any; safe to call twice. */
void ts_blob_writer_abort(struct ts_blob_writer *w);

/* Moves tmp_path (a file in data_dir/tmp) to the blob path of hex,
 * creating the fan-out folder and fsyncing it. When the blob exists
 * already, tmp_path is removed instead. On failure tmp_path is removed
 * too. IO "store_failed". With a remote (storage/remote.h) the blob is
 * also put there (UNAVAILABLE "blobs_unavailable" when that fails; the
 * local copy then stays, as a cache). */
enum ts_err ts_blob_commit(const char *data_dir, const char *tmp_path, const char *hex,
			   struct ts_error *err);

/* The paths of a blob and of its thumbnail. Return 0, or -1 when hex is
 * not a digest or out (TS_BLOB_PATH_MAX is enough) is too small. */
int ts_blob_path(const char *data_dir, const char *hex, char *out, size_t outlen);
int ts_blob_thumb_path(const char *data_dir, const char *hex, char *out, size_t outlen);

/* A unique temporary path for the thumbnail of hex, in this process's
 * temporary folder (same filesystem, so the rename into place is atomic;
 * what a killed process leaves goes with its folder). */
int ts_blob_thumb_tmp_path(const char *data_dir, const char *hex, char *out, size_t outlen);

/* This process's own temporary folder in data_dir/tmp, made on first use:
 * DATA/tmp/p<pid>-<16 random hex>, beside its lock file
 * DATA/tmp/p<pid>-<16 random hex>.lock, which the process holds locked
 * (flock) for as long as it lives. Several processes sharing one data
 * folder so never share a temporary name, and a sweep can tell a live
 * process's folder from a dead one's. Returns 0, or -1 when out is too
 * small or the folder cannot be made. */
int ts_blob_tmp_dir(const char *data_dir, char *out, size_t outlen);

/* Removes this process's temporary folders (with what is left in them)
 * and their lock files; for a clean exit, once nothing writes there. */
void ts_blob_tmp_release_all(void);

/* A new unique temporary path in this process's temporary folder, with the
 * given suffix (the file is not created). Returns 0, or -1 (see above). */
int ts_blob_tmp_name(const char *data_dir, const char *suffix, char *out, size_t outlen);

/* Makes the folder that will hold path (its fan-out folder). */
enum ts_err ts_blob_make_parent(const char *path, struct ts_error *err);

/* Removes what processes that died (SIGKILL, a crash, a power cut) left in
 * data_dir/tmp: the folder of each process whose lock is free (with its
 * regular files: partial uploads, video frames, thumbnails being written)
 * and its lock file, and, from versions that wrote straight into
 * data_dir/tmp, the regular files whose names end in ".upload" or start
 * with ".readyz-". The folders of live processes (this one included) and
 * other files are left alone, so it is safe while other processes use the
 * same data folder. Returns how many files were removed. */
int ts_blob_sweep_tmp(const char *data_dir);

#endif
