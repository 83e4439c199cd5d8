/* Shared by the fuzz targets that need files: a private temporary folder,
 * made once under $TMPDIR or /tmp and removed with all it holds at exit, at
 * a sanitizer report and at a failed check (fuzz_die), and the checks on
 * the answer of `tessera verify`. Header-only: each target is built from
 * its one .c file. */
#ifndef TESSERA_FUZZ_UTIL_H
#define TESSERA_FUZZ_UTIL_H

#include <dirent.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char fuzz_dir[4096];

/* out = the path of name inside the folder. */
static inline void fuzz_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", fuzz_dir, name);
}

/* Writes data to name inside the folder: 0, or -1. */
static inline int fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	char p[4200];
	FILE *f;

	fuzz_path(p, sizeof(p), name);
	f = fopen(p, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* Removes path and, for a folder, all below it. */
static inline void fuzz_remove_tree(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char p[4500];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		fuzz_remove_tree(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

static inline void fuzz_cleanup(void)
{
	if (fuzz_dir[0])
		fuzz_remove_tree(fuzz_dir);
}

/* A broken promise: clean up, then crash so libFuzzer keeps the input. */
static inline void fuzz_die(void)
{
	fuzz_cleanup();
	abort();
}

/* Makes the folder, named <prefix>-XXXXXX, once: 0, or -1. */
static inline int fuzz_setup_dir(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");

	if (fuzz_dir[0])
		return 0;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (!mkdtemp(fuzz_dir)) {
		fuzz_dir[0] = '\0';
		return -1;
	}
	atexit(fuzz_cleanup);
	__sanitizer_set_death_callback(fuzz_cleanup); /* a sanitizer report */
	return 0;
}

/* The documented answers of `tessera verify`: 0 with one "OK:" line, 1
 * ending in "FAILED:"; fuzz_die otherwise. */
static inline void fuzz_check_verify(int rc, const char *text)
{
	if (rc == 0 && strncmp(text, "OK: ", 4) != 0)
		fuzz_die();
	if (rc == 1 && !strstr(text, "FAILED: "))
		fuzz_die();
}

#endif
