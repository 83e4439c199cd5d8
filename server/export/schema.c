#include "export/schema.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/utf8.h"
#include "core/banned.h"

#define MAX_DEPTH 64
#define MAX_REGEX 32
#define ONEOF_NOTE_MAX 200

struct regex_entry {
	const char *pattern; /* borrowed from the schema; identity is the key */
	regex_t re;
	int ok;
};

struct vctx {
	json_t *root;          /* the schema, for $ref */
	struct ts_buf *errors; /* NULL: count only */
	struct ts_buf path;    /* JSON pointer of the current instance */
	int count;
	int depth;
	struct regex_entry regex[MAX_REGEX];
	size_t n_regex;
};

static void validate(struct vctx *c, json_t *schema, json_t *inst);

static void fail(struct vctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct vctx *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	c->count++;
	if (!c->errors)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A dropped line (over the cap) is still counted above. */
	(void)ts_buf_addf(c->errors, "%s: %s\n", c->path.len ? c->path.ptr : "(root)",
			  msg);
}

/* Compact rendering of a value for messages, cut to fit out. */
static void show(json_t *v, char *out, size_t n)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s) {
		snprintf(out, n, "?");
		return;
	}
	if (strlen(s) >= n && n > 4)
		snprintf(out, n, "%.*s...", (int)(n - 4), s);
	else
		snprintf(out, n, "%s", s);
	free(s);
}

static const char *type_name(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE:
	case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "unknown";
}

static int is_integral(json_t *v)
{
	if (json_is_integer(v))
		return 1;
	if (json_is_real(v)) {
		double d = json_real_value(v);

		/* Integral and within int64, the contract's integers; checked before
		 * the cast, which is undefined for values out of range. */
		return d >= -0x1p63 && d < 0x1p63 && d == (double)(long long)d;
	}
	return 0;
}

static int has_type(json_t *v, const char *t)
{
	if (!strcmp(t, "integer"))
		return is_integral(v);
	if (!strcmp(t, "number"))
		return json_is_number(v);
	if (!strcmp(t, "object"))
		return json_is_object(v);
	if (!strcmp(t, "array"))
		return json_is_array(v);
	if (!strcmp(t, "string"))
		return json_is_string(v);
	if (!strcmp(t, "boolean"))
		return json_is_boolean(v);
	if (!strcmp(t, "null"))
		return json_is_null(v);
	return -1;
}

/* JSON Schema equality: numbers compare by value (1 == 1.0). */
static int equal(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	return json_equal(a, b);
}

static void path_push_key(struct vctx *c, const char *key, size_t *saved)
{
	*saved = c->path.len;
	(void)ts_buf_adds(&c->path, "/");
	for (const char *p = key; *p; p++) {
		if (*p == '~')
			(void)ts_buf_adds(&c->path, "~0");
		else if (*p == '/')
			(void)ts_buf_adds(&c->path, "~1");
		else
			(void)ts_buf_add(&c->path, p, 1);
	}
}

static void path_push_index(struct vctx *c, size_t i, size_t *saved)
{
	*saved = c->path.len;
	(void)ts_buf_addf(&c->path, "/%zu", i);
}

static void path_pop(struct vctx *c, size_t saved)
{
	c->path.len = saved;
	if (c->path.ptr)
		c->path.ptr[saved] = '\0';
}

static json_t *resolve_ref(json_t *root, const char *ref)
{
	json_t *node = root;
	const char *p;

	if (ref[0] != '#')
		return NULL;
	p = ref + 1;
	if (!*p)
		return root;
	if (*p != '/')
		return NULL;
	while (*p == '/') {
		char token[256];
		size_t n = 0;

		p++;
		while (*p && *p != '/') {
			char ch = *p++;

			if (ch == '~' && *p == '0') {
				ch = '~';
				p++;
			} else if (ch == '~' && *p == '1') {
				ch = '/';
				p++;
			}
			if (n + 1 >= sizeof(token))
				return NULL;
			token[n++] = ch;
		}
		token[n] = '\0';
		if (json_is_object(node)) {
			node = json_object_get(node, token);
		} else if (json_is_array(node)) {
			char *end;
			unsigned long i = strtoul(token, &end, 10);

			if (!n || *end)
				return NULL;
			node = json_array_get(node, i);
		} else {
			return NULL;
		}
		if (!node)
			return NULL;
	}
	return node;
}

static regex_t *get_regex(struct vctx *c, const char *pattern)
{
	struct regex_entry *e;

	for (size_t i = 0; i < c->n_regex; i++)
		if (c->regex[i].pattern == pattern)
			return c->regex[i].ok ? &c->regex[i].re : NULL;
	if (c->n_regex == MAX_REGEX) {
		/* More distinct patterns than slots: recycle the last one. */
		e = &c->regex[MAX_REGEX - 1];
		if (e->ok)
			regfree(&e->re);
	} else {
		e = &c->regex[c->n_regex++];
	}
	e->pattern = pattern;
	e->ok = regcomp(&e->re, pattern, REG_EXTENDED | REG_NOSUB) == 0;
	return e->ok ? &e->re : NULL;
}

