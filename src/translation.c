#include "translation.h"

#include "buf.h"
#include "lang.h"
#include "suggest.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void lm_translations_init(struct lm_translations *t)
{
	memset(t, 0, sizeof(*t));
}

void lm_translations_release(struct lm_translations *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].tag);
		free(t->v[i].path);
		if (t->v[i].ok)
			lm_letter_release(&t->v[i].letter);
	}
	free(t->v);
	lm_translations_init(t);
}

int lm_letter_path_tag(const char *path, char out[36])
{
	out[0] = '\0';
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n < 4 || strcmp(base + n - 3, ".md"))
		return -1;
	const char *dot = NULL;
	for (const char *p = base; p < base + n - 3; p++)
		if (*p == '.')
			dot = p;
	if (!dot || dot == base)
		return -1;
	size_t len = (size_t)(base + n - 3 - (dot + 1));
	if (!len || len >= 36)
		return -1;
	memcpy(out, dot + 1, len);
	out[len] = '\0';
	if (!lm_lang_valid(out)) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct lm_translation *)a)->path, ((const struct lm_translation *)b)->path);
}

int lm_translations_load(struct lm_translations *t, const char *path, struct lm_diag *d)
{
	const char *slash = strrchr(path, '/');
	struct lm_buf dir = LM_BUF_INIT, stem = LM_BUF_INIT;
	if (slash)
		lm_buf_add(&dir, path, (size_t)(slash - path));
	else
		lm_buf_adds(&dir, ".");
	const char *base = slash ? slash + 1 : path;
	size_t bl = strlen(base);
	lm_buf_add(&stem, base, bl > 3 && !strcmp(base + bl - 3, ".md") ? bl - 3 : bl);
	lm_buf_addc(&stem, '.');
	DIR *dp = opendir(dir.ptr);
	int rc = 0;
	if (!dp) {
		/* the letter itself was read, so its folder is there */
		rc = lm_diag_setk(d, lm_diag_errno_kind(errno), dir.ptr, 0, 0,
				  "cannot list the letter's folder (to find its translations): %s",
				  strerror(errno));
		goto out;
	}
	struct dirent *e;
	while ((e = readdir(dp))) {
		char tag[36];
		size_t n = strlen(e->d_name);
		if (n <= stem.len || strncmp(e->d_name, stem.ptr, stem.len) ||
		    lm_letter_path_tag(e->d_name, tag) ||
		    n != stem.len + strlen(tag) + 3) /* NAME.TAG.md exactly, not NAME.x.TAG.md */
			continue;
		LM_ALLOC_GROW(t->v, t->n + 1, t->alloc);
		struct lm_translation *tr = &t->v[t->n++];
		memset(tr, 0, sizeof(*tr));
		tr->tag = lm_xstrdup(tag);
		struct lm_buf p = LM_BUF_INIT;
		if (slash)
			lm_buf_addf(&p, "%s/", dir.ptr);
		lm_buf_adds(&p, e->d_name);
		tr->path = lm_buf_detach(&p, NULL);
	}
	closedir(dp);
	if (t->n > 1) /* qsort may not be given the NULL of an empty list */
		qsort(t->v, t->n, sizeof(*t->v), by_name);
	for (size_t i = 0; i < t->n; i++) {
		struct lm_translation *tr = &t->v[i];
		lm_diag_clear(&tr->error);
		tr->ok = !lm_letter_load(&tr->letter, tr->path, &tr->error);
		if (tr->ok)
			tr->letter.tag = lm_xstrdup(tr->tag);
	}
out:
	lm_buf_release(&dir);
	lm_buf_release(&stem);
	return rc;
}

struct lm_translation *lm_translations_find(struct lm_translations *t, const char *tag)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcasecmp(t->v[i].tag, tag))
			return &t->v[i];
	for (size_t i = 0; i < t->n; i++)
		if (lm_lang_same(t->v[i].tag, tag))
			return &t->v[i];
	return NULL;
}

