/* libFuzzer target: `tessera verify` on a zip (export/verify.c).
 *
 * Input: the bytes of a zip. They are written to x.zip in a private
 * temporary folder (made once, under $TMPDIR or /tmp), verified, and
 * removed; the folder is removed at exit, at a sanitizer report and at a
 * failed check. Verification only reads, so nothing else is written.
 * Besides memory errors and leaks, it checks the documented answers: 0
 * (valid, one "OK:" line), 1 (problems, ending with "FAILED:") or 2 (not a
 * readable zip). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "export/verify.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4200], *text = NULL;
	size_t len = 0;
	FILE *f, *out;
	int rc;

	if (fuzz_setup_dir("tessera-fuzz-verify"))
		abort();
	fuzz_path(path, sizeof(path), "x.zip");
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fuzz_die();
	out = open_memstream(&text, &len);
	if (!out)
		fuzz_die();
	rc = ts_verify_path(path, out, NULL);
	fclose(out);
	unlink(path);
	if (rc < 0 || rc > 2)
		fuzz_die();
	fuzz_check_verify(rc, text);
	free(text);
	return 0;
}
