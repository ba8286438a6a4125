/* template.c - parse Mustache placeholders into a tree, expand it.
 *
 * Parsing runs in two passes over the source: the first finds every tag and
 * decides which lines are "standalone" (only non-printing tags and blanks,
 * removed whole, as the Mustache spec says), the second builds the tree.
 * Deciding per line before building keeps the trimming rules in one place.
 *
 * A partial is parsed once per inclusion, with the indentation of its
 * standalone tag baked into its text nodes, so expansion never re-scans text.
 */
#include "template.h"

#include "fileio.h"
#include "names.h"
#include "suggest.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum node_kind { NODE_TEXT, NODE_VAR, NODE_SECTION, NODE_INVERTED, NODE_PARTIAL };

/* What a run of text does to the line it is written on (see line_state):
 * whether it holds a newline, and then (or else, from a blank start)
 * whether its last line has a non-blank and the first one. */
struct line_sum {
	int newline, nonblank;
	char first;
};

struct node {
	enum node_kind kind;
	struct lm_buf text;      /* NODE_TEXT: the bytes to copy */
	struct line_sum sum;     /* NODE_TEXT: of `text`, to keep escaping's line state without reading it */
	char *name;              /* the name as written, "area.name" or "." */
	char **segs;             /* name split at dots; none for "." */
	size_t *seglen;          /* strlen of each segment */
	unsigned *seghash;       /* lm_name_hash of each segment (names.h), so a look-up hashes nothing */
	size_t nsegs;
	int line, col;           /* of the tag's "{{" */
	struct node *kids;       /* sections: the body */
	size_t nkids, alloc;
	struct lm_template *partial; /* NODE_PARTIAL: borrowed from the run's cache */
};

/* Every partial of one parse, parsed once (per indentation it is included
 * with): a partial included twice by a partial included twice... is
 * still read and parsed once.  Owned by the top template. */
struct pcache {
	struct pcache_entry {
		char *key;               /* path, NUL, indentation */
		size_t key_len;
		struct lm_template *t;   /* owned */
	} *v;
	size_t n, alloc;
};

struct lm_template {
	char *path;
	struct node root;        /* the top level, as a section's body */
	size_t weight;           /* bytes and tags it expands to, partials included, sections once */
	struct pcache *cache;    /* the top template's; NULL in a partial */
};

/* A template (with its partials, counted as often as they are included)
 * bigger than the largest expansion cannot be expanded: stopped while
 * parsing, at the partial that makes it so. */
#define LM_TEMPLATE_MAX_WEIGHT (16u << 20)

/* Where the last position asked for was, so that positions asked for in
 * order cost the distance between them (a 40,000-tag line is linear). */
struct colmemo {
	size_t off, line;
	int col;
	int set;
};

/* One tag found by the first pass; offsets are into the source. */
struct tag {
	size_t start, end;       /* "{{" up to past "}}" */
	char sigil;              /* 0 for {{name}}, else one of # ^ / ! > */
	size_t name, name_len;   /* the name, blanks trimmed */
	size_t ws_start;         /* text before the tag ends here */
	size_t after;            /* text after the tag starts here */
	int standalone;
	size_t ind, ind_len;     /* a standalone line's indentation */
};

/* The partials being parsed, outermost first, to catch a → b → a. */
struct chain {
	const char *name;
	const struct chain *up;
};

struct parser {
	const char *path;
	const char *src;
	size_t len;
	int first_line, first_col;
	const char *indent;      /* prefix for every line (indented partial) */
	size_t indent_len;
	const char *partials_dir;
	const struct chain *chain;
	int depth;               /* nesting of the including templates */
	struct lm_diag *d;
	size_t *lines;           /* offsets where lines start */
	size_t nlines, lines_alloc;
	struct tag *tags;
	size_t ntags, tags_alloc;
	struct pcache *cache;
	size_t weight;           /* of what is built so far */
	struct colmemo *memo;
};

static void node_free(struct node *n)
{
	lm_buf_release(&n->text);
	free(n->name);
	free(n->segs);
	for (size_t i = 0; i < n->nkids; i++)
		node_free(&n->kids[i]);
	free(n->kids);
}

struct seen_paths {
	const char **v;
	size_t n, alloc;
	const struct lm_template **t;
	size_t nt, talloc;
};

static void each_partial(const struct node *n, struct seen_paths *seen,
			 void (*fn)(void *ctx, const char *path), void *ctx)
{
	if (n->kind == NODE_PARTIAL && n->partial) {
		size_t i = 0;
		while (i < seen->n && strcmp(seen->v[i], n->partial->path))
			i++;
		if (i == seen->n) {
			LM_ALLOC_GROW(seen->v, seen->n + 1, seen->alloc);
			seen->v[seen->n++] = n->partial->path;
			fn(ctx, n->partial->path);
		}
		/* each parsed partial once: one included twice at every level
		 * would otherwise be walked 2^levels times */
		for (i = 0; i < seen->nt && seen->t[i] != n->partial; i++)
			;
		if (i == seen->nt) {
			LM_ALLOC_GROW(seen->t, seen->nt + 1, seen->talloc);
			seen->t[seen->nt++] = n->partial;
			each_partial(&n->partial->root, seen, fn, ctx);
		}
	}
	for (size_t i = 0; i < n->nkids; i++)
		each_partial(&n->kids[i], seen, fn, ctx);
}

void lm_template_partials(const struct lm_template *t, void (*fn)(void *ctx, const char *path),
			  void *ctx)
{
	struct seen_paths seen = { 0 };
	if (t)
		each_partial(&t->root, &seen, fn, ctx);
	free(seen.v);
	free(seen.t);
}

void lm_template_free(struct lm_template *t)
{
	if (!t)
		return;
	node_free(&t->root);
	if (t->cache) {
		for (size_t i = 0; i < t->cache->n; i++) {
			free(t->cache->v[i].key);
			lm_template_free(t->cache->v[i].t);
		}
		free(t->cache->v);
		free(t->cache);
	}
	free(t->path);
	free(t);
}

