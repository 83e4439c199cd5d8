/* Unit tests for the JSON Schema validator (server/export/schema.c) and the
 * embedded copies of contract/schema/.
 *
 * `make test-unit` builds it against libtessera.a, whose schema arrays the
 * Makefile generates from contract/schema/ (see export/schemas.h); the
 * test that they equal the files catches a build that missed an edit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "export/schema.h"
#include "export/schemas.h"
#include "test_util.h"
#include "core/banned.h"

static json_t *load(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);

	if (!v)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return v;
}

static json_t *load_file(const char *rel)
{
	json_error_t je;
	json_t *v = json_load_file(tu_src(rel), 0, &je);

	if (!v)
		fail_msg("cannot load %s: %s", rel, je.text);
	return v;
}

/* Validates and returns the error text (malloc'd); *count gets the count. */
static char *run(json_t *schema, json_t *doc, int *count)
{
	struct ts_buf errors;

	ts_buf_init(&errors, 1 << 16);
	*count = ts_schema_validate(schema, doc, &errors);
	return ts_buf_take(&errors, NULL);
}

static void expect(const char *schema_text, const char *doc_text, int want_count,
		   const char *want_substring)
{
	json_t *schema = load(schema_text), *doc = load(doc_text);
	int n;
	char *text = run(schema, doc, &n);

	if (n != want_count || (want_substring && !strstr(text, want_substring)))
		fail_msg("schema %s doc %s: %d errors (want %d, containing \"%s\"):\n%s",
			 schema_text, doc_text, n, want_count,
			 want_substring ? want_substring : "", text);
	free(text);
	json_decref(schema);
	json_decref(doc);
}

static void test_keywords(void **state)
{
	(void)state;
	expect("{\"items\":{\"type\":\"integer\"}}", "[3]", 0, NULL);
	expect("{\"type\":\"string\"}", "[3]", 1, "(root): expected string, got array");
	expect("{\"items\":{\"type\":\"integer\",\"minimum\":1}}", "[1, 2.0, 0]", 1,
	       "/2: must be >= 1");
	expect("{\"items\":{\"type\":\"integer\"}}", "[1.5]", 1, "/0: expected integer, got number");
	/* integral reals count as integers only within int64 (a huge one was
	 * cast out of range: found by tests/fuzz/fuzz_verify_dir.c) */
	expect("{\"items\":{\"type\":\"integer\"}}", "[-9.2233720368547758e18, 9.2e18]", 0, NULL);
	expect("{\"items\":{\"type\":\"integer\"}}", "[2.2e75, -1e300, 9.2233720368547758e18]", 3,
	       "/1: expected integer, got number");
	expect("{\"items\":{\"type\":[\"array\",\"object\"]}}", "[[], {}, 1]", 1,
	       "/2: expected array or object, got integer");
	expect("{\"required\":[\"a\",\"b\"]}", "{\"a\":1}", 1,
	       "(root): missing required property \"b\"");
	expect("{\"properties\":{\"a\":{\"const\":\"x\"}}}", "{\"a\":\"y\",\"b\":2}", 1,
	       "/a: must be \"x\"");
	expect("{\"properties\":{\"a\":{\"enum\":[1,\"two\"]}}}", "{\"a\":\"two\"}", 0, NULL);
	expect("{\"properties\":{\"a\":{\"enum\":[1,\"two\"]}}}", "{\"a\":2}", 1,
	       "/a: 2 is not one of [1,\"two\"]");
	expect("{\"properties\":{\"a\":{\"enum\":[1]}}}", "{\"a\":1.0}", 0, NULL);
	/* additionalProperties: allowed by default, a schema, or false */
	expect("{\"properties\":{\"a\":{}},\"additionalProperties\":false}",
	       "{\"a\":1,\"b/c~\":2}", 1, "/b~1c~0: property not allowed");
	expect("{\"additionalProperties\":{\"type\":\"integer\"}}",
	       "{\"1\":1,\"2\":\"x\"}", 1, "/2: expected integer, got string");
	/* lengths count code points, not bytes */
	expect("{\"minLength\":1,\"maxLength\":3}", "\"猫猫猫\"", 0, NULL);
	expect("{\"maxLength\":3}", "\"猫猫猫猫\"", 1, "at most 3 characters");
	expect("{\"minLength\":1}", "\"\"", 1, "at least 1 characters");
	expect("{\"pattern\":\"^[0-9a-f]{4}$\"}", "\"0a9f\"", 0, NULL);
	expect("{\"pattern\":\"^[0-9a-f]{4}$\"}", "\"0A9F\"", 1, "does not match pattern");
	expect("{\"pattern\":\"^sha256:[0-9a-f]{2}$\"}", "\"sha256:ab\"", 0, NULL);
	/* keywords that do not apply to a type are ignored */
	expect("{\"minimum\":5,\"pattern\":\"^x$\",\"required\":[\"a\"]}", "3", 1, NULL);
	expect("{\"minLength\":5,\"required\":[\"a\"]}", "3", 0, NULL);
}

