#include "layout.h"
#include "utf8.h"

#include "buf.h"
#include "shape.h"

#include <fribidi.h>
#include <hb.h>
#include <linebreak.h>
#include <strings.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LINK_RGB 0x0B4A8Bu
/* the narrowest text column indentation may leave, as a share of the frame */
#define MIN_COLUMN 0.4

void lm_layout_init(struct lm_layout *lay, double page_w, double page_h)
{
	memset(lay, 0, sizeof(*lay));
	lay->arena = lm_arena_new();
	lay->page_w = page_w;
	lay->page_h = page_h;
	lm_layout_elem(lay, LM_ROLE_DOCUMENT, 0, -1);
}

void lm_layout_release(struct lm_layout *lay)
{
	for (size_t i = 0; i < lay->npages; i++)
		free(lay->pages[i].boxes);
	free(lay->pages);
	free(lay->elems);
	lm_arena_free(lay->arena);
	for (size_t i = 0; i < lay->nheld; i++)
		lm_layout_blob_unref(lay->held[i]);
	free(lay->held);
	memset(lay, 0, sizeof(*lay));
}

struct lm_layout_blob *lm_layout_blob_new(const void *data, size_t len)
{
	struct lm_layout_blob *b = lm_xmalloc(sizeof(*b) + (len ? len : 1));
	b->refs = 1;
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	return b;
}

void lm_layout_blob_unref(struct lm_layout_blob *b)
{
	if (b && !--b->refs)
		free(b);
}

void lm_layout_hold(struct lm_layout *lay, struct lm_layout_blob *b)
{
	LM_ALLOC_GROW(lay->held, lay->nheld + 1, lay->held_alloc);
	b->refs++;
	lay->held[lay->nheld++] = b;
}

int lm_layout_elem(struct lm_layout *lay, enum lm_role role, int level, int parent)
{
	LM_ALLOC_GROW(lay->elems, lay->nelems + 1, lay->elems_alloc);
	struct lm_elem *e = &lay->elems[lay->nelems];
	memset(e, 0, sizeof(*e));
	e->role = role;
	e->level = level;
	e->parent = parent;
	return (int)lay->nelems++;
}

static void add_page(struct lm_layout *lay)
{
	LM_ALLOC_GROW(lay->pages, lay->npages + 1, lay->pages_alloc);
	memset(&lay->pages[lay->npages++], 0, sizeof(struct lm_page));
}

void lm_layout_add_page(struct lm_layout *lay)
{
	add_page(lay);
}

struct lm_box *lm_layout_add(struct lm_layout *lay, size_t page, const struct lm_box *box)
{
	while (page >= lay->npages)
		add_page(lay);
	struct lm_page *p = &lay->pages[page];
	LM_ALLOC_GROW(p->boxes, p->n + 1, p->alloc);
	p->boxes[p->n] = *box;
	return &p->boxes[p->n++];
}

/* ---- flow ---- */

void lm_flow_begin(struct lm_flow *f, struct lm_layout *lay, struct lm_fonts *fonts,
		   double left, double right, double top, double bottom)
{
	f->lay = lay;
	f->fonts = fonts;
	f->left = left;
	f->right = right;
	f->top = top;
	f->bottom = bottom;
	f->page = lay->npages;
	add_page(lay);
	f->y = top;
	f->at_top = 1;
}

void lm_flow_new_page(struct lm_flow *f)
{
	f->page++;
	while (f->page >= f->lay->npages)
		add_page(f->lay);
	f->y = f->top;
	f->at_top = 1;
}

void lm_flow_space(struct lm_flow *f, double pts)
{
	if (f->at_top)
		return;
	f->y -= pts;
	if (f->y < f->bottom)
		lm_flow_new_page(f);
}

void lm_flow_need(struct lm_flow *f, double height)
{
	if (!f->at_top && f->y - height < f->bottom - 0.01)
		lm_flow_new_page(f);
}

double lm_flow_width(const struct lm_flow *f)
{
	return f->right - f->left;
}

/* ---- paragraphs: shaped, in bidi order, broken into lines ----
 *
 * A paragraph's spans become one logical text (runs of white space one
 * space, forced breaks '\n').  Each character gets its font (the face, or a
 * Noto fallback for its script), its bidi level (FriBidi) and whether a line
 * may break after it (libunibreak, UAX #14).  Runs of one face, link, font
 * and level are shaped with HarfBuzz; a character's width is the advance of
 * the glyphs of the cluster it starts.  Lines are filled greedily; each
 * line's runs are then put in visual order (UAX #9 rule L2).  The result
 * depends only on the text, the style and the width, so it is kept in a
 * per-run memo: the same paragraph in a thousand letters is shaped once. */

struct pch {
	uint32_t cp;
	uint32_t off;   /* byte offset in the text */
	uint32_t attr;  /* index in para.attrs */
	int32_t w;      /* advance of the cluster it starts, 1/1000 em; 0 inside one */
	uint8_t level;  /* bidi embedding level */
	uint8_t brk;    /* LINEBREAK_* after it */
	uint8_t start;  /* a cluster starts here: a long word may be cut before it */
	int8_t font;
};

struct pattr {
	enum lm_face face;
	const char *href; /* the memo's copy, or NULL */
	size_t hid;       /* the span it came from: one link is not the next */
};

struct prun {
	size_t a, b;      /* characters */
	size_t g0, ng;    /* glyphs */
	uint32_t attr;
	int font, level;
};

struct pline {
	size_t a, v, e;   /* characters: first, end of the visible ones, next line's first */
	long w;           /* visible width, 1/1000 em (a hyphen's included) */
	int hyphen;       /* broken at a soft hyphen: a hyphen is drawn at its end */
};

struct para {
	char *text;
	size_t len, cap;
	struct pch *c;
	size_t n;
	struct pattr *attrs;
	size_t nattrs;
	struct prun *runs;
	size_t nruns;
	struct lm_glyphs g;
	uint32_t *gch;    /* per glyph, the character its cluster starts at */
	struct pline *lines;
	size_t nlines;
	int rtl;
	double tall;      /* the tallest font's ascent + descent, in ems */
	/* the memo's */
	uint64_t hash;
	char *key;
	size_t keylen;
	struct para *next;
	size_t bytes;
};

static void para_free(struct para *p)
{
	if (!p)
		return;
	free(p->text);
	free(p->c);
	for (size_t i = 0; i < p->nattrs; i++)
		free((char *)p->attrs[i].href);
	free(p->attrs);
	free(p->runs);
	free(p->g.v);
	free(p->gch);
	free(p->lines);
	free(p->key);
	free(p);
}

