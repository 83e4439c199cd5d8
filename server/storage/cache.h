/* The data folder as a bounded cache of the object store.
 *
 * With blobs in an object store (storage/remote.h), every original, video
 * frame and thumbnail in the data folder is a copy of one in the store, and
 * a missing one is fetched again when it is read. With a size limit
 * (tessera serve --blob-cache-bytes N), a background thread keeps the
 * copies under blobs/ and thumbs/ within it: when the bytes written or
 * fetched pass the limit, the least recently used copies are removed until
 * the cache is down to 90% of it. A copy is "used" when it is written,
 * fetched, or made sure of before a read (ts_blob_remote_ensure touches its
 * modification time), and no copy used within the grace period is removed,
 * so a file is never taken away between being made sure of and being
 * opened (once open, removing its name does not disturb the reader).
 * Export folders and zips are not part of the cache.
 *
 * Memory stays flat whatever the number of files: a pass walks the folders
 * twice (sizes by age, then removal of those older than the age that
 * frees enough) and keeps only a histogram. */
#ifndef TS_STORAGE_CACHE_H
#define TS_STORAGE_CACHE_H

#include <stdint.h>

#include "core/error.h"

struct ts_blob_cache_pass {
	uint64_t before;  /* bytes under blobs/ and thumbs/ when the pass began */
	uint64_t after;   /* ... and when it ended */
	uint64_t removed; /* files removed */
};

/* Brings the copies under data_dir/blobs and data_dir/thumbs down to
 * target bytes when they hold more than max_bytes, removing the least
 * recently modified first and none modified within grace_ms. Files that
 * vanish meanwhile (another process, a delete) are skipped. */
enum ts_err ts_blob_cache_trim(const char *data_dir, uint64_t max_bytes, uint64_t target,
			       int64_t grace_ms, struct ts_blob_cache_pass *out,
			       struct ts_error *err);

/* Starts the process's cache keeper for data_dir (a first pass counts what
 * is there). Without a call (or with max_bytes 0) the cache is not
 * bounded and the functions below do nothing. */
enum ts_err ts_blob_cache_start(const char *data_dir, uint64_t max_bytes, int64_t grace_ms,
				struct ts_error *err);
/* Stops the keeper (waits for a pass in progress). */
void ts_blob_cache_stop(void);

/* The file at path was written or fetched: its bytes are counted when it
 * is under the cache, and a pass is started when the count passes the
 * limit. Nothing (not even a stat) while no keeper runs. */
void ts_blob_cache_added(const char *path);
/* path is about to be read: marked as just used. */
void ts_blob_cache_used(const char *path);

#endif