static void test_ref_and_one_of(void **state)
{
	const char *schema =
		"{\"$defs\":{\"img\":{\"type\":\"object\",\"required\":[\"type\"],"
		"\"properties\":{\"type\":{\"const\":\"image\"}}},"
		"\"vid\":{\"type\":\"object\",\"required\":[\"type\",\"n\"],"
		"\"properties\":{\"type\":{\"const\":\"video\"},\"n\":{\"$ref\":\"#/$defs/pos\"}}},"
		"\"pos\":{\"type\":\"integer\",\"minimum\":0}},"
		"\"oneOf\":[{\"$ref\":\"#/$defs/img\"},{\"$ref\":\"#/$defs/vid\"}]}";

	(void)state;
	expect(schema, "{\"type\":\"image\"}", 0, NULL);
	expect(schema, "{\"type\":\"video\",\"n\":3}", 0, NULL);
	expect(schema, "{\"type\":\"video\",\"n\":-1}", 1,
	       "(root): matches none of the 2 alternatives in oneOf");
	expect(schema, "{\"type\":\"video\",\"n\":-1}", 1, "[1] /n: must be >= 0");
	expect(schema, "{\"type\":\"sound\"}", 1, "oneOf");
	expect("{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":0}]}", "3", 1,
	       "matches 2 of the 2 alternatives");
	expect("{\"$ref\":\"#/$defs/missing\"}", "1", 1, "schema: cannot resolve $ref");
	expect("{\"$ref\":\"#\"}", "1", 1, "nested too deeply");
}

static void test_schema_problems(void **state)
{
	(void)state;
	expect("{\"uniqueItems\":true}", "[]", 1, "schema: unsupported keyword \"uniqueItems\"");
	expect("{\"title\":\"t\",\"description\":\"d\",\"$comment\":\"c\"}", "[]", 0, NULL);
	expect("{\"type\":\"bogus\"}", "1", 1, "schema: unknown type");
	expect("{\"pattern\":\"([\"}", "\"x\"", 1, "schema: cannot compile pattern");
	expect("true", "1", 0, NULL);
	expect("false", "1", 1, "no value allowed");
}

static void test_embedded_schemas_match_files(void **state)
{
	size_t len;
	char *a = tu_read_file(tu_src("contract/schema/annotations.schema.json"), &len);

	(void)state;
	assert_non_null(a);
	assert_int_equal(len, ts_schema_annotations_json_len);
	assert_memory_equal(a, ts_schema_annotations_json, len);
	assert_int_equal(ts_schema_annotations_json[len], 0);
	free(a);
	a = tu_read_file(tu_src("contract/schema/manifest.schema.json"), &len);
	assert_non_null(a);
	assert_int_equal(len, ts_schema_manifest_json_len);
	assert_memory_equal(a, ts_schema_manifest_json, len);
	free(a);
}

static void check_file(const char *schema_rel, const char *doc_rel, int want)
{
	json_t *schema = load_file(schema_rel), *doc = load_file(doc_rel);
	int n;
	char *text = run(schema, doc, &n);

	if (n != want)
		fail_msg("%s against %s: %d errors, want %d:\n%s", doc_rel, schema_rel, n,
			 want, text);
	free(text);
	json_decref(schema);
	json_decref(doc);
}

static void test_golden_is_valid(void **state)
{
	(void)state;
	check_file("contract/schema/annotations.schema.json",
		   "contract/golden/export/annotations.json", 0);
	check_file("contract/schema/manifest.schema.json",
		   "contract/golden/export/manifest.json", 0);
}

/* Edits a golden file at a JSON pointer-ish path (value NULL: delete) and
 * expects a failure mentioning want (want NULL: expects it still valid). */
