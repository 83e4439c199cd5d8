/* The parts of the S3 client that are ours rather than libcurl's: the
 * payload hash of a body-less request, the --blobs URL and environment,
 * and the reading of S3 error bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash/sha256.h"
#include "storage/s3.h"

static void empty_payload_hash_is_sha256_of_nothing(void **state)
{
	char hex[TS_SHA256_HEX_SIZE];

	(void)state;
	ts_sha256_hex("", 0, hex);
	assert_string_equal(hex, TS_S3_EMPTY_SHA256);
}

static void credentials(void)
{
	setenv("AWS_ACCESS_KEY_ID", "id", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
	unsetenv("TESSERA_S3_REGION");
	unsetenv("AWS_REGION");
	unsetenv("TESSERA_S3_ENDPOINT");
}

static void urls_and_environment(void **state)
{
	struct ts_error err = { 0 };
	struct ts_blob_remote *r;

	(void)state;
	credentials();
	r = ts_s3_open("s3://bucket/a/b/", &err);
	assert_non_null(r);
	assert_string_equal(r->describe, "s3://bucket/a/b/ at https://s3.us-east-1.amazonaws.com");
	r->ops->free(r);

	setenv("AWS_REGION", "eu-west-3", 1);
	setenv("TESSERA_S3_ENDPOINT", "http://127.0.0.1:9000/", 1);
	r = ts_s3_open("s3://b", &err);
	assert_non_null(r);
	assert_string_equal(r->describe, "s3://b/ at http://127.0.0.1:9000");
	r->ops->free(r);

	static const char *const bad[] = { "s3://", "s3:///x", "http://b/x", "s3://b/../x",
					   "s3://b/a b", "s3://b/x//y", "s3://b c" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_null(ts_s3_open(bad[i], &err));
		assert_string_equal(err.code, "bad_blobs_url");
	}
	setenv("TESSERA_S3_ENDPOINT", "ftp://x", 1);
	assert_null(ts_s3_open("s3://b", &err));
	unsetenv("TESSERA_S3_ENDPOINT");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_null(ts_s3_open("s3://b", &err));
	assert_non_null(strstr(err.message, "AWS_SECRET_ACCESS_KEY"));
	ts_error_release(&err);
}

static void error_bodies(void **state)
{
	char code[32], msg[64];
	const char *body = "<?xml version='1.0' encoding='UTF-8'?>\n<Error><Code>BadDigest</Code>"
			   "<Message>The X &amp; &lt;Y&gt;\n did not match.</Message></Error>";

	(void)state;
	assert_int_equal(ts_s3_error_parse(body, strlen(body), code, sizeof(code), msg, sizeof(msg)), 0);
	assert_string_equal(code, "BadDigest");
	assert_string_equal(msg, "The X & <Y>  did not match.");
	/* Cut short: what is there, bounded by the buffers. */
	assert_int_equal(ts_s3_error_parse(body, 56, code, sizeof(code), msg, sizeof(msg)), 0);
	assert_string_equal(code, "BadD");
	assert_string_equal(msg, "");
	assert_int_equal(ts_s3_error_parse("<Code>AAAAAAAAAAAAAAAAAAAA</Code>", 32, code, 8, msg,
					   sizeof(msg)), 0);
	assert_string_equal(code, "AAAAAAA");
	assert_int_equal(ts_s3_error_parse("no xml", 6, code, sizeof(code), msg, sizeof(msg)), -1);
	assert_string_equal(code, "");
	assert_int_equal(ts_s3_error_parse("<Code></Code>", 13, code, sizeof(code), msg, sizeof(msg)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_payload_hash_is_sha256_of_nothing),
		cmocka_unit_test(urls_and_environment),
		cmocka_unit_test(error_bodies),
	};
	return cmocka_run_group_tests_name("storage/s3", tests, NULL, NULL);
}
