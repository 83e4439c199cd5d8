/* JSON views of domain objects shared by several handler files. */
#ifndef TS_HTTP_VIEWS_H
#define TS_HTTP_VIEWS_H

#include <jansson.h>

#include "store/projects.h"

json_t *ts_view_project(const struct ts_project *p);
json_t *ts_view_category(const struct ts_category *c);

/* Loads project req->params[0]; answers 404 and returns -1 when unknown. */
struct ts_req;
int ts_load_project(struct ts_req *req, struct ts_project *out);

#endif
