/* test_frontmatter.c - splitting off and parsing YAML front matter
 * (frontmatter.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fileio.h"
#include "frontmatter.h"
#include "value.h"

#define PATH "letters/welcome.md"

#define SPLIT(src, out, d) lm_frontmatter_split(PATH, (src), sizeof(src) - 1, (out), (d))

static void assert_part(const char *p, size_t len, const char *want)
{
	assert_int_equal(len, strlen(want));
	if (len)
		assert_memory_equal(p, want, len);
}

static void test_split_with(void **state)
{
	(void)state;
	static const char src[] = "---\ntitle: Hello\nsigned: Amy\n---\nDear all,\n\nBody.\n";
	struct lm_frontmatter_split s;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(SPLIT(src, &s, &d), 0);
	assert_ptr_equal(s.yaml, src + 4);
	assert_part(s.yaml, s.yaml_len, "title: Hello\nsigned: Amy\n");
	assert_int_equal(s.yaml_line, 2);
	assert_ptr_equal(s.body, src + 33);
	assert_part(s.body, s.body_len, "Dear all,\n\nBody.\n");
	assert_int_equal(s.body_line, 5);
}

static void test_split_without(void **state)
{
	(void)state;
	static const char src[] = "Dear all,\n---\nnot front matter\n";
	struct lm_frontmatter_split s;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(SPLIT(src, &s, &d), 0);
	assert_null(s.yaml);
	assert_int_equal(s.yaml_len, 0);
	assert_ptr_equal(s.body, src);
	assert_int_equal(s.body_len, sizeof(src) - 1);
	assert_int_equal(s.body_line, 1);

	/* "----" is not a fence */
	static const char four[] = "----\na: 1\n---\n";
	assert_int_equal(SPLIT(four, &s, &d), 0);
	assert_null(s.yaml);
	assert_ptr_equal(s.body, four);
	assert_int_equal(s.body_line, 1);

	/* empty file */
	assert_int_equal(lm_frontmatter_split(PATH, "", 0, &s, &d), 0);
	assert_int_equal(s.body_len, 0);
	assert_int_equal(s.body_line, 1);
}

static void test_split_bom(void **state)
{
	(void)state;
	struct lm_frontmatter_split s;
	struct lm_diag d;
	lm_diag_clear(&d);
	static const char with[] = "\xEF\xBB\xBF---\na: 1\n---\nBody\n";
	assert_int_equal(SPLIT(with, &s, &d), 0);
	assert_part(s.yaml, s.yaml_len, "a: 1\n");
	assert_int_equal(s.yaml_line, 2);
	assert_part(s.body, s.body_len, "Body\n");
	assert_int_equal(s.body_line, 4);

	/* the BOM is dropped from a body without front matter too */
	static const char without[] = "\xEF\xBB\xBF" "Body\n";
	assert_int_equal(SPLIT(without, &s, &d), 0);
	assert_int_equal(s.yaml_len, 0);
	assert_ptr_equal(s.body, without + 3);
	assert_part(s.body, s.body_len, "Body\n");
	assert_int_equal(s.body_line, 1);
}

static void test_split_crlf(void **state)
{
	(void)state;
	static const char src[] = "---\r\na: 1\r\nb: 2\r\n--- \r\nBody\r\n";
	struct lm_frontmatter_split s;
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(SPLIT(src, &s, &d), 0);
	assert_part(s.yaml, s.yaml_len, "a: 1\r\nb: 2\r\n");
	assert_int_equal(s.yaml_line, 2);
	assert_part(s.body, s.body_len, "Body\r\n");
	assert_int_equal(s.body_line, 5);
}

static void test_split_edges(void **state)
{
	(void)state;
	struct lm_frontmatter_split s;
	struct lm_diag d;
	lm_diag_clear(&d);
	/* empty front matter */
	static const char empty[] = "---\n---\nBody";
	assert_int_equal(SPLIT(empty, &s, &d), 0);
	assert_int_equal(s.yaml_len, 0);
	assert_int_equal(s.yaml_line, 2);
	assert_part(s.body, s.body_len, "Body");
	assert_int_equal(s.body_line, 3);
	/* closing fence at the very end, without a newline */
	static const char end[] = "---\na: 1\n\nb: 2\n---";
	assert_int_equal(SPLIT(end, &s, &d), 0);
	assert_part(s.yaml, s.yaml_len, "a: 1\n\nb: 2\n");
	assert_int_equal(s.body_len, 0);
	assert_int_equal(s.body_line, 6);
}

