/* test_template.c - the template engine against spec-like case files.
 *
 * Usage: test_template [CASES_DIR]
 * The cases are every *.txt file in CASES_DIR; without the argument, the
 * directory named by the compile-time define LM_TEMPLATE_CASES_DIR, else
 * tests/template_cases relative to the current directory.
 *
 * Case file format (one file holds many cases):
 *
 *   ### case: a name
 *   --- options             key=value lines, all optional:
 *   path=letters/x.md         file name in diagnostics (default letter.md)
 *   first_line=7              line the template starts on (default 1)
 *   escape=markdown           or none (the default)
 *   partials=yes              a temporary partials folder even with no
 *                             `--- partial` section (with one, implied)
 *   api=string                lm_template_render_string; line= col= too
 *   --- template [noeol] [crlf]
 *   Hello {{name}}!
 *   --- partial NAME [noeol] [crlf]   written to the partials folder as NAME.md
 *   --- data
 *   name=World                one value a line: dotted keys, [i] for list
 *   contacts[0].id=police     items; `[]` and `{}` make an empty list/map;
 *                             in values \n \r \t \\ stand for themselves
 *   --- expect [noeol] [crlf]
 *   Hello World!
 *   --- error
 *   letter.md:1:7: error: no value for 'name'; ...
 *
 * A section's text is every line up to the next `--- ` or `### case:` line,
 * each with its newline; `noeol` drops the last newline, `crlf` writes each
 * newline as CR LF.  In `--- error`, $PARTIALS is the partials folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "template.h"
#include "value.h"

#ifndef LM_TEMPLATE_CASES_DIR
#define LM_TEMPLATE_CASES_DIR "tests/template_cases"
#endif

struct partial {
	char *name;
	struct lm_buf text;
};

struct tcase {
	char *name;
	char *file;   /* case file, for messages */
	int line;     /* of the `### case:` line */
	struct lm_buf options, tmpl, data, expect, error;
	int has_expect, has_error;
	struct partial *partials;
	size_t npartials, alloc;
	char test_name[300];
};

/* ---- reading case files ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct lm_buf b = LM_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		lm_buf_add(&b, chunk, n);
	fclose(f);
	return lm_buf_detach(&b, len);
}

/* Applies `noeol` and `crlf` to a finished section. */
static void finish_section(struct lm_buf *b, const char *flags)
{
	if (!b || !flags)
		return;
	if (strstr(flags, "noeol") && b->len && b->ptr[b->len - 1] == '\n')
		b->ptr[--b->len] = '\0';
	if (strstr(flags, "crlf")) {
		struct lm_buf c = LM_BUF_INIT;
		for (size_t i = 0; i < b->len; i++) {
			if (b->ptr[i] == '\n')
				lm_buf_addc(&c, '\r');
			lm_buf_addc(&c, b->ptr[i]);
		}
		lm_buf_release(b);
		*b = c;
	}
}

