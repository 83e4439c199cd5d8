/* The remote home of blobs, and the data folder as its cache. */
#include "storage/remote.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash/sha256.h"
#include "storage/blobs.h"
#include "storage/cache.h"
#include "core/time.h"
#include "core/banned.h"

static struct ts_blob_remote *remote;

void ts_blob_remote_set(struct ts_blob_remote *r)
{
	if (remote && remote != r)
		remote->ops->free(remote);
	remote = r;
}

struct ts_blob_remote *ts_blob_remote_get(void)
{
	return remote;
}

/* The key of path: its name under data_dir. */
static const char *key_of(const char *data_dir, const char *path, struct ts_error *err)
{
	size_t n = strlen(data_dir);

	if (strncmp(path, data_dir, n) != 0 || path[n] != '/') {
		ts_error_set(err, TS_ERR_INTERNAL, "store_failed", "a blob outside the data folder");
		return NULL;
	}
	return path + n + 1;
}

static ssize_t read_fd(void *ctx, void *buf, size_t len, uint64_t pos)
{
	int fd = *(int *)ctx;
	ssize_t n;

	do
		n = pread(fd, buf, len, (off_t)pos);
	while (n < 0 && errno == EINTR);
	return n;
}

enum ts_err ts_blob_remote_put_file(const char *data_dir, const char *path,
				    const char *sha256_hex, struct ts_error *err)
{
	return ts_blob_remote_put_file_as(data_dir, path, path, sha256_hex, err);
}

enum ts_err ts_blob_remote_put_file_as(const char *data_dir, const char *path, const char *from,
				       const char *sha256_hex, struct ts_error *err)
{
	char hex[TS_SHA256_HEX_SIZE];
	const char *key;
	struct stat st;
	enum ts_err e;
	int fd, exists = 0;

	if (!remote)
		return TS_OK;
	key = key_of(data_dir, path, err);
	if (!key)
		return TS_ERR_INTERNAL;
	e = remote->ops->head(remote, key, &exists, err);
	if (e || exists)
		return e;
	fd = open(from, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		e = ts_error_set(err, TS_ERR_IO, "read_failed", "cannot open %s: %s", from,
				 strerror(errno));
		goto out;
	}
	if (!sha256_hex) {
		e = ts_sha256_fd(fd, hex, NULL, err);
		if (e)
			goto out;
		sha256_hex = hex;
	}
	e = remote->ops->put(remote, key, (uint64_t)st.st_size, sha256_hex, read_fd, &fd, err);
out:
	if (fd >= 0)
		close(fd);
	return e;
}

enum ts_err ts_blob_remote_ensure(const char *data_dir, const char *path, const char *want_hex,
				  struct ts_error *err)
{
	char tmp[TS_BLOB_PATH_MAX], hex[TS_SHA256_HEX_SIZE];
	const char *key;
	enum ts_err e;
	int fd;

	if (access(path, F_OK) == 0) {
		ts_blob_cache_used(path);
		return TS_OK;
	}
	if (!remote)
		return ts_error_set(err, TS_ERR_NOT_FOUND, "blob_missing", "%s is missing", path);
	key = key_of(data_dir, path, err);
	if (!key)
		return TS_ERR_INTERNAL;
	e = ts_blob_make_parent(path, err);
	if (e)
		return e;
	/* In data_dir/tmp (the same filesystem, so the rename is atomic),
	 * named like an upload so that a process killed mid-fetch leaves
	 * nothing the start-up sweep misses. */
	if (ts_blob_tmp_name(data_dir, ".upload", tmp, sizeof(tmp)) != 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "blob_missing", "the path is too long");
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "tmp_failed", "cannot create %s: %s", tmp,
				    strerror(errno));
	e = remote->ops->get(remote, key, fd, NULL, err);
	if (!e && want_hex) {
		if (lseek(fd, 0, SEEK_SET) != 0)
			e = ts_error_set(err, TS_ERR_IO, "read_failed", "cannot reread %s", tmp);
		else
			e = ts_sha256_fd(fd, hex, NULL, err);
		if (!e && strcmp(hex, want_hex) != 0)
			e = ts_error_set(err, TS_ERR_IO, "blob_corrupt",
					 "the object store's copy of %s has other bytes (sha256 %s)",
					 key, hex);
	}
	if (!e && fsync(fd) != 0)
		e = ts_error_set(err, TS_ERR_IO, "write_failed", "cannot flush %s: %s", tmp,
				 strerror(errno));
	close(fd);
	if (!e && rename(tmp, path) != 0)
		e = ts_error_set(err, TS_ERR_IO, "write_failed", "cannot store %s: %s", path,
				 strerror(errno));
	if (e)
		unlink(tmp);
	else
		ts_blob_cache_added(path);
	return e;
}

enum ts_err ts_blob_remote_remove(const char *data_dir, const char *path, struct ts_error *err)
{
	const char *key;

	if (!remote)
		return TS_OK;
	key = key_of(data_dir, path, err);
	if (!key)
		return TS_ERR_INTERNAL;
	return remote->ops->del(remote, key, err);
}

enum ts_err ts_blob_remote_check(struct ts_blob_remote *r, struct ts_error *err)
{
	char body[96], key[96], hex[TS_SHA256_HEX_SIZE];
	const char *wrong = getenv("TESSERA_S3_TEST_WRONG_PAYLOAD_HASH");
	int len, exists = 0, fd;
	enum ts_err e;
	char path[] = "/tmp/tessera-probe-XXXXXX";

	len = snprintf(body, sizeof(body), "tessera probe %lld %ld\n",
		       (long long)ts_time_now_ms(), (long)getpid());
	snprintf(key, sizeof(key), "probe/%ld-%lld", (long)getpid(),
		 (long long)ts_time_mono_us());
	ts_sha256_hex(body, (size_t)len, hex);
	if (wrong && !strcmp(wrong, "1"))
		hex[0] = hex[0] == '0' ? '1' : '0';
	fd = mkstemp(path);
	if (fd < 0)
		return ts_error_set(err, TS_ERR_IO, "tmp_failed", "cannot create a probe file");
	unlink(path);
	if (write(fd, body, (size_t)len) != len) {
		close(fd);
		return ts_error_set(err, TS_ERR_IO, "write_failed", "cannot write a probe file");
	}
	e = r->ops->put(r, key, (uint64_t)len, hex, read_fd, &fd, err);
	close(fd);
	if (!e)
		e = r->ops->head(r, key, &exists, err);
	if (!e && !exists)
		e = ts_error_set(err, TS_ERR_UNAVAILABLE, "blobs_unavailable",
				 "the object store lost the probe object %s", key);
	if (!e)
		e = r->ops->del(r, key, err);
	return e;
}
