#include "markdown.h"

#include "buf.h"
#include "font.h"
#include "utf8.h"

#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spanvec {
	struct lm_span *v;
	size_t n, alloc;
};

enum container { C_LIST, C_ITEM, C_QUOTE };

struct list_state {
	int ordered;
	unsigned next;
	int tight;
	int id;
};

struct parser {
	struct lm_doc *doc;
	/* the block being collected */
	int open;
	struct lm_block cur;
	struct spanvec spans;
	/* the run of text being collected */
	struct lm_buf text;
	unsigned style;
	const char *href;
	int bold, italic, code;
	int code_block; /* inside a fenced or indented code block */
	/* containers, innermost last */
	enum container cont[64];
	int ncont;
	int deep; /* containers past the 64 we track: treated as the deepest */
	struct list_state lists[64];
	int nlists;
	int next_list_id;
	int quote;
	const char *item_marker; /* marker for the current item's first block */
	/* tables */
	int in_table, in_cell, header_row;
	struct lm_table_cell *cells;
	size_t ncells, cells_alloc, ncols;
	int cell_align;
};

static const char *adopt(struct parser *p, const char *s, size_t n)
{
	return lm_arena_strndup(p->doc->arena, s, n);
}

static unsigned cur_style(struct parser *p)
{
	return (p->bold ? LM_SPAN_BOLD : 0) | (p->italic ? LM_SPAN_ITALIC : 0) |
	       (p->code ? LM_SPAN_CODE : 0);
}

static void flush_text(struct parser *p)
{
	if (!p->text.len)
		return;
	LM_ALLOC_GROW(p->spans.v, p->spans.n + 1, p->spans.alloc);
	struct lm_span *s = &p->spans.v[p->spans.n++];
	s->text = adopt(p, p->text.ptr, p->text.len);
	s->len = p->text.len;
	s->style = p->style;
	s->href = p->href;
	lm_buf_reset(&p->text);
}

/* Text joins the current run unless its style or link differs. */
static void add_text(struct parser *p, const char *s, size_t n)
{
	unsigned style = cur_style(p);
	if (p->text.len && style != p->style)
		flush_text(p);
	p->style = style;
	lm_buf_add(&p->text, s, n);
}

static struct lm_span *take_spans(struct parser *p, size_t *n)
{
	flush_text(p);
	*n = p->spans.n;
	if (!p->spans.n)
		return NULL;
	struct lm_span *v = lm_arena_alloc(p->doc->arena, p->spans.n * sizeof(*v));
	memcpy(v, p->spans.v, p->spans.n * sizeof(*v));
	p->spans.n = 0;
	return v;
}

static void push_block(struct parser *p, const struct lm_block *b)
{
	LM_ALLOC_GROW(p->doc->blocks, p->doc->n + 1, p->doc->alloc);
	p->doc->blocks[p->doc->n++] = *b;
}

static int in_item(struct parser *p)
{
	return p->ncont && p->cont[p->ncont - 1] == C_ITEM;
}

static void open_block(struct parser *p, enum lm_block_kind kind, int level)
{
	memset(&p->cur, 0, sizeof(p->cur));
	p->cur.kind = kind;
	p->cur.level = level;
	p->cur.quote = p->quote;
	if (kind == LM_BLOCK_PARAGRAPH && in_item(p)) {
		struct list_state *l = &p->lists[p->nlists - 1];
		p->cur.kind = LM_BLOCK_LIST_ITEM;
		p->cur.level = p->nlists;
		p->cur.marker = p->item_marker ? p->item_marker : "";
		p->cur.list_id = l->id;
		p->cur.tight = l->tight;
		p->item_marker = NULL;
	}
	p->open = 1;
}

static void close_block(struct parser *p)
{
	if (!p->open)
		return;
	p->cur.spans = take_spans(p, &p->cur.nspans);
	/* an empty paragraph (say, a line that expanded to nothing) prints nothing */
	if (p->cur.nspans || p->cur.kind == LM_BLOCK_LIST_ITEM)
		push_block(p, &p->cur);
	p->open = 0;
}

