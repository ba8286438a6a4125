#include "markdown.h"

#include "buf.h"
#include "font.h"
#include "utf8.h"

#include <md4c.h>
#include <stdarg.h>
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
	/* images: a block of their own, or their alt text where a block cannot go */
	int img;                 /* inside an image made a block: its alt text is collected */
	int img_inline;          /* inside an image printed as its alt text */
	struct lm_buf alt;
	const char *img_src;
	long after_img;          /* the image block just pushed, for {.decorative}; -1 none */
	int html_block;          /* inside an HTML block: printed without its tags */
	int html_state;          /* 0 text, 1 in a tag, 2 in a comment */
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

/* A paragraph belongs to a list item when an item holds it, directly or
 * through a block quote (then it is the item's, indented as a quote):
 * otherwise a quote inside an item would end the list in the middle and
 * leave the item's later paragraphs an empty list of their own. */
static int in_item(struct parser *p)
{
	for (int i = p->ncont; i-- > 0;)
		if (p->cont[i] == C_ITEM)
			return 1;
	return 0;
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
	/* an empty paragraph (say, a line that expanded to nothing or to a
	 * zero-width space, or the space after an image) prints nothing and
	 * leaves no element: an element with nothing in it is read out as a
	 * blank by a screen reader */
	int blank = 1;
	for (size_t i = 0; i < p->cur.nspans && blank; i++)
		blank = lm_utf8_is_blank(p->cur.spans[i].text, p->cur.spans[i].len);
	if (blank) /* an item's marker still prints, with no text beside it */
		p->cur.nspans = 0;
	if (!blank || (p->cur.kind == LM_BLOCK_LIST_ITEM && *p->cur.marker))
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
	case MD_BLOCK_HTML:
		close_block(p);
		open_block(p, LM_BLOCK_PARAGRAPH, 0);
		p->html_block = 1;
		p->html_state = 0;
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
	case MD_BLOCK_HTML:
		close_block(p);
		p->html_block = 0;
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

static void join_attr(struct lm_buf *out, const MD_ATTRIBUTE *a)
{
	/* entities and escapes are already resolved by md4c into substrings */
	lm_buf_add(out, a->text, a->size);
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct parser *p = userdata;
	p->after_img = -1;
	if (p->img) {
		p->img += type == MD_SPAN_IMG; /* an image in alt text: its text only */
		return 0;
	}
	switch (type) {
	case MD_SPAN_IMG: {
		int block_ok = !p->in_cell && !p->href && !p->img_inline &&
			       (!p->open || p->cur.kind == LM_BLOCK_PARAGRAPH ||
				p->cur.kind == LM_BLOCK_LIST_ITEM);
		if (!block_ok) {
			p->img_inline++;
			break;
		}
		/* the text before it is a paragraph of its own */
		close_block(p);
		struct lm_buf src = LM_BUF_INIT;
		join_attr(&src, &((MD_SPAN_IMG_DETAIL *)detail)->src);
		p->img_src = adopt(p, src.ptr, src.len);
		lm_buf_release(&src);
		lm_buf_reset(&p->alt);
		p->img = 1;
		break;
	}
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

static void push_image(struct parser *p)
{
	struct lm_block b = { .kind = LM_BLOCK_IMAGE, .quote = p->quote };
	if (in_item(p))
		b.level = p->nlists;
	size_t s = 0, e = p->alt.len;
	while (s < e && strchr(" \t\n", p->alt.ptr[s]))
		s++;
	while (e > s && strchr(" \t\n", p->alt.ptr[e - 1]))
		e--;
	b.src = p->img_src;
	b.alt = adopt(p, p->alt.ptr ? p->alt.ptr + s : "", e - s);
	push_block(p, &b);
	p->after_img = (long)p->doc->n - 1;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct parser *p = userdata;
	(void)detail;
	p->after_img = -1;
	if (p->img) {
		if (type == MD_SPAN_IMG && !--p->img)
			push_image(p);
		return 0;
	}
	switch (type) {
	case MD_SPAN_IMG:
		if (p->img_inline)
			p->img_inline--;
		break;
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

/* <br>, <br/>, <br /> in any case */
static int is_br(const char *s, size_t n)
{
	if (n < 4 || s[0] != '<' || (s[1] | 0x20) != 'b' || (s[2] | 0x20) != 'r')
		return 0;
	size_t i = 3;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '/')
		i++;
	return i + 1 == n && s[i] == '>';
}

/* An HTML block's text without its tags and comments. */
static void add_html_text(struct parser *p, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (p->html_state == 0 && s[i] == '<' && i + 1 < n &&
		    (s[i + 1] == '/' || s[i + 1] == '!' || s[i + 1] == '?' ||
		     ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z'))) {
			if (i > from)
				add_text(p, s + from, i - from);
			p->html_state = i + 3 < n && !memcmp(s + i, "<!--", 4) ? 2 : 1;
			if (p->html_state == 2)
				i += 3;
		} else if (p->html_state == 1 && s[i] == '>') {
			p->html_state = 0;
			from = i + 1;
			add_text(p, " ", 1); /* a tag may part words: <td>a</td><td>b</td> */
		} else if (p->html_state == 2 && s[i] == '>' && i >= 2 && s[i - 1] == '-' && s[i - 2] == '-') {
			p->html_state = 0;
			from = i + 1;
		} else if (p->html_state == 0 && s[i] == '\n') {
			if (i > from)
				add_text(p, s + from, i - from);
			add_text(p, " ", 1);
			from = i + 1;
		}
	}
	if (p->html_state == 0 && n > from)
		add_text(p, s + from, n - from);
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	struct parser *p = userdata;
	if (p->img) {
		/* alt text is plain: line breaks are spaces */
		if (type == MD_TEXT_BR || type == MD_TEXT_SOFTBR)
			lm_buf_addc(&p->alt, ' ');
		else if (type != MD_TEXT_HTML)
			lm_buf_add(&p->alt, text, size);
		return 0;
	}
	if (p->after_img >= 0 && type == MD_TEXT_NORMAL && size >= 13 &&
	    !memcmp(text, "{.decorative}", 13)) {
		/* a run of 13 bytes: written so in the template, never from data,
		 * whose braces are escaped and so come as runs of their own */
		p->doc->blocks[p->after_img].decorative = 1;
		text += 13;
		size -= 13;
		while (size && (*text == ' ' || *text == '\t'))
			text++, size--;
	}
	p->after_img = -1;
	if (!size && type == MD_TEXT_NORMAL)
		return 0;
	if (type == MD_TEXT_HTML && !p->html_block && !is_br(text, size))
		return 0; /* an inline tag: dropped, the text around it printed */
	if (!p->open && !p->in_cell) {
		/* text straight inside a container, e.g. a tight list item's
		 * text after a nested list */
		open_block(p, LM_BLOCK_PARAGRAPH, 0);
	}
	if (type == MD_TEXT_HTML && p->html_block && !is_br(text, size)) {
		add_html_text(p, text, size);
		return 0;
	}
	switch (type) {
	case MD_TEXT_HTML: /* <br> */
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
	p.after_img = -1;
	lm_buf_init(&p.text);
	lm_buf_init(&p.alt);
	MD_PARSER parser = {
		.abi_version = 0,
		/* raw HTML is recognised so that a template's tags are not printed
		 * (data cannot make any: its '<' is escaped); no md4c autolinks:
		 * lm_spans_autolink links addresses in data and template alike */
		.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text_cb,
	};
	int rc = md_parse(md, (MD_SIZE)len, &parser, &p);
	close_block(&p);
	lm_buf_release(&p.text);
	lm_buf_release(&p.alt);
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

/* ---- checking a template's Markdown ---- */

struct lint {
	const char *path, *src;
	size_t len;
	int first_line;
	lm_md_report_fn report;
	lm_md_image_fn image;
	void *ctx;
	const char *last;        /* the last text seen: where span findings point */
	int in_cell, in_heading, in_link, html_block, html_reported;
	int img;                 /* depth inside an image */
	int img_where;           /* 0 a block, 1 a table cell, 2 a heading, 3 a link */
	int img_alt;             /* its alt text has a visible character */
	const char *img_at;      /* its '!' */
	struct lm_buf img_src;
	int pending;             /* an image closed: is {.decorative} next? */
	int del;                 /* a struck-through span opened: report at its text */
};

static int in_src(const struct lint *l, const char *s)
{
	return s >= l->src && s <= l->src + l->len;
}

/* line:column of `at` in the source (where the last text was, when `at`
 * is not in it: md4c resolved that string into a buffer of its own) */
static void lint_where(const struct lint *l, const char *at, int *line, int *col)
{
	if (!at || !in_src(l, at))
		at = l->last && in_src(l, l->last) ? l->last : l->src;
	*line = l->first_line;
	*col = 1;
	for (const char *s = l->src; s < at; s++) {
		if (*s == '\n')
			(*line)++, *col = 1;
		else if (((unsigned char)*s & 0xC0) != 0x80)
			(*col)++;
	}
}

static void lint_at(struct lint *l, enum lm_severity sev, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void lint_at(struct lint *l, enum lm_severity sev, const char *at, const char *fmt, ...)
{
	struct lm_diag d;
	lm_diag_clear(&d);
	d.severity = sev;
	snprintf(d.file, sizeof(d.file), "%s", l->path);
	lint_where(l, at, &d.line, &d.col);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
	va_end(ap);
	l->report(l->ctx, &d);
}

/* The image that just closed, now that what follows it is known. */
static void lint_image_done(struct lint *l, int decorative)
{
	if (!l->pending)
		return;
	l->pending = 0;
	const char *src = l->img_src.ptr;
	static const char *const where[] = { "", "a table cell", "a heading", "a link" };
	if (l->img_where) {
		lint_at(l, LM_WARNING, l->img_at,
			"an image in %s is not drawn: its alt text is printed instead; put ![alt text](%s) in a paragraph of its own",
			where[l->img_where], src);
		return;
	}
	if (strstr(src, "{{")) {
		lint_at(l, LM_ERROR, l->img_at,
			"the image's file name '%s' holds a placeholder; images are found when the letter is loaded: name the file, e.g. ![Map of our family hubs](hubs.png)",
			src);
		return;
	}
	if (!strncasecmp(src, "http:", 5) || !strncasecmp(src, "https:", 6) || !strncmp(src, "//", 2)) {
		lint_at(l, LM_ERROR, l->img_at,
			"image '%s' is a web address; a letter's images are files: save it in the area's folder or beside the letter and write ![alt text](file.png)",
			src);
		return;
	}
	if (!*src) {
		lint_at(l, LM_ERROR, l->img_at, "the image names no file: write ![alt text](file.png)");
		return;
	}
	if (!l->img_alt && !decorative)
		lint_at(l, LM_ERROR, l->img_at,
			"image '%s' has no alt text: write what it shows for readers who cannot see it between the brackets, e.g. ![Map of our family hubs](%s), or, if it is only decoration, write ![](%s){.decorative}",
			src, src, src);
	if (l->image) {
		int line, col;
		lint_where(l, l->img_at, &line, &col);
		l->image(l->ctx, src, l->path, line, col);
	}
}

static int lint_enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct lint *l = userdata;
	(void)detail;
	lint_image_done(l, 0);
	if (type == MD_BLOCK_TH || type == MD_BLOCK_TD)
		l->in_cell = 1;
	else if (type == MD_BLOCK_H)
		l->in_heading = 1;
	else if (type == MD_BLOCK_HTML)
		l->html_block = 1, l->html_reported = 0;
	return 0;
}

static int lint_leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct lint *l = userdata;
	(void)detail;
	lint_image_done(l, 0);
	if (type == MD_BLOCK_TH || type == MD_BLOCK_TD)
		l->in_cell = 0;
	else if (type == MD_BLOCK_H)
		l->in_heading = 0;
	else if (type == MD_BLOCK_HTML)
		l->html_block = 0;
	return 0;
}

static int lint_enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct lint *l = userdata;
	lint_image_done(l, 0);
	if (type == MD_SPAN_A)
		l->in_link++;
	if (type == MD_SPAN_DEL)
		l->del = 1;
	if (type != MD_SPAN_IMG)
		return 0;
	if (l->img++)
		return 0;
	const MD_ATTRIBUTE *src = &((MD_SPAN_IMG_DETAIL *)detail)->src;
	lm_buf_reset(&l->img_src);
	lm_buf_add(&l->img_src, src->text, src->size);
	/* the '!' of "![": the last one before the file name */
	l->img_at = NULL;
	if (in_src(l, src->text))
		for (const char *s = src->text; s > l->src; s--)
			if (s[-1] == '!' && s[0] == '[') {
				l->img_at = s - 1;
				break;
			}
	l->img_where = l->in_cell ? 1 : l->in_heading ? 2 : l->in_link ? 3 : 0;
	l->img_alt = 0;
	return 0;
}

static int lint_leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct lint *l = userdata;
	(void)detail;
	lint_image_done(l, 0);
	if (type == MD_SPAN_A && l->in_link)
		l->in_link--;
	if (type == MD_SPAN_IMG && l->img && !--l->img)
		l->pending = 1;
	return 0;
}

/* What to write instead of an HTML tag. */
static const char *instead_of(const char *tag, size_t n)
{
	static const struct { const char *name, *say; } t[] = {
		{ "b", "write **bold**" }, { "strong", "write **bold**" },
		{ "i", "write *italic*" }, { "em", "write *italic*" },
		{ "u", "underlining marks links in a letter: write **bold** or *italic* for emphasis" },
		{ "a", "write [the words](https://…), or the address as plain text" },
		{ "p", "leave a blank line between paragraphs" }, { "div", "leave a blank line between paragraphs" },
		{ "span", "write the text without it" }, { "font", "write the text without it: the letter's type is fixed" },
		{ "img", "write ![alt text](file.png)" },
		{ "h1", "write # Heading" }, { "h2", "write ## Heading" }, { "h3", "write ### Heading" },
		{ "ul", "write a list with - at the start of each item" }, { "li", "write a list with - at the start of each item" },
		{ "table", "write a Markdown table: | a | b | lines, then | --- | --- |" },
		{ "center", "write the text without it: a letter's text is left-aligned" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == n && !strncasecmp(tag, t[i].name, n))
			return t[i].say;
	return "write Markdown instead (**bold**, *italic*, [link](https://…), a blank line between paragraphs)";
}

static int lint_text(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *userdata)
{
	struct lint *l = userdata;
	if (l->pending)
		lint_image_done(l, type == MD_TEXT_NORMAL && size >= 13 && !memcmp(text, "{.decorative}", 13));
	if (in_src(l, text))
		l->last = text;
	if (l->img) {
		for (MD_SIZE i = 0; i < size && type != MD_TEXT_HTML; i++)
			if (!strchr(" \t\r\n", text[i]))
				l->img_alt = 1;
		return 0;
	}
	if (l->del) {
		const char *at = text;
		while (in_src(l, at - 1) && at > l->src && at[-1] == '~')
			at--;
		l->del = 0;
		lint_at(l, LM_WARNING, at,
			"struck-through text (~~…~~) is printed without the line through it: delete the words, or say in words what has changed");
	}
	if (type == MD_TEXT_HTML) {
		if (l->html_block) {
			if (l->html_reported++)
				return 0;
			if (size >= 4 && !memcmp(text, "<!--", 4))
				lint_at(l, LM_WARNING, text,
					"an HTML comment is not printed; for a note to the letter's editors write {{! note }}");
			else
				lint_at(l, LM_WARNING, text,
					"an HTML block is printed as plain text without its tags; write Markdown instead (a blank line between paragraphs, **bold**, *italic*, # Heading, - list items, [link](https://…))");
			return 0;
		}
		if (is_br(text, size)) {
			if (!l->in_cell)
				lint_at(l, LM_WARNING, text,
					"<br> is a line break here, but in a paragraph write a backslash (\\) at the end of the line instead; <br> is for line breaks inside table cells");
			return 0;
		}
		if (size >= 4 && !memcmp(text, "<!--", 4)) {
			lint_at(l, LM_WARNING, text,
				"an HTML comment is not printed; for a note to the letter's editors write {{! note }}");
			return 0;
		}
		if (size >= 2 && (text[1] == '/' || text[1] == '?' || text[1] == '!'))
			return 0; /* a closing tag: its opening one is reported */
		size_t n = 1;
		while (n < size && ((text[n] | 0x20) >= 'a' && (text[n] | 0x20) <= 'z' ? 1 : (text[n] >= '0' && text[n] <= '9')))
			n++;
		lint_at(l, LM_WARNING, text, "HTML tag <%.*s> is not printed (the text around it is): %s",
			(int)(n - 1), text + 1, instead_of(text + 1, n - 1));
		return 0;
	}
	if (type == MD_TEXT_NORMAL && in_src(l, text)) {
		/* md4c 0.4 has no footnotes: "[^1]" would print as typed */
		for (MD_SIZE i = 0; i < size; i++)
			if (text[i] == '[' && text + i + 1 < l->src + l->len && text[i + 1] == '^') {
				size_t k = 2;
				while (text + i + k < l->src + l->len && text[i + k] != ']' && text[i + k] != '\n' && k < 40)
					k++;
				lint_at(l, LM_WARNING, text + i,
					"footnotes are not printed as footnotes ('%.*s' prints as typed): write the note in brackets after the sentence, or as a paragraph at the end",
					(int)(k + 1 < 44 ? k + 1 : 44), text + i);
			}
	}
	return 0;
}

void lm_markdown_lint(const char *path, const char *md, size_t len, int first_line,
		      lm_md_report_fn report, lm_md_image_fn image, void *ctx)
{
	struct lint l;
	memset(&l, 0, sizeof(l));
	l.path = path, l.src = md, l.len = len, l.first_line = first_line;
	l.report = report, l.image = image, l.ctx = ctx;
	lm_buf_init(&l.img_src);
	MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH,
		.enter_block = lint_enter_block,
		.leave_block = lint_leave_block,
		.enter_span = lint_enter_span,
		.leave_span = lint_leave_span,
		.text = lint_text,
	};
	md_parse(md, (MD_SIZE)len, &parser, &l);
	lint_image_done(&l, 0);
	lm_buf_release(&l.img_src);
}
