/* The JSON scan (see jsonscan.h): a stack of the open containers, each
 * with its element count (commas seen at its level, plus one once a value
 * started) and the key it stands under. Strings are skipped with their
 * escapes; a string in an object where a key is due becomes that level's
 * key. Deeper than the stack, containers still count but name nothing. */
#include "core/jsonscan.h"

#include <string.h>

#include "core/banned.h"

#define DEPTH 64

struct level {
	int object;
	int want_key;   /* object: the next string is a key */
	int nonempty;   /* a value (or member) started */
	size_t commas;
	char key[TS_JSONSCAN_KEY_MAX + 1];  /* the key this container stands under */
	char last[TS_JSONSCAN_KEY_MAX + 1]; /* object: the key of the member being read */
};

static void set_key(char *to, const char *s, size_t n)
{
	if (n > TS_JSONSCAN_KEY_MAX)
		n = 0; /* too long to name */
	memcpy(to, s, n);
	to[n] = '\0';
}

/* "parent.member", or "" when that does not fit. */
static void join_key(char *to, const char *parent, const char *member)
{
	size_t a = strlen(parent), b = strlen(member);

	if (!b || a + 1 + b > TS_JSONSCAN_KEY_MAX) {
		to[0] = '\0';
		return;
	}
	memcpy(to, parent, a);
	to[a] = '.';
	memcpy(to + a + 1, member, b + 1);
}

void ts_jsonscan(const char *text, size_t len, struct ts_jsonscan *out)
{
	struct level st[DEPTH];
	size_t depth = 0, i = 0; /* levels open; only the first DEPTH are kept */

	memset(out, 0, sizeof(*out));
	out->weight = 1;
	while (i < len) {
		char c = text[i];
		struct level *top = depth && depth <= DEPTH ? &st[depth - 1] : NULL;

		if (c == '"') {
			size_t start = ++i;

			while (i < len && text[i] != '"')
				i += text[i] == '\\' ? 2 : 1;
			if (top && top->object && top->want_key) {
				set_key(top->last, text + start, (i < len ? i : len) - start);
				top->want_key = 0;
			}
			if (top)
				top->nonempty = 1;
			i++;
			continue;
		}
		switch (c) {
		case '{':
		case '[':
			out->weight += c == '{' ? 4 : 2;
			if (top)
				top->nonempty = 1;
			if (++depth <= DEPTH) {
				struct level *l = &st[depth - 1];

				memset(l, 0, sizeof(*l));
				l->object = c == '{';
				l->want_key = l->object;
				if (top && top->object && top->key[0])
					join_key(l->key, top->key, top->last);
				else if (top)
					memcpy(l->key, top->object ? top->last : top->key, sizeof(l->key));
			}
			out->weight++; /* the container's first value */
			break;
		case '}':
		case ']':
			if (top && !top->object) {
				size_t n = top->nonempty ? top->commas + 1 : 0;

				if (n > out->largest) {
					out->largest = n;
					memcpy(out->largest_key, top->key, sizeof(out->largest_key));
				}
			}
			if (depth)
				depth--;
			break;
		case ',':
			out->weight++;
			if (top) {
				top->commas++;
				if (top->object)
					top->want_key = 1;
			}
			break;
		case ' ':
		case '\t':
		case '\n':
		case '\r':
		case ':':
			break;
		default:
			if (top)
				top->nonempty = 1;
		}
		i++;
	}
}
