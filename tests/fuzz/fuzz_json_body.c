/* libFuzzer target: the JSON body readers of server/http/req.c that
 * every non-upload request goes through: ts_req_body_object, then the
 * typed field readers and the unknown-field check, as a handler calls
 * them. Each either returns a value or sets exactly one JSON error
 * response; none may crash, leak or read past the body.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iserver -Ibuild/gen \
 *     $(pkg-config --cflags jansson libmicrohttpd) tests/fuzz/fuzz_json_body.c \
 *     build-fuzz/libtessera.a $(pkg-config --libs ...)
 *   ./a.out tests/fuzz/corpus/json_body */
#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Drops the answer a reader set, checking that one was set. */
static void answered(struct ts_req *req, int failed)
{
	if (failed != !!req->response)
		__builtin_trap(); /* failure <=> an error response */
	if (req->response) {
		if (req->status < 400 || req->status > 499)
			__builtin_trap();
		MHD_destroy_response(req->response);
		req->response = NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "name", "password", "is_admin", "position", NULL };
	struct ts_app app;
	struct ts_req req;
	json_t *body;

	memset(&app, 0, sizeof(app));
	memset(&req, 0, sizeof(req));
	app.cfg.max_json_body = 4096;
	req.app = &app;
	req.method = "POST";
	req.path = "/fuzz";
	ts_buf_init(&req.body, app.cfg.max_json_body);
	if (ts_buf_add(&req.body, data, size)) {
		req.body_too_large = 1;
		ts_buf_release(&req.body);
	}
	body = ts_req_body_object(&req);
	answered(&req, body == NULL);
	if (body) {
		const char *s = NULL;
		int64_t n = 0;
		int b = 0, present = 0;

		answered(&req, ts_req_only_fields(&req, body, keys) != 0);
		answered(&req, ts_req_field_string(&req, body, "name", 1, &s, &present) != 0);
		if (s && strlen(s) > size)
			__builtin_trap();
		answered(&req, ts_req_field_string(&req, body, "password", 0, &s, NULL) != 0);
		answered(&req, ts_req_field_bool(&req, body, "is_admin", &b, &present) != 0);
		answered(&req, ts_req_field_int(&req, body, "position", 0, -5, 1000000, &n, &present) != 0);
		if (n < -5 || n > 1000000)
			__builtin_trap();
		json_decref(body);
	}
	ts_buf_release(&req.body);
	return 0;
}
