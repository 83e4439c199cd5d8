/* libFuzzer target: `tessera verify` on a zip (export/verify.c).
 *
 * Input: the bytes of a zip. They are written to x.zip in a private
 * temporary folder (made once, under $TMPDIR or /tmp), verified, and
 * removed; the folder is removed at exit, at a sanitizer report and at a
 * failed check. Verification only reads, so nothing else is written.
 * Besides memory errors and leaks, it checks the documented answers: 0
 * (valid, one "OK:" line), 1 (problems, ending with "FAILED:") or 2 (not a
 * readable zip). */
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export/verify.h"

static char dir[4096];
static char path[4200];

static void remove_dir(void)
{
	unlink(path);
	rmdir(dir);
}

/* A broken promise: clean up, then crash so libFuzzer keeps the input. */
static void die(void)
{
	remove_dir();
	abort();
}

static int setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/tessera-fuzz-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/x.zip", dir);
	atexit(remove_dir);
	__sanitizer_set_death_callback(remove_dir); /* a sanitizer report */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char *text = NULL;
	size_t len = 0;
	FILE *f, *out;
	int rc;

	if (!ready) {
		if (setup())
			abort();
		ready = 1;
	}
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		die();
	out = open_memstream(&text, &len);
	if (!out)
		die();
	rc = ts_verify_path(path, out, NULL);
	fclose(out);
	unlink(path);
	if (rc < 0 || rc > 2)
		die();
	if (rc == 0 && strncmp(text, "OK: ", 4) != 0)
		die();
	if (rc == 1 && !strstr(text, "FAILED: "))
		die();
	free(text);
	return 0;
}
