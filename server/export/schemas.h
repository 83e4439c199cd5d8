/* The dataset contract's JSON Schemas, built into the binary so that
 * `tessera verify` works from any directory. The Makefile generates the
 * arrays from contract/schema/ into $(BUILD)/gen/ with scripts/embed.sh at
 * every build, so they cannot drift from the files (a unit test checks
 * they equal them):
 *
 *   scripts/embed.sh ts_schema_annotations_json \
 *       contract/schema/annotations.schema.json > $(BUILD)/gen/annotations_schema.c
 *   scripts/embed.sh ts_schema_manifest_json \
 *       contract/schema/manifest.schema.json > $(BUILD)/gen/manifest_schema.c
 *
 * Each array holds the file's bytes followed by a NUL (not counted in _len).
 * Static data: never freed. */
#ifndef TS_SCHEMAS_H
#define TS_SCHEMAS_H

#include <stddef.h>

extern const unsigned char ts_schema_annotations_json[];
extern const size_t ts_schema_annotations_json_len;
extern const unsigned char ts_schema_manifest_json[];
extern const size_t ts_schema_manifest_json_len;

#endif