static int is_ignored_keyword(const char *k)
{
	static const char *const ignored[] = {
		"$schema", "$id", "$defs", "$comment", "title", "description",
		"examples", "default", NULL,
	};

	for (int i = 0; ignored[i]; i++)
		if (!strcmp(k, ignored[i]))
			return 1;
	return 0;
}

static int is_known_keyword(const char *k)
{
	static const char *const known[] = {
		"$ref", "type", "required", "properties", "items", "enum", "const",
		"pattern", "minimum", "minLength", "maxLength", "oneOf",
		"additionalProperties", NULL,
	};

	for (int i = 0; known[i]; i++)
		if (!strcmp(k, known[i]))
			return 1;
	return 0;
}

/* Returns 0 when the type keyword fails (callers then skip the other
 * keywords: their messages would only repeat the type mismatch). */
static int check_type(struct vctx *c, json_t *t, json_t *inst)
{
	char want[128] = "";
	size_t i;
	json_t *name;

	if (json_is_string(t)) {
		int r = has_type(inst, json_string_value(t));

		if (r < 0) {
			fail(c, "schema: unknown type \"%s\"", json_string_value(t));
			return 1;
		}
		if (r)
			return 1;
		fail(c, "expected %s, got %s", json_string_value(t), type_name(inst));
		return 0;
	}
	if (!json_is_array(t)) {
		fail(c, "schema: \"type\" must be a string or an array");
		return 1;
	}
	json_array_foreach(t, i, name) {
		int r = json_is_string(name) ? has_type(inst, json_string_value(name)) : -1;

		if (r < 0) {
			fail(c, "schema: bad entry in \"type\"");
			return 1;
		}
		if (r)
			return 1;
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s",
			 i ? " or " : "", json_string_value(name));
	}
	fail(c, "expected %s, got %s", want, type_name(inst));
	return 0;
}

static void check_string(struct vctx *c, json_t *schema, json_t *inst)
{
	const char *s = json_string_value(inst);
	size_t n = json_string_length(inst);
	json_t *k;

	if ((k = json_object_get(schema, "minLength"))) {
		if (!json_is_integer(k))
			fail(c, "schema: \"minLength\" must be an integer");
		else if ((json_int_t)ts_utf8_count(s, n) < json_integer_value(k))
			fail(c, "must be at least %lld characters long",
			     (long long)json_integer_value(k));
	}
	if ((k = json_object_get(schema, "maxLength"))) {
		if (!json_is_integer(k))
			fail(c, "schema: \"maxLength\" must be an integer");
		else if ((json_int_t)ts_utf8_count(s, n) > json_integer_value(k))
			fail(c, "must be at most %lld characters long",
			     (long long)json_integer_value(k));
	}
	if ((k = json_object_get(schema, "pattern"))) {
		regex_t *re;

		if (!json_is_string(k)) {
			fail(c, "schema: \"pattern\" must be a string");
		} else if (!(re = get_regex(c, json_string_value(k)))) {
			fail(c, "schema: cannot compile pattern %s", json_string_value(k));
		} else if (strlen(s) != n || regexec(re, s, 0, NULL, 0) != 0) {
			char shown[80];

			show(inst, shown, sizeof(shown));
			fail(c, "%s does not match pattern %s", shown,
			     json_string_value(k));
		}
	}
}

static void check_object(struct vctx *c, json_t *schema, json_t *inst)
{
	json_t *required = json_object_get(schema, "required");
	json_t *props = json_object_get(schema, "properties");
	json_t *additional = json_object_get(schema, "additionalProperties");
	const char *key;
	json_t *v;
	size_t i, saved;

	if (required) {
		if (!json_is_array(required)) {
			fail(c, "schema: \"required\" must be an array");
		} else {
			json_array_foreach(required, i, v) {
				if (!json_is_string(v))
					fail(c, "schema: bad entry in \"required\"");
				else if (!json_object_get(inst, json_string_value(v)))
					fail(c, "missing required property \"%s\"",
					     json_string_value(v));
			}
		}
	}
	if (props && !json_is_object(props)) {
		fail(c, "schema: \"properties\" must be an object");
		props = NULL;
	}
	json_object_foreach(inst, key, v) {
		json_t *sub = props ? json_object_get(props, key) : NULL;

		if (!sub)
			sub = additional;
		if (!sub)
			continue;
		path_push_key(c, key, &saved);
		if (json_is_false(sub) && sub == additional)
			fail(c, "property not allowed");
		else
			validate(c, sub, v);
		path_pop(c, saved);
	}
}