static void test_split_unclosed(void **state)
{
	(void)state;
	static const char *const srcs[] = { "---\ntitle: x\nBody\n", "---", "---\n",
					    "\xEF\xBB\xBF---\r\na: 1\r\n" };
	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		struct lm_frontmatter_split s;
		struct lm_diag d;
		char out[2048];
		lm_diag_clear(&d);
		assert_int_equal(lm_frontmatter_split(PATH, srcs[i], strlen(srcs[i]), &s, &d), -1);
		lm_diag_format(&d, out, sizeof(out));
		assert_string_equal(out, PATH ":1:1: error: front matter opened with '---' is never "
					 "closed; add a line '---' after it");
	}
}

/* ---- YAML ---- */

static void assert_str(const struct lm_value *v, const char *want, int line, int col)
{
	assert_non_null(v);
	assert_int_equal(v->kind, LM_VALUE_STRING);
	assert_string_equal(v->str, want);
	assert_int_equal(v->len, strlen(want));
	assert_non_null(v->file);
	assert_string_equal(v->file, PATH);
	assert_int_equal(v->line, line);
	assert_int_equal(v->col, col);
}

static int yaml(struct lm_arena *a, const char *src, int first_line, struct lm_value **out,
		struct lm_diag *d)
{
	lm_diag_clear(d);
	*out = NULL;
	return lm_yaml_parse(a, PATH, src, strlen(src), first_line, out, d);
}

static void test_yaml_map_and_origins(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *v;
	struct lm_diag d;
	const char *src = "title: Hello world\n"        /* line 2 */
			  "list:\n"                      /* 3 */
			  "  - a\n"                      /* 4 */
			  "  - 'b c'\n"                  /* 5 */
			  "flow: [x, \"y\", z]\n"        /* 6 */
			  "map:\n"                       /* 7 */
			  "  k: v\n"                     /* 8 */
			  "  quoted: \"Dw\xC5\xB7r\"\n"  /* 9 */
			  "empty:\n"                     /* 10 */
			  "num: 42\n";                   /* 11 */
	assert_int_equal(yaml(a, src, 2, &v, &d), 0);
	assert_non_null(v);
	assert_int_equal(v->kind, LM_VALUE_MAP);
	assert_int_equal(v->line, 2);
	assert_int_equal(v->col, 1);
	assert_int_equal(v->n, 6);
	static const char *const keys[] = { "title", "list", "flow", "map", "empty", "num" };
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(v->keys[i], keys[i]);

	assert_str(lm_value_get(v, "title"), "Hello world", 2, 8);

	struct lm_value *list = lm_value_get(v, "list");
	assert_non_null(list);
	assert_int_equal(list->kind, LM_VALUE_LIST);
	assert_int_equal(list->n, 2);
	assert_int_equal(list->line, 4);
	assert_int_equal(list->col, 3);
	assert_str(list->items[0], "a", 4, 5);
	assert_str(list->items[1], "b c", 5, 6); /* after the quote */

	struct lm_value *flow = lm_value_get(v, "flow");
	assert_non_null(flow);
	assert_int_equal(flow->kind, LM_VALUE_LIST);
	assert_int_equal(flow->n, 3);
	assert_int_equal(flow->line, 6);
	assert_int_equal(flow->col, 7);
	assert_str(flow->items[0], "x", 6, 8);
	assert_str(flow->items[1], "y", 6, 12);
	assert_str(flow->items[2], "z", 6, 16);

	struct lm_value *map = lm_value_get(v, "map");
	assert_non_null(map);
	assert_int_equal(map->kind, LM_VALUE_MAP);
	assert_int_equal(map->n, 2);
	assert_int_equal(map->line, 8);
	assert_int_equal(map->col, 3);
	assert_str(lm_value_get(map, "k"), "v", 8, 6);
	assert_str(lm_value_get(map, "quoted"), "Dw\xC5\xB7r", 9, 12);
	assert_str(lm_value_path(v, "map.k"), "v", 8, 6);

	/* an empty value is an empty string; numbers stay text */
	assert_str(lm_value_get(v, "empty"), "", 10, 7);
	assert_str(lm_value_get(v, "num"), "42", 11, 6);
	lm_arena_free(a);
}

static void test_yaml_block_scalars(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *v;
	struct lm_diag d;
	assert_int_equal(yaml(a, "footer: |\n  line one\n  line two\nnote: >\n  folded\n  text\n", 1,
			      &v, &d), 0);
	assert_string_equal(lm_value_get(v, "footer")->str, "line one\nline two\n");
	assert_string_equal(lm_value_get(v, "note")->str, "folded text\n");
	lm_arena_free(a);
}

