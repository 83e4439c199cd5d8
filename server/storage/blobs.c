/* Content-addressed originals and thumbnails on the local filesystem. */
#include "storage/blobs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/time.h"
#include "storage/cache.h"
#include "storage/remote.h"
#include "core/banned.h"

static atomic_ulong tmp_counter;

/* This process's own temporary folder, DATA/tmp/p<pid>-<16 hex>, claimed
 * on first use: its lock file DATA/tmp/p<pid>-<16 hex>.lock is created and
 * flock()ed first, the folder made after, and the lock held until the
 * process ends (the kernel drops it however the process ends). A sweep
 * removes a folder only when it can take that lock: never the folder of a
 * live process that shares the data folder. A few data folders per process
 * (the unit tests use several). */
#define TMP_CLAIMS 8
static struct {
	char data_dir[TS_BLOB_PATH_MAX];
	char dir[TS_BLOB_PATH_MAX];
	int lock_fd;
} claims[TMP_CLAIMS];
static int n_claims;
static pthread_mutex_t claims_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t random_u64(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)ts_time_mono_us() ^ ((uint64_t)getpid() << 32);
	return r;
}

/* Takes a new folder for data_dir into claims[i]. Returns 0 or -1. */
static int claim_tmp(int i, const char *data_dir)
{
	for (int attempt = 0; attempt < 4; attempt++) {
		char name[64], lock[TS_BLOB_PATH_MAX];
		struct stat a, b;
		int fd, len;

		snprintf(name, sizeof(name), "p%ld-%016llx", (long)getpid(),
			 (unsigned long long)random_u64());
		len = snprintf(lock, sizeof(lock), "%s/tmp/%s.lock", data_dir, name);
		if (len < 0 || (size_t)len >= sizeof(lock) ||
		    (size_t)snprintf(claims[i].dir, sizeof(claims[i].dir), "%s/tmp/%s", data_dir,
				     name) >= sizeof(claims[i].dir))
			return -1;
		fd = open(lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			return -1;
		}
		/* A sweep may have taken and removed the fresh lock file before
		 * the flock: then it is no longer the one at that name. */
		if (flock(fd, LOCK_EX) != 0 || fstat(fd, &a) != 0 || stat(lock, &b) != 0 ||
		    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
			close(fd);
			continue;
		}
		if (mkdir(claims[i].dir, 0755) != 0 && errno != EEXIST) {
			unlink(lock);
			close(fd);
			return -1;
		}
		snprintf(claims[i].data_dir, sizeof(claims[i].data_dir), "%s", data_dir);
		claims[i].lock_fd = fd;
		return 0;
	}
	return -1;
}

int ts_blob_tmp_dir(const char *data_dir, char *out, size_t outlen)
{
	int i, rc = -1;

	pthread_mutex_lock(&claims_mu);
	for (i = 0; i < n_claims; i++)
		if (strcmp(claims[i].data_dir, data_dir) == 0)
			break;
	if (i == n_claims) {
		if (n_claims == TMP_CLAIMS) {
			/* The oldest goes (its lock too: a later sweep may take it). */
			close(claims[0].lock_fd);
			memmove(&claims[0], &claims[1], sizeof(claims[0]) * (TMP_CLAIMS - 1));
			n_claims--;
			i = n_claims;
		}
		if (claim_tmp(i, data_dir) == 0)
			n_claims++;
		else
			i = -1;
	}
	if (i >= 0 && (size_t)snprintf(out, outlen, "%s", claims[i].dir) < outlen)
		rc = 0;
	pthread_mutex_unlock(&claims_mu);
	return rc;
}

static int remove_flat(int fd, const char *name);

void ts_blob_tmp_release_all(void)
{
	pthread_mutex_lock(&claims_mu);
	for (int i = 0; i < n_claims; i++) {
		char lock[TS_BLOB_PATH_MAX + 8];

		remove_flat(AT_FDCWD, claims[i].dir);
		snprintf(lock, sizeof(lock), "%s.lock", claims[i].dir);
		unlink(lock);
		close(claims[i].lock_fd);
	}
	n_claims = 0;
	pthread_mutex_unlock(&claims_mu);
}

int ts_blob_tmp_name(const char *data_dir, const char *suffix, char *out, size_t outlen)
{
	char dir[TS_BLOB_PATH_MAX];
	unsigned long n = atomic_fetch_add(&tmp_counter, 1);
	int len;

	if (ts_blob_tmp_dir(data_dir, dir, sizeof(dir)) != 0)
		return -1;
	len = snprintf(out, outlen, "%s/%lu%s", dir, n, suffix);
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
		return ts_error_set(err, TS_ERR_IO, "tmp_failed",
				    "cannot make a temporary folder in the data folder");
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
	if (!ts_sha256_is_hex(hex))
		return -1;
	return ts_blob_tmp_name(data_dir, ".jpg", out, outlen);
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
		ts_blob_cache_used(dst);
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
	e = ts_blob_remote_put_file(data_dir, dst, hex, err);
	if (!e)
		ts_blob_cache_added(dst);
	return e;
out:
	unlink(tmp_path);
	return e;
}

/* Removes the regular files in the folder name (in dir fd) and the folder;
 * returns how many files went. */
static int remove_flat(int fd, const char *name)
{
	int sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	struct dirent *de;
	DIR *d = sub >= 0 ? fdopendir(sub) : NULL;
	int n = 0;

	if (!d) {
		if (sub >= 0)
			close(sub);
		return 0;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (fstatat(sub, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    unlinkat(sub, de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	unlinkat(fd, name, AT_REMOVEDIR);
	return n;
}

static int is_claim_name(const char *s, size_t len)
{
	/* p<pid>-<16 hex> */
	const char *dash = memchr(s, '-', len);

	if (len < 19 || s[0] != 'p' || !dash || (size_t)(s + len - dash) != 17)
		return 0;
	for (const char *c = s + 1; c < dash; c++)
		if (*c < '0' || *c > '9')
			return 0;
	for (const char *c = dash + 1; c < s + len; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return 0;
	return 1;
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

		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISREG(st.st_mode) && len > 5 && strcmp(de->d_name + len - 5, ".lock") == 0 &&
		    is_claim_name(de->d_name, len - 5)) {
			/* A process's folder: it goes only when its lock is free
			 * (the process is gone), the lock file last. */
			char name[sizeof(de->d_name)];
			struct stat held;
			int lfd = openat(fd, de->d_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);

			if (lfd < 0)
				continue;
			if (flock(lfd, LOCK_EX | LOCK_NB) == 0 && fstat(lfd, &held) == 0 &&
			    held.st_ino == st.st_ino && held.st_dev == st.st_dev) {
				snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
				n += remove_flat(fd, name);
				unlinkat(fd, de->d_name, 0);
			}
			close(lfd);
			continue;
		}
		if (S_ISDIR(st.st_mode) && is_claim_name(de->d_name, len)) {
			/* A folder is made only after its lock is held: one with
			 * no lock file left is no live process's. */
			char lock[sizeof(de->d_name) + 8];
			struct stat ls;

			snprintf(lock, sizeof(lock), "%s.lock", de->d_name);
			if (fstatat(fd, lock, &ls, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
				n += remove_flat(fd, de->d_name);
			continue;
		}
		/* Files of versions that wrote straight into DATA/tmp. */
		if (!((len > 7 && strcmp(de->d_name + len - 7, ".upload") == 0) ||
		      strncmp(de->d_name, ".readyz-", 8) == 0))
			continue;
		/* unlinkat never follows a symlink; only regular files go. */
		if (S_ISREG(st.st_mode) && unlinkat(fd, de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}
