/* The data folder as a bounded cache of the object store: a keeper thread
 * and the two-walk trim pass it runs. */
#include "storage/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/time.h"
#include "storage/blobs.h"
#include "core/banned.h"

/* The folders whose files are copies of objects (each file one level down,
 * in a folder named by the first two hex digits of its digest). */
static const char *const areas[] = { "blobs/sha256", "thumbs" };

/* Ages in milliseconds, in 64 buckets per doubling (about 1% apart), so
 * that the files removed are the least recently used to within about 1%
 * of their age: bucket 0 holds ages under 1 ms (and files modified after
 * the pass began). 32 KB of counts. */
enum { SUB_BITS = 6, N_BUCKETS = 64 << SUB_BITS };

static int bucket_of(int64_t age_ms)
{
	uint64_t a = (uint64_t)age_ms, sub;
	int msb;

	if (age_ms < 1)
		return 0;
	msb = 63 - __builtin_clzll(a);
	sub = msb >= SUB_BITS ? a >> (msb - SUB_BITS) : a << (SUB_BITS - msb);
	return 1 + (msb << SUB_BITS) + (int)(sub & ((1u << SUB_BITS) - 1));
}

static int64_t mtime_ms(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

struct walk {
	int64_t now_ms;   /* when the pass began */
	int64_t grace_ms;
	/* first walk */
	uint64_t total;
	uint64_t by_age[N_BUCKETS]; /* bytes of removable files */
	/* second walk */
	int cutoff;        /* remove files in buckets >= cutoff */
	uint64_t need;     /* bytes still to free */
	uint64_t freed, removed;
	int removing;
};

/* A file of the cache, st its status: counted, or removed. */
static void visit(struct walk *w, int dirfd, const char *name, const struct stat *st)
{
	int64_t age = w->now_ms - mtime_ms(st);

	if (!w->removing) {
		w->total += (uint64_t)st->st_size;
		if (age >= w->grace_ms)
			w->by_age[bucket_of(age)] += (uint64_t)st->st_size;
		return;
	}
	/* Checked against the clock again: a file used since the pass began
	 * is young. */
	if (w->freed >= w->need || ts_time_now_ms() - mtime_ms(st) < w->grace_ms ||
	    bucket_of(age) < w->cutoff)
		return;
	if (unlinkat(dirfd, name, 0) == 0) {
		w->freed += (uint64_t)st->st_size;
		w->removed++;
	}
}

static void walk_fan(struct walk *w, int fan)
{
	DIR *d = fdopendir(fan);
	struct dirent *e;

	if (!d) {
		close(fan);
		return;
	}
	while ((e = readdir(d)) != NULL && !(w->removing && w->freed >= w->need)) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			visit(w, dirfd(d), e->d_name, &st);
	}
	closedir(d);
}

static void walk_all(struct walk *w, const char *data_dir)
{
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		char path[TS_BLOB_PATH_MAX];
		struct dirent *e;
		DIR *d;

		snprintf(path, sizeof(path), "%s/%s", data_dir, areas[i]);
		d = opendir(path);
		if (!d)
			continue;
		while ((e = readdir(d)) != NULL) {
			int fan;

			if (e->d_name[0] == '.')
				continue;
			fan = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fan >= 0)
				walk_fan(w, fan);
		}
		closedir(d);
	}
}

enum ts_err ts_blob_cache_trim(const char *data_dir, uint64_t max_bytes, uint64_t target,
			       int64_t grace_ms, struct ts_blob_cache_pass *out,
			       struct ts_error *err)
{
	struct walk w;
	char path[TS_BLOB_PATH_MAX];
	uint64_t acc = 0;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%s", data_dir, areas[0]);
	if (access(path, F_OK) != 0)
		return ts_error_set(err, TS_ERR_IO, "read_failed", "cannot read %s: %s", path,
				    strerror(errno));
	memset(&w, 0, sizeof(w));
	w.now_ms = ts_time_now_ms();
	w.grace_ms = grace_ms;
	walk_all(&w, data_dir);
	out->before = out->after = w.total;
	if (w.total <= max_bytes || w.total <= target)
		return TS_OK;
	w.need = w.total - target;
	/* The youngest age whose files and all older ones free enough (or,
	 * when not enough is old enough, every file past the grace period). */
	w.cutoff = N_BUCKETS;
	for (int b = N_BUCKETS - 1; b >= 0 && acc < w.need; b--) {
		acc += w.by_age[b];
		if (w.by_age[b])
			w.cutoff = b;
	}
	if (w.cutoff == N_BUCKETS)
		return TS_OK;
	w.removing = 1;
	walk_all(&w, data_dir);
	out->removed = w.removed;
	out->after = w.total - w.freed;
	return TS_OK;
}

/* The keeper: one per process. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	atomic_int running;
	int stop, wake;
	char data_dir[TS_BLOB_PATH_MAX];
	uint64_t max_bytes;
	int64_t grace_ms;
	uint64_t count;        /* bytes believed to be in the cache */
	uint64_t added_during; /* counted while a pass ran */
} keeper = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* How long to wait before trying again when a pass could not get under
 * the limit (everything left is within the grace period). */
