/* Unit tests for server/hash/sha256.c.
 *
 * Build and run from the repository root:
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -Iserver \
 *     tests/unit/hash/test_sha256.c server/hash/sha256.c server/core/buf.c \
 *     server/core/error.c \
 *     $(pkg-config --cflags --libs jansson libcrypto cmocka) -o build/test_sha256
 *   ./build/test_sha256
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash/sha256.h"
#include "core/banned.h"

static void test_vectors(void **state)
{
	char hex[TS_SHA256_HEX_SIZE];

	(void)state;
	ts_sha256_hex("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	ts_sha256_hex("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_streaming_equals_one_shot(void **state)
{
	struct ts_sha256 h;
	char a[TS_SHA256_HEX_SIZE], b[TS_SHA256_HEX_SIZE];
	unsigned char raw[TS_SHA256_RAW_SIZE];
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	ts_sha256_init(&h);
	for (const char *p = msg; *p; p += 7)
		ts_sha256_update(&h, p, strnlen(p, 7));
	ts_sha256_final(&h, a, raw);
	assert_null(h.ctx);
	ts_sha256_hex(msg, strlen(msg), b);
	assert_string_equal(a, b);
	assert_string_equal(a, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_int_equal(raw[0], 0x24);
	/* release is safe after final and on an abandoned context */
	ts_sha256_release(&h);
	ts_sha256_init(&h);
	ts_sha256_update(&h, "x", 1);
	ts_sha256_release(&h);
}

static void test_file(void **state)
{
	char path[] = "/tmp/ts_sha256_XXXXXX";
	int fd = mkstemp(path);
	char hex[TS_SHA256_HEX_SIZE], want[TS_SHA256_HEX_SIZE];
	size_t n = 200 * 1024 + 3; /* several read chunks */
	unsigned char *data = malloc(n);
	uint64_t bytes = 0;
	struct ts_error err = { 0 };

	(void)state;
	assert_true(fd >= 0);
	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
	ts_sha256_hex(data, n, want);
	assert_int_equal(ts_sha256_file(path, hex, &bytes, &err), TS_OK);
	assert_string_equal(hex, want);
	assert_int_equal(bytes, n);
	fd = open(path, O_RDONLY);
	assert_int_equal(ts_sha256_fd(fd, hex, NULL, &err), TS_OK);
	assert_string_equal(hex, want);
	close(fd);
	unlink(path);
	assert_int_equal(ts_sha256_file(path, hex, &bytes, &err), TS_ERR_NOT_FOUND);
	assert_string_equal(err.code, "file_not_found");
	assert_int_equal(ts_sha256_file("/", hex, &bytes, &err), TS_ERR_IO);
	free(data);
}

static void test_is_hex(void **state)
{
	(void)state;
	assert_true(ts_sha256_is_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	assert_false(ts_sha256_is_hex("E3B0C44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	assert_false(ts_sha256_is_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"));
	assert_false(ts_sha256_is_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_streaming_equals_one_shot),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_is_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
