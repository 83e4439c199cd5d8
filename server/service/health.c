/* Readiness (service/health.h). */
#include "service/health.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "storage/blobs.h"
#include "store/store.h"
#include "core/banned.h"

enum ts_err ts_svc_ready(struct ts_app *app, struct ts_error *err)
{
	enum ts_err e = ts_store_ping(app->store, err);
	char path[4096];
	int fd;

	if (__atomic_load_n(&app->draining, __ATOMIC_SEQ_CST))
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "draining", "draining");
	if (e)
		return e;
	fd = ts_blob_tmp_name(app->cfg.data_dir, ".readyz", path, sizeof(path)) == 0
		     ? open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)
		     : -1;
	if (fd < 0 || write(fd, "ok", 2) != 2) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return ts_error_set(err, TS_ERR_UNAVAILABLE, "not_ready", "storage is not writable");
	}
	close(fd);
	unlink(path);
	return TS_OK;
}
