/* The parts of the S3 client that are ours rather than libcurl's: the
 * payload hash of a body-less request, the --blobs URL and environment,
 * the reading of S3 error bodies, and of the answers of a multipart upload
 * (its UploadId, a part's ETag header), and the part size. */
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

static void part_size_environment(void **state)
{
	static const char *const bad[] = { "5242879", "0", "-5242880", "5MiB", " 5242880",
					   "5368709121", "99999999999999999999999" };
	struct ts_error err = { 0 };
	struct ts_blob_remote *r;

	(void)state;
	credentials();
	setenv("TESSERA_S3_PART_BYTES", "5242880", 1);
	r = ts_s3_open("s3://b", &err);
	assert_non_null(r);
	r->ops->free(r);
	setenv("TESSERA_S3_PART_BYTES", "5368709120", 1);
	r = ts_s3_open("s3://b", &err);
	assert_non_null(r);
	r->ops->free(r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("TESSERA_S3_PART_BYTES", bad[i], 1);
		assert_null(ts_s3_open("s3://b", &err));
		assert_string_equal(err.code, "bad_blobs_url");
		assert_non_null(strstr(err.message, "TESSERA_S3_PART_BYTES must be a number of bytes"));
	}
	unsetenv("TESSERA_S3_PART_BYTES");
	ts_error_release(&err);
}

static void part_sizes(void **state)
{
	const uint64_t mib = 1ULL << 20, def = TS_S3_DEFAULT_PART_BYTES;

	(void)state;
	assert_int_equal(def, 64 * mib);
	/* Up to 10,000 parts of the configured size: that size. */
	assert_int_equal(ts_s3_part_bytes(def, 6ULL << 30), def);
	assert_int_equal(ts_s3_part_bytes(def, 10000 * def), def);
	/* Beyond: size / 10,000 rounded up to a MiB. */
	assert_int_equal(ts_s3_part_bytes(def, 10000 * def + 1), 65 * mib);
	assert_int_equal(ts_s3_part_bytes(TS_S3_MIN_PART_BYTES, 1000000000000ULL), 96 * mib);
	/* The largest object S3 takes still fits in 10,000 parts of at most 5 GiB. */
	uint64_t p = ts_s3_part_bytes(TS_S3_MIN_PART_BYTES, TS_S3_MAX_OBJECT_BYTES);
	assert_true(p <= TS_S3_MAX_PUT_BYTES);
	assert_true((TS_S3_MAX_OBJECT_BYTES + p - 1) / p <= TS_S3_MAX_PARTS);
	assert_int_equal(p % mib, 0);
}

static void upload_ids(void **state)
{
	char id[32];
	const char *body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			   "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			   "<Bucket>b</Bucket><Key>a/x.zip</Key><UploadId>VXBs.b2_Fk-&amp;~</UploadId>"
			   "</InitiateMultipartUploadResult>";

	(void)state;
	assert_int_equal(ts_s3_upload_id_parse(body, strlen(body), id, sizeof(id)), 0);
	assert_string_equal(id, "VXBs.b2_Fk-&~");
	/* Too long for the buffer, empty, missing, with a blank, a control or
	 * a non-ASCII byte, or cut before its end tag: refused. */
	assert_int_equal(ts_s3_upload_id_parse(body, strlen(body), id, 8), -1);
	assert_string_equal(id, "");
	assert_int_equal(ts_s3_upload_id_parse("<UploadId></UploadId>", 21, id, sizeof(id)), -1);
	assert_int_equal(ts_s3_upload_id_parse("<Error><Code>X</Code></Error>", 29, id, sizeof(id)), -1);
	assert_int_equal(ts_s3_upload_id_parse("<UploadId>a b</UploadId>", 24, id, sizeof(id)), -1);
	assert_int_equal(ts_s3_upload_id_parse("<UploadId>a\tb</UploadId>", 24, id, sizeof(id)), -1);
	assert_int_equal(ts_s3_upload_id_parse("<UploadId>a\xc3\xa9</UploadId>", 24, id, sizeof(id)), -1);
	assert_int_equal(ts_s3_upload_id_parse("<UploadId>abc", 13, id, sizeof(id)), -1);
	assert_int_equal(ts_s3_upload_id_parse("<UploadId>abc</UploadId>", 23, id, sizeof(id)), -1);
	assert_int_equal(ts_s3_upload_id_parse("<UploadId>abc</UploadId>", 24, id, sizeof(id)), 0);
	assert_string_equal(id, "abc");
	assert_int_equal(ts_s3_upload_id_parse(NULL, 0, id, sizeof(id)), -1);
}

static void etag_headers(void **state)
{
	char etag[40] = "kept";

	(void)state;
	assert_int_equal(ts_s3_etag_header("Content-Length: 5\r\n", 19, etag, sizeof(etag)), -1);
	assert_string_equal(etag, "kept");
	assert_int_equal(ts_s3_etag_header("ETag: \"0123456789abcdef0123456789abcdef\"\r\n", 42,
					   etag, sizeof(etag)), 0);
	assert_string_equal(etag, "\"0123456789abcdef0123456789abcdef\"");
	assert_int_equal(ts_s3_etag_header("etag:abc  ", 10, etag, sizeof(etag)), 0);
	assert_string_equal(etag, "abc");
	/* Empty, with a blank inside, too long: refused, etag untouched. */
	assert_int_equal(ts_s3_etag_header("ETag: \r\n", 8, etag, sizeof(etag)), -1);
	assert_int_equal(ts_s3_etag_header("ETag: a b\r\n", 11, etag, sizeof(etag)), -1);
	assert_int_equal(ts_s3_etag_header("ETag: abcd\r\n", 12, etag, 4), -1);
	assert_int_equal(ts_s3_etag_header("ETags: x", 8, etag, sizeof(etag)), -1);
	assert_string_equal(etag, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_payload_hash_is_sha256_of_nothing),
		cmocka_unit_test(urls_and_environment),
		cmocka_unit_test(error_bodies),
		cmocka_unit_test(part_size_environment),
		cmocka_unit_test(part_sizes),
		cmocka_unit_test(upload_ids),
		cmocka_unit_test(etag_headers),
	};
	return cmocka_run_group_tests_name("storage/s3", tests, NULL, NULL);
}