int lm_translations_missing(const struct lm_translations *t, const char *path, const char *own,
			    const char *what, const char *tag, struct lm_diag *d)
{
	struct lm_buf name = LM_BUF_INIT, have = LM_BUF_INIT;
	size_t len = strlen(path);
	lm_buf_add(&name, path, len > 3 && !strcmp(path + len - 3, ".md") ? len - 3 : len);
	lm_buf_addf(&name, ".%s.md", tag);
	struct lm_suggest s;
	lm_suggest_init(&s, tag);
	if (own)
		lm_suggest_add(&s, own);
	for (size_t i = 0; i < t->n; i++) {
		lm_suggest_add(&s, t->v[i].tag);
		lm_buf_addf(&have, "%s%s", have.len ? ", " : "", t->v[i].tag);
	}
	if (s.best)
		lm_diag_set(d, NULL, 0, 0,
			    "%s: there is no translation %s; did you mean '%s'? (else write that file: a whole letter in that language, front matter and body)",
			    what, name.ptr, s.best);
	else
		lm_diag_set(d, NULL, 0, 0,
			    "%s: there is no translation %s; write it (a whole letter in that language, front matter and body) or leave '%s' out (the letter is in %s; its translations: %s)",
			    what, name.ptr, tag, own ? own : "?", have.len ? have.ptr : "none");
	lm_buf_release(&name);
	lm_buf_release(&have);
	return -1;
}

struct named {
	const struct lm_value **v;
	size_t n, alloc;
};

static void note(void *ctx, const struct lm_value *v)
{
	struct named *s = ctx;
	if (!v)
		return;
	LM_ALLOC_GROW(s->v, s->n + 1, s->alloc);
	s->v[s->n++] = v;
}

static int has(const struct named *s, const struct lm_value *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == v)
			return 1;
	return 0;
}

/* The name a template gives `want` under `v` ("contacts.careline.phone"),
 * into out; 1 when found. */
static int name_of(const struct lm_value *v, const struct lm_value *want, struct lm_buf *out)
{
	if (!v || v->kind == LM_VALUE_STRING)
		return 0;
	size_t mark = out->len;
	for (size_t i = 0; i < v->n; i++) {
		const struct lm_value *it = v->items[i];
		const char *key = v->kind == LM_VALUE_MAP ? v->keys[i] : lm_value_str(it, "id", NULL);
		if (!key)
			continue;
		if (mark)
			lm_buf_addc(out, '.');
		lm_buf_adds(out, key);
		if (it == want || name_of(it, want, out))
			return 1;
		out->len = mark;
		if (out->ptr)
			out->ptr[mark] = '\0';
	}
	return 0;
}

void lm_translation_compare(const struct lm_letter *original, const struct lm_letter *tr,
			    const struct lm_value *ctx, struct lm_findings *f)
{
	struct named a = { 0 }, b = { 0 };
	lm_template_walk(original->body, ctx, note, &a);
	lm_template_walk(tr->body, ctx, note, &b);
	for (size_t i = 0; i < a.n; i++) {
		const struct lm_value *v = a.v[i];
		/* lists and maps are named by sections; their strings are the facts */
		if (v->kind != LM_VALUE_STRING || has(&b, v) || !v->len)
			continue;
		int dup = 0;
		for (size_t k = 0; k < i && !dup; k++)
			dup = a.v[k] == v;
		if (dup)
			continue;
		struct lm_buf name = LM_BUF_INIT;
		struct lm_diag d;
		lm_diag_clear(&d);
		if (!name_of(ctx, v, &name))
			lm_buf_adds(&name, "a value");
		lm_diag_set(&d, tr->path, 0, 0,
			    "the translation never prints {{%s}} (\"%.60s\"), which %s prints: facts must not differ between languages; add it to the translation",
			    name.ptr, v->str, original->path);
		d.severity = LM_WARNING;
		lm_findings_add(f, &d);
		lm_buf_release(&name);
	}
	free(a.v);
	free(b.v);
}
