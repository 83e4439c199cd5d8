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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export/verify.h"
#include "fuzz_util.h"

#define GOLDEN_IMAGES "contract/golden/export/images"

/* The folder, with images/ copied from the golden export. */
static int setup(void)
{
	char p[4200];
	DIR *d;
	struct dirent *e;

	if (fuzz_setup_dir("tessera-fuzz-verify"))
		return -1;
	fuzz_path(p, sizeof(p), "images");
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
	fuzz_path(man, sizeof(man), "manifest.json");
	unlink(man);
	if (fuzz_write("annotations.json", data, ann_len))
		fuzz_die();
	if (nul && fuzz_write("manifest.json", nul + 1, size - ann_len - 1))
		fuzz_die();
	out = open_memstream(&text, &len);
	if (!out)
		fuzz_die();
	rc = ts_verify_path(fuzz_dir, out, NULL);
	fclose(out);
	if (rc != 0 && rc != 1)
		fuzz_die(); /* the folder itself is always readable */
	fuzz_check_verify(rc, text);
	free(text);
	return 0;
}