/* Position of byte `off` as 1-based line and column in characters. */
static void where(const struct parser *p, size_t off, int *line, int *col)
{
	size_t lo = 0, hi = p->nlines;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	int c = 1;
	size_t from = p->lines[lo];
	struct colmemo *m = p->memo;
	if (m && m->set && m->line == lo && m->off <= off)
		from = m->off, c = m->col;
	for (size_t i = from; i < off; i++)
		if (((unsigned char)p->src[i] & 0xC0) != 0x80)
			c++;
	if (m)
		*m = (struct colmemo){ off, lo, c, 1 };
	*line = p->first_line + (int)lo;
	*col = lo == 0 ? c + p->first_col - 1 : c;
}

/* Fills p->d for the tag at byte `off` and returns -1. */
static int fail_at(const struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(const struct parser *p, size_t off, const char *fmt, ...)
{
	char msg[sizeof(p->d->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	int line, col;
	where(p, off, &line, &col);
	return lm_diag_set(p->d, p->path, line, col, "%s", msg);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* Offset of the next "{{" at or after `from`, or p->len. */
static size_t find_open(const struct parser *p, size_t from)
{
	for (size_t i = from; i + 1 < p->len; i++)
		if (p->src[i] == '{' && p->src[i + 1] == '{')
			return i;
	return p->len;
}

static int check_name(const struct parser *p, const struct tag *t)
{
	const char *s = p->src + t->name;
	size_t n = t->name_len;
	const char *shown = t->sigil == '#' ? "{{#" : t->sigil == '^' ? "{{^" :
			    t->sigil == '/' ? "{{/" : t->sigil == '>' ? "{{>" : "{{";

	if (!n && t->sigil == '>')
		return fail_at(p, t->start,
			       "empty partial name in '{{>}}'; write the name of a file in the partials folder without .md, e.g. {{> further-information}}");
	if (!n)
		return fail_at(p, t->start,
			       "empty name in '%s}}'; put a name between the braces, e.g. %sarea.name}}",
			       shown, shown);
	for (size_t i = 0; i < n; i++) {
		if (is_space(s[i]))
			return fail_at(p, t->start,
				       "name '%.*s' has a space in it; names are written like area.police_force",
				       (int)n, s);
		if (s[i] == '{' || s[i] == '}')
			return fail_at(p, t->start,
				       "name '%.*s' has a brace in it; write tags as {{name}}",
				       (int)n, s);
	}
	if (t->sigil == '>') {
		int dots = s[0] == '.';
		for (size_t i = 1; i < n; i++)
			dots |= s[i] == '.' && s[i - 1] == '.';
		if (dots)
			return fail_at(p, t->start,
				       "partial name '%.*s' starts with a dot or holds '..': a partial is a file directly in the partials folder, named without .md, e.g. {{> further-information}}",
				       (int)n, s);
		for (size_t i = 0; i < n; i++) {
			char c = s[i];
			int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				 (c >= '0' && c <= '9') || c == '-' || c == '_' ||
				 (c == '.' && i > 0);
			if (!ok)
				return fail_at(p, t->start,
					       "partial name '%.*s' may only use letters, digits, '-', '_' and '.'; partials sit directly in the partials folder",
					       (int)n, s);
		}
		return 0;
	}
	if (n == 1 && s[0] == '.')
		return 0;
	int empty_part = s[0] == '.' || s[n - 1] == '.';
	for (size_t i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			empty_part = 1;
	if (empty_part)
		return fail_at(p, t->start,
			       "name '%.*s' has an empty part between dots; write names like area.name, or {{.}} for the current item",
			       (int)n, s);
	return 0;
}

/* Pass 1: every tag, its kind and name, checked. */
static int scan_tags(struct parser *p)
{
	const char *s = p->src;
	size_t pos = 0;

	for (;;) {
		size_t at = find_open(p, pos);
		if (at >= p->len)
			return 0;
		struct tag t = { 0 };
		t.start = at;
		size_t q = at + 2;
		if (q < p->len && s[q] == '{')
			return fail_at(p, at,
				       "'{{{' is not offered: values are always printed as typed; use {{name}}");
		while (q < p->len && is_blank(s[q]))
			q++;
		if (q < p->len && s[q] == '&')
			return fail_at(p, at,
				       "'{{&' is not offered: values are always printed as typed; use {{name}}");
		if (q < p->len && s[q] == '=')
			return fail_at(p, at,
				       "'{{=' (changing the delimiters) is not offered; write tags with {{ and }}");
		if (q < p->len && s[q] != '\0' && strchr("#^/!>", s[q]))
			t.sigil = s[q++];

		size_t close = p->len;
		if (t.sigil == '!') {
			/* comments may span lines and hold anything but "}}" */
			for (size_t i = q; i + 1 < p->len; i++)
				if (s[i] == '}' && s[i + 1] == '}') {
					close = i;
					break;
				}
			if (close == p->len)
				return fail_at(p, at,
					       "comment '{{!' is never closed; add '}}' where it ends");
		} else {
			/* a name tag ends on its line; stopping at a newline or
			 * the next "{{" points at the tag that lacks its "}}" */
			for (size_t i = q; i < p->len; i++) {
				if (s[i] == '\n' ||
				    (s[i] == '{' && i + 1 < p->len && s[i + 1] == '{'))
					break;
				if (s[i] == '}' && i + 1 < p->len && s[i + 1] == '}') {
					close = i;
					break;
				}
			}
			if (close == p->len)
				return fail_at(p, at,
					       "tag '{{' is never closed; add '}}' after the name");
			size_t a = q, b = close;
			while (a < b && is_blank(s[a]))
				a++;
			while (b > a && is_blank(s[b - 1]))
				b--;
			t.name = a;
			t.name_len = b - a;
		}
		t.end = close + 2;
		t.ws_start = t.start;
		t.after = t.end;
		if (t.sigil != '!' && check_name(p, &t) < 0)
			return -1;
		LM_ALLOC_GROW(p->tags, p->ntags + 1, p->tags_alloc);
		p->tags[p->ntags++] = t;
		pos = t.end;
	}
}

static int only_blanks(const char *s, size_t a, size_t b)
{
	for (size_t i = a; i < b; i++)
		if (!is_blank(s[i]))
			return 0;
	return 1;
}

/*
 * Marks standalone lines.  Tags separated only by blanks form a group; a
 * group with no {{name}} in it, alone on its line(s), takes the line with
 * it: the blanks before, the blanks and the line end after.
 */
static void mark_standalone(struct parser *p)
{
	const char *s = p->src;
	size_t i = 0;

	while (i < p->ntags) {
		size_t k = i;
		while (k + 1 < p->ntags &&
		       only_blanks(s, p->tags[k].end, p->tags[k + 1].start))
			k++;
		int ok = 1;
		for (size_t j = i; j <= k; j++)
			if (!p->tags[j].sigil)
				ok = 0;
		size_t ls = p->tags[i].start;
		while (ls > 0 && is_blank(s[ls - 1]))
			ls--;
		if (ls > 0 && s[ls - 1] != '\n')
			ok = 0;
		size_t le = p->tags[k].end;
		while (le < p->len && is_blank(s[le]))
			le++;
		if (le + 1 < p->len && s[le] == '\r' && s[le + 1] == '\n')
			le += 2;
		else if (le < p->len && s[le] == '\n')
			le++;
		else if (le < p->len)
			ok = 0;
		if (ok) {
			for (size_t j = i; j <= k; j++) {
				struct tag *t = &p->tags[j];
				t->standalone = 1;
				t->ws_start = j == i ? ls : p->tags[j - 1].end;
				t->after = j == k ? le : t->end;
				t->ind = ls;
				t->ind_len = p->tags[i].start - ls;
			}
		}
		i = k + 1;
	}
}

static struct node *add_kid(struct node *parent, enum node_kind kind)
{
	LM_ALLOC_GROW(parent->kids, parent->nkids + 1, parent->alloc);
	struct node *n = &parent->kids[parent->nkids++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	lm_buf_init(&n->text);
	return n;
}

/* Feeds s[0 .. len) to a line's state: only its last line counts, so
 * read back to the last newline, then forward to the first non-blank. */
static void line_feed(struct line_sum *ls, const char *s, size_t len)
{
	size_t i = len;
	while (i > 0 && s[i - 1] != '\n')
		i--;
	if (i > 0)
		ls->newline = 1, ls->nonblank = 0;
	for (; i < len && !ls->nonblank; i++)
		if (!is_blank(s[i]))
			ls->nonblank = 1, ls->first = s[i];
}

static void add_text(struct node *parent, const char *s, size_t len)
{
	if (!len)
		return;
	struct node *last = parent->nkids ? &parent->kids[parent->nkids - 1] : NULL;
	if (!last || last->kind != NODE_TEXT)
		last = add_kid(parent, NODE_TEXT);
	lm_buf_add(&last->text, s, len);
	line_feed(&last->sum, s, len);
}

/* Copies source text [a, b), indenting each non-empty line of a partial. */
static void emit_text(const struct parser *p, struct node *parent, size_t a, size_t b)
{
	if (!p->indent_len) {
		add_text(parent, p->src + a, b - a);
		return;
	}
	size_t from = a;
	for (size_t i = a; i < b; i++) {
		if (i > 0 && p->src[i - 1] != '\n')
			continue;
		if (p->src[i] == '\n' ||
		    (p->src[i] == '\r' && i + 1 < p->len && p->src[i + 1] == '\n'))
			continue; /* no trailing blanks on empty lines */
		add_text(parent, p->src + from, i - from);
		add_text(parent, p->indent, p->indent_len);
		from = i;
	}
	add_text(parent, p->src + from, b - from);
}

/* Copies the name and splits it at dots for look-up. */
static void set_name(struct node *n, const char *s, size_t len)
{
	n->name = lm_xstrndup(s, len);
	if (len == 1 && s[0] == '.')
		return;
	size_t nsegs = 1;
	for (size_t i = 0; i < len; i++)
		nsegs += s[i] == '.';
	/* one block: the pointers, the lengths, the hashes, then a copy
	 * whose dots become NULs */
	char **segs = lm_xmalloc(nsegs * (sizeof(char *) + sizeof(size_t) + sizeof(unsigned)) + len + 1);
	size_t *seglen = (size_t *)(segs + nsegs);
	unsigned *seghash = (unsigned *)(seglen + nsegs);
	char *copy = (char *)(seghash + nsegs);
	memcpy(copy, s, len);
	copy[len] = '\0';
	size_t k = 0;
	segs[k++] = copy;
	for (size_t i = 0; i < len; i++)
		if (copy[i] == '.') {
			copy[i] = '\0';
			segs[k++] = copy + i + 1;
		}
	for (k = 0; k < nsegs; k++) {
		seglen[k] = strlen(segs[k]);
		seghash[k] = lm_name_hash(segs[k], seglen[k]);
	}
	n->segs = segs;
	n->seglen = seglen;
	n->seghash = seghash;
	n->nsegs = nsegs;
}

static int parse_src(struct lm_template **out, const char *path, const char *src,
		     size_t len, int first_line, int first_col, const char *indent,
		     size_t indent_len, const char *partials_dir,
		     const struct chain *chain, int depth, struct pcache *cache, struct lm_diag *d);

int lm_template_part(const char *name, size_t len)
{
	static const char *const parts[] = { "salutation", "subject", "signatures" };
	for (int i = 0; i < 3; i++)
		if (strlen(parts[i]) == len && !memcmp(parts[i], name, len))
			return i;
	return -1;
}

static int load_partial(struct parser *p, const struct tag *t, int depth,
			struct lm_template **out)
{
	const char *name = p->src + t->name;
	int nlen = (int)t->name_len;

	if (!p->partials_dir)
		return fail_at(p, t->start,
			       "partial '%.*s' cannot be used here; partials work only in a letter's body",
			       nlen, name);

	char *key = lm_xstrndup(name, t->name_len);
	for (const struct chain *c = p->chain; c; c = c->up) {
		if (strcmp(c->name, key))
			continue;
		/* the chain is innermost first; print it outermost first */
		struct lm_buf cycle = LM_BUF_INIT;
		const struct chain *stack[LM_TEMPLATE_MAX_DEPTH + 2];
		size_t n = 0;
		for (const struct chain *e = p->chain; e && n < LM_TEMPLATE_MAX_DEPTH + 1; e = e->up) {
			stack[n++] = e;
			if (e == c)
				break;
		}
		while (n > 0)
			lm_buf_addf(&cycle, "%s \xE2\x86\x92 ", stack[--n]->name);
		lm_buf_adds(&cycle, key);
		fail_at(p, t->start,
			"partial '%s' includes itself (%s); remove the {{> %s}} that closes the loop",
			key, cycle.ptr, key);
		lm_buf_release(&cycle);
		free(key);
		return -1;
	}

	struct lm_buf path = LM_BUF_INIT;
	size_t dl = strlen(p->partials_dir);
	lm_buf_adds(&path, p->partials_dir);
	if (dl && p->partials_dir[dl - 1] != '/')
		lm_buf_addc(&path, '/');
	lm_buf_addf(&path, "%s.md", key);

	/* the partial's lines get the outer indentation plus this tag's */
	struct lm_buf indent = LM_BUF_INIT;
	lm_buf_add(&indent, p->indent, p->indent_len);
	if (t->standalone)
		lm_buf_add(&indent, p->src + t->ind, t->ind_len);

	/* parsed already (with this indentation)? */
	struct lm_buf ckey = LM_BUF_INIT;
	lm_buf_add(&ckey, path.ptr, path.len + 1);
	lm_buf_add(&ckey, indent.ptr, indent.len);
	int r = -1;
	for (size_t i = 0; i < p->cache->n; i++) {
		const struct pcache_entry *e = &p->cache->v[i];
		if (e->key_len == ckey.len && !memcmp(e->key, ckey.ptr, ckey.len)) {
			*out = e->t;
			r = 0;
			goto weigh;
		}
	}

	size_t len;
	struct lm_buf file = LM_BUF_INIT;
	/* errno tells "not there" from "unreadable"; the diag is ours to word */
	struct lm_diag rd;
	int err = lm_read_file_as(path.ptr, LM_CAP_TEXT, "partial", &file, &rd) ? errno : 0;
	char *text = err ? NULL : lm_buf_detach(&file, &len);
	lm_buf_release(&file);
	if (!text) {
		if (err == ENOENT)
			fail_at(p, t->start,
				"partial '%s' not found: no file %s; check the name or create the file",
				key, path.ptr);
		else
			fail_at(p, t->start, "cannot use partial '%s': %s", key, rd.msg);
		p->d->kind = rd.kind;
		goto out;
	}
	lm_text_unix_lines(text, len);
	/* a partial's own faults are at its own lines, not at the tag */
	size_t bad = lm_utf8_check(text, len);
	const char *nul = memchr(text, '\0', len);
	if (bad < len || nul) {
		size_t at = bad < len ? bad : (size_t)(nul - text);
		int line = 1, col = 1;
		for (size_t i = 0; i < at; i++) {
			if (text[i] == '\n')
				line++, col = 1;
			else if (((unsigned char)text[i] & 0xC0) != 0x80)
				col++;
		}
		if (bad < len)
			lm_diag_set(p->d, path.ptr, line, col,
				    "the partial is not UTF-8 (byte 0x%02X here); save it as UTF-8 text",
				    (unsigned char)text[at]);
		else
			lm_diag_set(p->d, path.ptr, line, col,
				    "the partial holds a NUL byte; is it really a text file?");
		free(text);
		goto out;
	}
	const char *body = text;
	if (len >= 3 && !memcmp(body, "\xEF\xBB\xBF", 3)) {
		body += 3;
		len -= 3;
	}
	struct chain link = { key, p->chain };
	r = parse_src(out, path.ptr, body, len, 1, 1, indent.ptr, indent.len,
		      p->partials_dir, &link, depth, p->cache, p->d);
	free(text);
	if (r)
		goto out;
	LM_ALLOC_GROW(p->cache->v, p->cache->n + 1, p->cache->alloc);
	size_t key_len = ckey.len;
	p->cache->v[p->cache->n++] = (struct pcache_entry){ lm_buf_detach(&ckey, NULL), key_len, *out };
weigh:
	/* what is built so far (the source up to here and the partials in
	 * it), plus this partial, as often as it is included */
	p->weight += (*out)->weight;
	if (p->weight + t->start > LM_TEMPLATE_MAX_WEIGHT) {
		*out = NULL;
		r = fail_at(p, t->start,
			    "partial '%s' makes the letter longer than %u MB before a single value is filled in "
			    "(partials that include others more than once double it at each level); include each partial once",
			    key, LM_TEMPLATE_MAX_WEIGHT >> 20);
	}
out:
	lm_buf_release(&ckey);
	lm_buf_release(&indent);
	lm_buf_release(&path);
	free(key);
	return r;
}

/* Pass 2: the tree.  `open` holds the sections not yet closed. */
static int build(struct parser *p, struct node *root)
{
	struct node *open[LM_TEMPLATE_MAX_DEPTH + 1];
	size_t open_at[LM_TEMPLATE_MAX_DEPTH + 1]; /* tag index of each */
	size_t nopen = 0;
	struct node *cur = root;
	size_t text = 0;

	for (size_t i = 0; i < p->ntags; i++) {
		const struct tag *t = &p->tags[i];
		const char *name = p->src + t->name;
		int nlen = (int)t->name_len;
		int line, col;

		emit_text(p, cur, text, t->ws_start);
		text = t->after;
		if (p->indent_len && !t->standalone &&
		    (t->start == 0 || p->src[t->start - 1] == '\n'))
			add_text(cur, p->indent, p->indent_len);
		where(p, t->start, &line, &col);

		switch (t->sigil) {
		case '!':
			break;
		case 0: {
			struct node *n = add_kid(cur, NODE_VAR);
			set_name(n, name, t->name_len);
			n->line = line;
			n->col = col;
			break;
		}
		case '#':
		case '^':
		case '>': {
			if (p->depth + (int)nopen + 1 > LM_TEMPLATE_MAX_DEPTH)
				return fail_at(p, t->start,
					       "'{{%c%.*s}}' nests more than %d sections and partials deep; simplify the template",
					       t->sigil, nlen, name, LM_TEMPLATE_MAX_DEPTH);
			struct node *n = add_kid(cur, t->sigil == '#' ? NODE_SECTION :
						 t->sigil == '^' ? NODE_INVERTED : NODE_PARTIAL);
			set_name(n, name, t->name_len);
			n->line = line;
			n->col = col;
			if (t->sigil == '>') {
				if (lm_template_part(name, t->name_len) >= 0) {
					/* a part of the letter the frame lays out where
					 * this line stands: no file is read */
					/* a body (and its partials) has a cache of
					 * partials; a front matter string has not */
					if (!p->cache)
						return fail_at(p, t->start,
							       "'{{> %.*s}}' places a part of the letter; it works only in the letter's body",
							       nlen, name);
					if (!t->standalone)
						return fail_at(p, t->start,
							       "'{{> %.*s}}' places a part of the letter, so it goes on a line of its own; put it on its own line between paragraphs",
							       nlen, name);
					break;
				}
				if (load_partial(p, t, p->depth + (int)nopen + 1,
						 &n->partial) < 0)
					return -1;
				break;
			}
			open[nopen] = cur;
			open_at[nopen++] = i;
			cur = n;
			break;
		}
		case '/':
			if (!nopen)
				return fail_at(p, t->start,
					       "'{{/%.*s}}' closes a section that was never opened; remove it or add {{#%.*s}} before it",
					       nlen, name, nlen, name);
			if (strlen(cur->name) != t->name_len ||
			    memcmp(cur->name, name, t->name_len)) {
				int ol, oc;
				where(p, p->tags[open_at[nopen - 1]].start, &ol, &oc);
				return fail_at(p, t->start,
					       "'{{/%.*s}}' does not match section '%s' opened at line %d; close that first with {{/%s}}",
					       nlen, name, cur->name, ol, cur->name);
			}
			cur = open[--nopen];
			break;
		}
	}
	emit_text(p, cur, text, p->len);
	if (nopen) {
		const struct tag *t = &p->tags[open_at[nopen - 1]];
		return fail_at(p, t->start, "section '%s' is never closed; add {{/%s}}",
			       cur->name, cur->name);
	}
	return 0;
}

static int parse_src(struct lm_template **out, const char *path, const char *src,
		     size_t len, int first_line, int first_col, const char *indent,
		     size_t indent_len, const char *partials_dir,
		     const struct chain *chain, int depth, struct pcache *cache, struct lm_diag *d)
{
	struct parser p = { 0 };
	struct colmemo memo = { 0 };
	p.memo = &memo;
	p.cache = cache;
	p.path = path;
	p.src = src;
	p.len = len;
	p.first_line = first_line > 0 ? first_line : 1;
	p.first_col = first_col > 0 ? first_col : 1;
	p.indent = indent ? indent : "";
	p.indent_len = indent_len;
	p.partials_dir = partials_dir;
	p.chain = chain;
	p.depth = depth;
	p.d = d;

	LM_ALLOC_GROW(p.lines, 1, p.lines_alloc);
	p.lines[p.nlines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (src[i] == '\n') {
			LM_ALLOC_GROW(p.lines, p.nlines + 1, p.lines_alloc);
			p.lines[p.nlines++] = i + 1;
		}

	struct lm_template *t = lm_xcalloc(1, sizeof(*t));
	t->path = lm_xstrdup(path ? path : "");
	lm_buf_init(&t->root.text);
	/* diagnostics from here on name the template's own copy of the path */
	p.path = t->path;

	int r = scan_tags(&p);
	if (!r) {
		mark_standalone(&p);
		r = build(&p, &t->root);
	}
	free(p.lines);
	free(p.tags);
	if (r < 0) {
		lm_template_free(t);
		return -1;
	}
	t->weight = len + p.weight;
	*out = t;
	return 0;
}

int lm_template_parse(struct lm_template **out, const char *path,
		      const char *src, size_t len, int first_line,
		      const char *partials_dir, struct lm_diag *d)
{
	*out = NULL;
	struct pcache *cache = lm_xcalloc(1, sizeof(*cache));
	if (parse_src(out, path, src, len, first_line, 1, NULL, 0, partials_dir, NULL, 0, cache, d)) {
		/* frees the partials parsed before the error */
		for (size_t i = 0; i < cache->n; i++) {
			free(cache->v[i].key);
			lm_template_free(cache->v[i].t);
		}
		free(cache->v);
		free(cache);
		return -1;
	}
	(*out)->cache = cache;
	return 0;
}

/* ---- expansion ---- */

/* Sections nested over lists multiply (20 levels over a 3-item list are
 * 3^20 steps): past these limits expansion stops with an error instead of
 * running for hours or filling memory. */
#define LM_TEMPLATE_MAX_STEPS 1000000
#define LM_TEMPLATE_MAX_OUTPUT (16u << 20)

struct line_state {
	size_t scanned;   /* out->ptr[0 .. scanned) is accounted for */
	int nonblank;     /* a non-blank since the last newline */
	char first;       /* the first non-blank of the line */
};

struct expander {
	enum lm_escape esc;
	struct lm_buf *out;
	struct lm_diag *d;
	size_t steps;
	lm_report_fn report;    /* when set, a missing value is reported and skipped */
	void *report_ctx;
	int reported;
	const struct lm_value **stack; /* context frames, innermost last */
	size_t n, alloc;
	/* the frames while they fit: most expansions are a line of front
	 * matter, expanded for every letter, and need no allocation */
	const struct lm_value *frames[16];
	struct line_state line;  /* of x->out, for Markdown escaping */
};

/* The line state after text summed up as `sum` (line_feed) is written. */
static void line_apply(struct line_state *ls, const struct line_sum *sum)
{
	if (sum->newline || (!ls->nonblank && sum->nonblank)) {
		ls->nonblank = sum->nonblank;
		if (sum->nonblank)
			ls->first = sum->first;
	}
}

/* What Markdown escaping needs to know of the current output line: has
 * anything but blanks been written on it, and is it a table row (its first
 * non-blank is '|')?  Kept up to date by reading only what was added since
 * the last value (and of that only its last line, line_feed), so a line of
 * 160,000 values costs linear time, not a rescan of the line for each;
 * template text adds its own summary (expand_nodes). */
static void line_update(struct line_state *ls, const struct lm_buf *out)
{
	if (ls->scanned > out->len) /* the output was cut back: start again */
		*ls = (struct line_state){ 0 };
	if (ls->scanned < out->len) {
		struct line_sum sum = { 0, 0, 0 };
		line_feed(&sum, out->ptr + ls->scanned, out->len - ls->scanned);
		line_apply(ls, &sum);
	}
	ls->scanned = out->len;
}

/* The line state of `out` read from its last line only (a one-off call). */
static void line_state_of(struct line_state *ls, const struct lm_buf *out)
{
	size_t i = out->len;
	while (i > 0 && out->ptr[i - 1] != '\n')
		i--;
	*ls = (struct line_state){ i, 0, 0 };
	line_update(ls, out);
}

/* Names Windows cannot open, whatever the extension. */
static int windows_reserved(const char *s, size_t len)
{
	static const char *const names[] = { "CON", "PRN", "AUX", "NUL" };
	size_t stem = 0;
	while (stem < len && s[stem] != '.')
		stem++;
	for (size_t i = 0; i < 4; i++)
		if (stem == 3 && !strncasecmp(s, names[i], 3))
			return 1;
	if (stem == 4 && (!strncasecmp(s, "COM", 3) || !strncasecmp(s, "LPT", 3)) && s[3] >= '0' &&
	    s[3] <= '9')
		return 1;
	return 0;
}

void lm_filename_escape(struct lm_buf *out, const char *s, size_t len)
{
	size_t start = out->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		/* separators, characters Windows forbids, and controls */
		if (c < 0x20 || c == 0x7F || strchr("/\\:*?\"<>|", c))
			c = '_';
		/* no "..", and no hidden file from a leading dot */
		if (c == '.' && (out->len == start || out->ptr[out->len - 1] == '.'))
			c = '_';
		lm_buf_addc(out, (char)c);
	}
	/* Windows drops trailing dots and spaces: a name must not end so */
	while (out->len > start && (out->ptr[out->len - 1] == '.' || out->ptr[out->len - 1] == ' '))
		out->ptr[--out->len] = '\0';
	/* keep a component well inside every file system's 255-byte limit,
	 * cutting on a character boundary */
	if (out->len - start > 120) {
		size_t cut = start + 120;
		while (cut > start && ((unsigned char)out->ptr[cut] & 0xC0) == 0x80)
			cut--;
		out->len = cut;
		out->ptr[cut] = '\0';
	}
	if (out->len == start)
		lm_buf_addc(out, '_');
	else if (windows_reserved(out->ptr + start, out->len - start))
		lm_buf_addc(out, '_');
}

static void escape_md(struct lm_buf *out, const char *s, size_t len, struct line_state *ls);

void lm_template_escape(struct lm_buf *out, const char *s, size_t len,
			enum lm_escape esc)
{
	if (esc == LM_ESCAPE_MARKDOWN) {
		struct line_state ls;
		line_state_of(&ls, out);
		escape_md(out, s, len, &ls);
		return;
	}
	if (esc == LM_ESCAPE_NONE) {
		lm_buf_add(out, s, len);
		return;
	}
	if (esc == LM_ESCAPE_FILENAME) {
		lm_filename_escape(out, s, len);
		return;
	}
}

/* What escape_md does with each byte: 0 copies it, 1 escapes it (ASCII
 * punctuation: 33-47, 58-64, 91-96, 123-126), 2 looks closer (line ends,
 * the part mark, blanks). */
static const unsigned char md_class[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0,
	2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1,
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1,
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

static void escape_md(struct lm_buf *out, const char *s, size_t len, struct line_state *ls)
{
	/* a hard break at the end of a paragraph would print a backslash */
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	line_update(ls, out);
	int bol = !ls->nonblank;
	/* in a table row a line break would end the row: lines become ", " */
	int table = ls->nonblank && ls->first == '|';
	/* the line state is kept as the value is written (see below) */
	int newline = 0;
	char first = 0;
	/* at most two bytes out for each in: written in place */
	lm_buf_grow(out, 2 * len + 8);
	char *o = out->ptr + out->len;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (md_class[c]) {
		case 0:
			if (bol)
				bol = 0, first = (char)c;
			*o++ = (char)c;
			continue;
		case 1:
			if (bol)
				bol = 0, first = '\\';
			*o++ = '\\', *o++ = (char)c;
			continue;
		}
		/* a value can never place a part of the letter */
		if (c == '\r' || c == LM_TEMPLATE_PART_MARK)
			continue;
		if (c == '\n') {
			if (table) {
				*o++ = ',', *o++ = ' ';
				continue;
			}
			*o++ = '\\', *o++ = '\n';
			bol = 1;
			newline = 1;
			continue;
		}
		/* CommonMark drops a line's leading blanks unless there are
		 * four, which would make a code block: drop them always */
		if (!bol)
			*o++ = (char)c;
	}
	out->len = (size_t)(o - out->ptr);
	out->ptr[out->len] = '\0';
	/* what line_update would read from it: `bol` still set means nothing
	 * but blanks since the last newline, and `first` is the first byte
	 * after it that is not (a backslash, for escaped punctuation) */
	if (newline || (!ls->nonblank && !bol)) {
		ls->nonblank = !bol;
		if (!bol)
			ls->first = first;
	}
	ls->scanned = out->len;
}

static const struct lm_value *top(const struct expander *x)
{
	return x->n ? x->stack[x->n - 1] : NULL;
}

static void push(struct expander *x, const struct lm_value *v)
{
	if (!x->stack) {
		x->stack = x->frames;
		x->alloc = sizeof(x->frames) / sizeof(*x->frames);
	}
	if (x->n == x->alloc) {
		const struct lm_value **more = lm_xmalloc(2 * x->alloc * sizeof(*more));
		memcpy(more, x->stack, x->n * sizeof(*more));
		if (x->stack != x->frames)
			free(x->stack);
		x->stack = more;
		x->alloc *= 2;
	}
	x->stack[x->n++] = v;
}

/*
 * Looks `n` up: the first part through the frames, innermost first, the
 * rest from there.  On failure, *fail is the index of the part not found and
 * *fail_in the value it was looked for in (NULL: the frames).
 */
static const struct lm_value *resolve(const struct expander *x, const struct node *n,
				      size_t *fail, const struct lm_value **fail_in)
{
	*fail = 0;
	*fail_in = NULL;
	if (!n->nsegs)
		return top(x);
	const struct lm_value *v = NULL;
	for (size_t i = x->n; i > 0 && !v; i--)
		v = lm_value_get_hashed(x->stack[i - 1], n->segs[0], n->seglen[0], n->seghash[0]);
	if (!v)
		return NULL;
	for (size_t s = 1; s < n->nsegs; s++) {
		const struct lm_value *next = lm_value_get_hashed(v, n->segs[s], n->seglen[s], n->seghash[s]);
		if (!next) {
			*fail = s;
			*fail_in = v;
			return NULL;
		}
		v = next;
	}
	return v;
}

/* Keeps `cand` in *best if it is a closer name for `want` than so far. */
static void consider(const char *want, const char *cand, const char **best,
		     size_t *best_d)
{
	struct lm_suggest sg = { want, *best, *best_d };
	lm_suggest_add(&sg, cand);
	*best = sg.best;
	*best_d = sg.dist;
}

/* The names `v` offers: a map's keys, a list's item ids. */
static void consider_names(const struct lm_value *v, const char *want,
			   const char **best, size_t *best_d)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->kind == LM_VALUE_MAP) {
			consider(want, v->keys[i], best, best_d);
		} else if (v->kind == LM_VALUE_LIST) {
			const char *id = lm_value_str(v->items[i], "id", NULL);
			if (id && v->items[i]->kind == LM_VALUE_MAP)
				consider(want, id, best, best_d);
		}
	}
}

static int no_value(const struct expander *x, const struct node *n, const char *file)
{
	size_t fail;
	const struct lm_value *in;
	resolve(x, n, &fail, &in);

	if (!n->nsegs)
		return lm_diag_set(x->d, file, n->line, n->col,
				   "no value for '.'; use {{.}} only inside a section");
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	if (in) {
		consider_names(in, n->segs[fail], &best, &best_d);
	} else {
		for (size_t i = x->n; i > 0; i--)
			consider_names(x->stack[i - 1], n->segs[0], &best, &best_d);
	}
	if (best) {
		struct lm_buf s = LM_BUF_INIT;
		for (size_t i = 0; i < n->nsegs; i++) {
			if (i)
				lm_buf_addc(&s, '.');
			lm_buf_adds(&s, i == fail ? best : n->segs[i]);
		}
		lm_diag_set(x->d, file, n->line, n->col,
			    "no value for '%s'; did you mean '%s'?", n->name, s.ptr);
		lm_buf_release(&s);
		return -1;
	}
	if (in && in->kind == LM_VALUE_LIST && fail > 0) {
		/* a row the data lacks: name the file the rows come from */
		int plen = 0;
		for (size_t i = 0; i < fail; i++)
			plen += (int)strlen(n->segs[i]) + (i > 0);
		const char *from = in->n && in->items[0]->file ? in->items[0]->file : NULL;
		if (!from)
			for (size_t i = 0; !from && in->n && i < in->items[0]->n; i++)
				from = in->items[0]->items[i]->file;
		return lm_diag_set(x->d, file, n->line, n->col,
				   "'%.*s' has no row with id '%s'%s%s; add the row, or put the text in {{#%.*s.%s}}…{{/%.*s.%s}} to leave it out where there is none",
				   plen, n->name, n->segs[fail], from ? " in " : "", from ? from : "",
				   plen, n->name, n->segs[fail], plen, n->name, n->segs[fail]);
	}
	if (in && in->kind == LM_VALUE_STRING) {
		/* the part before the failing one, as written */
		int plen = 0;
		for (size_t i = 0; i < fail; i++)
			plen += (int)strlen(n->segs[i]) + (i > 0);
		return lm_diag_set(x->d, file, n->line, n->col,
				   "no value for '%s': '%.*s' is text and has no names inside it",
				   n->name, plen, n->name);
	}
	return lm_diag_set(x->d, file, n->line, n->col,
			   "no value for '%s'; add it to the data, or put the text in {{#%s}}…{{/%s}} to leave it out when there is none",
			   n->name, n->name, n->name);
}

static int expand_nodes(struct expander *x, const struct node *parent, const char *file);

static int expand_var(struct expander *x, const struct node *n, const char *file)
{
	size_t fail;
	const struct lm_value *in;
	const struct lm_value *v = resolve(x, n, &fail, &in);
	if (!v) {
		no_value(x, n, file);
		if (!x->report)
			return -1;
		/* checking: note it and go on, to find every one in one run */
		x->report(x->report_ctx, x->d);
		x->reported++;
		return 0;
	}
	switch (v->kind) {
	case LM_VALUE_STRING:
		if (x->esc == LM_ESCAPE_MARKDOWN)
			escape_md(x->out, v->str, v->len, &x->line);
		else
			lm_template_escape(x->out, v->str, v->len, x->esc);
		return 0;
	case LM_VALUE_LIST:
		return lm_diag_set(x->d, file, n->line, n->col,
				   "'%s' is a list; use {{#%s}}…{{/%s}} to print each item",
				   n->name, n->name, n->name);
	case LM_VALUE_MAP:
		break;
	}
	const char *key = v->n ? v->keys[0] : "name";
	if (!n->nsegs)
		return lm_diag_set(x->d, file, n->line, n->col,
				   "'.' is a map, not text; print one of its names, e.g. {{%s}}",
				   key);
	return lm_diag_set(x->d, file, n->line, n->col,
			   "'%s' is a map, not text; print one of its names, e.g. {{%s.%s}}",
			   n->name, n->name, key);
}

static int expand_section(struct expander *x, const struct node *n, const char *file)
{
	size_t fail;
	const struct lm_value *in;
	/* a section on a missing name is just false: that is how a letter
	 * leaves out what an area does not have */
	const struct lm_value *v = resolve(x, n, &fail, &in);
	int truthy = lm_value_truthy(v);

	if (n->kind == NODE_INVERTED)
		return truthy ? 0 : expand_nodes(x, n, file);
	if (!truthy)
		return 0;
	if (v->kind == LM_VALUE_LIST) {
		for (size_t i = 0; i < v->n; i++) {
			push(x, v->items[i]);
			int r = expand_nodes(x, n, file);
			x->n--;
			if (r < 0)
				return -1;
		}
		return 0;
	}
	push(x, v);
	int r = expand_nodes(x, n, file);
	x->n--;
	return r;
}

static int expand_nodes(struct expander *x, const struct node *parent, const char *file)
{
	for (size_t i = 0; i < parent->nkids; i++) {
		const struct node *n = &parent->kids[i];
		int r = 0;
		if (++x->steps > LM_TEMPLATE_MAX_STEPS || x->out->len > LM_TEMPLATE_MAX_OUTPUT) {
			const struct node *at = parent->line ? parent : n;
			if (x->steps > LM_TEMPLATE_MAX_STEPS)
				return lm_diag_set(x->d, file, at->line, at->col,
						   "the template expands to too much (over a million steps); sections nested inside sections over lists multiply: check this one");
			/* few steps, much text: a long value or part repeated */
			return lm_diag_set(x->d, file, at->line, at->col,
					   "the template expands to over 16 MB of text; a section repeats a long value or part for every item of a list: check this one");
		}
		switch (n->kind) {
		case NODE_TEXT:
			/* template text is the author's Markdown: copied as is */
			if (x->line.scanned == x->out->len) {
				/* the line state follows from the text's summary:
				 * line_update need not read it again */
				line_apply(&x->line, &n->sum);
				lm_buf_add(x->out, n->text.ptr, n->text.len);
				x->line.scanned = x->out->len;
			} else {
				lm_buf_add(x->out, n->text.ptr, n->text.len);
			}
			break;
		case NODE_VAR:
			r = expand_var(x, n, file);
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			r = expand_section(x, n, file);
			break;
		case NODE_PARTIAL:
			if (!n->partial) { /* a part of the letter: its mark, alone on a line */
				lm_buf_addc(x->out, LM_TEMPLATE_PART_MARK);
				lm_buf_adds(x->out, n->name);
				lm_buf_addc(x->out, LM_TEMPLATE_PART_MARK);
				lm_buf_addc(x->out, '\n');
				break;
			}
			r = expand_nodes(x, &n->partial->root, n->partial->path);
			break;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

int lm_template_expand(const struct lm_template *t, const struct lm_value *ctx,
		       enum lm_escape esc, struct lm_buf *out,
		       struct lm_diag *d)
{
	struct expander x = { 0 };
	x.esc = esc;
	x.out = out;
	x.d = d;
	push(&x, ctx);
	int r = expand_nodes(&x, &t->root, t->path);
	if (x.stack != x.frames)
		free(x.stack);
	return r;
}

/* Every value `parent`'s nodes name, each section's body walked for each
 * item of its list (and once when there is none), inverted ones too. */
static void walk_nodes(struct expander *x, const struct node *parent, lm_value_fn fn, void *ctx)
{
	for (size_t i = 0; i < parent->nkids && ++x->steps <= LM_TEMPLATE_MAX_STEPS; i++) {
		const struct node *n = &parent->kids[i];
		size_t fail;
		const struct lm_value *in, *v;
		switch (n->kind) {
		case NODE_VAR:
			if ((v = resolve(x, n, &fail, &in)))
				fn(ctx, v);
			break;
		case NODE_SECTION:
		case NODE_INVERTED:
			v = resolve(x, n, &fail, &in);
			if (v)
				fn(ctx, v);
			if (v && n->kind == NODE_SECTION && v->kind == LM_VALUE_LIST && v->n) {
				for (size_t k = 0; k < v->n; k++) {
					push(x, v->items[k]);
					walk_nodes(x, n, fn, ctx);
					x->n--;
				}
			} else if (v && n->kind == NODE_SECTION) {
				push(x, v);
				walk_nodes(x, n, fn, ctx);
				x->n--;
			} else {
				walk_nodes(x, n, fn, ctx);
			}
			break;
		case NODE_PARTIAL:
			if (n->partial)
				walk_nodes(x, &n->partial->root, fn, ctx);
			break;
		default:
			break;
		}
	}
}

void lm_template_walk(const struct lm_template *t, const struct lm_value *ctx, lm_value_fn fn,
		      void *fn_ctx)
{
	struct expander x = { 0 };
	push(&x, ctx);
	walk_nodes(&x, &t->root, fn, fn_ctx);
	if (x.stack != x.frames)
		free(x.stack);
}

int lm_template_expand_report(const struct lm_template *t, const struct lm_value *ctx,
			      enum lm_escape esc, struct lm_buf *out, lm_report_fn report,
			      void *report_ctx, struct lm_diag *d)
{
	struct expander x = { 0 };
	x.esc = esc;
	x.out = out;
	x.d = d;
	x.report = report;
	x.report_ctx = report_ctx;
	push(&x, ctx);
	int r = expand_nodes(&x, &t->root, t->path);
	if (x.stack != x.frames)
		free(x.stack);
	return r ? -1 : x.reported ? 1 : 0;
}

int lm_template_render_string(const char *path, int line, int col,
			      const char *src, const struct lm_value *ctx,
			      enum lm_escape esc, struct lm_buf *out,
			      struct lm_diag *d)
{
	struct lm_template *t;
	if (lm_template_parse_string(&t, path, line, col, src, d))
		return -1;
	int r = lm_template_expand(t, ctx, esc, out, d);
	lm_template_free(t);
	return r;
}

int lm_template_parse_string(struct lm_template **out, const char *path, int line, int col,
			     const char *src, struct lm_diag *d)
{
	return parse_src(out, path, src, strlen(src), line, col, NULL, 0, NULL, NULL, 0, NULL, d) < 0 ? -1 : 0;
}
