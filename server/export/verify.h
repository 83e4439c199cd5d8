/* `tessera verify PATH`: checks that an export (a folder, or a zip of one)
 * is exactly what CONTRACT.md promises:
 *
 *  - manifest.json and annotations.json parse and validate against the
 *    contract's JSON Schemas (built into the binary);
 *  - annotations.json is in canonical form; images sorted by id with safe,
 *    unique file names; annotations sorted by (image_id, category_id),
 *    numbered 1..n, pointing at listed images and categories, one per image;
 *    categories sorted by id;
 *  - manifest.hash and files["annotations.json"] (sha256, bytes) match the
 *    bytes of annotations.json; categories_hash is recomputed; the
 *    manifest's categories equal annotations.json's (id, name, class_index
 *    0..n-1); counts (images, annotations, per_category) are right;
 *  - the folder/zip holds manifest.json, annotations.json and
 *    images/<file_name> for every image, and nothing else; every image's
 *    SHA-256 equals its checksum_sha256;
 *  - every image decodes in full (ts_media_image_decode_buffer: an accepted
 *    format by its magic bytes, within the default pixel limits, no
 *    decoder warning; PNG data checked row by row). A folder's images are
 *    mapped, a zip's read into memory one at a time (at most 512 MiB).
 *    libvips must be started (ts_media_init) before calling.
 *
 * Every problem found is printed to out as one line "<where>: <what>", e.g.
 *   images/17.jpg: checksum mismatch (expected 3a..., got 9f...)
 * followed by "FAILED: <path>: N problem(s)"; when valid, the only line is
 *   OK: <path> version N, <n> images, hash sha256:<hex>
 * Control characters from the export are printed as '?'. */
#ifndef TS_VERIFY_H
#define TS_VERIFY_H

#include <stdio.h>

#include "core/error.h"

/* path: a directory (export folder) or a regular file (zip archive).
 * out: where the lines above go (e.g. stdout); borrowed.
 * Returns 0 when the export is valid; 1 when problems were found (err, if
 * given, gets TS_ERR_UNPROCESSABLE "invalid_export" with the count); 2 when
 * path cannot be read as a folder or zip at all (err gets TS_ERR_NOT_FOUND
 * or TS_ERR_IO; the reason is also printed to out). */
int ts_verify_path(const char *path, FILE *out, struct ts_error *err);

#endif