static void load_cases(const char *path, struct tcase ***cases, size_t *n, size_t *alloc)
{
	size_t len;
	char *text = slurp(path, &len);
	if (!text) {
		fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
		exit(1);
	}
	struct tcase *c = NULL;
	struct lm_buf *sec = NULL;
	char flags[200] = "";
	int lineno = 0;
	char *p = text;
	while (*p) {
		char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		lineno++;
		if (!strncmp(p, "### case: ", 10)) {
			finish_section(sec, flags);
			sec = NULL;
			c = lm_xcalloc(1, sizeof(*c));
			c->name = lm_xstrndup(p + 10, ll - 10);
			c->file = lm_xstrdup(path);
			c->line = lineno;
			lm_buf_init(&c->options);
			lm_buf_init(&c->tmpl);
			lm_buf_init(&c->data);
			lm_buf_init(&c->expect);
			lm_buf_init(&c->error);
			LM_ALLOC_GROW(*cases, *n + 1, *alloc);
			(*cases)[(*n)++] = c;
		} else if (!strncmp(p, "--- ", 4) && c) {
			finish_section(sec, flags);
			char word[200];
			snprintf(word, sizeof(word), "%.*s", (int)(ll - 4), p + 4);
			char *rest = strchr(word, ' ');
			if (rest)
				*rest++ = '\0';
			snprintf(flags, sizeof(flags), "%s", rest ? rest : "");
			if (!strcmp(word, "options")) {
				sec = &c->options;
			} else if (!strcmp(word, "template")) {
				sec = &c->tmpl;
			} else if (!strcmp(word, "data")) {
				sec = &c->data;
			} else if (!strcmp(word, "expect")) {
				sec = &c->expect;
				c->has_expect = 1;
			} else if (!strcmp(word, "error")) {
				sec = &c->error;
				c->has_error = 1;
			} else if (!strcmp(word, "partial") && rest) {
				char *sp = strchr(rest, ' ');
				if (sp)
					*sp++ = '\0';
				LM_ALLOC_GROW(c->partials, c->npartials + 1, c->alloc);
				struct partial *pt = &c->partials[c->npartials++];
				pt->name = lm_xstrdup(rest);
				lm_buf_init(&pt->text);
				sec = &pt->text;
				snprintf(flags, sizeof(flags), "%s", sp ? sp : "");
			} else {
				fprintf(stderr, "%s:%d: unknown section '%s'\n", path, lineno, word);
				exit(1);
			}
		} else if (sec) {
			lm_buf_add(sec, p, ll);
			lm_buf_addc(sec, '\n');
		} else if (ll && p[0] != '#') {
			fprintf(stderr, "%s:%d: text outside a section\n", path, lineno);
			exit(1);
		}
		p = nl ? nl + 1 : p + ll;
	}
	finish_section(sec, flags);
	free(text);
}

static void free_case(struct tcase *c)
{
	free(c->name);
	free(c->file);
	lm_buf_release(&c->options);
	lm_buf_release(&c->tmpl);
	lm_buf_release(&c->data);
	lm_buf_release(&c->expect);
	lm_buf_release(&c->error);
	for (size_t i = 0; i < c->npartials; i++) {
		free(c->partials[i].name);
		lm_buf_release(&c->partials[i].text);
	}
	free(c->partials);
	free(c);
}

/* Copies the value of `key=` in the case's options into `val`; returns 1 if set. */
static int option(const struct tcase *c, const char *key, char *val, size_t n)
{
	size_t kl = strlen(key);
	const char *p = c->options.ptr;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		if (ll > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(val, n, "%.*s", (int)(ll - kl - 1), p + kl + 1);
			return 1;
		}
		p += ll + (nl != NULL);
	}
	return 0;
}

/* ---- the data notation ---- */

static char *unescape(const char *s, size_t len, size_t *out_len)
{
	struct lm_buf b = LM_BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			char e = s[++i];
			lm_buf_addc(&b, e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e);
		} else {
			lm_buf_addc(&b, s[i]);
		}
	}
	return lm_buf_detach(&b, out_len);
}

/* Sets `path` (a.b[2].c) in `root` to `val`, making maps and lists on the way. */
static int set_path(struct lm_arena *a, struct lm_value *root, const char *path,
		    struct lm_value *val)
{
	struct lm_value *cur = root;
	const char *p = path;
	while (*p) {
		char key[256];
		long idx = -1;
		if (*p == '[') {
			char *end;
			idx = strtol(p + 1, &end, 10);
			if (*end != ']')
				return -1;
			p = end + 1;
		} else {
			size_t k = strcspn(p, ".[");
			if (!k || k >= sizeof(key))
				return -1;
			memcpy(key, p, k);
			key[k] = '\0';
			p += k;
		}
		if (*p == '.')
			p++;
		int last = !*p;
		struct lm_value *next;
		if (idx >= 0) {
			if (cur->kind != LM_VALUE_LIST || (size_t)idx > cur->n)
				return -1;
			if (last) {
				if ((size_t)idx == cur->n)
					lm_value_push(a, cur, val);
				else
					cur->items[idx] = val;
				return 0;
			}
			if ((size_t)idx == cur->n)
				lm_value_push(a, cur, *p == '[' ? lm_value_list(a) : lm_value_map(a));
			next = cur->items[idx];
		} else {
			if (cur->kind != LM_VALUE_MAP)
				return -1;
			if (last) {
				lm_value_set(a, cur, key, val);
				return 0;
			}
			next = lm_value_get(cur, key);
			if (!next) {
				next = *p == '[' ? lm_value_list(a) : lm_value_map(a);
				lm_value_set(a, cur, key, next);
			}
		}
		cur = next;
	}
	return -1;
}