static enum lm_face face_for(enum lm_face base, unsigned style)
{
	int bold = base == LM_FACE_BOLD || base == LM_FACE_BOLD_ITALIC || (style & LM_SPAN_BOLD);
	int italic = base == LM_FACE_ITALIC || base == LM_FACE_BOLD_ITALIC || (style & LM_SPAN_ITALIC);
	return bold ? (italic ? LM_FACE_BOLD_ITALIC : LM_FACE_BOLD)
		    : (italic ? LM_FACE_ITALIC : LM_FACE_REGULAR);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int lm_lang_is_rtl(const char *lang)
{
	static const char *const rtl[] = { "ar", "ur", "he", "iw", "fa", "ps", "sd", "yi", "ug", "ckb", "dv" };
	if (!lang)
		return 0;
	for (size_t i = 0; i < sizeof(rtl) / sizeof(rtl[0]); i++) {
		size_t k = strlen(rtl[i]);
		if (!strncasecmp(lang, rtl[i], k) && (!lang[k] || lang[k] == '-' || lang[k] == '_'))
			return 1;
	}
	return 0;
}

static void push_char(struct para *p, size_t *alloc, uint32_t cp, const char *s, size_t n, uint32_t attr)
{
	LM_ALLOC_GROW(p->c, p->n + 1, *alloc);
	p->c[p->n++] = (struct pch){ .cp = cp, .off = (uint32_t)p->len, .attr = attr, .font = -1 };
	/* the text's room grows with the characters' (doubling) */
	if (p->len + n + 1 > p->cap) {
		p->cap = p->len + n + 1 > 2 * p->cap ? p->len + n + 1 : 2 * p->cap;
		p->text = lm_xrealloc(p->text, p->cap);
	}
	memcpy(p->text + p->len, s, n);
	p->len += n;
	p->text[p->len] = '\0';
}

/* The logical text: white space collapsed, forced breaks as '\n'. */
static void para_text(struct para *p, const struct lm_span *spans, size_t n,
		      const struct lm_para_style *st)
{
	size_t alloc = 0;
	int pending_space = 0;
	p->attrs = lm_xcalloc(n ? n : 1, sizeof(*p->attrs));
	p->cap = 64;
	p->text = lm_xmalloc(p->cap);
	p->text[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		const struct lm_span *sp = &spans[k];
		struct pattr *at = &p->attrs[p->nattrs++];
		at->face = face_for(st->face, sp->style);
		at->href = sp->href ? lm_xstrdup(sp->href) : NULL;
		at->hid = k;
		uint32_t attr = (uint32_t)(p->nattrs - 1);
		if (sp->len == 1 && sp->text[0] == '\n') {
			if (p->n)
				push_char(p, &alloc, '\n', "\n", 1, p->c[p->n - 1].attr);
			pending_space = 0;
			continue;
		}
		size_t i = 0;
		while (i < sp->len) {
			if (is_space(sp->text[i])) {
				pending_space = 1;
				i++;
				continue;
			}
			uint32_t cp;
			int cl = lm_utf8_decode(sp->text + i, sp->len - i, &cp);
			if (!cl)
				cl = 1, cp = 0xFFFD;
			if (pending_space && p->n && p->c[p->n - 1].cp != '\n')
				/* the space goes with the text before it (a bold word's space is bold) */
				push_char(p, &alloc, ' ', " ", 1, p->c[p->n - 1].attr);
			pending_space = 0;
			if (cp == 0xFFFD && cl == 1)
				push_char(p, &alloc, cp, "\xEF\xBF\xBD", 3, attr);
			else
				push_char(p, &alloc, cp, sp->text + i, (size_t)cl, attr);
			i += (size_t)cl;
		}
	}
	while (p->n && p->c[p->n - 1].cp == '\n') /* a break at the end breaks nothing */
		p->len = p->c[--p->n].off;
	p->text[p->len] = '\0';
}

static int font_has(struct lm_fonts *fonts, int font, uint32_t cp)
{
	if (font < 0)
		return 0;
	if (font < LM_FACES)
		return lm_font_has_glyph(fonts, (enum lm_face)font, cp);
	hb_font_t *hf = lm_fonts_get(fonts, font);
	hb_codepoint_t g;
	return hf && hb_font_get_nominal_glyph(hf, cp, &g) && g;
}

/* A character that takes the font of the text around it: spaces,
 * punctuation, digits, combining marks, invisible controls. */
static int neutral(uint32_t cp)
{
	if (cp < 0x80) /* the common case, without a table look-up */
		return !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
	if (lm_is_default_ignorable(cp))
		return 1;
	hb_script_t sc = hb_unicode_script(hb_unicode_funcs_get_default(), cp);
	return sc == HB_SCRIPT_COMMON || sc == HB_SCRIPT_INHERITED || sc == HB_SCRIPT_UNKNOWN;
}

static void para_fonts(struct para *p, struct lm_fonts *fonts, const char *lang)
{
	for (size_t i = 0; i < p->n; i++) {
		struct pch *c = &p->c[i];
		if (c->cp != '\n' && !neutral(c->cp))
			c->font = (int8_t)lm_fonts_pick(fonts, p->attrs[c->attr].face, c->cp, lang);
	}
	for (size_t i = 0; i < p->n; i++) {
		struct pch *c = &p->c[i];
		enum lm_face face = p->attrs[c->attr].face;
		if (c->cp == '\n') {
			c->font = (int8_t)face;
			continue;
		}
		if (c->font >= 0 || !neutral(c->cp))
			continue;
		/* the font of the text before it, else after it, else the face */
		int ign = lm_is_default_ignorable(c->cp);
		int before = i > 0 && p->c[i - 1].attr == c->attr ? p->c[i - 1].font : -1;
		int after = -1;
		for (size_t j = i + 1; j < p->n && p->c[j].attr == c->attr && p->c[j].cp != '\n'; j++)
			if (!neutral(p->c[j].cp)) {
				after = p->c[j].font;
				break;
			}
		if (before >= 0 && (ign || font_has(fonts, before, c->cp)))
			c->font = (int8_t)before;
		else if (after >= 0 && (ign || font_has(fonts, after, c->cp)))
			c->font = (int8_t)after;
		else if (ign || font_has(fonts, (int)face, c->cp))
			c->font = (int8_t)face;
		else {
			/* a character of the common script only a fallback has
			 * (the Arabic comma, the danda) */
			int bold = face == LM_FACE_BOLD || face == LM_FACE_BOLD_ITALIC;
			for (int fb = 0; fb < LM_FALLBACKS && c->font < 0; fb++)
				if (font_has(fonts, LM_FACES + 2 * fb + bold, c->cp))
					c->font = (int8_t)(LM_FACES + 2 * fb + bold);
		}
	}
	for (size_t i = 0; i < p->n; i++)
		if (p->c[i].font < 0) /* in no font: drawn as .notdef and reported (frame.c) */
			p->c[i].font = (int8_t)p->attrs[p->c[i].attr].face;
}

static void para_bidi(struct para *p, const char *lang)
{
	int any = 0, strong_rtl = 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->c[i].cp >= 0x0590) {
			any = 1;
			break;
		}
	if (!any)
		return; /* no right-to-left character, no bidi control: all level 0 */
	FriBidiChar *u = lm_xmalloc(p->n * sizeof(*u));
	FriBidiCharType *types = lm_xmalloc(p->n * sizeof(*types));
	FriBidiBracketType *br = lm_xmalloc(p->n * sizeof(*br));
	FriBidiLevel *lev = lm_xmalloc(p->n * sizeof(*lev));
	for (size_t i = 0; i < p->n; i++)
		/* a forced break is a line separator, not a new paragraph */
		u[i] = p->c[i].cp == '\n' ? 0x2028 : p->c[i].cp;
	fribidi_get_bidi_types(u, (FriBidiStrIndex)p->n, types);
	for (size_t i = 0; i < p->n; i++) {
		if (types[i] == FRIBIDI_TYPE_RTL || types[i] == FRIBIDI_TYPE_AL)
			strong_rtl = 1;
		/* a phone number's groups ("0151 233 0476") stay one number in
		 * right-to-left text: a space between digits separates them as
		 * a comma would (UAX #9 W4), so they are not put in reverse */
		if (u[i] == ' ' && i > 0 && i + 1 < p->n && types[i - 1] == FRIBIDI_TYPE_EN &&
		    types[i + 1] == FRIBIDI_TYPE_EN)
			types[i] = FRIBIDI_TYPE_CS;
	}
	fribidi_get_bracket_types(u, (FriBidiStrIndex)p->n, types, br);
	/* a paragraph of a right-to-left letter flows right to left when it
	 * has any such text (an address in English stays left to right);
	 * otherwise its first strong character decides */
	FriBidiParType dir = lm_lang_is_rtl(lang) && strong_rtl ? FRIBIDI_PAR_RTL : FRIBIDI_PAR_ON;
	if (fribidi_get_par_embedding_levels_ex(types, br, (FriBidiStrIndex)p->n, &dir, lev)) {
		p->rtl = dir == FRIBIDI_PAR_RTL;
		for (size_t i = 0; i < p->n; i++)
			p->c[i].level = lev[i];
	}
	free(u);
	free(types);
	free(br);
	free(lev);
}

/* Break opportunities (UAX #14).  A web or email address breaks only
 * where split_word chooses, after a '/' preferably, as it always has. */
