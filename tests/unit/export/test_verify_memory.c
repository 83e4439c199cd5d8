/* Unit test: `tessera verify` (export/verify.c) reads annotations.json in
 * memory that does not grow with the document: a small record per image,
 * never the document or its tree.
 *
 * A schema-valid annotations.json of N images (one annotation each, ~340
 * bytes per image) is verified in a forked child whose data size
 * (RLIMIT_DATA: heap and private mappings) may grow by at most a third of
 * the file's size beyond what the child already holds. Reading the file
 * whole (let alone its jansson tree, ~5x the text) would need more; an
 * allocation past the limit fails, and the child dies of it. No timing:
 * the limit is the kernel's.
 *
 * Under AddressSanitizer (whose shadow mappings count against the limit)
 * the limit is left out and a smaller document is verified: the run then
 * checks the answer and, with LeakSanitizer, that nothing leaks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "export/verify.h"
#include "test_util.h"
#include "core/banned.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#define N_IMAGES (SANITIZED ? 50000 : 200000)

/* Writes the document; returns its size in bytes. */
static size_t write_doc(const char *path, size_t n)
{
	FILE *f = fopen(path, "w");
	long size;

	assert_non_null(f);
	fputs("{\"info\":{\"schema_version\":\"1.0.0\",\"task_type\":\"classification_single\"},"
	      "\"licenses\":[],\"images\":[", f);
	for (size_t i = 1; i <= n; i++)
		fprintf(f, "%s{\"id\":%zu,\"file_name\":\"%zu.png\",\"width\":640,\"height\":480,"
			   "\"mime_type\":\"image/png\",\"checksum_sha256\":\"%064zx\","
			   "\"original_file_name\":\"holiday_photos_2026_camera_%06zu.png\","
			   "\"source\":{\"type\":\"image\"}}",
			i > 1 ? "," : "", i, i, i, i);
	fputs("],\"annotations\":[", f);
	for (size_t i = 1; i <= n; i++)
		fprintf(f, "%s{\"id\":%zu,\"image_id\":%zu,\"category_id\":%zu,"
			   "\"status\":\"approved\",\"labeled_by\":\"alice\"}",
			i > 1 ? "," : "", i, i, 1 + i % 3);
	fputs("],\"categories\":[{\"id\":1,\"name\":\"cat\",\"supercategory\":\"none\"},"
	      "{\"id\":2,\"name\":\"dog\",\"supercategory\":\"none\"},"
	      "{\"id\":3,\"name\":\"bird\",\"supercategory\":\"none\"}]}", f);
	size = ftell(f);
	assert_int_equal(fclose(f), 0);
	return (size_t)size;
}

/* VmData of this process, in bytes. */
static size_t vm_data(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	size_t kb = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmData: %zu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static void test_memory_stays_small(void **state)
{
	char dir[] = "/tmp/ts_verify_mem_XXXXXX", exp[64], path[128], out_path[160];
	size_t size, tlen = 0;
	pid_t pid;
	int status;
	char *text;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(exp, sizeof(exp), "%s/export", dir);
	assert_int_equal(mkdir(exp, 0700), 0);
	snprintf(path, sizeof(path), "%s/annotations.json", exp);
	snprintf(out_path, sizeof(out_path), "%s/out.txt", dir);
	size = write_doc(path, N_IMAGES);
	assert_true(size > (size_t)N_IMAGES * 300);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		FILE *out = fopen(out_path, "w");
		struct ts_error err = { 0 };
		int rc;

		if (!out)
			_exit(90);
		if (!SANITIZED) {
			struct rlimit rl;

			rl.rlim_cur = rl.rlim_max = vm_data() + size / 3;
			if (setrlimit(RLIMIT_DATA, &rl))
				_exit(91);
		}
		rc = ts_verify_path(exp, out, &err);
		ts_error_release(&err);
		fclose(out);
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	text = tu_read_file(out_path, &tlen);
	assert_non_null(text);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 1)
		fail_msg("verify of a %zu-byte annotations.json within %zu bytes more: status "
			 "%d, printed:\n%.*s", size, size / 3, status, (int)(tlen < 2000 ? tlen : 2000),
			 text);
	/* It read everything: no manifest, every image missing (the document
	 * itself passes: no annotations.json problem). */
	assert_non_null(strstr(text, "manifest.json: missing"));
	assert_non_null(strstr(text, "images/1.png: missing (listed in annotations.json as "
				     "image 1)"));
	assert_null(strstr(text, "annotations.json:"));
	{
		char want[160];

		snprintf(want, sizeof(want), "FAILED: %s: %d problems", exp, N_IMAGES + 1);
		assert_non_null(strstr(text, want));
	}
	free(text);
	tu_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_stays_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