static struct lm_value *build_data(struct lm_arena *a, const struct tcase *c)
{
	struct lm_value *root = lm_value_map(a);
	const char *p = c->data.ptr;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		if (ll && p[0] != '#') {
			const char *eq = memchr(p, '=', ll);
			if (!eq)
				fail_msg("%s:%d: case '%s': data line without '='", c->file,
					 c->line, c->name);
			char *path = lm_xstrndup(p, (size_t)(eq - p));
			size_t vl = ll - (size_t)(eq - p) - 1;
			struct lm_value *v;
			if (vl == 2 && !memcmp(eq + 1, "[]", 2)) {
				v = lm_value_list(a);
			} else if (vl == 2 && !memcmp(eq + 1, "{}", 2)) {
				v = lm_value_map(a);
			} else {
				size_t ul;
				char *u = unescape(eq + 1, vl, &ul);
				v = lm_value_string(a, u, ul);
				free(u);
			}
			if (set_path(a, root, path, v) < 0)
				fail_msg("%s:%d: case '%s': bad data path '%s'", c->file,
					 c->line, c->name, path);
			free(path);
		}
		p += ll + (nl != NULL);
	}
	return root;
}

/* ---- running a case ---- */

static void show(struct lm_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\n')
			lm_buf_adds(out, "\\n\n");
		else if (ch == '\r')
			lm_buf_adds(out, "\\r");
		else if (ch == '\t')
			lm_buf_adds(out, "\\t");
		else
			lm_buf_addc(out, (char)ch);
	}
}

static void replace_all(struct lm_buf *b, const char *from, const char *to)
{
	struct lm_buf r = LM_BUF_INIT;
	size_t fl = strlen(from);
	for (size_t i = 0; i < b->len;) {
		if (!strncmp(b->ptr + i, from, fl)) {
			lm_buf_adds(&r, to);
			i += fl;
		} else {
			lm_buf_addc(&r, b->ptr[i++]);
		}
	}
	lm_buf_release(b);
	*b = r;
}

static void remove_dir(const char *dir, const struct tcase *c)
{
	char path[4096];
	for (size_t i = 0; i < c->npartials; i++) {
		snprintf(path, sizeof(path), "%s/%s.md", dir, c->partials[i].name);
		unlink(path);
	}
	rmdir(dir);
}