static void para_breaks(struct para *p, const char *lang)
{
	if (!p->n)
		return;
	char *brks = lm_xmalloc(p->len);
	set_linebreaks_utf8((const utf8_t *)p->text, p->len, lang, brks);
	for (size_t i = 0; i < p->n; i++) {
		size_t end = i + 1 < p->n ? p->c[i + 1].off : p->len;
		p->c[i].brk = (uint8_t)brks[end - 1];
	}
	free(brks);
	for (size_t i = 0; i + 1 < p->n; i++) {
		/* a hyphenated name (Stoke-on-Trent) stays whole: readers copy
		 * a hyphen at the end of a line out as a soft one, dropping it;
		 * "and/or" too (read back as "and/ or"); and a phone number's
		 * groups stay on one line */
		uint32_t prev = i ? p->c[i - 1].cp : 0, next = p->c[i + 1].cp;
		if ((p->c[i].cp == '-' || p->c[i].cp == '/') && next != ' ' && prev != ' ' && prev)
			p->c[i].brk = LINEBREAK_NOBREAK;
		if (p->c[i].cp == ' ' && prev >= '0' && prev <= '9' && next >= '0' && next <= '9')
			p->c[i].brk = LINEBREAK_NOBREAK;
	}
	for (size_t i = 0; i < p->n;) {
		if (p->c[i].cp == ' ' || p->c[i].cp == '\n') {
			i++;
			continue;
		}
		size_t j = i;
		while (j < p->n && p->c[j].cp != ' ' && p->c[j].cp != '\n')
			j++;
		size_t a = p->c[i].off, b = j < p->n ? p->c[j].off : p->len;
		const char *t = p->text + a;
		int scheme = 0;
		for (size_t k = 0; k + 3 <= b - a && !scheme; k++)
			scheme = !memcmp(t + k, "://", 3);
		int addr = scheme || memchr(t, '@', b - a) ||
			   (b - a > 4 && !strncasecmp(t, "www.", 4));
		if (addr)
			for (size_t k = i; k + 1 < j; k++)
				p->c[k].brk = LINEBREAK_NOBREAK;
		i = j;
	}
}

