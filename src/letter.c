#include "letter.h"
#include "suggest.h"

#include "buf.h"
#include "fileio.h"
#include "utf8.h"
#include "frontmatter.h"
#include "markdown.h"
#include "recipient.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_keys[] = {
	"title", "subject", "salutation", "closing", "signatories", "date_format",
	"paper", "lang", "reference", "footer", "address", "date", "pages", "bilingual",
};

void lm_letter_init(struct lm_letter *l)
{
	memset(l, 0, sizeof(*l));
}

void lm_letter_release(struct lm_letter *l)
{
	free(l->path);
	free(l->src);
	free(l->tag);
	lm_arena_free(l->arena);
	lm_template_free(l->body);
	lm_letter_init(l);
}

/* line:col (col in characters) of byte offset `off` in `s` */
static void position(const char *s, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n')
			(*line)++, *col = 1;
		else if (((unsigned char)s[i] & 0xC0) != 0x80)
			(*col)++;
	}
}

static int check_keys(const struct lm_letter *l, struct lm_diag *d)
{
	const size_t nk = sizeof(known_keys) / sizeof(known_keys[0]);
	for (size_t i = 0; i < l->fm->n; i++) {
		const char *key = l->fm->keys[i];
		struct lm_suggest sg;
		lm_suggest_init(&sg, key);
		size_t k;
		for (k = 0; k < nk; k++) {
			if (!strcmp(key, known_keys[k]))
				break;
			lm_suggest_add(&sg, known_keys[k]);
		}
		const char *best = sg.best;
		if (k < nk)
			continue;
		const struct lm_value *v = l->fm->items[i];
		struct lm_buf known = LM_BUF_INIT;
		for (k = 0; k < nk; k++)
			lm_buf_addf(&known, "%s%s", k ? ", " : "", known_keys[k]);
		if (best)
			lm_diag_set(d, l->path, v->line, 1, "unknown front matter key '%s'; did you mean '%s'?",
				    key, best);
		else
			lm_diag_set(d, l->path, v->line, 1, "unknown front matter key '%s'; known keys are %s",
				    key, known.ptr);
		lm_buf_release(&known);
		return -1;
	}
	return 0;
}

/* `address:` is `none` or a list of template lines (recipient.h). */
static int check_address(const struct lm_letter *l, struct lm_diag *d)
{
	const struct lm_value *v = lm_value_get(l->fm, "address");
	if (!v || lm_address_none(v))
		return 0;
	if (v->kind != LM_VALUE_LIST)
		return lm_diag_set(d, l->path, v->line, v->col,
				   "address: must be a list of lines (each \"- \"{{recipient.COLUMN}}\"\") "
				   "or none, for a letter handed out with no envelope");
	if (!v->n)
		return lm_diag_set(d, l->path, v->line, v->col,
				   "address: lists no lines; list them, or write address: none");
	if (v->n > LM_ADDRESS_SPEC_LINES)
		return lm_diag_set(d, l->path, v->items[LM_ADDRESS_SPEC_LINES]->line,
				   v->items[LM_ADDRESS_SPEC_LINES]->col,
				   "address: lists %zu lines; at most %d (the envelope window shows 7 once "
				   "empty ones are dropped)", v->n, LM_ADDRESS_SPEC_LINES);
	for (size_t i = 0; i < v->n; i++)
		if (v->items[i]->kind != LM_VALUE_STRING)
			return lm_diag_set(d, l->path, v->items[i]->line, v->items[i]->col,
					   "address: line %zu is not text; write each line as "
					   "- \"{{recipient.COLUMN}}\"", i + 1);
	return 0;
}

/* `bilingual:` is how a bilingual letter sets its parts: `pages` (each
 * from a new page, the default) or `columns` (side by side). */
static int check_bilingual(const struct lm_letter *l, struct lm_diag *d)
{
	const struct lm_value *v = lm_value_get(l->fm, "bilingual");
	if (!v || (v->kind == LM_VALUE_STRING && (!strcmp(v->str, "columns") || !strcmp(v->str, "pages"))))
		return 0;
	return lm_diag_set(d, l->path, v->line, v->col,
			   "bilingual: takes 'columns' (the languages side by side, the first on the left) or 'pages' (each language from a new page, the default), not '%s'",
			   v->kind == LM_VALUE_STRING ? v->str : "a list or map");
}

int lm_letter_columns(const struct lm_letter *l)
{
	const struct lm_value *v = lm_value_get(l->fm, "bilingual");
	return v && v->kind == LM_VALUE_STRING && !strcmp(v->str, "columns");
}

int lm_letter_parse(struct lm_letter *l, const char *name, const char *src, size_t len,
		     const char *partials_dir, struct lm_diag *d)
{
	lm_letter_init(l);
	l->path = lm_xstrdup(name);
	l->arena = lm_arena_new();
	l->src = lm_xmalloc(len + 1);
	memcpy(l->src, src, len);
	l->src[len] = '\0';
	lm_text_unix_lines(l->src, len);
	size_t bad = lm_utf8_check(l->src, len);
	if (bad < len) {
		int line, col;
		position(l->src, bad, &line, &col);
		lm_diag_set(d, name, line, col,
			    "the letter is not UTF-8 (byte 0x%02X here); save it as UTF-8 text",
			    (unsigned char)l->src[bad]);
		goto fail;
	}
	if (memchr(l->src, '\0', len)) {
		int line, col;
		position(l->src, (size_t)((char *)memchr(l->src, '\0', len) - l->src), &line, &col);
		lm_diag_set(d, name, line, col, "the letter holds a NUL byte; is it really a text file?");
		goto fail;
	}
	struct lm_frontmatter_split fs;
	if (lm_frontmatter_split(name, l->src, len, &fs, d))
		goto fail;
	if (lm_yaml_parse(l->arena, name, fs.yaml, fs.yaml_len, fs.yaml_line, &l->fm, d))
		goto fail;
	if (l->fm->kind != LM_VALUE_MAP) {
		lm_diag_set(d, name, fs.yaml_line, 1, "front matter must be 'key: value' lines");
		goto fail;
	}
	if (check_keys(l, d) || check_address(l, d) || check_bilingual(l, d))
		goto fail;
	if (lm_template_parse(&l->body, name, fs.body, fs.body_len, fs.body_line, partials_dir, d))
		goto fail;
	return 0;
fail:
	lm_letter_release(l);
	return -1;
}

int lm_letter_load(struct lm_letter *l, const char *path, struct lm_diag *d)
{
	struct lm_buf src = LM_BUF_INIT, partials = LM_BUF_INIT;
	lm_letter_init(l);
	if (lm_read_file_as(path, LM_CAP_TEXT, "letter", &src, d)) {
		lm_buf_release(&src);
		return -1;
	}
	const char *slash = strrchr(path, '/');
	if (slash)
		lm_buf_add(&partials, path, (size_t)(slash - path) + 1);
	lm_buf_adds(&partials, "partials");
	int rc = lm_letter_parse(l, path, src.ptr ? src.ptr : "", src.len, partials.ptr, d);
	lm_buf_release(&src);
	lm_buf_release(&partials);
	return rc;
}

const char *lm_letter_lang(const struct lm_letter *l)
{
	const struct lm_value *lang = lm_value_get(l->fm, "lang");
	if (lang && lang->kind == LM_VALUE_STRING && lang->len)
		return lang->str;
	return l->tag ? l->tag : "en-GB";
}
