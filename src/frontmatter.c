#include "frontmatter.h"

#include "buf.h"

#include <string.h>
#include <yaml.h>

static int is_fence(const char *s, size_t n)
{
	/* "---" with optional trailing spaces and CR */
	if (n < 3 || strncmp(s, "---", 3))
		return 0;
	for (size_t i = 3; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int lm_frontmatter_split(const char *path, const char *src, size_t len,
			 struct lm_frontmatter_split *out, struct lm_diag *d)
{
	memset(out, 0, sizeof(*out));
	size_t off = 0;
	if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3))
		off = 3;
	const char *nl = memchr(src + off, '\n', len - off);
	size_t first_len = nl ? (size_t)(nl - (src + off)) : len - off;
	if (!is_fence(src + off, first_len)) {
		out->body = src + off;
		out->body_len = len - off;
		out->body_line = 1;
		return 0;
	}
	size_t pos = off + first_len + (nl ? 1 : 0);
	int line = 2;
	out->yaml = src + pos;
	out->yaml_line = 2;
	while (pos < len) {
		const char *e = memchr(src + pos, '\n', len - pos);
		size_t n = e ? (size_t)(e - (src + pos)) : len - pos;
		if (is_fence(src + pos, n)) {
			out->yaml_len = (size_t)(src + pos - out->yaml);
			pos += n + (e ? 1 : 0);
			out->body = src + pos;
			out->body_len = len - pos;
			out->body_line = line + 1;
			return 0;
		}
		pos += n + (e ? 1 : 0);
		line++;
	}
	return lm_diag_set(d, path, 1, 1,
			   "front matter opened with '---' is never closed; add a line '---' after it");
}

struct frame {
	struct lm_value *v;
	char *key; /* pending key inside a mapping, arena-owned */
	int key_line, key_col;
	/* a mapping's keys so far, hashed: telling a repeated key costs the
	 * same however many keys there are (32,000 keys were 5 s) */
	const char **set;
	size_t set_cap, set_n;
};

static size_t hash_key(const char *s)
{
	size_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Adds `key` to the frame's set; 1 if it was there already. */
static int key_seen(struct frame *f, const char *key)
{
	if (2 * (f->set_n + 1) > f->set_cap) {
		size_t cap = f->set_cap ? 2 * f->set_cap : 16;
		const char **set = lm_xcalloc(cap, sizeof(*set));
		for (size_t i = 0; i < f->set_cap; i++)
			if (f->set[i])
				for (size_t k = hash_key(f->set[i]) & (cap - 1);; k = (k + 1) & (cap - 1))
					if (!set[k]) {
						set[k] = f->set[i];
						break;
					}
		free(f->set);
		f->set = set;
		f->set_cap = cap;
	}
	for (size_t k = hash_key(key) & (f->set_cap - 1);; k = (k + 1) & (f->set_cap - 1)) {
		if (!f->set[k]) {
			f->set[k] = key;
			f->set_n++;
			return 0;
		}
		if (!strcmp(f->set[k], key))
			return 1;
	}
}

int lm_yaml_parse(struct lm_arena *a, const char *path, const char *yaml, size_t len,
		  int first_line, struct lm_value **out, struct lm_diag *d)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct frame stack[64];
	int depth = 0, rc = -1, done = 0;
	struct lm_value *root = NULL;
	const char *file = lm_arena_strdup(a, path);

	/* no front matter (or an empty one) is the default settings; libyaml
	 * asserts on a NULL input, so it is not asked */
	if (!yaml || !len) {
		*out = lm_value_map(a);
		return 0;
	}
	if (!yaml_parser_initialize(&parser))
		return lm_diag_set(d, path, 0, 0, "cannot start the YAML parser");
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			lm_diag_set(d, path, first_line + (int)parser.problem_mark.line,
				    (int)parser.problem_mark.column + 1, "front matter is not valid YAML: %s",
				    parser.problem ? parser.problem : "syntax error");
			goto out;
		}
		int line = first_line + (int)ev.start_mark.line;
		int col = (int)ev.start_mark.column + 1;
		struct lm_value *node = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_ALIAS_EVENT:
			lm_diag_set(d, path, line, col, "YAML aliases (*name) are not supported in front matter; write the value out");
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT: {
			node = lm_value_string(a, (const char *)ev.data.scalar.value, ev.data.scalar.length);
			/* a quoted scalar's text starts after the quote */
			int quoted = ev.data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
				     ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
			lm_value_set_origin(node, file, line, col + quoted);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			node = ev.type == YAML_MAPPING_START_EVENT ? lm_value_map(a) : lm_value_list(a);
			lm_value_set_origin(node, file, line, col);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			free(stack[depth].set);
			stack[depth].set = NULL;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
		if (!node)
			continue;
		/* attach the new node to its parent */
		if (!depth) {
			root = node;
		} else {
			struct frame *top = &stack[depth - 1];
			if (top->v->kind == LM_VALUE_LIST) {
				lm_value_push(a, top->v, node);
			} else if (!top->key) {
				if (node->kind != LM_VALUE_STRING) {
					lm_diag_set(d, path, line, col, "a front matter key must be plain text");
					goto out;
				}
				if (key_seen(top, node->str)) {
					lm_diag_set(d, path, line, col, "key '%s' is given twice; keep one", node->str);
					goto out;
				}
				top->key = (char *)node->str;
				node = NULL;
			} else {
				lm_value_append(a, top->v, top->key, node); /* known to be new */
				top->key = NULL;
			}
		}
		if (node && node->kind != LM_VALUE_STRING) {
			if (depth >= 64) {
				lm_diag_set(d, path, line, col, "front matter is nested too deeply (limit 64)");
				goto out;
			}
			stack[depth] = (struct frame){ .v = node };
			depth++;
		}
	}
	if (!root)
		root = lm_value_map(a);
	*out = root;
	rc = 0;
out:
	for (int i = 0; i < depth; i++)
		free(stack[i].set);
	yaml_parser_delete(&parser);
	return rc;
}