static size_t char_at(const struct para *p, size_t off)
{
	size_t lo = 0, hi = p->n;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (p->c[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void para_shape(struct para *p, struct lm_fonts *fonts, const char *lang)
{
	size_t alloc = 0;
	/* the context HarfBuzz sees (joining, contextual forms) ends at a
	 * hard line break, as joining does: so a line is shaped the same
	 * whatever lines stand around it, and can be shaped once (lm_shape's
	 * memo: an address's "The Headteacher"); la, lb: the line's bytes */
	size_t la = 0, lb = 0;
	for (size_t i = 0; i < p->n;) {
		if (p->c[i].cp == '\n') {
			p->c[i].start = 1;
			i++;
			continue;
		}
		if (!i || p->c[i].off >= lb) { /* a new line: each scanned once */
			for (la = p->c[i].off; la > 0 && p->text[la - 1] != '\n'; la--)
				;
			for (lb = p->c[i].off; lb < p->len && p->text[lb] != '\n'; lb++)
				;
		}
		size_t j = i + 1;
		while (j < p->n && p->c[j].cp != '\n' && p->c[j].attr == p->c[i].attr &&
		       p->c[j].font == p->c[i].font && p->c[j].level == p->c[i].level)
			j++;
		hb_font_t *hf = lm_fonts_get(fonts, p->c[i].font);
		hb_font_extents_t ext;
		if (hf && hb_font_get_h_extents(hf, &ext)) {
			double t = (double)(ext.ascender - ext.descender) /
				   (double)hb_face_get_upem(hb_font_get_face(hf));
			if (t > p->tall)
				p->tall = t;
		}
		LM_ALLOC_GROW(p->runs, p->nruns + 1, alloc);
		struct prun *r = &p->runs[p->nruns++];
		*r = (struct prun){ .a = i, .b = j, .attr = p->c[i].attr, .font = p->c[i].font,
				    .level = p->c[i].level, .g0 = p->g.n };
		size_t end = j < p->n ? p->c[j].off : p->len;
		size_t g0 = p->g.n;
		lm_shape(fonts, r->font, p->text + la, lb - la, p->c[i].off - la, end - la, r->level & 1, lang,
			 &p->g);
		for (size_t k = g0; k < p->g.n; k++)
			p->g.v[k].cluster += (uint32_t)la;
		r->ng = p->g.n - r->g0;
		i = j;
	}
	p->gch = lm_xmalloc((p->g.n ? p->g.n : 1) * sizeof(*p->gch));
	for (size_t k = 0; k < p->g.n; k++) {
		/* clusters run up (or down, right to left): the last one's
		 * character is the likeliest guess before a search */
		size_t ci = k && p->c[p->gch[k - 1]].off == p->g.v[k].cluster ? p->gch[k - 1]
									 : char_at(p, p->g.v[k].cluster);
		p->gch[k] = (uint32_t)ci;
		p->c[ci].w += p->g.v[k].ax;
		p->c[ci].start = 1;
	}
}

static int good_break_after(uint32_t c)
{
	return c == '/' || c == '-' || c == '.' || c == '?' || c == '&' || c == '=' ||
	       c == '_' || c == '#' || c == '@';
}

static void push_line(struct para *p, size_t *alloc, size_t a, size_t v, size_t e, long w)
{
	LM_ALLOC_GROW(p->lines, p->nlines + 1, *alloc);
	p->lines[p->nlines++] = (struct pline){ a, v, e, w, 0 };
}

/* The width of the hyphen a line broken at a soft hyphen (U+00AD, which
 * is drawn only there) ends with; left to right text only. */
static long hyphen_width(struct lm_fonts *fonts, const struct para *p, size_t i)
{
	return p->rtl ? 0 : lm_font_char_width(fonts, p->attrs[p->c[i].attr].face, '-');
}

/* Greedy: as much as fits, broken at the last opportunity; a word wider
 * than the line is cut, after a '/' when that leaves the line at least 40%
 * full, else after '-', '.' and the like, else where it stops fitting. */
static void para_break(struct para *p, struct lm_fonts *fonts, double width, double size)
{
	size_t alloc = 0, s = 0;
	const double limit = (width + 0.001) * 1000.0 / size;
	while (s < p->n) {
		long x = 0, xvis = 0, ok_w = 0;
		size_t vis = s, ok = 0, ok_vis = 0;
		int ok_hy = 0;
		size_t cut = 0, slash = 0, good = 0;
		long cut_w = 0, slash_w = 0, good_w = 0;
		size_t i = s;
		int done = 0;
		for (; i < p->n; i++) {
			const struct pch *c = &p->c[i];
			if (c->cp == '\n') {
				push_line(p, &alloc, s, vis, i + 1, xvis);
				s = i + 1;
				done = 1;
				break;
			}
			if (c->start && i > s && c->cp != ' ')
				cut = i, cut_w = x; /* before this cluster */
			x += c->w;
			if (c->cp != ' ')
				xvis = x, vis = i + 1;
			if (c->cp != ' ' && (double)xvis > limit && vis > s + 1) {
				if (ok > s) {
					push_line(p, &alloc, s, ok_vis, ok, ok_w);
					p->lines[p->nlines - 1].hyphen = ok_hy;
					s = ok;
				} else {
					size_t at = cut > s ? cut : i + 1;
					long aw = cut > s ? cut_w : xvis;
					if (slash > s && (double)slash_w * size / 1000.0 > width * 0.4)
						at = slash, aw = slash_w;
					else if (good > s && (double)good_w * size / 1000.0 > width * 0.4)
						at = good, aw = good_w;
					push_line(p, &alloc, s, at, at, aw);
					s = at;
				}
				done = 1;
				break;
			}
			int next_starts = i + 1 >= p->n || p->c[i + 1].start;
			if (c->brk == LINEBREAK_ALLOWBREAK && i + 1 < p->n) {
				long hy = c->cp == 0xAD ? hyphen_width(fonts, p, i) : 0;
				if (!hy || (double)(xvis + hy) <= limit)
					ok = i + 1, ok_w = xvis + hy, ok_vis = vis, ok_hy = c->cp == 0xAD && hy;
			}
			if (next_starts && c->cp == '/')
				slash = i + 1, slash_w = xvis;
			if (next_starts && good_break_after(c->cp))
				good = i + 1, good_w = xvis;
		}
		if (!done) {
			push_line(p, &alloc, s, vis, p->n, xvis);
			s = p->n;
		}
	}
}

/* ---- the memo ---- */

#define MEMO_SLOTS 4096
/* bounded, so memory stays flat however many letters a run makes: what
 * repeats (the letter's own paragraphs) comes back within a few letters.
 * 2 MB, not more: `check` over a million rows peaked at 21.7 MB with 8 MB
 * here (the bound is 16) and 13.8 MB with 2; a 1,000-letter print
 * file is the same bytes and within 1% of the instructions either way. */
#define MEMO_BYTES (2u << 20)

struct memo {
	struct para *slot[MEMO_SLOTS];
	size_t bytes;
};

static void memo_free(void *m)
{
	struct memo *mm = m;
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		while (mm->slot[i]) {
			struct para *n = mm->slot[i]->next;
			para_free(mm->slot[i]);
			mm->slot[i] = n;
		}
	free(mm);
}

/* The memo's key, fed field by field: hashed, compared with a stored key,
 * or stored, without first copying the paragraph's text. */
struct keyw {
	uint64_t h;
	const char *cmp; /* compare against this key … */
	size_t cmplen, pos;
	int eq;
	struct lm_buf *out; /* … or append to this one */
};

static void key_add(struct keyw *k, const void *p, size_t n)
{
	const unsigned char *u = p;
	if (k->out) {
		lm_buf_add(k->out, p, n);
	} else if (k->cmp) {
		if (!k->eq || k->pos + n > k->cmplen || memcmp(k->cmp + k->pos, p, n))
			k->eq = 0;
		k->pos += n;
	} else {
		for (size_t i = 0; i < n; i++)
			k->h = (k->h ^ u[i]) * 1099511628211ull;
	}
}

static void key_feed(struct keyw *k, const struct lm_span *spans, size_t n,
		     const struct lm_para_style *st, double width, const char *lang)
{
	static const char zero[2] = { 0, 1 };
	key_add(k, &st->face, sizeof(st->face));
	key_add(k, &st->size, sizeof(st->size));
	key_add(k, &width, sizeof(width));
	if (lang)
		key_add(k, lang, strlen(lang));
	key_add(k, zero, 1);
	for (size_t i = 0; i < n; i++) {
		key_add(k, &spans[i].style, sizeof(spans[i].style));
		key_add(k, &spans[i].len, sizeof(spans[i].len));
		key_add(k, spans[i].text, spans[i].len);
		if (spans[i].href)
			key_add(k, spans[i].href, strlen(spans[i].href));
		key_add(k, zero + (spans[i].href ? 1 : 0), 1);
	}
}

static const struct para *para_get(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
				   const struct lm_para_style *st, double width, const char *lang)
{
	/* the language matters to text of the scripts from Hebrew on (Urdu's
	 * Nastaliq, its direction); Latin text is laid out the same in any,
	 * and is then shaped once whoever asks (a height, then the lines) */
	int complex = 0;
	for (size_t i = 0; i < n && !complex; i++)
		for (size_t k = 0; k < spans[i].len && !complex; k++)
			complex = (unsigned char)spans[i].text[k] >= 0xD6;
	if (!complex)
		lang = NULL;
	struct keyw kh = { .h = 1469598103934665603ull };
	key_feed(&kh, spans, n, st, width, lang);
	uint64_t h = kh.h;
	if (!fonts->memo) {
		fonts->memo = lm_xcalloc(1, sizeof(struct memo));
		fonts->memo_free = memo_free;
	}
	struct memo *m = fonts->memo;
	size_t slot = (size_t)(h % MEMO_SLOTS);
	for (struct para *q = m->slot[slot]; q; q = q->next) {
		if (q->hash != h)
			continue;
		struct keyw kc = { .cmp = q->key, .cmplen = q->keylen, .eq = 1 };
		key_feed(&kc, spans, n, st, width, lang);
		if (kc.eq && kc.pos == q->keylen)
			return q;
	}
	struct lm_buf key = LM_BUF_INIT;
	struct keyw kb = { .out = &key };
	key_feed(&kb, spans, n, st, width, lang);
	struct para *p = lm_xcalloc(1, sizeof(*p));
	para_text(p, spans, n, st);
	para_fonts(p, fonts, lang);
	para_bidi(p, lang);
	para_breaks(p, lang);
	para_shape(p, fonts, lang);
	para_break(p, fonts, width, st->size);
	p->hash = h;
	p->keylen = key.len;
	p->key = lm_buf_detach(&key, NULL);
	p->bytes = sizeof(*p) + p->len + p->keylen + p->n * sizeof(*p->c) + p->g.n * sizeof(*p->g.v) +
		   p->nruns * sizeof(*p->runs) + p->g.n * sizeof(*p->gch) + p->nlines * sizeof(*p->lines) +
		   p->nattrs * (sizeof(*p->attrs) + 32) + 64 * 6; /* and malloc's own */
	if (m->bytes + p->bytes > MEMO_BYTES) {
		/* full: start again (what a run repeats comes back at once) */
		struct memo *fresh = lm_xcalloc(1, sizeof(*fresh));
		memo_free(m);
		fonts->memo = m = fresh;
	}
	m->bytes += p->bytes;
	p->next = m->slot[slot];
	m->slot[slot] = p;
	return p;
}

/* A paragraph in a tall script (Urdu's Nastaliq reaches 1.9 em above the
 * baseline and 0.6 below) gets the leading its font needs; Latin, Hebrew,
 * Bengali keep the style's. */
static double para_leading(const struct para *p, const struct lm_para_style *st)
{
	double need = st->size * p->tall * 0.8;
	return need > st->leading ? need : st->leading;
}

double lm_layout_shape_box(struct lm_layout *lay, struct lm_fonts *fonts, struct lm_box *b,
			   const char *lang)
{
	struct lm_span sp = { .text = b->text, .len = strlen(b->text) };
	struct lm_para_style st = { .face = b->face, .size = b->h };
	const struct para *p = para_get(fonts, &sp, 1, &st, 1e9, lang);
	if (p->nruns == 1 && p->nlines == 1 && p->runs[0].a == 0 && p->runs[0].b == p->n) {
		const struct prun *r = &p->runs[0];
		struct lm_glyph *g = lm_arena_alloc(lay->arena, (r->ng ? r->ng : 1) * sizeof(*g));
		if (r->ng) /* none when the text is all default-ignorables */
			memcpy(g, p->g.v + r->g0, r->ng * sizeof(*g));
		b->text = lm_arena_strdup(lay->arena, p->text);
		b->glyphs = g;
		b->nglyphs = r->ng;
		b->font = r->font;
		b->rtl = r->level & 1;
	}
	return p->nlines ? (double)p->lines[0].w * b->h / 1000.0 : 0;
}

double lm_para_height(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
		      const struct lm_para_style *st, double width)
{
	const struct para *p = para_get(fonts, spans, n, st, width - st->indent - st->right_indent, NULL);
	return (double)(p->nlines ? p->nlines : 1) * para_leading(p, st);
}

/* The link element for `href` within `elem`: one per link run, reused
 * across the lines the link wraps over. */
struct link_state {
	size_t hid;       /* the span's, to tell one link from the next */
	const char *copy; /* the layout's own copy: boxes outlive the spans */
	int elem;
};

/* A piece of a line: part of one run. */
struct piece {
	size_t a, b;
	const struct prun *r;
};

/* Returns the index of the box it added on the page, or -1; the
 * characters it holds in [*ba, *bb). */
static long emit_piece(struct lm_flow *f, const struct para *p, const struct piece *pc,
		       const struct lm_para_style *st, int elem, struct link_state *ls,
		       double x, double baseline, size_t *ba, size_t *bb)
{
	const struct prun *r = pc->r;
	/* the spaces at the piece's logical ends are a gap, not its text */
	size_t a = pc->a, b = pc->b;
	while (b > a && p->c[b - 1].cp == ' ')
		b--;
	while (a < b && p->c[a].cp == ' ')
		a++;
	*ba = a, *bb = b;
	/* nothing to draw: only spaces, or only default-ignorables (which
	 * shape to no glyph at all) */
	if (b == a || !r->ng)
		return -1;
	const struct lm_glyph *g = p->g.v + r->g0;
	const uint32_t *gch = p->gch + r->g0;
	long pen = 0, start = -1, gw = 0;
	size_t first = 0, ng = 0;
	/* the piece's glyphs are together in the run, clusters rising (or
	 * falling, right to left): found by bisection, not a walk from the
	 * run's start on every line */
	int rtl = r->level & 1;
	size_t lo = 0, hi = r->ng;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (rtl ? gch[mid] < pc->b : gch[mid] >= pc->a)
			hi = mid;
		else
			lo = mid + 1;
	}
	for (size_t k = lo; k < r->ng && gch[k] >= pc->a && gch[k] < pc->b; k++) {
		size_t ci = gch[k];
		if (ci >= a && ci < b) {
			if (start < 0)
				start = pen, first = k;
			ng = k + 1 - first;
			gw = pen + g[k].ax - start;
		}
		pen += g[k].ax;
	}
	if (start < 0)
		start = 0;
	const struct pattr *at = &p->attrs[r->attr];
	size_t ta = p->c[a].off, tb = b < p->n ? p->c[b].off : p->len;
	int owner = elem;
	/* an artifact (a repeated table header) is no link */
	const char *href = elem >= 0 ? at->href : NULL;
	if (href) {
		if (ls->elem < 0 || ls->hid != at->hid) {
			ls->hid = at->hid;
			ls->copy = lm_arena_strdup(f->lay->arena, href);
			ls->elem = lm_layout_elem(f->lay, LM_ROLE_LINK, 0, elem);
			f->lay->elems[ls->elem].href = ls->copy;
		}
		owner = ls->elem;
		href = ls->copy;
	} else {
		ls->elem = -1;
	}
	struct lm_glyph *copy = NULL;
	if (ng) {
		copy = lm_arena_alloc(f->lay->arena, ng * sizeof(*copy));
		memcpy(copy, g + first, ng * sizeof(*copy));
		/* clusters relative to the box's own text */
		for (size_t k = 0; k < ng; k++)
			copy[k].cluster -= (uint32_t)ta;
	}
	double bx = x + (double)start * st->size / 1000.0, bw = (double)gw * st->size / 1000.0;
	struct lm_box box = {
		.kind = LM_BOX_TEXT,
		.elem = owner,
		.x = bx,
		.y = baseline,
		.w = bw,
		.h = st->size,
		.face = at->face,
		.text = lm_arena_strndup(f->lay->arena, p->text + ta, tb - ta),
		.href = href,
		.rgb = href ? LINK_RGB : st->rgb,
		.font = r->font,
		.glyphs = copy,
		.nglyphs = ng,
		.rtl = r->level & 1,
		.para_rtl = p->rtl,
	};
	lm_layout_add(f->lay, f->page, &box);
	long at_index = (long)f->lay->pages[f->page].n - 1;
	if (href) {
		/* underline: links must be recognisable on paper too */
		struct lm_box u = {
			.kind = LM_BOX_RULE, .elem = -1,
			.x = bx, .y = baseline - st->size * 0.12,
			.w = bw, .h = st->size * 0.05, .rgb = LINK_RGB,
		};
		lm_layout_add(f->lay, f->page, &u);
	}
	return at_index;
}

static long piece_width(const struct para *p, const struct piece *pc)
{
	long w = 0;
	for (size_t i = pc->a; i < pc->b; i++)
		w += p->c[i].w;
	return w;
}

static void emit_line(struct lm_flow *f, const struct para *p, const struct pline *ln,
		      const struct lm_para_style *st, int elem, struct link_state *ls,
		      double baseline)
{
	double width = f->right - f->left - st->indent - st->right_indent;
	/* right to left, a list item's indent is on the right */
	double x0 = f->left + (p->rtl ? st->right_indent : st->indent);
	double lw = (double)ln->w * st->size / 1000.0;
	enum lm_align align = st->align;
	if (p->rtl && align == LM_ALIGN_LEFT)
		align = LM_ALIGN_RIGHT; /* right to left: against the right margin */
	if (align == LM_ALIGN_RIGHT)
		x0 += width - lw;
	else if (align == LM_ALIGN_CENTER)
		x0 += (width - lw) / 2;
	/* the line's pieces in logical order, then in visual order */
	size_t np = 0, alloc = 0;
	struct piece *pcs = NULL;
	size_t r0 = 0, r1 = p->nruns;
	while (r0 < r1) { /* the first run that ends after the line's start */
		size_t mid = (r0 + r1) / 2;
		if (p->runs[mid].b > ln->a)
			r1 = mid;
		else
			r0 = mid + 1;
	}
	for (size_t r = r0; r < p->nruns && p->runs[r].a < ln->v; r++) {
		const struct prun *run = &p->runs[r];
		size_t a = run->a > ln->a ? run->a : ln->a, b = run->b < ln->v ? run->b : ln->v;
		if (a >= b)
			continue;
		LM_ALLOC_GROW(pcs, np + 1, alloc);
		pcs[np++] = (struct piece){ a, b, run };
	}
	int maxl = 0, minodd = 255;
	for (size_t i = 0; i < np; i++) {
		int l = pcs[i].r->level;
		if (l > maxl)
			maxl = l;
		if ((l & 1) && l < minodd)
			minodd = l;
	}
	for (int l = maxl; l >= minodd && l > 0; l--)
		for (size_t i = 0; i < np;) {
			if (pcs[i].r->level < l) {
				i++;
				continue;
			}
			size_t j = i;
			while (j < np && pcs[j].r->level >= l)
				j++;
			for (size_t a = i, b = j - 1; a < b; a++, b--) {
				struct piece t = pcs[a];
				pcs[a] = pcs[b];
				pcs[b] = t;
			}
			i = j;
		}
	double x = x0;
	long *idx = lm_xmalloc((np ? np : 1) * sizeof(*idx));
	size_t *ba = lm_xmalloc((np ? np : 1) * sizeof(*ba)), *bb = lm_xmalloc((np ? np : 1) * sizeof(*bb));
	for (size_t i = 0; i < np; i++) {
		idx[i] = emit_piece(f, p, &pcs[i], st, elem, ls, x, baseline, &ba[i], &bb[i]);
		x += (double)piece_width(p, &pcs[i]) * st->size / 1000.0;
	}
	free(idx);
	free(ba);
	free(bb);
	if (ln->hyphen && ln->v > ln->a) {
		const struct pattr *at = &p->attrs[p->c[ln->v - 1].attr];
		struct lm_box hy = {
			.kind = LM_BOX_TEXT, .elem = ls->elem >= 0 && at->href ? ls->elem : elem,
			.x = x, .y = baseline, .h = st->size, .face = at->face, .text = "-",
			.w = (double)lm_font_char_width(f->fonts, at->face, '-') * st->size / 1000.0,
			.rgb = at->href && elem >= 0 ? LINK_RGB : st->rgb,
		};
		lm_layout_add(f->lay, f->page, &hy);
	}
	free(pcs);
}

int lm_flow_para(struct lm_flow *f, const struct lm_span *spans, size_t n,
		 const struct lm_para_style *st, int elem)
{
	double width = f->right - f->left - st->indent - st->right_indent;
	/* the marker first: shaping it may renew the memo the paragraph is in */
	struct lm_box mb = { .kind = LM_BOX_TEXT, .elem = st->marker_elem, .h = st->size,
			     .face = st->face, .text = st->marker, .rgb = st->rgb };
	if (st->marker && *st->marker) {
		double mw = lm_layout_shape_box(f->lay, f->fonts, &mb, f->lang);
		mb.x = f->left + st->indent - mw - st->size * 0.6;
		mb.w = mw;
		if (mb.text == st->marker)
			mb.text = lm_arena_strdup(f->lay->arena, st->marker);
	}
	const struct para *p = para_get(f->fonts, spans, n, st, width, f->lang);
	if (p->rtl) /* the bullet or number hangs right of the text */
		mb.x = f->right - st->indent + st->size * 0.6;
	struct lm_para_style tall = *st;
	tall.leading = para_leading(p, st);
	st = &tall;
	size_t nlines = p->nlines;
	const struct pline *lines = p->lines;
	struct link_state ls = { .elem = -1 };
	size_t i = 0;
	int marker_done = 0;
	while (i < nlines || (nlines == 0 && !marker_done && st->marker)) {
		size_t fit = (size_t)floor((f->y - f->bottom + 0.01) / st->leading);
		size_t left = nlines - i;
		if (nlines && fit >= left && f->keep_after > 0 && !f->at_top &&
		    f->y - (double)left * st->leading - f->keep_after < f->bottom - 0.01) {
			/* what must follow does not fit below: the last two
			 * lines go over with it (or all, rather than leave one) */
			size_t take = left > 2 ? left - 2 : 0;
			if (i == 0 && take < 2)
				take = 0;
			if (!take) {
				lm_flow_new_page(f);
				continue;
			}
			fit = take;
		} else if (nlines && fit < left) {
			/* no lone first line at the foot of a page, no lone last line at the top of the next */
			size_t take = fit;
			if (left - take == 1 && take > 0)
				take--;
			if ((i == 0 && take < 2 && left > 1) || take == 0) {
				if (!f->at_top) {
					lm_flow_new_page(f);
					continue;
				}
				take = fit ? fit : 1;
			}
			fit = take;
		} else {
			fit = nlines ? left : 0;
		}
		for (size_t k = 0; k < fit || (nlines == 0 && k == 0); k++) {
			double baseline = f->y - st->leading * 0.78;
			if (!marker_done && st->marker && *st->marker) {
				mb.y = baseline;
				lm_layout_add(f->lay, f->page, &mb);
			}
			marker_done = 1;
			if (nlines)
				emit_line(f, p, &lines[i + k], st, elem, &ls, baseline);
			f->y -= st->leading;
			f->at_top = 0;
		}
		i += fit;
		if (i < nlines)
			lm_flow_new_page(f);
		if (nlines == 0)
			break;
	}
	return (int)nlines;
}

/* ---- documents ---- */

static double natural_width(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
			    const struct lm_para_style *st, double *min_word)
{
	/* the widest line between forced breaks (<br> in a cell), and the
	 * widest word: a column never needs more, and can never take less */
	const struct para *p = para_get(fonts, spans, n, st, 1e9, NULL);
	long w = 0, word = 0, mw = 0;
	for (size_t i = 0; i < p->nlines; i++)
		if (p->lines[i].w > w)
			w = p->lines[i].w;
	for (size_t i = 0; i < p->n; i++) {
		const struct pch *c = &p->c[i];
		if (c->cp == '\n' || c->cp == ' ') {
			word = 0;
			continue;
		}
		word += c->w;
		if (word > mw)
			mw = word;
		if (c->brk != LINEBREAK_NOBREAK)
			word = 0;
	}
	*min_word = (double)mw * st->size / 1000.0;
	return (double)w * st->size / 1000.0;
}


static void rule(struct lm_flow *f, double x, double y, double w, double h, unsigned rgb)
{
	struct lm_box b = { .kind = LM_BOX_RULE, .elem = -1, .x = x, .y = y, .w = w, .h = h, .rgb = rgb };
	lm_layout_add(f->lay, f->page, &b);
}

static void flow_table_as_lines(struct lm_flow *f, const struct lm_block *b, double size,
				double indent, int parent, unsigned rgb);

/* Row `r` of table `b` at the current position, `h` high; its elements
 * under `table`, or every box an artifact when `table` is -1 (a header
 * repeated on a new page: a screen reader has read it once already). */
static void table_row(struct lm_flow *f, const struct lm_block *b, size_t r, const double *colw,
		      double h, double pad, double leading, double size, double indent, double avail,
		      int table)
{
	const double line = 0.5;
	int row = table >= 0 ? lm_layout_elem(f->lay, LM_ROLE_TABLE_ROW, 0, table) : -1;
	double top = f->y, x = f->left + indent;
	if (b->cells[r * b->ncols].header)
		rule(f, x, top - h, avail, h, 0xE6E9EF);
	rule(f, x, top - line / 2, avail, line, 0x7F7F7F);
	double save_left = f->left, save_right = f->right;
	for (size_t c = 0; c < b->ncols; c++) {
		const struct lm_table_cell *cell = &b->cells[r * b->ncols + c];
		int ce = row >= 0 ? lm_layout_elem(f->lay, cell->header ? LM_ROLE_TABLE_HEADER
								      : LM_ROLE_TABLE_CELL, 0, row)
				  : -1;
		struct lm_para_style st = { .face = cell->header ? LM_FACE_BOLD : LM_FACE_REGULAR,
					    .size = size, .leading = leading,
					    .align = cell->align == 1 ? LM_ALIGN_CENTER
						   : cell->align == 2 ? LM_ALIGN_RIGHT : LM_ALIGN_LEFT };
		f->left = x + pad;
		f->right = x + colw[c] - pad;
		f->y = top - pad;
		lm_flow_para(f, cell->spans, cell->nspans, &st, ce);
		x += colw[c];
	}
	f->left = save_left;
	f->right = save_right;
	f->y = top - h;
	f->at_top = 0;
}

static void flow_table(struct lm_flow *f, const struct lm_block *b, double size, double indent,
		       int parent)
{
	if (!b->ncols || !b->nrows)
		return;
	const double pad = size * 0.4, line = 0.5;
	double avail = f->right - f->left - indent;
	double *maxw = lm_xcalloc(b->ncols, sizeof(double));
	double *minw = lm_xcalloc(b->ncols, sizeof(double));
	double *colw = lm_xcalloc(b->ncols, sizeof(double));
	for (size_t r = 0; r < b->nrows; r++) {
		for (size_t c = 0; c < b->ncols; c++) {
			const struct lm_table_cell *cell = &b->cells[r * b->ncols + c];
			struct lm_para_style st = { .face = cell->header ? LM_FACE_BOLD : LM_FACE_REGULAR,
						    .size = size };
			double mw;
			double w = natural_width(f->fonts, cell->spans, cell->nspans, &st, &mw) + 2 * pad;
			mw += 2 * pad;
			if (w > maxw[c])
				maxw[c] = w;
			if (mw > minw[c])
				minw[c] = mw;
		}
	}
	/* no column narrower than a few characters and its padding: when
	 * that many cannot fit, the table is read as lines instead */
	const double mincol = 2 * pad + size * 2.5;
	if (avail < mincol * (double)b->ncols) {
		free(maxw);
		free(minw);
		free(colw);
		flow_table_as_lines(f, b, size, indent, parent, 0);
		return;
	}
	double summax = 0, summin = 0;
	for (size_t c = 0; c < b->ncols; c++) {
		if (maxw[c] < mincol)
			maxw[c] = mincol;
		if (minw[c] < mincol)
			minw[c] = mincol;
		summax += maxw[c], summin += minw[c];
	}
	/* even the longest words do not fit: every column its whole text up
	 * to one level, the level set so that the table fills the width (the
	 * short columns read whole, only the widest break their long words) */
	double level = avail;
	if (summin > avail) {
		double *sorted = lm_xcalloc(b->ncols, sizeof(double));
		memcpy(sorted, maxw, b->ncols * sizeof(double));
		for (size_t i = 1; i < b->ncols; i++)
			for (size_t k = i; k > 0 && sorted[k - 1] > sorted[k]; k--) {
				double t = sorted[k];
				sorted[k] = sorted[k - 1];
				sorted[k - 1] = t;
			}
		double rem = avail;
		for (size_t i = 0; i < b->ncols; i++) {
			if (sorted[i] * (double)(b->ncols - i) > rem) {
				level = rem / (double)(b->ncols - i);
				break;
			}
			rem -= sorted[i];
		}
		free(sorted);
	}
	for (size_t c = 0; c < b->ncols; c++) {
		if (summax <= avail)
			colw[c] = maxw[c] + (avail - summax) * maxw[c] / summax;
		else if (summin <= avail && summax > summin)
			/* CSS 2.1's automatic table layout: every column its longest
			 * word, the rest shared in proportion to what each wants more */
			colw[c] = minw[c] + (avail - summin) * (maxw[c] - minw[c]) / (summax - summin);
		else
			colw[c] = maxw[c] < level ? maxw[c] : level;
	}
	int table = lm_layout_elem(f->lay, LM_ROLE_TABLE, 0, parent);
	double leading = size * 1.3;
	double *rowh = lm_xcalloc(b->nrows, sizeof(double));
	size_t nhead = 0; /* header rows, repeated at the top of each page the table runs onto */
	while (nhead < b->nrows && b->cells[nhead * b->ncols].header)
		nhead++;
	double headh = 0;
	for (size_t r = 0; r < b->nrows; r++) {
		for (size_t c = 0; c < b->ncols; c++) {
			const struct lm_table_cell *cell = &b->cells[r * b->ncols + c];
			struct lm_para_style st = { .face = cell->header ? LM_FACE_BOLD : LM_FACE_REGULAR,
						    .size = size, .leading = leading };
			double ch = lm_para_height(f->fonts, cell->spans, cell->nspans, &st, colw[c] - 2 * pad);
			if (ch > rowh[r])
				rowh[r] = ch;
		}
		rowh[r] += 2 * pad;
		if (r < nhead)
			headh += rowh[r];
	}
	/* a repeated header only helps when a page holds more than it */
	int repeat = nhead && nhead < b->nrows && headh < (f->top - f->bottom) / 3;
	for (size_t r = 0; r < b->nrows; r++) {
		/* the header stays with the first row below it */
		double need = r == 0 && nhead < b->nrows ? headh + rowh[nhead] : rowh[r];
		size_t page = f->page;
		double was = f->y;
		lm_flow_need(f, need);
		if (f->page != page && r > 0) {
			/* close the table at the foot of the page it leaves */
			struct lm_box foot = { .kind = LM_BOX_RULE, .elem = -1, .x = f->left + indent,
					       .y = was - line / 2, .w = avail, .h = line, .rgb = 0x7F7F7F };
			lm_layout_add(f->lay, page, &foot);
			if (repeat && r >= nhead)
				for (size_t k = 0; k < nhead; k++)
					table_row(f, b, k, colw, rowh[k], pad, leading, size, indent, avail, -1);
		}
		table_row(f, b, r, colw, rowh[r], pad, leading, size, indent, avail, table);
		if (r + 1 == b->nrows)
			rule(f, f->left + indent, f->y - line / 2, avail, line, 0x7F7F7F);
	}
	free(rowh);
	free(maxw);
	free(minw);
	free(colw);
}

/* A table too wide for the frame: each body row as a paragraph of
 * "header: value" lines (the header in bold), so nothing runs past the
 * margin and every cell is still read with its column's name. */
static void flow_table_as_lines(struct lm_flow *f, const struct lm_block *b, double size,
				double indent, int parent, unsigned rgb)
{
	size_t first = b->cells[0].header ? 1 : 0;
	const struct lm_table_cell *head = first ? b->cells : NULL;
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = size, .leading = size * 1.3,
				    .indent = indent, .rgb = rgb };
	for (size_t r = first; r < b->nrows; r++) {
		size_t n = 0;
		for (size_t c = 0; c < b->ncols; c++)
			n += b->cells[r * b->ncols + c].nspans + (head ? head[c].nspans + 1 : 0) + 1;
		struct lm_span *sp = lm_arena_alloc(f->lay->arena, (n ? n : 1) * sizeof(*sp));
		size_t k = 0;
		for (size_t c = 0; c < b->ncols; c++) {
			const struct lm_table_cell *cell = &b->cells[r * b->ncols + c];
			if (k)
				sp[k++] = (struct lm_span){ .text = "\n", .len = 1 };
			if (head) {
				for (size_t i = 0; i < head[c].nspans; i++) {
					sp[k] = head[c].spans[i];
					sp[k++].style |= LM_SPAN_BOLD;
				}
				sp[k++] = (struct lm_span){ .text = ": ", .len = 2, .style = LM_SPAN_BOLD };
			}
			for (size_t i = 0; i < cell->nspans; i++)
				sp[k++] = cell->spans[i];
		}
		if (r > first)
			lm_flow_space(f, size * 0.5);
		int e = lm_layout_elem(f->lay, LM_ROLE_PARAGRAPH, 0, parent);
		lm_flow_para(f, sp, k, &st, e);
	}
}

/* A body image: natural size at LM_IMAGE_DPI, no wider than the text nor
 * taller than the frame; a Figure with its alt text, or an artifact when
 * decorative.  Without the image (no look-up) its alt text is printed.
 * Returns where the top of what it placed is, on the current page. */
static double flow_image(struct lm_flow *f, const struct lm_block *b, double indent, double size,
			 int parent)
{
	unsigned pw = 0, ph = 0;
	int idx = f->image ? f->image(f->image_ctx, b->src, &pw, &ph) : -1;
	if (idx < 0 || !pw || !ph) {
		if (b->decorative || !*b->alt)
			return 0;
		struct lm_span sp = { .text = b->alt, .len = strlen(b->alt) };
		struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = size, .leading = size * 1.3,
					    .indent = indent };
		lm_flow_need(f, st.leading);
		double top = f->y;
		lm_flow_para(f, &sp, 1, &st, lm_layout_elem(f->lay, LM_ROLE_PARAGRAPH, 0, parent));
		return top;
	}
	double w = pw * 72.0 / LM_IMAGE_DPI, h = ph * 72.0 / LM_IMAGE_DPI;
	double maxw = lm_flow_width(f) - indent, maxh = f->top - f->bottom;
	if (w > maxw)
		h *= maxw / w, w = maxw;
	if (h > maxh)
		w *= maxh / h, h = maxh;
	lm_flow_need(f, h);
	int e = -1;
	if (!b->decorative) {
		e = lm_layout_elem(f->lay, LM_ROLE_FIGURE, 0, parent);
		f->lay->elems[e].alt = lm_arena_strdup(f->lay->arena, b->alt);
	}
	struct lm_box box = { .kind = LM_BOX_IMAGE, .elem = e, .x = f->left + indent, .y = f->y - h,
			      .w = w, .h = h, .image = idx };
	lm_layout_add(f->lay, f->page, &box);
	double top = f->y;
	f->y -= h;
	f->at_top = 0;
	return top;
}

