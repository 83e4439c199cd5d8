/* libFuzzer target: `tessera verify` on an export folder (export/verify.c):
 * the JSON checks behind the schemas (canonical form, order, ids, hashes,
 * counts, file names), which a zip's CRCs keep mutations away from.
 *
 * Input: annotations.json, a NUL byte, then manifest.json (no NUL: no
 * manifest). They are written into a private temporary folder (made once,
 * under $TMPDIR or /tmp) together with images/ copied from the golden export
 * (contract/golden/export/images, read relative to the working folder, as
 * `make fuzz` runs from the repository; without it the images are missing),
 * verified, and removed at exit, at a sanitizer report and at a failed
 * check. Besides memory errors and leaks, it checks the documented
 * answers: 0 with one "OK:" line, or 1 ending in "FAILED:". */
#include <dirent.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/verify.h"

#define GOLDEN_IMAGES "contract/golden/export/images"

static char dir[4096];

static void path_in(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static int write_file(const char *name, const uint8_t *data, size_t size)
{
	char p[4200];
	FILE *f;

	path_in(p, sizeof(p), name);
	f = fopen(p, "wb");
	if (!f)
		return -1;
	if (fwrite(data, 1, size, f) != size) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void remove_all(void)
{
	char p[4200];
	DIR *d;
	struct dirent *e;

	path_in(p, sizeof(p), "images");
	d = opendir(p);
	while (d && (e = readdir(d))) {
		char f[4500];

		if (e->d_name[0] == '.')
			continue;
		snprintf(f, sizeof(f), "%s/%s", p, e->d_name);
		unlink(f);
	}
	if (d)
		closedir(d);
	rmdir(p);
	path_in(p, sizeof(p), "annotations.json");
	unlink(p);
	path_in(p, sizeof(p), "manifest.json");
	unlink(p);
	rmdir(dir);
}

/* A broken promise: clean up, then crash so libFuzzer keeps the input. */
static void die(void)
{
	remove_all();
	abort();
}

static int setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char p[4200];
	DIR *d;
	struct dirent *e;

	snprintf(dir, sizeof(dir), "%s/tessera-fuzz-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	atexit(remove_all);
	__sanitizer_set_death_callback(remove_all); /* a sanitizer report */
	path_in(p, sizeof(p), "images");
	if (mkdir(p, 0700))
		return -1;
	d = opendir(GOLDEN_IMAGES);
	while (d && (e = readdir(d))) {
		char src[4500], dst[4500], buf[4096];
		FILE *in, *out;
		size_t n;

		if (e->d_name[0] == '.')
			continue;
		snprintf(src, sizeof(src), "%s/%s", GOLDEN_IMAGES, e->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", p, e->d_name);
		in = fopen(src, "rb");
		out = fopen(dst, "wb");
		while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
	}
	if (d)
		closedir(d);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const uint8_t *nul = memchr(data, 0, size);
	size_t ann_len = nul ? (size_t)(nul - data) : size;
	char man[4200], *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	if (!ready) {
		if (setup())
			abort();
		ready = 1;
	}
	path_in(man, sizeof(man), "manifest.json");
	unlink(man);
	if (write_file("annotations.json", data, ann_len))
		die();
	if (nul && write_file("manifest.json", nul + 1, size - ann_len - 1))
		die();
	out = open_memstream(&text, &len);
	if (!out)
		die();
	rc = ts_verify_path(dir, out, NULL);
	fclose(out);
	if (rc != 0 && rc != 1)
		die(); /* the folder itself is always readable */
	if (rc == 0 && strncmp(text, "OK: ", 4) != 0)
		die();
	if (rc == 1 && !strstr(text, "FAILED: "))
		die();
	free(text);
	return 0;
}