static int64_t retry_ms(void)
{
	int64_t ms = keeper.grace_ms / 2;

	return ms < 1000 ? 1000 : ms > 60000 ? 60000 : ms;
}

static void *keep(void *arg)
{
	int over = 0;

	(void)arg;
	pthread_mutex_lock(&keeper.mu);
	for (;;) {
		struct ts_blob_cache_pass pass;
		struct ts_error err = { 0 };
		int64_t t0;
		uint64_t max;

		while (!keeper.stop && !keeper.wake) {
			if (over) {
				struct timespec until;
				int64_t ms = retry_ms();

				clock_gettime(CLOCK_MONOTONIC, &until);
				until.tv_sec += ms / 1000;
				until.tv_nsec += (ms % 1000) * 1000000;
				if (until.tv_nsec >= 1000000000) {
					until.tv_sec++;
					until.tv_nsec -= 1000000000;
				}
				if (pthread_cond_timedwait(&keeper.cv, &keeper.mu, &until) ==
				    ETIMEDOUT)
					keeper.wake = 1;
			} else {
				pthread_cond_wait(&keeper.cv, &keeper.mu);
			}
		}
		if (keeper.stop)
			break;
		keeper.wake = 0;
		keeper.added_during = 0;
		max = keeper.max_bytes;
		pthread_mutex_unlock(&keeper.mu);
		t0 = ts_time_mono_us();
		if (ts_blob_cache_trim(keeper.data_dir, max, max / 10 * 9, keeper.grace_ms, &pass,
				       &err) != TS_OK)
			ts_log_warn("blob cache: %s", err.message);
		else if (pass.removed)
			ts_log_info("blob cache: removed %llu file(s) used least recently, "
				    "%llu -> %llu bytes (limit %llu) in %lld ms",
				    (unsigned long long)pass.removed,
				    (unsigned long long)pass.before,
				    (unsigned long long)pass.after, (unsigned long long)max,
				    (long long)((ts_time_mono_us() - t0) / 1000));
		ts_error_release(&err);
		pthread_mutex_lock(&keeper.mu);
		keeper.count = pass.after + keeper.added_during;
		over = keeper.count > keeper.max_bytes;
	}
	pthread_mutex_unlock(&keeper.mu);
	return NULL;
}

enum ts_err ts_blob_cache_start(const char *data_dir, uint64_t max_bytes, int64_t grace_ms,
				struct ts_error *err)
{
	pthread_condattr_t attr;
	int rc;

	if (max_bytes == 0 || atomic_load(&keeper.running))
		return TS_OK;
	if (strlen(data_dir) >= sizeof(keeper.data_dir))
		return ts_error_set(err, TS_ERR_INTERNAL, "bad_path", "the data folder's name is too long");
	snprintf(keeper.data_dir, sizeof(keeper.data_dir), "%s", data_dir);
	keeper.max_bytes = max_bytes;
	keeper.grace_ms = grace_ms < 0 ? 0 : grace_ms;
	keeper.stop = 0;
	keeper.wake = 1; /* a first pass counts what is there */
	keeper.count = 0;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&keeper.cv, &attr);
	pthread_condattr_destroy(&attr);
	rc = pthread_create(&keeper.thread, NULL, keep, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&keeper.cv);
		return ts_error_set(err, TS_ERR_INTERNAL, "internal_error",
				    "cannot start the blob cache keeper: %s", strerror(rc));
	}
	atomic_store(&keeper.running, 1);
	return TS_OK;
}

void ts_blob_cache_stop(void)
{
	if (!atomic_load(&keeper.running))
		return;
	pthread_mutex_lock(&keeper.mu);
	keeper.stop = 1;
	pthread_cond_signal(&keeper.cv);
	pthread_mutex_unlock(&keeper.mu);
	pthread_join(keeper.thread, NULL);
	pthread_cond_destroy(&keeper.cv);
	atomic_store(&keeper.running, 0);
}

/* path is under data_dir/blobs or data_dir/thumbs. */
static int in_cache(const char *path)
{
	size_t n = strlen(keeper.data_dir);

	if (strncmp(path, keeper.data_dir, n) != 0 || path[n] != '/')
		return 0;
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		size_t m = strlen(areas[i]);

		if (strncmp(path + n + 1, areas[i], m) == 0 && path[n + 1 + m] == '/')
			return 1;
	}
	return 0;
}

void ts_blob_cache_added(const char *path)
{
	struct stat st;
	uint64_t bytes;

	if (!atomic_load(&keeper.running) || !in_cache(path) || stat(path, &st) != 0)
		return;
	bytes = (uint64_t)st.st_size;
	pthread_mutex_lock(&keeper.mu);
	keeper.count += bytes;
	keeper.added_during += bytes;
	if (keeper.count > keeper.max_bytes && !keeper.wake) {
		keeper.wake = 1;
		pthread_cond_signal(&keeper.cv);
	}
	pthread_mutex_unlock(&keeper.mu);
}

void ts_blob_cache_used(const char *path)
{
	if (atomic_load(&keeper.running) && in_cache(path))
		utimensat(AT_FDCWD, path, NULL, 0);
}