void lm_flow_doc(struct lm_flow *f, const struct lm_doc *doc, double size, int parent)
{
	const double leading = size * (f->leading_scale > 0 ? f->leading_scale : 1.3);
	const double gap = size * 0.8 * (f->gap_scale > 0 ? f->gap_scale : 1.0);
	const double indent_step = size * 1.6;
	/* only the last block keeps with what follows the document */
	const double keep = f->keep_after;
	f->keep_after = 0;
	int list_elem[64];
	int list_ids[64];
	int depth = 0;     /* open lists */
	int item_body = -1;
	int level_body[64]; /* the body of the latest item at each open list level */
	const char *marker = NULL; /* a list item's bullet that waits for its image */
	int marker_elem = -1;
	int empty_item = -1; /* the body of a list item with no text, just above */
	for (size_t i = 0; i < doc->n; i++) {
		const struct lm_block *b = &doc->blocks[i];
		if (i + 1 == doc->n && (b->kind == LM_BLOCK_PARAGRAPH || b->kind == LM_BLOCK_LIST_ITEM))
			f->keep_after = keep;
		double indent = indent_step * (b->quote + (b->kind == LM_BLOCK_LIST_ITEM || b->kind == LM_BLOCK_IMAGE ? b->level : 0));
		/* deep quotes and lists stop indenting where the text column
		 * would get narrower than MIN_COLUMN of the frame */
		if (indent > lm_flow_width(f) * (1 - MIN_COLUMN))
			indent = lm_flow_width(f) * (1 - MIN_COLUMN);
		/* an image inside a list item belongs to the item */
		int in_list = b->kind == LM_BLOCK_LIST_ITEM || (b->kind == LM_BLOCK_IMAGE && b->level > 0);
		if (!in_list)
			depth = 0;
		struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = size, .leading = leading,
					    .indent = indent };
		switch (b->kind) {
		case LM_BLOCK_HEADING: {
			static const double scale[] = { 1.45, 1.2, 1.05, 1.0, 1.0, 1.0 };
			st.face = LM_FACE_BOLD;
			st.size = size * scale[b->level > 0 && b->level <= 6 ? b->level - 1 : 5];
			st.leading = st.size * 1.25;
			lm_flow_space(f, gap * 1.2);
			/* a heading never ends a page: it keeps two lines of what follows */
			double h = lm_para_height(f->fonts, b->spans, b->nspans, &st, lm_flow_width(f));
			lm_flow_need(f, h + gap * 0.4 + 2 * leading);
			int e = lm_layout_elem(f->lay, LM_ROLE_HEADING, b->level, parent);
			lm_flow_para(f, b->spans, b->nspans, &st, e);
			f->y -= gap * 0.4;
			continue;
		}
		case LM_BLOCK_PARAGRAPH: {
			lm_flow_space(f, gap);
			int e = lm_layout_elem(f->lay, LM_ROLE_PARAGRAPH, 0, parent);
			lm_flow_para(f, b->spans, b->nspans, &st, e);
			break;
		}
		case LM_BLOCK_LIST_ITEM: {
			int lvl = b->level < 1 ? 1 : b->level > 64 ? 64 : b->level;
			if (depth > lvl)
				depth = lvl;
			if (depth < lvl || list_ids[lvl - 1] != b->list_id) {
				/* a new list, nested in the item above it when deeper */
				int above = lvl > 1 && depth >= lvl - 1 ? level_body[lvl - 2] : -1;
				if (above < 0)
					above = lvl > 1 ? item_body : -1;
				depth = lvl;
				int up = above >= 0 ? above : parent;
				list_elem[lvl - 1] = lm_layout_elem(f->lay, LM_ROLE_LIST, 0, up);
				list_ids[lvl - 1] = b->list_id;
				level_body[lvl - 1] = -1;
				lm_flow_space(f, gap);
			} else {
				lm_flow_space(f, b->tight ? size * 0.25 : gap);
			}
			/* an item without text of its own ("2." above a table)
			 * has a body only when what follows goes in it: an empty
			 * element would be read out as nothing */
			const struct lm_block *next = i + 1 < doc->n ? &doc->blocks[i + 1] : NULL;
			int has_body = b->nspans ||
				       (next && (next->kind == LM_BLOCK_TABLE ||
						 (next->kind == LM_BLOCK_IMAGE && next->level > 0) ||
						 (next->kind == LM_BLOCK_LIST_ITEM && next->level > lvl)));
			int body = -1;
			if (*b->marker) {
				int li = lm_layout_elem(f->lay, LM_ROLE_LIST_ITEM, 0, list_elem[lvl - 1]);
				st.marker = b->marker;
				st.marker_elem = lm_layout_elem(f->lay, LM_ROLE_LABEL, 0, li);
				if (has_body)
					body = lm_layout_elem(f->lay, LM_ROLE_LIST_BODY, 0, li);
				level_body[lvl - 1] = body;
			} else {
				/* a later paragraph of an item belongs to the item of
				 * its own level, not to a deeper one that ended above it */
				body = level_body[lvl - 1] >= 0 ? level_body[lvl - 1]
							       : item_body >= 0 ? item_body : parent;
			}
			item_body = body;
			empty_item = b->nspans ? -1 : body;
			if (!b->nspans && *b->marker && i + 1 < doc->n &&
			    doc->blocks[i + 1].kind == LM_BLOCK_IMAGE && doc->blocks[i + 1].level > 0) {
				/* an item that opens with an image: its bullet goes
				 * beside the image's top, not on a line of its own */
				marker = b->marker;
				marker_elem = st.marker_elem;
				continue;
			}
			if (b->nspans) {
				int e = lm_layout_elem(f->lay, LM_ROLE_PARAGRAPH, 0, body);
				lm_flow_para(f, b->spans, b->nspans, &st, e);
			} else { /* the label on a line of its own */
				lm_flow_para(f, b->spans, 0, &st, -1);
			}
			continue;
		}
		case LM_BLOCK_TABLE:
			lm_flow_space(f, gap);
			/* tables a little smaller, but never below large print's 16 pt */
			flow_table(f, b, size >= 16 && size * 0.95 < 16 ? 16 : size * 0.95, indent,
				   empty_item >= 0 ? empty_item : parent);
			break;
		case LM_BLOCK_RULE:
			lm_flow_space(f, gap);
			rule(f, f->left + indent, f->y, lm_flow_width(f) - indent, 0.6, 0x7F7F7F);
			f->at_top = 0;
			break;
		case LM_BLOCK_IMAGE: {
			if (!marker)
				lm_flow_space(f, gap);
			double top = flow_image(f, b, indent, size, in_list && item_body >= 0 ? item_body : parent);
			if (marker && top > 0) {
				struct lm_box mb = {
					.kind = LM_BOX_TEXT, .elem = marker_elem,
					.y = top - leading * 0.78, .h = size, .face = LM_FACE_REGULAR,
					.text = marker,
				};
				double mw = lm_layout_shape_box(f->lay, f->fonts, &mb, f->lang);
				mb.x = f->left + indent - mw - size * 0.6;
				mb.w = mw;
				if (mb.text == marker)
					mb.text = lm_arena_strdup(f->lay->arena, marker);
				lm_layout_add(f->lay, f->page, &mb);
			}
			marker = NULL;
			if (in_list)
				continue; /* the item goes on after it */
			break;
		}
		}
		item_body = -1;
		empty_item = -1;
	}
	f->keep_after = 0;
}

