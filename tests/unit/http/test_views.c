/* The written asset view prints what the jansson view printed (json_pack,
 * then json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER)): the same bytes for
 * an image and a video frame, labeled and not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/req.h"
#include "http/views.h"

/* The view as it was built before the writer, field for field. */
static char *jansson_view(const struct ts_asset *a)
{
	const struct ts_annotation *an = &a->annotation;
	json_t *cats = json_array(), *source, *v;
	char *text;

	for (size_t i = 0; i < an->ncat; i++)
		json_array_append_new(cats, json_integer((json_int_t)an->category_ids[i]));
	if (strcmp(a->origin.type, "video_frame") == 0)
		source = json_pack("{s:s, s:I, s:s, s:I, s:I}", "type", "video_frame", "video_id",
				   (json_int_t)a->origin.video_id, "video_file_name",
				   a->origin.video_file_name, "frame_index",
				   (json_int_t)a->origin.frame_index, "timestamp_ms",
				   (json_int_t)a->origin.timestamp_ms);
	else
		source = json_pack("{s:s}", "type", "image");
	v = json_pack("{s:I, s:I, s:s, s:I, s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:b, "
		      "s:{s:I, s:s, s:o, s:I, s:o, s:o}, s:s, s:o}",
		      "id", (json_int_t)a->id, "project_id", (json_int_t)a->project_id, "file_name",
		      a->file_name, "width", (json_int_t)a->width, "height", (json_int_t)a->height,
		      "mime_type", a->mime_type, "checksum_sha256", a->checksum_sha256, "byte_size",
		      (json_int_t)a->byte_size, "source", source, "created_at",
		      ts_json_time(a->created_at), "uploaded_by",
		      a->uploaded_by_name[0] ? json_string(a->uploaded_by_name) : json_null(),
		      "thumbnail_ready", a->thumbnail_ready, "annotation", "asset_id",
		      (json_int_t)a->id, "status", ts_status_name(an->status), "category_ids", cats, "revision",
		      (json_int_t)an->revision, "labeled_by",
		      an->labeled_by_name[0] ? json_string(an->labeled_by_name) : json_null(), "updated_at",
		      ts_json_time(an->updated_at), "decode_state",
		      a->decode_state[0] ? a->decode_state : "pending", "damage_reason",
		      a->damage_reason[0] ? json_string(a->damage_reason) : json_null());
	assert_non_null(v);
	text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(v);
	return text;
}

static void same_bytes(const struct ts_asset *a)
{
	char *want = jansson_view(a);
	struct ts_jsonw w;
	struct ts_buf b;

	ts_view_begin(&w, &b);
	ts_view_asset_write(&w, a);
	assert_int_equal(ts_jsonw_finish(&w), TS_OK);
	assert_string_equal(b.ptr, want);
	free(want);
	ts_buf_release(&b);
}

static void asset_view_keeps_its_bytes(void **state)
{
	struct ts_asset a;
	(void)state;

	memset(&a, 0, sizeof(a));
	a.id = 42;
	a.project_id = 7;
	snprintf(a.file_name, sizeof(a.file_name), "caf\xC3\xA9 \"q\" \\ \xF0\x9F\x98\x80.jpg");
	a.width = 4000;
	a.height = 3000;
	snprintf(a.mime_type, sizeof(a.mime_type), "image/jpeg");
	a.byte_size = 3500000;
	memset(a.checksum_sha256, 'a', 64);
	snprintf(a.origin.type, sizeof(a.origin.type), "image");
	a.created_at = 1764500000123LL;
	a.annotation.asset_id = a.id;
	a.annotation.status = TS_STATUS_UNLABELED;
	a.annotation.updated_at = 1764500000123LL;
	same_bytes(&a);

	/* Labeled, from a video, decoded, with an uploader and a damage reason. */
	snprintf(a.origin.type, sizeof(a.origin.type), "video_frame");
	a.origin.video_id = 3;
	snprintf(a.origin.video_file_name, sizeof(a.origin.video_file_name), "clip\t1.mp4");
	a.origin.frame_index = 120;
	a.origin.timestamp_ms = 4000;
	a.thumbnail_ready = 1;
	snprintf(a.uploaded_by_name, sizeof(a.uploaded_by_name), "alice");
	a.annotation.status = TS_STATUS_LABELED;
	a.annotation.revision = TS_JSON_MAX_SAFE_INT;
	snprintf(a.annotation.labeled_by_name, sizeof(a.annotation.labeled_by_name), "bob");
	a.annotation.ncat = 2;
	a.annotation.category_ids[0] = 2;
	a.annotation.category_ids[1] = 9;
	snprintf(a.decode_state, sizeof(a.decode_state), "damaged");
	snprintf(a.damage_reason, sizeof(a.damage_reason), "VipsJpeg: premature end\n");
	same_bytes(&a);
}

static char *annotation_text(const struct ts_annotation *an, int full)
{
	struct ts_jsonw w;
	struct ts_buf b;
	size_t len;

	ts_view_begin(&w, &b);
	ts_view_annotation_write(&w, an, full);
	assert_int_equal(ts_jsonw_finish(&w), TS_OK);
	return ts_buf_take(&b, &len);
}

/* One annotation view: inside a list without payload and note, alone with
 * both; a classification's payload is made from its ids, another type's
 * is its stored text. */
static void annotation_view_full_and_listed(void **state)
{
	struct ts_annotation an;
	char *text;
	(void)state;

	memset(&an, 0, sizeof(an));
	an.asset_id = 5;
	an.status = TS_STATUS_NEEDS_REVIEW;
	snprintf(an.payload_type, sizeof(an.payload_type), "classification");
	an.ncat = 2;
	an.category_ids[0] = 2;
	an.category_ids[1] = 9;
	an.revision = 3;
	an.updated_at = 0;
	an.note = (char *)"look again";
	text = annotation_text(&an, 0);
	assert_string_equal(text, "{\"asset_id\":5,\"status\":\"needs_review\",\"category_ids\":[2,9],"
				  "\"revision\":3,\"labeled_by\":null,"
				  "\"updated_at\":\"1970-01-01T00:00:00.000Z\"}");
	free(text);
	text = annotation_text(&an, 1);
	assert_string_equal(text, "{\"asset_id\":5,\"status\":\"needs_review\",\"category_ids\":[2,9],"
				  "\"payload\":{\"type\":\"classification\",\"category_ids\":[2,9]},"
				  "\"revision\":3,\"labeled_by\":null,"
				  "\"updated_at\":\"1970-01-01T00:00:00.000Z\",\"note\":\"look again\"}");
	free(text);
	snprintf(an.payload_type, sizeof(an.payload_type), "boxes");
	an.payload = (char *)"{\"type\":\"boxes\",\"objects\":[]}";
	an.ncat = 0;
	an.note = NULL;
	text = annotation_text(&an, 1);
	assert_non_null(strstr(text, "\"payload\":{\"type\":\"boxes\",\"objects\":[]},"));
	assert_null(strstr(text, "note"));
	free(text);
	an.payload = NULL;
	an.payload_type[0] = '\0';
	text = annotation_text(&an, 1);
	assert_non_null(strstr(text, "\"payload\":null,"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(asset_view_keeps_its_bytes),
		cmocka_unit_test(annotation_view_full_and_listed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
