/* Unit tests for the ImageFolder class folder names
 * (server/export/folder_name.c), on the same vectors as the Python reader's
 * class_folder (tests/contract/test_split.py): safe as one folder name,
 * distinct, and sorting in class_index order. Run with make test-unit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "export/folder_name.h"

static void check(size_t idx, size_t n, const char *name, const char *want)
{
	char out[TS_CLASS_FOLDER_SIZE];

	ts_class_folder(idx, n, name, out);
	assert_string_equal(out, want);
}

static void folder_names_match_python(void **state)
{
	(void)state;
	char long_name[400] = "", want[260] = "05_";

	check(0, 1, "cat", "0_cat");
	check(2, 12, "a/b\\c", "02_a_b_c");
	check(10, 11, "..", "10_._");
	check(0, 3, "x\ty. ", "0_x_y._");
	check(3, 1000, "a:b*?\"<>|", "003_a_b______");
	check(0, 2, ".hidden.", "0_.hidden_");
	/* 150 x U+00E9 (300 bytes) is cut to 100 of them (200 bytes). */
	for (int i = 0; i < 150; i++)
		strcat(long_name, "\xc3\xa9");
	for (int i = 0; i < 100; i++)
		strcat(want, "\xc3\xa9");
	check(5, 100, long_name, want);
	/* Invalid UTF-8 and DEL become "_". */
	check(0, 1, "a\xff\x7f" "b", "0_a__b");
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names that are equal once made safe still get distinct folders, and the
 * folders sort in class_index order (as torchvision numbers them). */
static void folder_names_distinct_and_ordered(void **state)
{
	(void)state;
	enum { N = 120 };
	static char folders[N][TS_CLASS_FOLDER_SIZE];
	char *sorted[N];
	const char *names[] = { "a/b", "a\\b", "a:b", "z", "A", "a?b" };

	for (size_t i = 0; i < N; i++) {
		ts_class_folder(i, N, names[i % 6], folders[i]);
		assert_null(strchr(folders[i], '/'));
		assert_true(strlen(folders[i]) < 255);
		sorted[i] = folders[i];
	}
	qsort(sorted, N, sizeof(sorted[0]), cmp);
	for (size_t i = 0; i < N; i++) {
		assert_ptr_equal(sorted[i], folders[i]);
		if (i)
			assert_string_not_equal(sorted[i - 1], sorted[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folder_names_match_python),
		cmocka_unit_test(folder_names_distinct_and_ordered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