static void push_cont(struct parser *p, enum container c)
{
	if (p->ncont < 64)
		p->cont[p->ncont++] = c;
	else
		p->deep++;
}

static void pop_cont(struct parser *p)
{
	if (p->deep)
		p->deep--;
	else if (p->ncont)
		p->ncont--;
}

static const char *item_marker(struct parser *p)
{
	static const char *const bullets[] = { "\xE2\x80\xA2", "\xE2\x80\x93", "\xE2\x97\xA6" };
	struct list_state *l = &p->lists[p->nlists - 1];
	if (!l->ordered)
		return bullets[(p->nlists - 1) % 3];
	char num[16];
	int n = snprintf(num, sizeof(num), "%u.", l->next++);
	return adopt(p, num, (size_t)n);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct parser *p = userdata;
	switch (type) {
	case MD_BLOCK_QUOTE:
		close_block(p);
		p->quote++;
		push_cont(p, C_QUOTE);
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		close_block(p);
		if (p->nlists < 64) {
			struct list_state *l = &p->lists[p->nlists];
			l->ordered = type == MD_BLOCK_OL;
			l->next = l->ordered ? ((MD_BLOCK_OL_DETAIL *)detail)->start : 1;
			l->tight = l->ordered ? ((MD_BLOCK_OL_DETAIL *)detail)->is_tight
					      : ((MD_BLOCK_UL_DETAIL *)detail)->is_tight;
			l->id = ++p->next_list_id;
		}
		p->nlists++;
		push_cont(p, C_LIST);
		break;
	case MD_BLOCK_LI:
		close_block(p);
		if (p->nlists > 64)
			p->nlists = 64; /* deeper lists render at the deepest level */
		p->item_marker = item_marker(p);
		push_cont(p, C_ITEM);
		/* tight items carry their text without a paragraph block */
		open_block(p, LM_BLOCK_PARAGRAPH, 0);
		break;
	case MD_BLOCK_P:
		if (in_item(p) && p->open && !p->spans.n && !p->text.len)
			break; /* the item's block opened above is still empty: use it */
		close_block(p);
		open_block(p, LM_BLOCK_PARAGRAPH, 0);
		break;
	case MD_BLOCK_H:
		close_block(p);
		open_block(p, LM_BLOCK_HEADING, (int)((MD_BLOCK_H_DETAIL *)detail)->level);
		break;
	case MD_BLOCK_CODE:
		close_block(p);
		open_block(p, LM_BLOCK_PARAGRAPH, 0);
		p->code++;
		p->code_block++;
		break;
	case MD_BLOCK_HR: {
		close_block(p);
		struct lm_block b = { .kind = LM_BLOCK_RULE, .quote = p->quote };
		push_block(p, &b);
		break;
	}
	case MD_BLOCK_TABLE:
		close_block(p);
		p->in_table = 1;
		p->ncols = ((MD_BLOCK_TABLE_DETAIL *)detail)->col_count;
		p->ncells = 0;
		break;
	case MD_BLOCK_THEAD:
		p->header_row = 1;
		break;
	case MD_BLOCK_TBODY:
		p->header_row = 0;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		p->in_cell = 1;
		p->cell_align = ((MD_BLOCK_TD_DETAIL *)detail)->align;
		break;
	default:
		break;
	}
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct parser *p = userdata;
	(void)detail;
	switch (type) {
	case MD_BLOCK_QUOTE:
		close_block(p);
		p->quote--;
		pop_cont(p);
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		close_block(p);
		p->nlists--;
		pop_cont(p);
		break;
	case MD_BLOCK_LI:
		close_block(p);
		pop_cont(p);
		break;
	case MD_BLOCK_P:
	case MD_BLOCK_H:
		close_block(p);
		break;
	case MD_BLOCK_CODE:
		close_block(p);
		p->code--;
		p->code_block--;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD: {
		LM_ALLOC_GROW(p->cells, p->ncells + 1, p->cells_alloc);
		struct lm_table_cell *c = &p->cells[p->ncells++];
		c->spans = take_spans(p, &c->nspans);
		c->header = type == MD_BLOCK_TH;
		c->align = p->cell_align == MD_ALIGN_CENTER ? 1 : p->cell_align == MD_ALIGN_RIGHT ? 2 : 0;
		p->in_cell = 0;
		break;
	}
	case MD_BLOCK_TABLE: {
		struct lm_block b = { .kind = LM_BLOCK_TABLE, .quote = p->quote };
		b.ncols = p->ncols;
		b.nrows = p->ncols ? p->ncells / p->ncols : 0;
		b.cells = lm_arena_alloc(p->doc->arena, p->ncells * sizeof(*b.cells));
		if (p->ncells)
			memcpy(b.cells, p->cells, p->ncells * sizeof(*b.cells));
		push_block(p, &b);
		p->in_table = 0;
		p->ncells = 0;
		break;
	}
	default:
		break;
	}
	return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct parser *p = userdata;
	switch (type) {
	case MD_SPAN_STRONG:
		p->bold++;
		break;
	case MD_SPAN_EM:
		p->italic++;
		break;
	case MD_SPAN_CODE:
		p->code++;
		break;
	case MD_SPAN_A: {
		MD_SPAN_A_DETAIL *a = detail;
		flush_text(p);
		/* the destination's entities and escapes are already resolved by
		 * md4c into substrings; join them */
		struct lm_buf href = LM_BUF_INIT;
		lm_buf_add(&href, a->href.text, a->href.size);
		p->href = adopt(p, href.ptr, href.len);
		lm_buf_release(&href);
		break;
	}
	default:
		break;
	}
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct parser *p = userdata;
	(void)detail;
	switch (type) {
	case MD_SPAN_STRONG:
		p->bold--;
		break;
	case MD_SPAN_EM:
		p->italic--;
		break;
	case MD_SPAN_CODE:
		p->code--;
		break;
	case MD_SPAN_A:
		flush_text(p);
		p->href = NULL;
		break;
	default:
		break;
	}
	return 0;
}

