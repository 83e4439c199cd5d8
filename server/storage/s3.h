/* An S3-compatible object store as the remote home of blobs
 * (storage/remote.h): path-style requests to TESSERA_S3_ENDPOINT, signed
 * with AWS Signature Version 4 by libcurl (CURLOPT_AWS_SIGV4). The payload
 * hash header (x-amz-content-sha256) is ours: the SHA-256 of the body,
 * known before the request starts (the blob writer hashes uploads as they
 * arrive), so the store refuses a body that does not match it.
 *
 * Uploads are single streamed PUTs (read from a callback, never the whole
 * object in memory), which S3 limits to 5 GiB an object
 * (TS_S3_MAX_PUT_BYTES); downloads stream into a file descriptor.
 *
 * Configuration: the URL s3://bucket[/prefix] and, from the environment,
 * TESSERA_S3_ENDPOINT (http[s]://host[:port]; default the AWS endpoint of
 * the region), TESSERA_S3_REGION or AWS_REGION (default us-east-1),
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. */
#ifndef TS_STORAGE_S3_H
#define TS_STORAGE_S3_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "storage/remote.h"

#define TS_S3_MAX_PUT_BYTES (5ULL << 30)
/* The payload hash of a request without a body (GET, HEAD). */
#define TS_S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Opens the store named by url (see above). INVALID "bad_blobs_url" for a
 * malformed URL or a missing credential. The result is a remote whose
 * describe() names the bucket and endpoint. */
struct ts_blob_remote *ts_s3_open(const char *url, struct ts_error *err);

/* Reads an S3 error body (<Error><Code>...</Code><Message>...</Message>):
 * copies the code and message (entity-decoded: &lt; &gt; &amp; &quot;
 * &apos;; other bytes below 0x20 become spaces) into the buffers, always
 * terminated. Returns 0 when a <Code> element was found, -1 otherwise (the
 * buffers are then empty). Reads at most len bytes of body, which need not
 * be terminated. */
int ts_s3_error_parse(const char *body, size_t len, char *code, size_t code_len, char *message,
		      size_t message_len);

#endif
