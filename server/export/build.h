/* Building one export (dataset version) from its snapshot in the store:
 *
 *   <exports>/<project_id>/<version>/manifest.json
 *                                   /annotations.json
 *                                   /images/<asset_id>.<ext>   hardlinks to the blobs
 *   <exports>/<project_id>/<version>.zip
 *
 * Everything is written under ".build-<version>" names and renamed into
 * place once complete; only then is the export marked ready, and a ready
 * export is never touched again. A build that fails or is interrupted
 * removes what it wrote (nothing under the final names survives unless the
 * export is ready), so running it again from the same snapshot starts
 * clean and yields the same bytes. */
#ifndef TS_EXPORT_BUILD_H
#define TS_EXPORT_BUILD_H

#include <stdint.h>

#include "core/error.h"

struct ts_store;

/* Polled during the build: returns nonzero to stop early. */
typedef int (*ts_export_stop_fn)(void *arg);

struct ts_export;

struct ts_export_build_opts {
	struct ts_store *store;
	const char *blobs_dir;   /* <data>/blobs: originals at sha256/<2 hex>/<64 hex> */
	const char *data_dir;    /* <data>: a missing original is fetched from the remote
				  * store (storage/remote.h) when there is one; may be NULL */
	const char *exports_dir; /* <data>/exports (may be on another filesystem) */
	ts_export_stop_fn stop;  /* may be NULL */
	void *stop_arg;
	/* Called (when set) with the finished zip in place, before the version
	 * is marked ready: ex has id, project_id, version, zip_bytes and the
	 * share fields. An error fails the build. */
	enum ts_err (*publish)(void *arg, const struct ts_export *ex, struct ts_error *err);
	void *publish_arg;
};

/* Builds export id. Returns TS_OK (ready; also when it already was),
 * TS_ERR_UNAVAILABLE when stopped early (the export is queued again), or
 * another error with err filled (the export is marked failed with that
 * reason). */
enum ts_err ts_export_build(const struct ts_export_build_opts *opts, int64_t id,
			    struct ts_error *err);

/* The zip of an export: "<exports_dir>/<project_id>/<version>.zip" into
 * out. Returns -1 when it does not fit. */
int ts_export_zip_path(const char *exports_dir, int64_t project_id, int64_t version, char *out,
		       size_t outlen);

/* Removes every file of a version (its folder, zip, the parts of a shared
 * zip, build leftovers); missing ones are fine. A later version that
 * shares its files holds hardlinks and keeps working. */
void ts_export_remove_files(const char *exports_dir, int64_t project_id, int64_t version);

/* The file extension for a mime type ("jpg" for image/jpeg ...; "bin" for
 * unknown types). Static string. */
const char *ts_export_ext_of(const char *mime_type);

#endif
