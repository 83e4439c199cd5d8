/* An S3-compatible object store as the remote home of blobs
 * (storage/remote.h): path-style requests to TESSERA_S3_ENDPOINT, signed
 * with AWS Signature Version 4 by libcurl (CURLOPT_AWS_SIGV4). The payload
 * hash header (x-amz-content-sha256) is ours: the SHA-256 of the body,
 * known before the request starts (the blob writer hashes uploads as they
 * arrive), so the store refuses a body that does not match it.
 *
 * Uploads are streamed (read from a callback, never the whole object in
 * memory). An object of at most the part size (TESSERA_S3_PART_BYTES,
 * default 64 MiB) is one PUT; a larger one is a multipart upload
 * (CreateMultipartUpload, one PUT a part, each part hashed before it is
 * sent for its own payload hash, CompleteMultipartUpload; on a failure
 * AbortMultipartUpload, so no parts are left behind), with at most
 * TS_S3_MAX_PARTS parts (the part size grows for larger objects, see
 * ts_s3_part_bytes), up to TS_S3_MAX_OBJECT_BYTES. The bytes sent must
 * have the SHA-256 the caller gave, or the upload is aborted (IO
 * "blob_corrupt"). Downloads stream into a file descriptor.
 *
 * Configuration: the URL s3://bucket[/prefix] and, from the environment,
 * TESSERA_S3_ENDPOINT (http[s]://host[:port]; default the AWS endpoint of
 * the region), TESSERA_S3_REGION or AWS_REGION (default us-east-1),
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and TESSERA_S3_PART_BYTES
 * (bytes, from TS_S3_MIN_PART_BYTES to TS_S3_MAX_PUT_BYTES; another value
 * is refused: INVALID "bad_blobs_url"). For the tests,
 * TESSERA_S3_TEST_WRONG_PAYLOAD_HASH=partN sends part N of every
 * multipart upload with a payload hash that does not match its bytes. */
#ifndef TS_STORAGE_S3_H
#define TS_STORAGE_S3_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "storage/remote.h"

/* S3's limits: one PUT (and so one part), the smallest part but the
 * last, the parts of an upload, an object. */
#define TS_S3_MAX_PUT_BYTES (5ULL << 30)
#define TS_S3_MIN_PART_BYTES (5ULL << 20)
#define TS_S3_MAX_PARTS 10000
#define TS_S3_MAX_OBJECT_BYTES (5ULL << 40)
#define TS_S3_DEFAULT_PART_BYTES (64ULL << 20)
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

/* Reads the UploadId of a CreateMultipartUpload answer
 * (<InitiateMultipartUploadResult>...<UploadId>ID</UploadId>...): copies it,
 * entity-decoded, into id. Returns 0 when there is one, whole (its end tag
 * there), not empty, that fits in id_len with its NUL and has only bytes
 * 0x21..0x7e; -1 otherwise
 * (id is then empty). Reads at most len bytes of body. */
int ts_s3_upload_id_parse(const char *body, size_t len, char *id, size_t id_len);

/* Reads one header line of an answer (as received, not terminated, its
 * CRLF included or not). When it is an ETag header (the name in any case)
 * whose value, without the blanks around it, is not empty, has only bytes
 * 0x21..0x7e and fits in etag_len with its NUL, copies the value (quotes
 * kept) into etag and returns 0; otherwise returns -1 and leaves etag as
 * it was. */
int ts_s3_etag_header(const char *line, size_t len, char *etag, size_t etag_len);

/* The part size of a multipart upload of size bytes: configured, or the
 * least whole number of MiB that keeps the parts at TS_S3_MAX_PARTS when
 * that is larger. */
uint64_t ts_s3_part_bytes(uint64_t configured, uint64_t size);

#endif
