/* Unit tests for a model's input tensor (media/image.c): the normalisation
 * and layout of ts_media_tensor_fill on hand-computed pixels, and a whole
 * decode of a made-up image by ts_media_image_tensor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>

#include "media/image.h"
#include "core/banned.h"

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-5)

static void test_fill(void **state)
{
	/* two pixels: (255, 0, 51) and (0, 102, 255) */
	static const unsigned char rgb[] = { 255, 0, 51, 0, 102, 255 };
	struct ts_media_tensor_spec nchw = { 2, 1, 0, 0, 1.0 / 255, { 0, 0, 0 }, { 1, 1, 1 } };
	struct ts_media_tensor_spec bgr_nhwc = { 2, 1, 1, 1, 1.0 / 255, { 0.5, 0.5, 0.5 },
						 { 0.25, 0.5, 1 } };
	float out[6];

	(void)state;
	ts_media_tensor_fill(rgb, &nchw, out);
	/* planes R, G, B */
	NEAR(out[0], 1.0);
	NEAR(out[1], 0.0);
	NEAR(out[2], 0.0);
	NEAR(out[3], 0.4);
	NEAR(out[4], 0.2);
	NEAR(out[5], 1.0);
	ts_media_tensor_fill(rgb, &bgr_nhwc, out);
	/* pixel 1: B, G, R = (0.2 - 0.5) / 0.25, (0 - 0.5) / 0.5, (1 - 0.5) / 1 */
	NEAR(out[0], -1.2);
	NEAR(out[1], -1.0);
	NEAR(out[2], 0.5);
	/* pixel 2: B, G, R = (1 - 0.5) / 0.25, (0.4 - 0.5) / 0.5, (0 - 0.5) / 1 */
	NEAR(out[3], 2.0);
	NEAR(out[4], -0.2);
	NEAR(out[5], -0.5);
}

static void test_decode(void **state)
{
	/* A 40 x 20 solid colour, resized to 4 x 4 (aspect not kept). */
	unsigned char *rgb = malloc(40 * 20 * 3);
	struct ts_media_tensor_spec spec = { 4, 4, 0, 0, 1.0, { 0, 0, 0 }, { 1, 1, 1 } };
	struct ts_image_limits lim;
	struct ts_error err = { 0 };
	char path[] = "/tmp/tessera-tensor-XXXXXX";
	void *jpg = NULL;
	size_t len = 0;
	float out[48];
	int fd;

	(void)state;
	for (int i = 0; i < 40 * 20; i++) {
		rgb[i * 3] = 200;
		rgb[i * 3 + 1] = 40;
		rgb[i * 3 + 2] = 10;
	}
	assert_int_equal(ts_media_image_jpeg_from_rgb(rgb, 40, 20, 95, &jpg, &len, &err), TS_OK);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, jpg, len), (ssize_t)len);
	close(fd);
	ts_image_limits_default(&lim);
	assert_int_equal(ts_media_image_tensor(path, &lim, NULL, &spec, out, &err), TS_OK);
	for (int i = 0; i < 16; i++) {
		assert_true(fabs(out[i] - 200) < 6);
		assert_true(fabs(out[16 + i] - 40) < 6);
		assert_true(fabs(out[32 + i] - 10) < 6);
	}
	/* Not an image: the decode's own error. */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "not an image", 12), 12);
	close(fd);
	assert_int_not_equal(ts_media_image_tensor(path, &lim, NULL, &spec, out, &err), TS_OK);
	assert_string_equal(err.code, "not_an_image");
	ts_error_release(&err);
	unlink(path);
	free(jpg);
	free(rgb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_decode),
	};

	if (ts_media_init("test_tensor") != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