static void expect_golden_edit(const char *which, const char *edit_path, json_t *value,
			       const char *want)
{
	char rel[256];
	json_t *schema, *doc, *parent;
	int n;
	char *text, *path = ts_xstrdup(edit_path), *last, *tok, *save = NULL;

	snprintf(rel, sizeof(rel), "contract/schema/%s.schema.json", which);
	schema = load_file(rel);
	snprintf(rel, sizeof(rel), "contract/golden/export/%s.json", which);
	doc = load_file(rel);
	parent = doc;
	last = strrchr(path, '/');
	*last++ = '\0';
	for (tok = strtok_r(path, "/", &save); tok; tok = strtok_r(NULL, "/", &save))
		parent = json_is_array(parent) ? json_array_get(parent, strtoul(tok, NULL, 10))
					       : json_object_get(parent, tok);
	assert_non_null(parent);
	if (!value)
		json_object_del(parent, last);
	else if (json_is_array(parent))
		json_array_set_new(parent, strtoul(last, NULL, 10), value);
	else
		json_object_set_new(parent, last, value);
	text = run(schema, doc, &n);
	if (want ? (n < 1 || !strstr(text, want)) : n != 0)
		fail_msg("edit %s: %d errors, want %s \"%s\":\n%s", edit_path, n,
			 want ? "one containing" : "none", want ? want : "", text);
	free(text);
	free(path);
	json_decref(schema);
	json_decref(doc);
}

static void test_invalid_documents(void **state)
{
	(void)state;
	expect_golden_edit("annotations", "/images/0/checksum_sha256", json_string("abc"),
			   "/images/0/checksum_sha256: \"abc\" does not match pattern");
	expect_golden_edit("annotations", "/images/1/source/frame_index", NULL,
			   "/images/1/source: matches none of the 2 alternatives");
	expect_golden_edit("annotations", "/images/0/file_name", json_string("../x.png"),
			   "/images/0/file_name: \"../x.png\" does not match pattern");
	expect_golden_edit("annotations", "/images/0/width", json_integer(0),
			   "/images/0/width: must be >= 1");
	expect_golden_edit("annotations", "/info/schema_version", json_string("2.0.0"),
			   "/info/schema_version: must be \"1.0.0\"");
	expect_golden_edit("annotations", "/annotations/0/status", json_string("unlabeled"),
			   "/annotations/0/status: \"unlabeled\" is not one of");
	expect_golden_edit("annotations", "/licenses", NULL,
			   "(root): missing required property \"licenses\"");
	expect_golden_edit("annotations", "/categories/0/name", json_string(""),
			   "/categories/0/name: must be at least 1 characters long");
	expect_golden_edit("manifest", "/hash", json_string("sha256:XYZ"),
			   "/hash: \"sha256:XYZ\" does not match pattern");
	expect_golden_edit("manifest", "/counts/per_category/2", json_string("2"),
			   "/counts/per_category/2: expected integer, got string");
	expect_golden_edit("manifest", "/created_at", json_string("2026-11-26 07:30"),
			   "/created_at:");
	expect_golden_edit("manifest", "/version", json_integer(0), "/version: must be >= 1");
	expect_golden_edit("manifest", "/files/annotations.json/bytes", NULL,
			   "/files/annotations.json: missing required property \"bytes\"");
}

static void test_unknown_fields_allowed(void **state)
{
	(void)state;
	/* readers ignore unknown fields; later COCO fields are allowed */
	expect_golden_edit("annotations", "/images/0/future_field", json_integer(1), NULL);
	expect_golden_edit("annotations", "/annotations/0/bbox", json_pack("[f,f,f,f]", 1.0,
			   2.0, 3.5, 4.0), NULL);
	expect_golden_edit("annotations", "/annotations/0/iscrowd", json_integer(0), NULL);
	expect_golden_edit("annotations", "/annotations/0/iscrowd", json_integer(2),
			   "/annotations/0/iscrowd: 2 is not one of [0,1]");
	expect_golden_edit("manifest", "/extra", json_object(), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_ref_and_one_of),
		cmocka_unit_test(test_schema_problems),
		cmocka_unit_test(test_embedded_schemas_match_files),
		cmocka_unit_test(test_golden_is_valid),
		cmocka_unit_test(test_invalid_documents),
		cmocka_unit_test(test_unknown_fields_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