struct entity {
	const char *name;
	const char *utf8;
};

/* The named entities a letter writer is likely to type; others stay as typed. */
static const struct entity entities[] = {
	{ "amp", "&" },	       { "lt", "<" },	       { "gt", ">" },
	{ "quot", "\"" },      { "apos", "'" },	       { "nbsp", "\xC2\xA0" },
	{ "ndash", "\xE2\x80\x93" }, { "mdash", "\xE2\x80\x94" },
	{ "lsquo", "\xE2\x80\x98" }, { "rsquo", "\xE2\x80\x99" },
	{ "ldquo", "\xE2\x80\x9C" }, { "rdquo", "\xE2\x80\x9D" },
	{ "hellip", "\xE2\x80\xA6" }, { "middot", "\xC2\xB7" },
	{ "pound", "\xC2\xA3" }, { "euro", "\xE2\x82\xAC" }, { "copy", "\xC2\xA9" },
	{ "bull", "\xE2\x80\xA2" },
};

static void add_entity(struct parser *p, const char *s, size_t n)
{
	struct lm_buf out = LM_BUF_INIT;
	if (n > 3 && s[1] == '#') {
		unsigned long cp = (s[2] == 'x' || s[2] == 'X') ? strtoul(s + 3, NULL, 16)
							      : strtoul(s + 2, NULL, 10);
		lm_utf8_add(&out, cp > 0x10FFFF ? 0xFFFD : (uint32_t)cp);
	} else {
		for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
			size_t len = strlen(entities[i].name);
			if (n == len + 2 && !strncmp(s + 1, entities[i].name, len)) {
				lm_buf_adds(&out, entities[i].utf8);
				break;
			}
		}
		if (!out.len)
			lm_buf_add(&out, s, n);
	}
	add_text(p, out.ptr, out.len);
	lm_buf_release(&out);
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	struct parser *p = userdata;
	if (!p->open && !p->in_cell) {
		/* text straight inside a container, e.g. a tight list item's
		 * text after a nested list */
		open_block(p, LM_BLOCK_PARAGRAPH, 0);
	}
	switch (type) {
	case MD_TEXT_BR:
		flush_text(p);
		add_text(p, "\n", 1);
		flush_text(p);
		break;
	case MD_TEXT_SOFTBR:
		add_text(p, " ", 1);
		break;
	case MD_TEXT_ENTITY:
		add_entity(p, text, size);
		break;
	case MD_TEXT_NULLCHAR:
		add_text(p, "\xEF\xBF\xBD", 3);
		break;
	case MD_TEXT_CODE:
		if (p->code_block && size == 1 && text[0] == '\n') {
			/* a code block keeps its lines: each ends in a hard break */
			flush_text(p);
			add_text(p, "\n", 1);
			flush_text(p);
			break;
		}
		add_text(p, text, size);
		break;
	default:
		add_text(p, text, size);
		break;
	}
	return 0;
}