static void check_one_of(struct vctx *c, json_t *alts, json_t *inst)
{
	size_t i, matched = 0, n;
	json_t *alt;
	char notes[2 * ONEOF_NOTE_MAX + 64] = "";

	if (!json_is_array(alts) || !json_array_size(alts)) {
		fail(c, "schema: \"oneOf\" must be a non-empty array");
		return;
	}
	n = json_array_size(alts);
	json_array_foreach(alts, i, alt) {
		struct ts_buf *saved_errors = c->errors;
		int saved_count = c->count;
		struct ts_buf sub;

		ts_buf_init(&sub, ONEOF_NOTE_MAX);
		c->errors = &sub;
		validate(c, alt, inst);
		c->errors = saved_errors;
		if (c->count == saved_count) {
			matched++;
		} else if (i < 2 && sub.len) {
			/* Keep the first failure of the first alternatives: it
			 * usually tells which branch was meant and why it failed. */
			char *nl = strchr(sub.ptr, '\n');

			if (nl)
				*nl = '\0';
			snprintf(notes + strlen(notes), sizeof(notes) - strlen(notes),
				 "%s[%zu] %s", i ? "; " : " (", i, sub.ptr);
		}
		c->count = saved_count;
		ts_buf_release(&sub);
	}
	if (matched == 1)
		return;
	if (matched == 0 && notes[0])
		fail(c, "matches none of the %zu alternatives in oneOf%s)", n, notes);
	else
		fail(c, "matches %zu of the %zu alternatives in oneOf (exactly one needed)",
		     matched, n);
}

static void validate(struct vctx *c, json_t *schema, json_t *inst)
{
	const char *key;
	json_t *k, *v;
	size_t i, saved;

	if (json_is_true(schema))
		return;
	if (json_is_false(schema)) {
		fail(c, "no value allowed here");
		return;
	}
	if (!json_is_object(schema)) {
		fail(c, "schema: a schema must be an object or a boolean");
		return;
	}
	if (c->depth >= MAX_DEPTH) {
		fail(c, "schema: nested too deeply (a $ref cycle?)");
		return;
	}
	c->depth++;

	json_object_foreach(schema, key, v) {
		if (!is_known_keyword(key) && !is_ignored_keyword(key))
			fail(c, "schema: unsupported keyword \"%s\"", key);
	}
	if ((k = json_object_get(schema, "$ref"))) {
		json_t *target = json_is_string(k) ?
			resolve_ref(c->root, json_string_value(k)) : NULL;

		if (!target)
			fail(c, "schema: cannot resolve $ref");
		else
			validate(c, target, inst);
	}
	if ((k = json_object_get(schema, "type")) && !check_type(c, k, inst))
		goto out;
	if ((k = json_object_get(schema, "const")) && !equal(k, inst)) {
		char want[80];

		show(k, want, sizeof(want));
		fail(c, "must be %s", want);
	}
	if ((k = json_object_get(schema, "enum"))) {
		int found = 0;

		if (!json_is_array(k)) {
			fail(c, "schema: \"enum\" must be an array");
		} else {
			json_array_foreach(k, i, v) {
				if (equal(v, inst)) {
					found = 1;
					break;
				}
			}
			if (!found) {
				char got[80], want[200];

				show(inst, got, sizeof(got));
				show(k, want, sizeof(want));
				fail(c, "%s is not one of %s", got, want);
			}
		}
	}
	if ((k = json_object_get(schema, "minimum")) && json_is_number(inst)) {
		if (!json_is_number(k))
			fail(c, "schema: \"minimum\" must be a number");
		else if (json_is_integer(k) && json_is_integer(inst) ?
			 json_integer_value(inst) < json_integer_value(k) :
			 json_number_value(inst) < json_number_value(k))
			fail(c, "must be >= %g", json_number_value(k));
	}
	if (json_is_string(inst))
		check_string(c, schema, inst);
	if (json_is_object(inst))
		check_object(c, schema, inst);
	if (json_is_array(inst) && (k = json_object_get(schema, "items"))) {
		json_array_foreach(inst, i, v) {
			path_push_index(c, i, &saved);
			validate(c, k, v);
			path_pop(c, saved);
		}
	}
	if ((k = json_object_get(schema, "oneOf")))
		check_one_of(c, k, inst);
out:
	c->depth--;
}

struct ts_schema_validator {
	struct vctx c;
};

struct ts_schema_validator *ts_schema_validator_new(json_t *root)
{
	struct ts_schema_validator *v = ts_xcalloc(1, sizeof(*v));

	v->c.root = root;
	/* Pointers are short in practice; the cap only bounds hostile depth. */
	ts_buf_init(&v->c.path, 4096);
	return v;
}

int ts_schema_validator_run(struct ts_schema_validator *v, json_t *schema, json_t *doc,
			    const char *path, struct ts_buf *errors)
{
	struct vctx *c = &v->c;

	c->errors = errors;
	c->count = 0;
	c->depth = 0;
	ts_buf_reset(&c->path);
	(void)ts_buf_adds(&c->path, path);
	validate(c, schema, doc);
	return c->count;
}

void ts_schema_validator_free(struct ts_schema_validator *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->c.n_regex; i++)
		if (v->c.regex[i].ok)
			regfree(&v->c.regex[i].re);
	ts_buf_release(&v->c.path);
	free(v);
}

int ts_schema_validate(json_t *schema, json_t *doc, struct ts_buf *errors)
{
	struct ts_schema_validator *v = ts_schema_validator_new(schema);
	int n = ts_schema_validator_run(v, schema, doc, "", errors);

	ts_schema_validator_free(v);
	return n;
}