const char *lm_role_name(const struct lm_elem *e)
{
	static const char *const h[] = { "H1", "H2", "H3", "H4", "H5", "H6" };
	switch (e->role) {
	case LM_ROLE_ARTIFACT:
		return NULL;
	case LM_ROLE_DOCUMENT:
		return "Document";
	case LM_ROLE_HEADING:
		return h[e->level >= 1 && e->level <= 6 ? e->level - 1 : 5];
	case LM_ROLE_PARAGRAPH:
		return "P";
	case LM_ROLE_LIST:
		return "L";
	case LM_ROLE_LIST_ITEM:
		return "LI";
	case LM_ROLE_LABEL:
		return "Lbl";
	case LM_ROLE_LIST_BODY:
		return "LBody";
	case LM_ROLE_TABLE:
		return "Table";
	case LM_ROLE_TABLE_ROW:
		return "TR";
	case LM_ROLE_TABLE_HEADER:
		return "TH";
	case LM_ROLE_TABLE_CELL:
		return "TD";
	case LM_ROLE_LINK:
		return "Link";
	case LM_ROLE_FIGURE:
		return "Figure";
	case LM_ROLE_SECTION:
		return "Sect";
	}
	return "P";
}

/* Each element's children in reading order, as first child and next
 * sibling: listing them costs one pass, not a scan of every later element
 * for each (40,000 nested lists took 17 s). */
