/* The multipart reader: parts, names and data whatever the chunking;
 * malformed bodies refused; a callback can stop it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "http/multipart.h"

/* What the callbacks saw, as text: "[name|filename|type]data{end}". */
struct seen {
	char log[4096];
	size_t len;
	int stop_at_part; /* stop when this part begins (1-based); 0: never */
	int parts;
};

static void add(struct seen *s, const char *p, size_t n)
{
	if (s->len + n < sizeof(s->log)) {
		memcpy(s->log + s->len, p, n);
		s->len += n;
		s->log[s->len] = '\0';
	}
}

static int on_begin(void *ctx, const char *name, const char *filename, const char *type)
{
	struct seen *s = ctx;
	char buf[512];

	s->parts++;
	if (s->stop_at_part && s->parts == s->stop_at_part)
		return 1;
	snprintf(buf, sizeof(buf), "[%s|%s|%s]", name ? name : "-", filename ? filename : "-",
		 type ? type : "-");
	add(s, buf, strlen(buf));
	return 0;
}

static int on_data(void *ctx, const char *data, size_t len)
{
	add(ctx, data, len);
	return 0;
}

static int on_end(void *ctx)
{
	add(ctx, "{end}", 5);
	return 0;
}

static const struct ts_multipart_cb cb = { on_begin, on_data, on_end };

/* Reads body in chunks of `chunk` bytes (0: at once); returns the push
 * result, *finished the finish result. */
static int read_body(const char *ct, const char *body, size_t len, size_t chunk, struct seen *s,
		     int *finished)
{
	struct ts_multipart mp;
	int r = 0;

	if (ts_multipart_init(&mp, ct, &cb, s))
		return 99;
	if (!chunk)
		chunk = len ? len : 1;
	for (size_t off = 0; off < len && r == 0; off += chunk)
		r = ts_multipart_push(&mp, body + off, len - off < chunk ? len - off : chunk);
	*finished = ts_multipart_finish(&mp);
	return r;
}

#define CT "multipart/form-data; boundary=XyZ"
static const char two_parts[] =
	"preamble to ignore\r\n"
	"--XyZ\r\n"
	"Content-Disposition: form-data; name=\"file\"; filename=\"a b.jpg\"\r\n"
	"Content-Type: image/jpeg\r\n"
	"\r\n"
	"line1\r\n--XyNot a boundary\r\n\r--X\r\n"
	"--XyZ  \r\n"
	"content-disposition: FORM-DATA; filename=dir\\evil.jpg; name=file\r\n"
	"\r\n"
	"\r\n"
	"--XyZ--\r\nepilogue";
static const char two_parts_seen[] =
	"[file|a b.jpg|image/jpeg]line1\r\n--XyNot a boundary\r\n\r--X{end}"
	"[file|dir\\evil.jpg|-]{end}";

static void parts_whatever_the_chunking(void **state)
{
	(void)state;
	for (size_t chunk = 0; chunk <= 40; chunk++) {
		struct seen s = { 0 };
		int fin;

		assert_int_equal(read_body(CT, two_parts, sizeof(two_parts) - 1, chunk, &s, &fin), 0);
		assert_int_equal(fin, 0);
		if (strcmp(s.log, two_parts_seen) != 0)
			fail_msg("chunk %zu: %s", chunk, s.log);
	}
}

static void boundary_parameter(void **state)
{
	struct ts_multipart mp;

	(void)state;
	assert_int_equal(ts_multipart_init(&mp, "multipart/form-data; boundary=\"a b\"", &cb, NULL), 0);
	assert_int_equal(ts_multipart_init(&mp, "Multipart/Form-Data;charset=x;BOUNDARY=q", &cb, NULL), 0);
	assert_int_equal(ts_multipart_init(&mp, "multipart/form-data", &cb, NULL), -1);
	assert_int_equal(ts_multipart_init(&mp, "multipart/form-data; boundary=", &cb, NULL), -1);
	assert_int_equal(ts_multipart_init(&mp, "multipart/form-data; boundary=\"open", &cb, NULL), -1);
	assert_int_equal(ts_multipart_init(&mp, "multipart/mixed; boundary=x", &cb, NULL), -1);
	assert_int_equal(ts_multipart_init(&mp, "multipart/form-data; boundary=a\rb", &cb, NULL), -1);
	assert_int_equal(ts_multipart_init(&mp, "multipart/form-data; boundary="
					   "01234567890123456789012345678901234567890123456789"
					   "012345678901234567890", &cb, NULL), -1);
	assert_int_equal(ts_multipart_init(&mp, NULL, &cb, NULL), -1);
}

static void malformed_bodies(void **state)
{
	static const char *const bad[] = {
		/* no colon in a header line */
		"--XyZ\r\nContent-Disposition form-data\r\n\r\nx\r\n--XyZ--",
		/* an unclosed quote */
		"--XyZ\r\nContent-Disposition: form-data; name=\"file\r\n\r\nx\r\n--XyZ--",
		/* not form-data */
		"--XyZ\r\nContent-Disposition: attachment; name=file\r\n\r\nx\r\n--XyZ--",
		/* junk after a delimiter */
		"--XyZjunk\r\n\r\nx\r\n--XyZ--",
		"--XyZ-x",
	};
	struct seen s = { 0 };
	int fin;
	char nul[] = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\0.exe\"\r\n\r\nx\r\n--XyZ--";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&s, 0, sizeof(s));
		if (read_body(CT, bad[i], strlen(bad[i]), 0, &s, &fin) != TS_MULTIPART_MALFORMED)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(fin, -1);
	}
	/* a NUL in the headers would cut the file name short */
	memset(&s, 0, sizeof(s));
	assert_int_equal(read_body(CT, nul, sizeof(nul) - 1, 0, &s, &fin), TS_MULTIPART_MALFORMED);
	/* headers that never end are bounded */
	{
		static char huge[TS_MULTIPART_HEADERS_MAX + 100];

		memset(huge, 'a', sizeof(huge));
		memcpy(huge, "--XyZ\r\nX: ", 10);
		memset(&s, 0, sizeof(s));
		assert_int_equal(read_body(CT, huge, sizeof(huge), 0, &s, &fin), TS_MULTIPART_MALFORMED);
	}
}

static void early_end_and_stop(void **state)
{
	static const char cut[] = "--XyZ\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--Xy";
	struct seen s = { 0 };
	int fin;

	(void)state;
	/* the body ends inside a part: no part_end, and finish says so */
	assert_int_equal(read_body(CT, cut, sizeof(cut) - 1, 3, &s, &fin), 0);
	assert_int_equal(fin, -1);
	assert_string_equal(s.log, "[file|-|-]abc");
	/* a callback stops the reader, for good */
	memset(&s, 0, sizeof(s));
	s.stop_at_part = 2;
	assert_int_equal(read_body(CT, two_parts, sizeof(two_parts) - 1, 7, &s, &fin),
			 TS_MULTIPART_STOPPED);
	assert_int_equal(fin, -1);
	/* an empty body is not a form */
	memset(&s, 0, sizeof(s));
	assert_int_equal(read_body(CT, "", 0, 0, &s, &fin), 0);
	assert_int_equal(fin, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parts_whatever_the_chunking),
		cmocka_unit_test(boundary_parameter),
		cmocka_unit_test(malformed_bodies),
		cmocka_unit_test(early_end_and_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
