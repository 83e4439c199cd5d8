/* Readiness: whether this server can do its work now. */
#ifndef TS_SERVICE_HEALTH_H
#define TS_SERVICE_HEALTH_H

#include "app.h"
#include "core/error.h"

/* TS_OK when the database answers and the data folder takes a write;
 * else UNAVAILABLE with the reason in err's message ("draining" once the
 * process has been told to stop). */
enum ts_err ts_svc_ready(struct ts_app *app, struct ts_error *err);

#endif