void lm_doc_init(struct lm_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
}

int lm_doc_parse(struct lm_doc *doc, const char *path, const char *md, size_t len,
		 struct lm_diag *d)
{
	if (!doc->arena)
		doc->arena = lm_arena_new();
	struct parser p;
	memset(&p, 0, sizeof(p));
	p.doc = doc;
	lm_buf_init(&p.text);
	MD_PARSER parser = {
		.abi_version = 0,
		/* no raw HTML: data and templates print as typed; no md4c autolinks:
		 * lm_spans_autolink links addresses in data and template alike */
		.flags = MD_FLAG_TABLES | MD_FLAG_NOHTML | MD_FLAG_STRIKETHROUGH,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text_cb,
	};
	int rc = md_parse(md, (MD_SIZE)len, &parser, &p);
	close_block(&p);
	lm_buf_release(&p.text);
	free(p.spans.v);
	free(p.cells);
	if (rc)
		return lm_diag_set(d, path, 0, 0, "markdown parser failed (code %d)", rc);
	for (size_t i = 0; i < doc->n; i++) {
		struct lm_block *b = &doc->blocks[i];
		lm_spans_autolink(doc->arena, &b->spans, &b->nspans);
		for (size_t c = 0; c < b->nrows * b->ncols; c++)
			lm_spans_autolink(doc->arena, &b->cells[c].spans, &b->cells[c].nspans);
	}
	return 0;
}

void lm_doc_release(struct lm_doc *doc)
{
	free(doc->blocks);
	lm_arena_free(doc->arena);
	lm_doc_init(doc);
}

/* ---- autolinks ---- */

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int url_char(unsigned char c)
{
	return c > ' ' && c != '<' && c != '>' && c != '"' && c < 0x7F;
}

static int email_local_char(unsigned char c)
{
	return is_alnum(c) || strchr(".!#$%&'*+/=?^_`{|}~-", c);
}

/* Trailing sentence punctuation is not part of an address. */
static size_t trim_url_end(const char *s, size_t start, size_t end)
{
	while (end > start) {
		char c = s[end - 1];
		if (strchr(".,;:!?'\"", c)) {
			end--;
		} else if (c == ')') {
			size_t open = 0, close = 0;
			for (size_t i = start; i < end; i++)
				open += s[i] == '(', close += s[i] == ')';
			if (close > open)
				end--;
			else
				break;
		} else {
			break;
		}
	}
	return end;
}

static int prefix_at(const char *s, size_t len, size_t i, const char *pre)
{
	size_t n = strlen(pre);
	return i + n <= len && !strncasecmp(s + i, pre, n);
}