static void run_case(void **state)
{
	struct tcase *c = *state;
	char opt[256], dir[64] = "";
	const char *partials = NULL;

	if (c->npartials || (option(c, "partials", opt, sizeof(opt)) && !strcmp(opt, "yes"))) {
		snprintf(dir, sizeof(dir), "/tmp/lm-template-XXXXXX");
		assert_non_null(mkdtemp(dir));
		for (size_t i = 0; i < c->npartials; i++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s.md", dir, c->partials[i].name);
			FILE *f = fopen(path, "wb");
			assert_non_null(f);
			fwrite(c->partials[i].text.ptr, 1, c->partials[i].text.len, f);
			fclose(f);
		}
		partials = dir;
	}

	char path[256] = "letter.md";
	option(c, "path", path, sizeof(path));
	int first_line = option(c, "first_line", opt, sizeof(opt)) ? atoi(opt) : 1;
	enum lm_escape esc = option(c, "escape", opt, sizeof(opt)) &&
				     !strcmp(opt, "markdown") ? LM_ESCAPE_MARKDOWN : LM_ESCAPE_NONE;
	int as_string = option(c, "api", opt, sizeof(opt)) && !strcmp(opt, "string");

	struct lm_arena *a = lm_arena_new();
	struct lm_value *data = build_data(a, c);
	struct lm_buf out = LM_BUF_INIT;
	struct lm_diag d;
	lm_diag_clear(&d);
	int r;
	if (as_string) {
		int line = option(c, "line", opt, sizeof(opt)) ? atoi(opt) : 1;
		int col = option(c, "col", opt, sizeof(opt)) ? atoi(opt) : 1;
		r = lm_template_render_string(path, line, col, c->tmpl.ptr, data, esc, &out, &d);
	} else {
		struct lm_template *t = NULL;
		r = lm_template_parse(&t, path, c->tmpl.ptr, c->tmpl.len, first_line,
				      partials, &d);
		if (!r) {
			r = lm_template_expand(t, data, esc, &out, &d);
			/* expanding again gives the same: nothing is consumed */
			if (!r) {
				struct lm_buf again = LM_BUF_INIT;
				assert_int_equal(lm_template_expand(t, data, esc, &again, &d), 0);
				assert_string_equal(again.ptr, out.ptr);
				lm_buf_release(&again);
			}
		}
		lm_template_free(t);
	}

	struct lm_buf want = LM_BUF_INIT, got = LM_BUF_INIT;
	int ok;
	if (c->has_error) {
		char msg[2200];
		lm_buf_add(&want, c->error.ptr, c->error.len);
		while (want.len && want.ptr[want.len - 1] == '\n')
			want.ptr[--want.len] = '\0';
		if (partials)
			replace_all(&want, "$PARTIALS", partials);
		if (r < 0) {
			lm_diag_format(&d, msg, sizeof(msg));
			lm_buf_adds(&got, msg);
		} else {
			lm_buf_adds(&got, "(no error) output: ");
			lm_buf_add(&got, out.ptr, out.len);
		}
		ok = !strcmp(want.ptr, got.ptr);
		if (!ok)
			print_error("%s:%d: case '%s'\n  expected: %s\n  got:      %s\n",
				    c->file, c->line, c->name, want.ptr, got.ptr);
	} else {
		if (r < 0) {
			char msg[2200];
			lm_diag_format(&d, msg, sizeof(msg));
			print_error("%s:%d: case '%s': unexpected error: %s\n", c->file,
				    c->line, c->name, msg);
			ok = 0;
		} else {
			ok = c->expect.len == out.len && !memcmp(c->expect.ptr, out.ptr, out.len);
			if (!ok) {
				show(&want, c->expect.ptr, c->expect.len);
				show(&got, out.ptr, out.len);
				print_error("%s:%d: case '%s'\n--- expected\n%s\n--- got\n%s\n",
					    c->file, c->line, c->name, want.ptr, got.ptr);
			}
		}
	}
	lm_buf_release(&want);
	lm_buf_release(&got);
	lm_buf_release(&out);
	lm_arena_free(a);
	if (partials)
		remove_dir(dir, c);
	if (!ok)
		fail();
}

/* ---- tests that are easier in C ---- */

static char *nested(int depth)
{
	struct lm_buf b = LM_BUF_INIT;
	for (int i = 0; i < depth; i++)
		lm_buf_adds(&b, "{{#a}}");
	lm_buf_adds(&b, "x");
	for (int i = 0; i < depth; i++)
		lm_buf_adds(&b, "{{/a}}");
	return lm_buf_detach(&b, NULL);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct lm_template *t = NULL;
	struct lm_diag d;
	char *ok = nested(LM_TEMPLATE_MAX_DEPTH);
	assert_int_equal(lm_template_parse(&t, "deep.md", ok, strlen(ok), 1, NULL, &d), 0);
	lm_template_free(t);
	free(ok);

	char *bad = nested(LM_TEMPLATE_MAX_DEPTH + 1);
	assert_int_equal(lm_template_parse(&t, "deep.md", bad, strlen(bad), 1, NULL, &d), -1);
	assert_null(t);
	assert_string_equal(d.file, "deep.md");
	assert_int_equal(d.line, 1);
	assert_int_equal(d.col, 6 * LM_TEMPLATE_MAX_DEPTH + 1);
	assert_string_equal(d.msg, "'{{#a}}' nests more than 100 sections and partials deep; simplify the template");
	free(bad);
}

