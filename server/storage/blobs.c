/* Content-addressed originals and thumbnails on the local filesystem. */
#include "storage/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/time.h"
#include "storage/remote.h"
#include "core/banned.h"

static atomic_ulong tmp_counter;

int ts_blob_tmp_name(const char *data_dir, const char *suffix, char *out, size_t outlen)
{
	unsigned long n = atomic_fetch_add(&tmp_counter, 1);
	int len = snprintf(out, outlen, "%s/tmp/%ld-%lld-%lu%s", data_dir, (long)getpid(),
			   (long long)ts_time_mono_us(), n, suffix);

	return len < 0 || (size_t)len >= outlen ? -1 : 0;
}

enum ts_err ts_blob_writer_open(struct ts_blob_writer *w, const char *data_dir,
				uint64_t max_bytes, struct ts_error *err)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->max_bytes = max_bytes;
	if (ts_blob_tmp_name(data_dir, ".upload", w->tmp_path, sizeof(w->tmp_path)) != 0) {
		w->tmp_path[0] = '\0';
		return ts_error_set(err, TS_ERR_IO, "tmp_failed", "the data folder path is too long");
	}
	w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		int e = errno;

		w->tmp_path[0] = '\0';
		return ts_error_set(err, TS_ERR_IO, "tmp_failed",
				    "cannot create a temporary file: %s", strerror(e));
	}
	ts_sha256_init(&w->hash);
	return TS_OK;
}

enum ts_err ts_blob_writer_write(struct ts_blob_writer *w, const void *data, size_t len,
				 struct ts_error *err)
{
	const char *p = data;

	if (w->fd < 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "write_failed", "the file is closed");
	if (len > w->max_bytes - w->bytes)
		return ts_error_set(err, TS_ERR_TOO_LARGE, "file_too_large",
				    "the file is larger than the limit of %llu bytes",
				    (unsigned long long)w->max_bytes);
	ts_sha256_update(&w->hash, data, len);
	w->bytes += len;
	while (len) {
		ssize_t n = write(w->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ts_error_set(err, TS_ERR_IO, "write_failed",
					    "cannot write the upload to disk: %s",
					    n < 0 ? strerror(errno) : "short write");
		p += n;
		len -= (size_t)n;
	}
	return TS_OK;
}

enum ts_err ts_blob_writer_finish(struct ts_blob_writer *w, char hex[TS_SHA256_HEX_SIZE],
				  struct ts_error *err)
{
	int fd = w->fd;

	if (fd < 0)
		return ts_error_set(err, TS_ERR_INTERNAL, "write_failed", "the file is closed");
	w->fd = -1;
	ts_sha256_final(&w->hash, hex, NULL);
	/* The bytes are on disk before the row that points at them commits. */
	if (fsync(fd) != 0) {
		int e = errno;

		close(fd);
		return ts_error_set(err, TS_ERR_IO, "write_failed", "cannot flush the upload: %s",
				    strerror(e));
	}
	if (close(fd) != 0)
		return ts_error_set(err, TS_ERR_IO, "write_failed", "cannot close the upload: %s",
				    strerror(errno));
	return TS_OK;
}

void ts_blob_writer_abort(struct ts_blob_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
		ts_sha256_release(&w->hash);
	}
	if (w->tmp_path[0]) {
		unlink(w->tmp_path);
		w->tmp_path[0] = '\0';
	}
}

static int path_of(const char *data_dir, const char *area, const char *hex, const char *ext,
		   char *out, size_t outlen)
{
	int len;

	if (!ts_sha256_is_hex(hex))
		return -1;
	len = snprintf(out, outlen, "%s/%s/%.2s/%s%s", data_dir, area, hex, hex, ext);
	return len < 0 || (size_t)len >= outlen ? -1 : 0;
}

int ts_blob_path(const char *data_dir, const char *hex, char *out, size_t outlen)
{
	return path_of(data_dir, "blobs/sha256", hex, "", out, outlen);
}

int ts_blob_thumb_path(const char *data_dir, const char *hex, char *out, size_t outlen)
{
	return path_of(data_dir, "thumbs", hex, ".jpg", out, outlen);
}

int ts_blob_thumb_tmp_path(const char *data_dir, const char *hex, char *out, size_t outlen)
{
	unsigned long n = atomic_fetch_add(&tmp_counter, 1);
	int len;

	if (!ts_sha256_is_hex(hex))
		return -1;
	len = snprintf(out, outlen, "%s/thumbs/%.2s/%s.jpg.%ld-%lu.tmp", data_dir, hex, hex,
		       (long)getpid(), n);
	return len < 0 || (size_t)len >= outlen ? -1 : 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

enum ts_err ts_blob_make_parent(const char *path, struct ts_error *err)
{
	char dir[TS_BLOB_PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return ts_error_set(err, TS_ERR_INTERNAL, "store_failed", "bad blob path");
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		return ts_error_set(err, TS_ERR_IO, "store_failed", "cannot create %s: %s", dir,
				    strerror(errno));
	return TS_OK;
}

enum ts_err ts_blob_commit(const char *data_dir, const char *tmp_path, const char *hex,
			   struct ts_error *err)
{
	char dst[TS_BLOB_PATH_MAX];
	struct stat st;
	enum ts_err e = TS_OK;

	if (ts_blob_path(data_dir, hex, dst, sizeof(dst)) != 0) {
		e = ts_error_set(err, TS_ERR_INTERNAL, "store_failed", "bad digest");
		goto out;
	}
	if (stat(dst, &st) == 0 && S_ISREG(st.st_mode)) {
		/* The same bytes are stored already (content addressing); the
		 * remote (if any) gets them if it lacks them. */
		unlink(tmp_path);
		return ts_blob_remote_put_file(data_dir, dst, hex, err);
	}
	e = ts_blob_make_parent(dst, err);
	if (e)
		goto out;
	if (rename(tmp_path, dst) != 0) {
		e = ts_error_set(err, TS_ERR_IO, "store_failed", "cannot store the file: %s",
				 strerror(errno));
		goto out;
	}
	{
		/* The rename must survive a crash before the row commits. */
		char dir[TS_BLOB_PATH_MAX];
		const char *slash = strrchr(dst, '/');

		memcpy(dir, dst, (size_t)(slash - dst));
		dir[slash - dst] = '\0';
		fsync_dir(dir);
	}
	/* With a remote, the blob is there before the row that points at it
	 * commits. */
	return ts_blob_remote_put_file(data_dir, dst, hex, err);
out:
	unlink(tmp_path);
	return e;
}

int ts_blob_sweep_tmp(const char *data_dir)
{
	char dir[TS_BLOB_PATH_MAX];
	struct dirent *de;
	int fd, n = 0;
	DIR *d;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/tmp", data_dir) >= sizeof(dir))
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct stat st;

		if (!((len > 7 && strcmp(de->d_name + len - 7, ".upload") == 0) ||
		      strncmp(de->d_name, ".readyz-", 8) == 0))
			continue;
		/* unlinkat never follows a symlink; only regular files go. */
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    unlinkat(fd, de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}