/* Finds the next address in s[from..len): sets *start and *end and the link
 * target; returns 0 when there is none. */
static int find_link(struct lm_arena *a, const char *s, size_t len, size_t from,
		     size_t *start, size_t *end, const char **href)
{
	for (size_t i = from; i < len; i++) {
		int boundary = i == 0 || !(is_alnum((unsigned char)s[i - 1]) || s[i - 1] == '.' ||
					   s[i - 1] == '/' || s[i - 1] == '@');
		if (boundary && (prefix_at(s, len, i, "http://") || prefix_at(s, len, i, "https://") ||
				 prefix_at(s, len, i, "www."))) {
			size_t e = i;
			while (e < len && url_char((unsigned char)s[e]))
				e++;
			e = trim_url_end(s, i, e);
			size_t host = prefix_at(s, len, i, "www.") ? i + 4
				    : prefix_at(s, len, i, "https://") ? i + 8 : i + 7;
			if (e <= host || !memchr(s + host, '.', e - host)) {
				continue;
			}
			*start = i, *end = e;
			struct lm_buf h = LM_BUF_INIT;
			if (prefix_at(s, len, i, "www."))
				lm_buf_adds(&h, "https://");
			lm_buf_add(&h, s + i, e - i);
			*href = lm_arena_strndup(a, h.ptr, h.len);
			lm_buf_release(&h);
			return 1;
		}
		if (s[i] == '@' && i > from) {
			size_t b = i;
			while (b > from && email_local_char((unsigned char)s[b - 1]))
				b--;
			while (b < i && !is_alnum((unsigned char)s[b]))
				b++; /* a local part starts with a letter or digit here */
			size_t e = i + 1;
			while (e < len && (is_alnum((unsigned char)s[e]) || s[e] == '.' || s[e] == '-'))
				e++;
			e = trim_url_end(s, i + 1, e);
			if (b == i || e == i + 1 || !memchr(s + i + 1, '.', e - i - 1))
				continue;
			*start = b, *end = e;
			struct lm_buf h = LM_BUF_INIT;
			lm_buf_adds(&h, "mailto:");
			lm_buf_add(&h, s + b, e - b);
			*href = lm_arena_strndup(a, h.ptr, h.len);
			lm_buf_release(&h);
			return 1;
		}
	}
	return 0;
}

void lm_spans_autolink(struct lm_arena *arena, struct lm_span **spans, size_t *n)
{
	struct spanvec out = { 0 };
	int changed = 0;
	for (size_t k = 0; k < *n; k++) {
		struct lm_span sp = (*spans)[k];
		if (sp.href || (sp.style & LM_SPAN_CODE)) {
			LM_ALLOC_GROW(out.v, out.n + 1, out.alloc);
			out.v[out.n++] = sp;
			continue;
		}
		size_t pos = 0, start, end;
		const char *href;
		while (find_link(arena, sp.text, sp.len, pos, &start, &end, &href)) {
			changed = 1;
			LM_ALLOC_GROW(out.v, out.n + 2, out.alloc);
			if (start > pos) {
				struct lm_span pre = sp;
				pre.text = sp.text + pos;
				pre.len = start - pos;
				out.v[out.n++] = pre;
			}
			struct lm_span link = sp;
			link.text = sp.text + start;
			link.len = end - start;
			link.href = href;
			out.v[out.n++] = link;
			pos = end;
		}
		if (pos < sp.len) {
			LM_ALLOC_GROW(out.v, out.n + 1, out.alloc);
			struct lm_span rest = sp;
			rest.text = sp.text + pos;
			rest.len = sp.len - pos;
			out.v[out.n++] = rest;
		}
	}
	if (changed) {
		struct lm_span *v = lm_arena_alloc(arena, out.n * sizeof(*v));
		memcpy(v, out.v, out.n * sizeof(*v));
		*spans = v;
		*n = out.n;
	}
	free(out.v);
}