/* The two limits on what one expansion may make, each named for what
 * reaches it: many steps (nested sections over lists) or much text (a long
 * value repeated), not one message for both. */
static void test_expansion_limits(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *data = lm_value_map(a);
	struct lm_value *list = lm_value_list(a);
	for (int i = 0; i < 100; i++)
		lm_value_push(a, list, lm_value_strz(a, "x"));
	lm_value_set(a, data, "a", list);
	/* 100 × 100 × 100 items: over a million steps, little text */
	static const char deep[] = "{{#a}}{{#a}}{{#a}}.{{/a}}{{/a}}{{/a}}";
	char *big = malloc(1u << 20);
	assert_non_null(big);
	memset(big, 'y', 1u << 20);
	lm_value_set(a, data, "long", lm_value_string(a, big, 1u << 20));
	free(big);
	/* a megabyte, 100 times: a few hundred steps, 100 MB of text */
	static const char wide[] = "intro\n{{#a}}{{long}}{{/a}}";
	struct {
		const char *tmpl;
		const char *msg;
	} cases[] = {
		{ deep, "the template expands to too much (over a million steps); sections nested inside sections over lists multiply: check this one" },
		{ wide, "the template expands to over 16 MB of text; a section repeats a long value or part for every item of a list: check this one" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lm_template *t = NULL;
		struct lm_diag d;
		assert_int_equal(lm_template_parse(&t, "big.md", cases[i].tmpl, strlen(cases[i].tmpl), 1, NULL, &d), 0);
		struct lm_buf out = LM_BUF_INIT;
		assert_int_equal(lm_template_expand(t, data, LM_ESCAPE_NONE, &out, &d), -1);
		assert_string_equal(d.msg, cases[i].msg);
		assert_string_equal(d.file, "big.md");
		assert_int_equal(d.line, i ? 2 : 1);
		lm_buf_release(&out);
		lm_template_free(t);
	}
	lm_arena_free(a);
}

static void test_free_null(void **state)
{
	(void)state;
	lm_template_free(NULL);
}

static void test_escape_direct(void **state)
{
	(void)state;
	struct lm_buf b = LM_BUF_INIT;
	lm_template_escape(&b, "a*b", 3, LM_ESCAPE_MARKDOWN);
	assert_string_equal(b.ptr, "a\\*b");
	lm_buf_reset(&b);
	lm_template_escape(&b, "a*b", 3, LM_ESCAPE_NONE);
	assert_string_equal(b.ptr, "a*b");
	/* a NUL inside a value is copied, not a terminator */
	lm_buf_reset(&b);
	lm_template_escape(&b, "a\0b", 3, LM_ESCAPE_MARKDOWN);
	assert_int_equal(b.len, 3);
	lm_buf_release(&b);
}

/* A front-matter value: positions come from line/col of the string. */
static void test_render_string_error(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *ctx = lm_value_map(a);
	struct lm_buf out = LM_BUF_INIT;
	struct lm_diag d;
	assert_int_equal(lm_template_render_string("letters/a.md", 4, 11, "x {{> p}}",
						   ctx, LM_ESCAPE_NONE, &out, &d), -1);
	assert_int_equal(d.line, 4);
	assert_int_equal(d.col, 13);
	assert_string_equal(d.msg, "partial 'p' cannot be used here; partials work only in a letter's body");
	lm_buf_release(&out);
	lm_arena_free(a);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct walked {
	const struct lm_value *v[16];
	size_t n;
};

static void walked(void *ctx, const struct lm_value *v)
{
	struct walked *w = ctx;
	if (w->n < 16)
		w->v[w->n++] = v;
}

static int was_walked(const struct walked *w, const struct lm_value *v)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i] == v)
			return 1;
	return 0;
}

