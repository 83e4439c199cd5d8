/* A small JSON Schema validator for the keyword subset the dataset contract
 * uses (contract/schema/, draft 2020-12):
 *
 *   type (a name or an array of names), required, properties, items (one
 *   schema for every element), enum, const, pattern, minimum, minLength,
 *   maxLength (both in Unicode code points), oneOf, additionalProperties
 *   (true, false or a schema), and $ref to "#" or "#/..." JSON pointers inside
 *   the same schema (e.g. "#/$defs/image").
 *
 * Annotation keywords ($schema, $id, $defs, $comment, title, description,
 * examples, default) are ignored. Any other keyword is reported as an error
 * (a schema that relies on an unsupported keyword must not pass silently).
 *
 * `pattern` is compiled as a POSIX extended regular expression, so schemas
 * must keep to the part of the syntax that ECMA-262 and POSIX ERE read the
 * same way (anchors, bracket expressions, {n}, +, *, ?, groups, |). */
#ifndef TS_SCHEMA_H
#define TS_SCHEMA_H

#include <jansson.h>

#include "core/buf.h"

/* Validates doc against schema. Both are borrowed (not modified, not
 * released). For every failure, appends one line to errors (when non-NULL):
 *
 *   <JSON pointer of the failing value>: <message>\n
 *
 * e.g. "/images/0/checksum_sha256: does not match pattern ^[0-9a-f]{64}$";
 * the document root is written "(root)". Lines that do not fit under the
 * buffer's cap are dropped, but still counted. Problems in the schema itself
 * (unsupported keyword, unresolvable $ref) are reported the same way with a
 * "schema:" message.
 *
 * Returns the number of failures: 0 means doc is valid. */
int ts_schema_validate(json_t *schema, json_t *doc, struct ts_buf *errors);

/* A validator of many parts of one large document (each image of an
 * annotations.json, say) against parts of one schema (root): its compiled
 * patterns are kept from one part to the next. */
struct ts_schema_validator;

struct ts_schema_validator *ts_schema_validator_new(json_t *root);
/* Validates doc, the part of the document at JSON pointer path
 * ("/images/17"; "" for the whole), against schema, a part of root (its
 * $refs resolved in root). Lines as ts_schema_validate's, naming path and
 * below; the same lines and count as validating the whole document gives
 * for this part. */
int ts_schema_validator_run(struct ts_schema_validator *v, json_t *schema, json_t *doc,
			    const char *path, struct ts_buf *errors);
void ts_schema_validator_free(struct ts_schema_validator *v);

#endif