struct kids {
	size_t *first, *next; /* SIZE_MAX: none */
};

static void structure_node(const struct lm_layout *lay, size_t e, int depth,
			   const struct lm_buf *text, const struct kids *kids, struct lm_buf *out)
{
	const struct lm_elem *el = &lay->elems[e];
	const char *name = lm_role_name(el);
	if (!name)
		return;
	lm_buf_addf(out, "%*s%s", 2 * depth, "", name);
	if (el->alt)
		lm_buf_addf(out, " (alt: \"%s\")", el->alt);
	if (el->href)
		lm_buf_addf(out, " -> %s", el->href);
	if (text[e].len)
		lm_buf_addf(out, ": \"%s\"", text[e].ptr);
	lm_buf_addc(out, '\n');
	for (size_t k = kids->first[e]; k != SIZE_MAX; k = kids->next[k])
		structure_node(lay, k, depth + 1, text, kids, out);
}

void lm_layout_structure(const struct lm_layout *lay, struct lm_buf *out)
{
	if (!lay->nelems)
		return;
	struct lm_buf *text = lm_xcalloc(lay->nelems, sizeof(*text));
	for (size_t e = 0; e < lay->nelems; e++)
		lm_buf_init(&text[e]);
	for (size_t p = 0; p < lay->npages; p++) {
		for (size_t i = 0; i < lay->pages[p].n; i++) {
			const struct lm_box *b = &lay->pages[p].boxes[i];
			if (b->kind != LM_BOX_TEXT || b->elem < 0 || (size_t)b->elem >= lay->nelems)
				continue;
			struct lm_buf *t = &text[b->elem];
			if (t->len)
				lm_buf_addc(t, ' ');
			lm_buf_adds(t, b->text);
		}
	}
	/* children were created after their parent, in reading order */
	struct kids kids = { lm_xmalloc(lay->nelems * sizeof(size_t)), lm_xmalloc(lay->nelems * sizeof(size_t)) };
	for (size_t e = 0; e < lay->nelems; e++)
		kids.first[e] = kids.next[e] = SIZE_MAX;
	for (size_t k = lay->nelems; k-- > 1;) {
		int p = lay->elems[k].parent;
		if (p >= 0 && (size_t)p < k) {
			kids.next[k] = kids.first[p];
			kids.first[p] = k;
		}
	}
	structure_node(lay, 0, 0, text, &kids, out);
	free(kids.first);
	free(kids.next);
	for (size_t e = 0; e < lay->nelems; e++)
		lm_buf_release(&text[e]);
	free(text);
}