/* lm_template_walk sees every value a letter could print: each item of a
 * section's list, an inverted section's body, partial-free names. */
static void test_walk(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *ctx = lm_value_map(a), *list = lm_value_list(a);
	struct lm_value *x1 = lm_value_strz(a, "1"), *x2 = lm_value_strz(a, "2");
	struct lm_value *i1 = lm_value_map(a), *i2 = lm_value_map(a);
	lm_value_set(a, i1, "x", x1);
	lm_value_set(a, i2, "x", x2);
	lm_value_set(a, i1, "unused", lm_value_strz(a, "u"));
	lm_value_push(a, list, i1);
	lm_value_push(a, list, i2);
	struct lm_value *name = lm_value_strz(a, "n"), *y = lm_value_strz(a, "y"), *z = lm_value_strz(a, "z");
	lm_value_set(a, ctx, "name", name);
	lm_value_set(a, ctx, "l", list);
	lm_value_set(a, ctx, "y", y);
	lm_value_set(a, ctx, "z", z);
	struct lm_template *t = NULL;
	struct lm_diag d;
	const char *src = "{{name}} {{#l}}{{x}}{{/l}} {{^missing}}{{y}}{{/missing}} {{nothing}}";
	assert_int_equal(lm_template_parse(&t, "t.md", src, strlen(src), 1, NULL, &d), 0);
	struct walked w = { { 0 }, 0 };
	lm_template_walk(t, ctx, walked, &w);
	assert_true(was_walked(&w, name));
	assert_true(was_walked(&w, list));
	assert_true(was_walked(&w, x1));
	assert_true(was_walked(&w, x2));
	assert_true(was_walked(&w, y));
	assert_false(was_walked(&w, z));
	assert_false(was_walked(&w, lm_value_get(i1, "unused")));
	lm_template_free(t);
	lm_arena_free(a);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : LM_TEMPLATE_CASES_DIR;
	DIR *dh = opendir(dir);
	if (!dh) {
		fprintf(stderr, "cannot open case directory %s: %s\n", dir, strerror(errno));
		return 1;
	}
	char **files = NULL;
	size_t nfiles = 0, falloc = 0;
	struct dirent *e;
	while ((e = readdir(dh))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && !strcmp(e->d_name + l - 4, ".txt")) {
			LM_ALLOC_GROW(files, nfiles + 1, falloc);
			struct lm_buf p = LM_BUF_INIT;
			lm_buf_addf(&p, "%s/%s", dir, e->d_name);
			files[nfiles++] = lm_buf_detach(&p, NULL);
		}
	}
	closedir(dh);
	if (!nfiles) {
		fprintf(stderr, "no *.txt case files in %s\n", dir);
		return 1;
	}
	qsort(files, nfiles, sizeof(*files), by_name);

	struct tcase **cases = NULL;
	size_t ncases = 0, cases_alloc = 0;
	for (size_t i = 0; i < nfiles; i++)
		load_cases(files[i], &cases, &ncases, &cases_alloc);

	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_expansion_limits),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_escape_direct),
		cmocka_unit_test(test_render_string_error),
		cmocka_unit_test(test_walk),
	};
	size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	struct CMUnitTest *tests = lm_xcalloc(ncases + nfixed, sizeof(*tests));
	for (size_t i = 0; i < nfixed; i++)
		tests[i] = fixed[i];
	for (size_t i = 0; i < ncases; i++) {
		const char *base = strrchr(cases[i]->file, '/');
		snprintf(cases[i]->test_name, sizeof(cases[i]->test_name), "%s: %s",
			 base ? base + 1 : cases[i]->file, cases[i]->name);
		tests[nfixed + i].name = cases[i]->test_name;
		tests[nfixed + i].test_func = run_case;
		tests[nfixed + i].initial_state = cases[i];
	}
	int failed = _cmocka_run_group_tests("template", tests, ncases + nfixed, NULL, NULL);

	for (size_t i = 0; i < ncases; i++)
		free_case(cases[i]);
	free(cases);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(tests);
	return failed ? 1 : 0;
}