static void test_yaml_empty_and_scalar_root(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *v;
	struct lm_diag d;
	assert_int_equal(yaml(a, "", 2, &v, &d), 0);
	assert_non_null(v);
	assert_int_equal(v->kind, LM_VALUE_MAP);
	assert_int_equal(v->n, 0);

	assert_int_equal(yaml(a, "# only a comment\n", 2, &v, &d), 0);
	assert_int_equal(v->kind, LM_VALUE_MAP);
	assert_int_equal(v->n, 0);

	assert_int_equal(yaml(a, "just text", 5, &v, &d), 0);
	assert_str(v, "just text", 5, 1);

	assert_int_equal(yaml(a, "- 1\n- 2\n", 2, &v, &d), 0);
	assert_int_equal(v->kind, LM_VALUE_LIST);
	assert_int_equal(v->n, 2);
	assert_str(v->items[1], "2", 3, 3);

	/* a letter without front matter hands over no text at all (libyaml
	 * asserted on that) */
	assert_int_equal(lm_yaml_parse(a, "x.md", NULL, 0, 0, &v, &d), 0);
	assert_int_equal(v->kind, LM_VALUE_MAP);
	assert_int_equal(v->n, 0);
	lm_arena_free(a);
}

/* Old Mac line ends (CR only) become LF; CRLF stays; columns stay. */
static void test_unix_lines(void **state)
{
	(void)state;
	char s[] = "a\rb\r\nc\r\r";
	lm_text_unix_lines(s, sizeof(s) - 1);
	assert_memory_equal(s, "a\nb\r\nc\n\n", sizeof(s));
	char t[] = "\r";
	lm_text_unix_lines(t, 1);
	assert_string_equal(t, "\n");
	lm_text_unix_lines(t, 0);
}

/* Expects failure with the diagnostic `want`; a `want` ending in "..." need
 * only start the message (libyaml's wording for some errors varies between
 * versions). */
static void expect_yaml_error(const char *src, int first_line, const char *want)
{
	struct lm_arena *a = lm_arena_new();
	struct lm_value *v;
	struct lm_diag d;
	char out[2048];
	assert_int_equal(yaml(a, src, first_line, &v, &d), -1);
	assert_null(v);
	lm_diag_format(&d, out, sizeof(out));
	size_t n = strlen(want);
	if (n > 3 && !strcmp(want + n - 3, "...")) {
		if (strncmp(out, want, n - 3))
			fail_msg("\"%s\" does not start \"%.*s\"", out, (int)(n - 3), want);
	} else {
		assert_string_equal(out, want);
	}
	lm_arena_free(a);
}

static void test_yaml_duplicate_key(void **state)
{
	(void)state;
	expect_yaml_error("a: 1\nb: 2\na: 3\n", 2,
			  PATH ":4:1: error: key 'a' is given twice; keep one");
	/* an error points at the start of the key, its quote included */
	expect_yaml_error("map:\n  x: 1\n  'x': 2\n", 2,
			  PATH ":4:3: error: key 'x' is given twice; keep one");
	/* the same key in different maps is fine */
	struct lm_arena *a = lm_arena_new();
	struct lm_value *v;
	struct lm_diag d;
	assert_int_equal(yaml(a, "a:\n  k: 1\nb:\n  k: 2\n", 2, &v, &d), 0);
	assert_string_equal(lm_value_path(v, "b.k")->str, "2");
	lm_arena_free(a);
}

static void test_yaml_alias(void **state)
{
	(void)state;
	expect_yaml_error("a: &x 1\nb: *x\n", 2,
			  PATH ":3:4: error: YAML aliases (*name) are not supported in front "
			  "matter; write the value out");
}

static void test_yaml_non_scalar_key(void **state)
{
	(void)state;
	expect_yaml_error("ok: 1\n[a, b]: c\n", 2,
			  PATH ":3:1: error: a front matter key must be plain text");
}

static void test_yaml_invalid(void **state)
{
	(void)state;
	expect_yaml_error("title: a: b\n", 2,
			  PATH ":2:9: error: front matter is not valid YAML: mapping values are "
			  "not allowed in this context");
	expect_yaml_error("a: 1\nb: [x, y\nc: 3\n", 2,
			  PATH ":4:2: error: front matter is not valid YAML: did not find "
			  "expected ',' or ']'");
	expect_yaml_error("a: 1\n\tb: 2\n", 10,
			  PATH ":11:1: error: front matter is not valid YAML: ...");
	expect_yaml_error("a: \"open\n", 2,
			  PATH ":3:1: error: front matter is not valid YAML: found unexpected "
			  "end of stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix_lines),
		cmocka_unit_test(test_split_with),
		cmocka_unit_test(test_split_without),
		cmocka_unit_test(test_split_bom),
		cmocka_unit_test(test_split_crlf),
		cmocka_unit_test(test_split_edges),
		cmocka_unit_test(test_split_unclosed),
		cmocka_unit_test(test_yaml_map_and_origins),
		cmocka_unit_test(test_yaml_block_scalars),
		cmocka_unit_test(test_yaml_empty_and_scalar_root),
		cmocka_unit_test(test_yaml_duplicate_key),
		cmocka_unit_test(test_yaml_alias),
		cmocka_unit_test(test_yaml_non_scalar_key),
		cmocka_unit_test(test_yaml_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