int lm_layout_empty_elem(const struct lm_layout *lay)
{
	/* an element holds something when a box is in it or in a child; a
	 * child is created after its parent, so one pass backwards marks them */
	unsigned char *full = lm_xcalloc(lay->nelems ? lay->nelems : 1, 1);
	for (size_t p = 0; p < lay->npages; p++)
		for (size_t i = 0; i < lay->pages[p].n; i++) {
			int e = lay->pages[p].boxes[i].elem;
			if (e >= 0 && (size_t)e < lay->nelems)
				full[e] = 1;
		}
	/* a table cell may be empty: the grid must stay whole for the
	 * reader to tell which column a cell is in */
	for (size_t e = 1; e < lay->nelems; e++)
		if (lay->elems[e].role == LM_ROLE_TABLE_CELL || lay->elems[e].role == LM_ROLE_TABLE_HEADER)
			full[e] = 1;
	for (size_t e = lay->nelems; e-- > 1;) {
		int parent = lay->elems[e].parent;
		if (full[e] && parent >= 0 && (size_t)parent < e)
			full[parent] = 1;
	}
	int empty = -1;
	for (size_t e = 1; e < lay->nelems && empty < 0; e++)
		if (!full[e] && lay->elems[e].role != LM_ROLE_ARTIFACT)
			empty = (int)e;
	free(full);
	return empty;
}
