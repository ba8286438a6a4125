#include "frame.h"

#include "buf.h"
#include "lang.h"
#include "shape.h"
#include "markdown.h"
#include "utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Page geometry, in points.  The margins keep every mark at least 15 mm
 * from the edge, inside what office and school printers can print. */
#define MM LM_MM
#define A4_W (210 * MM)
#define A4_H (297 * MM)
#define LETTER_W 612.0
#define LETTER_H 792.0
#define MARGIN_X (22 * MM)
#define MARGIN_TOP (18 * MM)
#define MARGIN_BOTTOM (26 * MM)
#define FOOTER_Y (14 * MM)

#define BODY_SIZE 11.0
/* Large print: RNIB's clear print guidance asks for 16 to 18 pt, left
 * aligned, no text over images; nothing in the letter is smaller. */
#define LARGE_SIZE 16.0
#define TEXT_RGB 0x000000u
#define GREY_RGB 0x404040u

/* ---- assets ---- */

void lm_assets_init(struct lm_assets *a)
{
	memset(a, 0, sizeof(*a));
}

void lm_assets_release(struct lm_assets *a)
{
	for (size_t i = 0; i < a->n; i++)
		lm_image_release(&a->images[i]);
	free(a->images);
	lm_assets_init(a);
}

static int add_asset(struct lm_assets *a, const struct lm_value *map, const char *file_key,
		     const char *path_key, struct lm_diag *d)
{
	const struct lm_value *path = lm_value_get(map, path_key);
	if (!path || path->kind != LM_VALUE_STRING || !path->len)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->images[i].path, path->str))
			return 0;
	const struct lm_value *cell = lm_value_get(map, file_key);
	struct lm_image img;
	if (lm_image_load(&img, path->str, cell ? cell->file : NULL, cell ? cell->line : 0,
			  cell ? cell->col : 0, d))
		return -1;
	LM_ALLOC_GROW(a->images, a->n + 1, a->alloc);
	a->images[a->n++] = img;
	return 0;
}

int lm_assets_load(struct lm_assets *a, const struct lm_area *area, struct lm_diag *d)
{
	const struct lm_value *ar = lm_value_get(area->ctx, "area");
	if (add_asset(a, ar, "logo", "logo_path", d))
		return -1;
	const struct lm_value *sigs = lm_value_get(area->ctx, "signatories");
	for (size_t i = 0; sigs && i < sigs->n; i++)
		if (add_asset(a, sigs->items[i], "signature", "signature_path", d))
			return -1;
	return 0;
}

static int asset_index(const struct lm_assets *a, const char *path)
{
	for (size_t i = 0; path && i < a->n; i++)
		if (!strcmp(a->images[i].path, path))
			return (int)i;
	return -1;
}

/* ---- laying out ---- */

struct ctx {
	const struct lm_letter *l;
	const struct lm_area *area;
	const struct lm_assets *assets;
	struct lm_fonts *fonts;
	struct lm_layout *lay;
	struct lm_flow flow;
	struct lm_value *data; /* the template context */
	const char *lang;      /* the letter's language (BCP 47) */
	const struct lm_value *area_map; /* the area's fields as this language reads them */
	size_t first, first_elem; /* this letter's first page and element (a bilingual letter's part) */
	struct lm_diag *d;
	int large;             /* large print */
	double size;           /* body text size */
	double lead;           /* body leading, a factor of size */
	double gap;            /* space between blocks and parts, a factor of its usual */
	const struct lm_value *sigs; /* who signs, in order */
	int no_block;          /* signatories: none: no closing, no block */
	const char *salutation, *subject, *closing; /* NULL: none */
	int parent;            /* the structure element the body goes in (the Document, or a column's) */
	const char *doc_lang;  /* the document's language: elements in another carry theirs */
	struct lm_frame_memo *memo; /* or NULL */
};

/* The element's language, when it is not the document's. */
static void elem_lang(struct ctx *c, int e)
{
	if (e >= 0 && c->doc_lang && strcasecmp(c->lang, c->doc_lang))
		c->lay->elems[e].lang = c->lang;
}

/* The PDF writer stores the title, author, subject, language and each
 * figure's alt text as PDF strings.  PDF 1.7 (Annex C) sets 32,767 bytes
 * as the longest string a reader must take, and libharu failed mid-run on
 * a longer title; checked while laying out, so `check` (and build, before
 * the first file is written) names the field that is too long. */
#define LM_PDF_STRING_MAX 32767

/* Fails when `text` (from field `what`, whose value `v` says where it
 * came from; `file` when v has none) is longer than a PDF string may be. */
static int pdf_string_fits(struct ctx *c, const char *what, const char *text,
			   const struct lm_value *v, const char *file)
{
	size_t n = text ? strlen(text) : 0;
	if (n <= LM_PDF_STRING_MAX)
		return 0;
	return lm_diag_set(c->d, v && v->file ? v->file : file, v ? v->line : 0, v ? v->col : 0,
			   "%s is %zu bytes long once expanded; a PDF can carry at most %d bytes there: shorten it",
			   what, n, LM_PDF_STRING_MAX);
}

/* Every string of the letter the PDF writer would refuse. */
static int pdf_strings_fit(struct ctx *c, const struct lm_pdf_meta *meta, const struct lm_value *area_map,
			   const struct lm_value *sigs)
{
	const char *fm = c->l->path;
	if (pdf_string_fits(c, "the title", meta->title, lm_value_get(c->l->fm, "title"), fm) ||
	    pdf_string_fits(c, "the subject", meta->subject, lm_value_get(c->l->fm, "subject"), fm) ||
	    pdf_string_fits(c, "the language (lang)", meta->lang, lm_value_get(c->l->fm, "lang"), fm) ||
	    pdf_string_fits(c, "the partnership (the PDF's author)", meta->author,
			    lm_value_get(area_map, "partnership"), NULL) ||
	    pdf_string_fits(c, "the logo's alt text", lm_value_str(area_map, "logo_alt", NULL),
			    lm_value_get(area_map, "logo_alt"), NULL))
		return -1;
	for (size_t i = 0; sigs && i < sigs->n; i++)
		if (pdf_string_fits(c, "the signature's alt text", lm_value_str(sigs->items[i], "alt", NULL),
				    lm_value_get(sigs->items[i], "alt"), NULL))
			return -1;
	return 0;
}

/* A part the front matter says the letter goes without: `none` (a word,
 * not text, so that "None" as a salutation still prints). */
static int is_none(const struct lm_value *v)
{
	return v && v->kind == LM_VALUE_STRING && !strcmp(v->str, "none");
}

static const struct lm_template *memo_template(struct lm_frame_memo *m, const char *path,
					       const struct lm_value *v, struct lm_diag *d);

/* Expands front matter `key` as plain text.  Returns 1 when the key is set,
 * 0 when absent (out untouched), -1 on error. */
static int fm_text(struct ctx *c, const struct lm_value *v, struct lm_buf *out)
{
	if (!v)
		return 0;
	if (v->kind != LM_VALUE_STRING)
		return lm_diag_set(c->d, c->l->path, v->line, v->col, "expected text here, not a list or map");
	const struct lm_template *t = c->memo ? memo_template(c->memo, c->l->path, v, c->d) : NULL;
	if (t) {
		if (lm_template_expand(t, c->data, LM_ESCAPE_NONE, out, c->d))
			return -1;
	} else if (lm_template_render_string(c->l->path, v->line, v->col, v->str, c->data, LM_ESCAPE_NONE,
					     out, c->d)) {
		return -1;
	}
	return 1;
}

static int fm_key(struct ctx *c, const char *key, const char *dflt, struct lm_buf *out)
{
	int rc = fm_text(c, lm_value_get(c->l->fm, key), out);
	if (rc == 0 && dflt)
		lm_buf_adds(out, dflt);
	return rc < 0 ? -1 : 0;
}

/* Plain text as one span, with web and email addresses linked. */
static struct lm_span *plain_spans(struct ctx *c, const char *text, size_t len, unsigned style,
				   size_t *n)
{
	struct lm_span *sp = lm_arena_alloc(c->lay->arena, sizeof(*sp));
	sp->text = lm_arena_strndup(c->lay->arena, text, len);
	sp->len = len;
	sp->style = style;
	*n = 1;
	lm_spans_autolink(c->lay->arena, &sp, n);
	return sp;
}

static void plain_para(struct ctx *c, const char *text, const struct lm_para_style *st, int elem)
{
	size_t n;
	struct lm_span *sp = plain_spans(c, text, strlen(text), 0, &n);
	lm_flow_para(&c->flow, sp, n, st, elem);
}

static struct lm_para_style body_style(const struct ctx *c)
{
	return (struct lm_para_style){ .face = LM_FACE_REGULAR, .size = c->size,
				       .leading = c->size * c->lead, .rgb = TEXT_RGB };
}

/* The organisation's address, one line of the value a line. */
static void letterhead_address(struct ctx *c, const char *addr, int e)
{
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = 9.5, .leading = 12,
				    .align = LM_ALIGN_RIGHT, .rgb = GREY_RGB };
	if (c->large)
		st.size = c->size, st.leading = c->size * 1.2, st.align = LM_ALIGN_LEFT,
		st.rgb = TEXT_RGB;
	size_t n;
	struct lm_buf lines = LM_BUF_INIT;
	for (const char *p = addr; *p; p++) {
		if (*p == '\r')
			continue;
		lm_buf_addc(&lines, *p);
	}
	struct lm_span *sp = lm_arena_alloc(c->lay->arena, 64 * sizeof(*sp));
	n = 0;
	const char *s = lm_arena_strdup(c->lay->arena, lines.ptr);
	lm_buf_release(&lines);
	while (*s && n < 62) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		if (n)
			sp[n++] = (struct lm_span){ .text = "\n", .len = 1 };
		sp[n++] = (struct lm_span){ .text = s, .len = len };
		s += len + (nl ? 1 : 0);
	}
	lm_flow_para(&c->flow, sp, n, &st, e);
}

/* `other`: the second language of a letter in columns, whose
 * organisation and address follow the first's when they differ. */
static int letterhead(struct ctx *c, struct ctx *other, int window)
{
	const struct lm_value *ar = c->area_map;
	struct lm_flow *f = &c->flow;
	double top = f->y;
	double logo_bottom = top;
	int logo = asset_index(c->assets, lm_value_str(ar, "logo_path", NULL));
	if (logo >= 0) {
		const struct lm_image *img = &c->assets->images[logo];
		double h = 20 * MM, w = h * img->width / img->height;
		if (w > 70 * MM)
			w = 70 * MM, h = w * img->height / img->width;
		int fig = lm_layout_elem(c->lay, LM_ROLE_FIGURE, 0, c->parent);
		const char *alt = lm_value_str(ar, "logo_alt", NULL);
		if (!alt || !*alt) {
			struct lm_buf b = LM_BUF_INIT;
			const char *logo_w = lm_lang_text(c->lang, LM_TEXT_LOGO);
			if (!logo_w)
				logo_w = lm_lang_text(NULL, LM_TEXT_LOGO);
			if (lm_lang_logo_first(c->lang))
				lm_buf_addf(&b, "%s %s", logo_w, lm_value_str(ar, "organisation", ""));
			else
				lm_buf_addf(&b, "%s %s", lm_value_str(ar, "organisation", ""), logo_w);
			alt = lm_arena_strdup(c->lay->arena, b.ptr);
			lm_buf_release(&b);
		}
		c->lay->elems[fig].alt = alt;
		struct lm_box b = { .kind = LM_BOX_IMAGE, .elem = fig, .x = MARGIN_X, .y = top - h,
				    .w = w, .h = h, .image = logo };
		lm_layout_add(c->lay, f->page, &b);
		logo_bottom = top - h;
	}
	/* organisation and address, right-aligned beside the logo; in large
	 * print left-aligned, below it */
	struct lm_para_style org = { .face = LM_FACE_BOLD, .size = 14, .leading = 17,
				     .align = LM_ALIGN_RIGHT, .rgb = TEXT_RGB };
	if (c->large) {
		org.size = 20, org.leading = 24, org.align = LM_ALIGN_LEFT;
		if (logo >= 0)
			f->y = logo_bottom - 3 * MM;
	}
	const char *name = lm_value_str(ar, "organisation", "");
	const char *name2 = other ? lm_value_str(other->area_map, "organisation", "") : "";
	int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
	plain_para(c, name, &org, e);
	if (other && *name2 && strcmp(name, name2)) {
		elem_lang(c, e);
		e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		elem_lang(other, e);
		plain_para(c, name2, &org, e);
	}
	const char *addr = lm_value_str(ar, "address", "");
	const char *addr2 = other ? lm_value_str(other->area_map, "address", "") : "";
	int two = other && *addr2 && strcmp(addr, addr2);
	if (*addr) {
		int ae = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		if (two)
			elem_lang(c, ae);
		letterhead_address(c, addr, ae);
	}
	if (two) {
		int ae = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		elem_lang(other, ae);
		letterhead_address(c, addr2, ae);
	}
	if (window) {
		/* the address window takes the left; the right column goes on */
		f->y -= 4 * MM;
		return 0;
	}
	if (f->y > logo_bottom)
		f->y = logo_bottom;
	f->y -= 4 * MM;
	struct lm_box rule = { .kind = LM_BOX_RULE, .elem = -1, .x = f->left, .y = f->y,
			       .w = lm_flow_width(f), .h = 0.8, .rgb = 0x1F3A60 };
	lm_layout_add(c->lay, f->page, &rule);
	f->y -= 6 * MM;
	return 0;
}

#define WINDOW_X LM_WINDOW_X
#define WINDOW_TOP LM_WINDOW_TOP
#define WINDOW_W LM_WINDOW_W
#define WINDOW_H LM_WINDOW_H
/* Liberation Sans: ascender 0.905 em, descender 0.212 em */
#define LM_FONT_ASCENT 0.905
#define LM_FONT_DESCENT 0.212

/* Returns where the address ends: the window's foot, or below it when a
 * large-print address runs longer. */
static double address_window(struct ctx *c, const struct lm_recipient *r)
{
	size_t n = r->naddress;
	if (n > LM_ADDRESS_MAX_LINES)
		n = LM_ADDRESS_MAX_LINES; /* check reports the row; print what fits */
	double leading = WINDOW_H / (double)(n > 6 ? n : 6);
	if (leading > 12.5)
		leading = 12.5;
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = leading / 1.2, .leading = leading,
				    .rgb = TEXT_RGB };
	if (c->large) /* at 16 pt more than four lines run below the window */
		st.size = c->size, st.leading = c->size * 1.08;
	struct lm_flow *f = &c->flow;
	double save_left = f->left, save_right = f->right, save_y = f->y;
	f->left = WINDOW_X;
	f->right = WINDOW_X + WINDOW_W;
	f->y = c->lay->page_h - WINDOW_TOP;
	/* the first line's ascenders stay inside the window, where at 16 pt
	 * the usual baseline (leading x 0.78) would put them a point above */
	double over = st.size * LM_FONT_ASCENT - st.leading * 0.78;
	if (over > 0)
		f->y -= over;
	struct lm_span *sp = lm_arena_alloc(c->lay->arena, 2 * n * sizeof(*sp));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k)
			sp[k++] = (struct lm_span){ .text = "\n", .len = 1 };
		sp[k++] = (struct lm_span){ .text = r->address[i]->str, .len = strlen(r->address[i]->str) };
	}
	int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
	lm_flow_para(f, sp, k, &st, e);
	double end = f->y, foot = c->lay->page_h - WINDOW_TOP - WINDOW_H;
	f->left = save_left;
	f->right = save_right;
	f->y = save_y;
	return end < foot ? end : foot;
}

/* The reference block's lines as this letter prints them (arena-owned):
 * expanded before they are placed, so that the memo can compare them. */
struct reflines {
	struct refline {
		const char *label, *value; /* label "" for none; value never empty */
		size_t llen, vlen;
	} *v;
	size_t n;
	int shows_date; /* a line prints {{date}} */
	int present;    /* the letter has a reference block */
};

/* Expands the letter's reference lines; errors as the block is read. */
static int reference_lines(struct ctx *c, struct reflines *r)
{
	const struct lm_value *ref = lm_value_get(c->l->fm, "reference");
	memset(r, 0, sizeof(*r));
	if (!ref || is_none(ref))
		return 0;
	if (ref->kind != LM_VALUE_LIST)
		return lm_diag_set(c->d, c->l->path, ref->line, ref->col,
				   "'reference' must be a list of lines, each with a label and a value");
	r->present = 1;
	r->v = lm_arena_alloc(c->lay->arena, (ref->n ? ref->n : 1) * sizeof(*r->v));
	for (size_t i = 0; i < ref->n; i++) {
		const struct lm_value *item = ref->items[i];
		if (item->kind != LM_VALUE_MAP)
			return lm_diag_set(c->d, c->l->path, item->line, item->col,
					   "each reference line needs 'label:' and 'value:'");
		struct lm_buf label = LM_BUF_INIT, value = LM_BUF_INIT;
		const struct lm_value *vv = lm_value_get(item, "value");
		if (fm_text(c, lm_value_get(item, "label"), &label) < 0 || fm_text(c, vv, &value) < 0) {
			lm_buf_release(&label);
			lm_buf_release(&value);
			return -1;
		}
		if (value.len) {
			if (vv && (strstr(vv->str, "{{date}}") || strstr(vv->str, "{{ date }}")))
				r->shows_date = 1;
			r->v[r->n].label = lm_arena_strndup(c->lay->arena, label.len ? label.ptr : "", label.len);
			r->v[r->n].value = lm_arena_strndup(c->lay->arena, value.ptr, value.len);
			r->v[r->n].llen = label.len;
			r->v[r->n].vlen = value.len;
			r->n++;
		}
		lm_buf_release(&label);
		lm_buf_release(&value);
	}
	return 0;
}

/* Places the reference block's lines. */
static void reference_place(struct ctx *c, const struct reflines *r)
{
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = 10, .leading = 13, .rgb = TEXT_RGB };
	if (c->large)
		st.size = c->size, st.leading = c->size * 1.25;
	else if (lm_flow_width(&c->flow) < 80 * MM)
		st.size = 9, st.leading = 11.5; /* the column beside the address window */
	for (size_t i = 0; i < r->n; i++) {
		const char *label = r->v[i].label, *value = r->v[i].value;
		size_t llen = r->v[i].llen;
		struct lm_span lab = { .style = LM_SPAN_BOLD };
		struct lm_buf lt = LM_BUF_INIT;
		if (llen)
			lm_buf_addf(&lt, "%s: ", label);
		lab.text = lm_arena_strdup(c->lay->arena, lt.ptr);
		lab.len = lt.len;
		lm_buf_release(&lt);
		size_t nv;
		struct lm_span *vs = plain_spans(c, value, r->v[i].vlen, 0, &nv);
		struct lm_span *all = lm_arena_alloc(c->lay->arena, (nv + 1) * sizeof(*all));
		all[0] = lab;
		memcpy(all + 1, vs, nv * sizeof(*vs));
		int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		lm_flow_para(&c->flow, llen ? all : all + 1, llen ? nv + 1 : nv, &st, e);
	}
	if (r->n)
		lm_flow_space(&c->flow, 6 * MM);
}

/* The reference block; sets *shows_date when a line prints {{date}}. */
static int reference_block(struct ctx *c, int *shows_date)
{
	struct reflines r;
	*shows_date = 0;
	if (reference_lines(c, &r))
		return -1;
	reference_place(c, &r);
	*shows_date = r.shows_date;
	return 0;
}

/* The signatories this letter names, in its order, or all of the area's. */
static int select_signatories(struct ctx *c, struct lm_value **out)
{
	const struct lm_value *all = lm_value_get(c->data, "signatories");
	const struct lm_value *want = lm_value_get(c->l->fm, "signatories");
	struct lm_value *list = lm_value_list(c->lay->arena);
	if (is_none(want)) {
		c->no_block = 1;
	} else if (!want) {
		/* a signed letter with no one to sign it is a letter gone wrong */
		if (!all || !all->n)
			return lm_diag_set(c->d, c->area->no_signatories ? c->area->dir : c->l->path, 0, 0,
					   c->area->no_signatories
					   ? "the area has no signatories.csv, but the letter is signed; add the file (one to three people sign), or put 'signatories: none' in the letter's front matter to send it unsigned"
					   : "%s/signatories.csv has no one in it, but the letter is signed; add one to three signatories, or put 'signatories: none' in the letter's front matter to send it unsigned",
					   c->area->dir);
		for (size_t i = 0; all && i < all->n && i < 3; i++)
			lm_value_push(c->lay->arena, list, all->items[i]);
	} else {
		if (want->kind == LM_VALUE_STRING) {
			struct lm_value *one = lm_value_list(c->lay->arena);
			lm_value_push(c->lay->arena, one, (struct lm_value *)want);
			want = one;
		}
		if (want->kind != LM_VALUE_LIST)
			return lm_diag_set(c->d, c->l->path, want->line, want->col,
					   "'signatories' must be a list of ids, e.g. [director, police]");
		if (want->n > 3)
			return lm_diag_set(c->d, c->l->path, want->line, want->col,
					   "a letter has one to three signatories, not %zu", want->n);
		for (size_t i = 0; i < want->n; i++) {
			const struct lm_value *id = want->items[i];
			struct lm_value *s = id->kind == LM_VALUE_STRING ? lm_value_get(all, id->str) : NULL;
			if (!s)
				return lm_diag_set(c->d, c->l->path, id->line, id->col,
						   "signatory '%s' is not in %s/signatories.csv; add the row or change the letter's 'signatories'",
						   id->kind == LM_VALUE_STRING ? id->str : "?", c->area->dir);
			lm_value_push(c->lay->arena, list, s);
		}
	}
	*out = list;
	return 0;
}

/* Height of one signatory's column, image included. */
#define SIG_IMAGE_H (15 * MM)

static double sig_column_height(struct ctx *c, const struct lm_value *s, double width)
{
	const struct lm_para_style name = { .face = LM_FACE_BOLD, .size = c->size, .leading = c->size * 1.23 };
	const struct lm_para_style rest = { .face = LM_FACE_REGULAR, .size = c->size, .leading = c->size * 1.23 };
	double h = SIG_IMAGE_H + 2 * MM;
	const char *keys[] = { "name", "title", "organisation" };
	for (int k = 0; k < 3; k++) {
		const char *t = lm_value_str(s, keys[k], "");
		if (!*t)
			continue;
		size_t n;
		struct lm_span *sp = plain_spans(c, t, strlen(t), 0, &n);
		h += lm_para_height(c->fonts, sp, n, k ? &rest : &name, width);
	}
	return h;
}

/* The signature block's columns: their width and the tallest's height. */
static double sig_block(struct ctx *c, double *colw)
{
	size_t n = c->sigs->n;
	double gutter = 6 * MM;
	*colw = n ? (lm_flow_width(&c->flow) - gutter * (double)(n - 1)) / (double)n : 0;
	if (*colw > 75 * MM)
		*colw = 75 * MM;
	double sig_h = 0;
	for (size_t i = 0; i < n; i++) {
		double h = sig_column_height(c, c->sigs->items[i], *colw);
		if (h > sig_h)
			sig_h = h;
	}
	return sig_h;
}

/* What the closing and the signature block take from where the body
 * ends: the paragraph before them must leave this much below it. */
static double sign_off_height(struct ctx *c)
{
	double colw;
	if (c->no_block || (!c->closing && !c->sigs->n))
		return 0;
	double h = c->size * 0.8 * c->gap + sig_block(c, &colw);
	if (c->closing)
		h += body_style(c).leading + 3 * MM;
	return h;
}

static int closing_and_signatures(struct ctx *c)
{
	struct lm_flow *f = &c->flow;
	const struct lm_value *sigs = c->sigs;
	if (c->no_block || (!c->closing && !sigs->n))
		return 0;
	size_t n = sigs->n;
	double gutter = 6 * MM;
	double colw;
	double sig_h = sig_block(c, &colw);
	/* the closing line and the whole signature block stay on one page */
	struct lm_para_style bs = body_style(c);
	lm_flow_space(f, c->size * 0.8 * c->gap);
	lm_flow_need(f, (c->closing ? bs.leading + 3 * MM : 0) + sig_h);
	if (c->closing) {
		int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		plain_para(c, c->closing, &bs, e);
		f->y -= 3 * MM;
	}
	if (!n)
		return 0;
	double top = f->y;
	double save_left = f->left, save_right = f->right;
	for (size_t i = 0; i < n; i++) {
		const struct lm_value *s = sigs->items[i];
		double x = save_left + (double)i * (colw + gutter);
		f->left = x;
		f->right = x + colw;
		f->y = top;
		int img = asset_index(c->assets, lm_value_str(s, "signature_path", NULL));
		if (img >= 0) {
			const struct lm_image *im = &c->assets->images[img];
			double h = SIG_IMAGE_H, w = h * im->width / im->height;
			if (w > colw)
				w = colw, h = w * im->height / im->width;
			int fig = lm_layout_elem(c->lay, LM_ROLE_FIGURE, 0, c->parent);
			const struct lm_value *alt = lm_value_get(s, "alt");
			const char *sig_w = lm_lang_text(c->lang, LM_TEXT_SIGNATURE);
			if (alt && !alt->file && sig_w) { /* the default, made in English */
				struct lm_buf ab = LM_BUF_INIT;
				lm_buf_addf(&ab, "%s %s", sig_w, lm_value_str(s, "name", ""));
				c->lay->elems[fig].alt = lm_arena_strdup(c->lay->arena, ab.ptr);
				lm_buf_release(&ab);
			} else {
				c->lay->elems[fig].alt = lm_arena_strdup(c->lay->arena, lm_value_str(s, "alt", ""));
			}
			struct lm_box b = { .kind = LM_BOX_IMAGE, .elem = fig, .x = x,
					    .y = top - SIG_IMAGE_H + (SIG_IMAGE_H - h) / 2, .w = w, .h = h,
					    .image = img };
			lm_layout_add(c->lay, f->page, &b);
		}
		f->y = top - SIG_IMAGE_H - 2 * MM;
		f->at_top = 0;
		int pe = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		const char *keys[] = { "name", "title", "organisation" };
		for (int k = 0; k < 3; k++) {
			const char *t = lm_value_str(s, keys[k], "");
			if (!*t)
				continue;
			struct lm_para_style st = { .face = k ? LM_FACE_REGULAR : LM_FACE_BOLD,
						    .size = c->size, .leading = c->size * 1.23,
						    .rgb = TEXT_RGB };
			plain_para(c, t, &st, pe);
		}
	}
	f->left = save_left;
	f->right = save_right;
	f->y = top - sig_h;
	return 0;
}

/* Large print footers: the footer wrapped, not shrunk, and the page
 * number on a line of its own, at body size, above FOOTER_Y. */
static double large_footer_lines(struct ctx *c, const char *footer, int numbered)
{
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = c->size, .leading = c->size * 1.2 };
	size_t n;
	struct lm_span *sp = plain_spans(c, footer, strlen(footer), 0, &n);
	double h = *footer ? lm_para_height(c->fonts, sp, n, &st, c->lay->page_w - 2 * MARGIN_X) : 0;
	return h / st.leading + (numbered ? 1 : 0);
}

/* "Page 2 of 3" in the letter's language; "2/3" in one lettermerge does
 * not know the words of. */
static void page_number(const struct ctx *c, struct lm_buf *out, size_t page, size_t pages)
{
	const char *pw = lm_lang_text(c->lang, LM_TEXT_PAGE), *of = lm_lang_text(c->lang, LM_TEXT_OF);
	if (pw && of)
		lm_buf_addf(out, "%s %zu %s %zu", pw, page, of, pages);
	else
		lm_buf_addf(out, "%zu/%zu", page, pages);
}

/* The footers of the pages from c->first on: one letter's (one part's of
 * a bilingual letter), numbered within it. */
static void large_footers(struct ctx *c, const char *footer)
{
	struct lm_layout *lay = c->lay;
	size_t first = c->first, pages = lay->npages - first;
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = c->size, .leading = c->size * 1.2,
				    .rgb = GREY_RGB };
	for (size_t p = first; p < lay->npages; p++) {
		struct lm_buf text = LM_BUF_INIT;
		if (pages > 1)
			page_number(c, &text, p - first + 1, pages);
		double lines = large_footer_lines(c, footer, pages > 1);
		/* a flow of its own on page p; its boxes are artifacts */
		struct lm_flow f = { .lay = lay, .fonts = c->fonts, .left = MARGIN_X,
				     .right = lay->page_w - MARGIN_X, .bottom = 0, .page = p };
		f.top = f.y = FOOTER_Y - st.size * 0.22 + lines * st.leading;
		struct lm_box line = { .kind = LM_BOX_RULE, .elem = -1, .x = MARGIN_X, .y = f.y + 3,
				       .w = lay->page_w - 2 * MARGIN_X, .h = 0.5, .rgb = 0x9FA8B5 };
		lm_layout_add(lay, p, &line);
		size_t n = 0;
		struct lm_span *sp = lm_arena_alloc(lay->arena, 3 * sizeof(*sp));
		if (*footer)
			sp[n++] = (struct lm_span){ .text = footer, .len = strlen(footer) };
		if (*footer && text.len)
			sp[n++] = (struct lm_span){ .text = "\n", .len = 1 };
		if (text.len)
			sp[n++] = (struct lm_span){ .text = lm_arena_strdup(lay->arena, text.ptr),
						    .len = text.len };
		if (n)
			lm_flow_para(&f, sp, n, &st, -1);
		lm_buf_release(&text);
	}
}

static void footers(struct ctx *c, const char *footer)
{
	struct lm_layout *lay = c->lay;
	size_t first = c->first, pages = lay->npages - first;
	if (c->large) {
		large_footers(c, footer);
		return;
	}
	for (size_t p = first; p < lay->npages; p++) {
		double size = 8.5;
		if (*footer) {
			struct lm_box b = { .kind = LM_BOX_TEXT, .elem = -1, .x = MARGIN_X, .y = FOOTER_Y,
					    .h = size, .face = LM_FACE_REGULAR, .text = footer, .rgb = GREY_RGB };
			double w = lm_layout_shape_box(lay, c->fonts, &b, c->lang);
			double maxw = lay->page_w - 2 * MARGIN_X - (pages > 1 ? 28 * MM : 0);
			/* shrink rather than wrap: a footer is one line */
			if (w > maxw) {
				b.h = size * maxw / w;
				b.text = footer;
				b.glyphs = NULL;
				w = lm_layout_shape_box(lay, c->fonts, &b, c->lang);
			}
			b.w = w;
			if (b.text == footer)
				b.text = lm_arena_strdup(lay->arena, footer);
			lm_layout_add(lay, p, &b);
		}
		struct lm_box line = { .kind = LM_BOX_RULE, .elem = -1, .x = MARGIN_X,
				       .y = FOOTER_Y + size + 2, .w = lay->page_w - 2 * MARGIN_X,
				       .h = 0.5, .rgb = 0x9FA8B5 };
		lm_layout_add(lay, p, &line);
		if (pages > 1) {
			struct lm_buf num = LM_BUF_INIT;
			page_number(c, &num, p - first + 1, pages);
			struct lm_box b = { .kind = LM_BOX_TEXT, .elem = -1, .y = FOOTER_Y, .h = size,
					    .face = LM_FACE_REGULAR, .text = num.ptr, .rgb = GREY_RGB };
			double w = lm_layout_shape_box(lay, c->fonts, &b, c->lang);
			b.x = lay->page_w - MARGIN_X - w;
			b.w = w;
			if (b.text == num.ptr)
				b.text = lm_arena_strdup(lay->arena, num.ptr);
			lm_layout_add(lay, p, &b);
			lm_buf_release(&num);
		}
	}
}

/* Every character must be in the font: a missing glyph prints as nothing,
 * and a silently missing digit in a phone number is the worst bug we can ship. */
/* The first value under `v` that holds `cp` and knows where it was read. */
static const struct lm_value *holding(const struct lm_value *v, uint32_t cp)
{
	if (!v)
		return NULL;
	if (v->kind == LM_VALUE_STRING) {
		if (!v->file)
			return NULL;
		for (size_t k = 0; k < v->len;) {
			uint32_t x;
			int n = lm_utf8_decode(v->str + k, v->len - k, &x);
			if (!n)
				break;
			if (x == cp)
				return v;
			k += (size_t)n;
		}
		return NULL;
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct lm_value *h = holding(v->items[i], cp);
		if (h)
			return h;
	}
	return NULL;
}

/* Boxes checked already: a laid-out body copied from one that passed
 * check_glyphs in a letter before (the same bytes, the same fonts): from
 * box n0 of page `page`, pages[k].n boxes of each page from there on. */
struct checked {
	size_t page, n0, npages;
	const struct lm_page *pages;
};

static int checked_before(const struct checked *k, size_t p, size_t i)
{
	if (!k || p < k->page || p - k->page >= k->npages)
		return 0;
	size_t lo = p == k->page ? k->n0 : 0;
	return i >= lo && i - lo < k->pages[p - k->page].n;
}

static int check_glyphs(struct ctx *c, const struct checked *done)
{
	for (size_t p = c->first; p < c->lay->npages; p++) {
		const struct lm_page *pg = &c->lay->pages[p];
		for (size_t i = 0; i < pg->n; i++) {
			const struct lm_box *b = &pg->boxes[i];
			if (b->kind != LM_BOX_TEXT || checked_before(done, p, i))
				continue;
			size_t len = strlen(b->text);
			if (lm_utf8_check(b->text, len) != len)
				return lm_diag_set(c->d, c->l->path, 0, 0, "text is not valid UTF-8 near \"%.40s\"", b->text);
			/* shaped text shows a character no font has as glyph 0
			 * (.notdef) at its cluster; unshaped text is looked up */
			size_t at = len;
			for (size_t g = 0; g < b->nglyphs; g++)
				if (b->glyphs[g].gid == 0 && b->glyphs[g].cluster < at)
					at = b->glyphs[g].cluster;
			for (size_t k = 0; !b->glyphs && k < len;) {
				uint32_t cp;
				int n = lm_utf8_decode(b->text + k, len - k, &cp);
				if (!lm_is_default_ignorable(cp) && !lm_font_has_glyph(c->fonts, b->face, cp)) {
					at = k;
					break;
				}
				k += (size_t)n;
			}
			if (at < len) {
				uint32_t cp;
				int n = lm_utf8_decode(b->text + at, len - at, &cp);
				/* point at the cell (or the letter's line) it came from */
				const struct lm_value *from = holding(c->data, cp);
				char ch[8] = { 0 };
				memcpy(ch, b->text + at, (size_t)n);
				return lm_diag_set(c->d, from ? from->file : c->l->path,
						   from ? from->line : 0, from ? from->col : 0,
						   "character U+%04X (%s) in \"%.60s\" is in no font lettermerge has (Liberation Sans, or Noto for Arabic, Urdu, Hebrew, Bengali, Gurmukhi, Gujarati, Devanagari and Tamil); replace it",
						   (unsigned)cp, ch, b->text);
			}
		}
	}
	return 0;
}

/* ---- the parts in order ---- */

enum { PART_SALUTATION, PART_SUBJECT, PART_SIGNATURES, NPARTS };

/* The body cut where it places parts: segment i, then part[i]. */
struct body {
	struct lm_doc *docs;  /* nparts + 1 */
	int *part;            /* nparts */
	size_t nparts;
	int placed[NPARTS];
};

static void body_release(struct body *b)
{
	for (size_t i = 0; b->docs && i <= b->nparts; i++)
		lm_doc_release(&b->docs[i]);
	free(b->docs);
	free(b->part);
	memset(b, 0, sizeof(*b));
}

/* Parses the expanded body, cut at the marks of the parts it places. */
static int body_parse(struct ctx *c, const char *text, size_t len, struct body *b)
{
	static const char *const names[] = { "salutation", "subject", "signatures" };
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == LM_TEMPLATE_PART_MARK;
	n /= 2;
	b->docs = lm_xcalloc(n + 1, sizeof(*b->docs));
	b->part = lm_xcalloc(n ? n : 1, sizeof(*b->part));
	for (size_t i = 0; i <= n; i++)
		lm_doc_init(&b->docs[i]);
	size_t start = 0;
	for (size_t k = 0; k <= n; k++) {
		const char *mark = k < n ? memchr(text + start, LM_TEMPLATE_PART_MARK, len - start) : NULL;
		size_t end = mark ? (size_t)(mark - text) : len;
		if (lm_doc_parse(&b->docs[k], c->l->path, text + start, end - start, c->d))
			return -1;
		if (!mark)
			break;
		const char *name = mark + 1;
		const char *close = memchr(name, LM_TEMPLATE_PART_MARK, len - (size_t)(name - text));
		int part = close ? lm_template_part(name, (size_t)(close - name)) : -1;
		if (part < 0) /* the mark comes from the template alone */
			return lm_diag_setk(c->d, LM_KIND_BUG, c->l->path, 0, 0, "a part's mark is broken");
		if (b->placed[part]++)
			return lm_diag_set(c->d, c->l->path, 0, 0,
					   "the body places {{> %s}} more than once (in a section that repeats?); place it once",
					   names[part]);
		b->part[k] = part;
		b->nparts = k + 1;
		start = (size_t)(close - text) + 1;
		if (start < len && text[start] == '\n')
			start++;
	}
	return 0;
}

static void salutation(struct ctx *c, int in_body)
{
	if (!c->salutation)
		return;
	struct lm_para_style bs = body_style(c);
	/* placed in the body, it stands apart like a paragraph */
	if (in_body)
		lm_flow_space(&c->flow, c->size * 0.8 * c->gap);
	int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
	plain_para(c, c->salutation, &bs, e);
}

static void subject(struct ctx *c)
{
	if (!c->subject)
		return;
	struct lm_para_style st = body_style(c);
	st.face = LM_FACE_BOLD;
	if (c->large) /* headings bigger than the body */
		st.size = c->size * 1.15, st.leading = st.size * 1.25;
	lm_flow_space(&c->flow, c->size * 0.8 * c->gap);
	int h = lm_layout_elem(c->lay, LM_ROLE_HEADING, 1, c->parent);
	plain_para(c, c->subject, &st, h);
}

/* Everything from the salutation to the signatures, in the body's order. */
static int parts_and_body(struct ctx *c, const struct body *b)
{
	if (!b->placed[PART_SALUTATION])
		salutation(c, 0);
	if (!b->placed[PART_SUBJECT])
		subject(c);
	for (size_t k = 0; k <= b->nparts; k++) {
		int next = k < b->nparts ? b->part[k] : -1;
		/* the paragraph before the sign-off goes over with it */
		if (next == PART_SIGNATURES || (k == b->nparts && !b->placed[PART_SIGNATURES]))
			c->flow.keep_after = sign_off_height(c);
		lm_flow_doc(&c->flow, &b->docs[k], c->size, c->parent);
		c->flow.keep_after = 0;
		if (next == PART_SALUTATION)
			salutation(c, k > 0 || b->docs[0].n > 0);
		else if (next == PART_SUBJECT)
			subject(c);
		else if (next == PART_SIGNATURES && closing_and_signatures(c))
			return -1;
	}
	if (!b->placed[PART_SIGNATURES] && closing_and_signatures(c))
		return -1;
	return 0;
}

/* ---- fitting pages ---- */

/* How the letter is tightened to fit `pages: N`, loosest first: the space
 * between paragraphs and list items, then the leading, then the type size
 * (to 10 pt; large print stays at 16). */
static const struct tighten {
	double gap, lead, size;
} tightening[] = {
	{ 1.0, 0, 0 },   { 0.8, 0, 0 },    { 0.6, 0, 0 },    { 0.45, 0, 0 },
	{ 0.45, -0.05, 0 }, { 0.45, -0.1, 0 }, { 0.45, -0.15, 0 },
	{ 0.45, -0.15, 10.5 }, { 0.45, -0.15, 10 },
};

/* Lines of text on page p (distinct baselines of what a reader reads). */
static size_t page_lines(const struct lm_layout *lay, size_t p)
{
	const struct lm_page *pg = &lay->pages[p];
	double *ys = lm_xmalloc((pg->n ? pg->n : 1) * sizeof(*ys));
	size_t n = 0;
	for (size_t i = 0; i < pg->n; i++) {
		const struct lm_box *b = &pg->boxes[i];
		if (b->kind != LM_BOX_TEXT || b->elem < 0)
			continue;
		size_t k = 0;
		while (k < n && fabs(ys[k] - b->y) > 0.5)
			k++;
		if (k == n)
			ys[n++] = b->y;
	}
	free(ys);
	return n;
}

/* Back to the layout before this letter (an empty one, or the parts of a
 * bilingual letter before this one); its arena keeps what was made: the
 * template context and the recipient live there. */
static void layout_clear(struct ctx *c)
{
	struct lm_layout *lay = c->lay;
	for (size_t i = c->first; i < lay->npages; i++)
		free(lay->pages[i].boxes);
	lay->npages = c->first;
	if (!lay->npages) {
		free(lay->pages);
		lay->pages = NULL;
		lay->pages_alloc = 0;
	}
	lay->nelems = c->first_elem; /* 1 for the Document */
	memset(lay->sign_rect, 0, sizeof(lay->sign_rect));
}

/* The `pages` front matter: 0 when absent. */
static int pages_wanted(struct ctx *c, long *out)
{
	const struct lm_value *v = lm_value_get(c->l->fm, "pages");
	*out = 0;
	if (!v)
		return 0;
	char *end = NULL;
	long n = v->kind == LM_VALUE_STRING ? strtol(v->str, &end, 10) : 0;
	if (v->kind != LM_VALUE_STRING || *end || end == v->str || n < 1 || n > 50)
		return lm_diag_set(c->d, c->l->path, v->line, v->col,
				   "'pages' must be a number of pages from 1 to 50 (e.g. pages: 2)");
	*out = n;
	return 0;
}

/* The one place the frame says which front matter it reads as what. */
static int read_parts(struct ctx *c, struct lm_pdf_meta *meta)
{
	struct lm_arena *a = c->lay->arena;
	struct lm_buf b = LM_BUF_INIT;
	static const char *const keys[] = { "salutation", "subject", "closing" };
	/* the defaults in the letter's language: none in one lettermerge
	 * does not know (the letter must say them) */
	const char *const dflt[] = { lm_lang_text(c->lang, LM_TEXT_SALUTATION), NULL,
				     lm_lang_text(c->lang, LM_TEXT_CLOSING) };
	const char **out[] = { &c->salutation, &c->subject, &c->closing };
	for (int k = 0; k < 3; k++) {
		const struct lm_value *v = lm_value_get(c->l->fm, keys[k]);
		lm_buf_reset(&b);
		*out[k] = NULL;
		if (is_none(v))
			continue;
		int rc = fm_text(c, v, &b);
		if (rc < 0) {
			lm_buf_release(&b);
			return -1;
		}
		if (rc == 0 && !dflt[k] && k != 1) {
			lm_buf_release(&b);
			return lm_diag_set(c->d, c->l->path, 1, 1,
					   "the letter is in '%s': write its '%s:' line in the front matter (lettermerge knows it only in English and Welsh)",
					   c->lang, keys[k]);
		}
		if (rc == 0 && !dflt[k])
			continue;
		if (rc == 0)
			lm_buf_adds(&b, dflt[k]);
		/* an empty part (or one of spaces and zero-width characters)
		 * leaves nothing behind, not an empty paragraph */
		if (lm_utf8_is_blank(b.ptr, b.len))
			continue;
		if (k == 1) /* the PDF's Subject is the front matter's, wherever it prints */
			meta->subject = lm_arena_strdup(a, b.ptr);
		*out[k] = lm_arena_strdup(a, b.ptr);
	}
	lm_buf_release(&b);
	const struct lm_value *date = lm_value_get(c->l->fm, "date");
	if (date && !is_none(date))
		return lm_diag_set(c->d, c->l->path, date->line, date->col,
				   "'date' takes only 'none' (a letter without a date); the date itself is the run's (--date), written as date_format says");
	return 0;
}

/* A body naming a signatory the letter's own list leaves out: say so,
 * rather than that the area has no such row. */
static void explain_left_out(struct ctx *c, struct lm_diag *d)
{
	static const char lead[] = "'signatories' has no row with id '";
	const struct lm_value *want = lm_value_get(c->l->fm, "signatories");
	if (!want || strncmp(d->msg, lead, sizeof(lead) - 1))
		return;
	const char *id = d->msg + sizeof(lead) - 1;
	const char *q = strchr(id, '\'');
	if (!q || q - id > 200)
		return;
	char name[256];
	snprintf(name, sizeof(name), "%.*s", (int)(q - id), id);
	if (!lm_value_get(lm_value_get(c->area->ctx, "signatories"), name))
		return;
	snprintf(d->msg, sizeof(d->msg),
		 "signatory '%s' is in %s/signatories.csv, but this letter's 'signatories:' (line %d) leaves it out; add %s to that list, or take {{signatories.%s…}} out of the body",
		 name, c->area->dir, want->line, name, name);
}

struct report_ctx {
	struct ctx *c;
	const struct lm_frame_opts *o;
};

static void report_explained(void *ctx, const struct lm_diag *d)
{
	struct report_ctx *r = ctx;
	struct lm_diag e = *d;
	explain_left_out(r->c, &e);
	r->o->report(r->o->report_ctx, &e);
}

/* ---- what the letters of a run share (lm_frame_memo) ---- */

/* A few bodies, each with a few starting points: a run's letters are one
 * body (or one a language), laid out from one place; a body that names
 * the recipient is new in every letter and costs only its copy here. */
#define MEMO_BODIES 4
#define MEMO_LAYOUTS 4
#define MEMO_BUDGET (1u << 20)

/* A body laid out from one starting point: what it added to the layout.
 * Pointers in boxes and elements are offsets + 1 into `blob` (the texts,
 * glyphs, links and alt texts).  On reuse the letter's layout points into
 * the blob and holds a reference to it rather than copying it (78 K
 * instructions a letter of memcpy): a blob outlives the memo's slot while
 * a layout still reads it. */
struct laid {
	char *key;            /* the starting point, byte for byte (state_key) */
	size_t keylen;
	struct lm_page *pages; /* [0]: boxes added to the starting page; then new pages */
	size_t npages;
	struct lm_elem *elems; /* the elements it made */
	size_t nelems;
	size_t base;           /* the layout's element count before it: indexes from it on are its own */
	struct lm_flow flow;   /* where it left the flow; page relative to the starting page */
	double sign_rect[4];
	struct lm_layout_blob *blob; /* the memo's reference */
	size_t bytes;
	int checked;           /* its letter passed check_glyphs */
};

struct memo_body {
	/* the key: the part and area it is of, and its expanded Markdown */
	const struct lm_letter *l;
	const struct lm_area *area;
	const struct lm_assets *assets;
	const struct lm_fonts *fonts;
	char *text;
	size_t len;
	struct body body;      /* parsed */
	unsigned users;        /* parts using it now */
	unsigned long long used;
	struct laid laid[MEMO_LAYOUTS];
	size_t nlaid, next, bytes;
	/* the starting points laid out lately and not kept, by their hash: one
	 * is kept when it comes again (a salutation naming the recipient
	 * comes once, and is not copied for nothing) */
	uint64_t tried[8];
	size_t ntried;
};

/* The front matter's strings (salutation, reference lines, footer, …),
 * parsed as templates once a run: expanded per letter. */
#define MEMO_STRINGS 64

struct memo_string {
	char *path, *src; /* the memo's copies */
	int line, col;
	struct lm_template *t;
};

/* The area's data with its fields' variants in one language, as every
 * letter of the area in that language reads it (lm_value_localise: about
 * 9 K instructions a letter made again).  Keyed by the area's address
 * like the bodies, so cleared with them when an area is added. */
#define MEMO_LOCALS 4
struct memo_local {
	const struct lm_area *area;
	char *lang;                 /* NULL for none */
	struct lm_arena *arena;     /* owns `v` */
	const struct lm_value *v;
};

struct lm_frame_memo {
	struct memo_string s[MEMO_STRINGS];
	size_t ns;
	struct memo_local local[MEMO_LOCALS];
	size_t nlocal;
	struct memo_body *b[MEMO_BODIES];
	unsigned long long clock;
	size_t bytes;
	struct lm_frame_memo_counts counts;
};

struct lm_frame_memo *lm_frame_memo_new(void)
{
	return lm_xcalloc(1, sizeof(struct lm_frame_memo));
}

static void laid_release(struct laid *r)
{
	for (size_t i = 0; i < r->npages; i++)
		free(r->pages[i].boxes);
	free(r->pages);
	free(r->elems);
	lm_layout_blob_unref(r->blob);
	free(r->key);
	memset(r, 0, sizeof(*r));
}

static void memo_body_free(struct lm_frame_memo *m, size_t i)
{
	struct memo_body *e = m->b[i];
	if (!e)
		return;
	for (size_t k = 0; k < e->nlaid; k++) {
		m->bytes -= e->laid[k].bytes;
		laid_release(&e->laid[k]);
	}
	m->bytes -= e->bytes;
	body_release(&e->body);
	free(e->text);
	free(e);
	m->b[i] = NULL;
}

static void memo_strings_free(struct lm_frame_memo *m)
{
	for (size_t i = 0; i < m->ns; i++) {
		lm_template_free(m->s[i].t);
		free(m->s[i].path);
		free(m->s[i].src);
	}
	m->ns = 0;
}

static void memo_locals_free(struct lm_frame_memo *m)
{
	for (size_t i = 0; i < m->nlocal; i++) {
		free(m->local[i].lang);
		lm_arena_free(m->local[i].arena);
	}
	memset(m->local, 0, sizeof(m->local));
	m->nlocal = 0;
}

/* The area's data in language `lang`: the memo's, made once; NULL when it
 * holds as many as it keeps (the caller localises it for the letter). */
static const struct lm_value *memo_localised(struct lm_frame_memo *m, const struct lm_area *area,
					     const char *lang)
{
	for (size_t i = 0; i < m->nlocal; i++) {
		const struct memo_local *e = &m->local[i];
		if (e->area == area && (e->lang ? lang && !strcmp(e->lang, lang) : !lang))
			return e->v;
	}
	if (m->nlocal == MEMO_LOCALS)
		return NULL;
	struct memo_local *e = &m->local[m->nlocal++];
	e->area = area;
	e->lang = lang ? lm_xstrdup(lang) : NULL;
	e->arena = lm_arena_new();
	e->v = lm_value_localise(e->arena, area->ctx, lang);
	return e->v;
}

void lm_frame_memo_clear(struct lm_frame_memo *m)
{
	if (!m)
		return;
	memo_locals_free(m);
	memo_strings_free(m);
	for (size_t i = 0; i < MEMO_BODIES; i++)
		if (m->b[i] && !m->b[i]->users)
			memo_body_free(m, i);
}

void lm_frame_memo_free(struct lm_frame_memo *m)
{
	if (!m)
		return;
	memo_locals_free(m);
	memo_strings_free(m);
	for (size_t i = 0; i < MEMO_BODIES; i++)
		memo_body_free(m, i);
	free(m);
}

/* Front matter value `v` of the letter at `path`, parsed: the memo's
 * when it parsed the same string from the same place before.  NULL when
 * the memo is full (the caller parses it itself) or with d filled when it
 * does not parse (not kept: the error comes again). */
static const struct lm_template *memo_template(struct lm_frame_memo *m, const char *path,
					       const struct lm_value *v, struct lm_diag *d)
{
	for (size_t i = 0; i < m->ns; i++) {
		const struct memo_string *e = &m->s[i];
		if (e->line == v->line && e->col == v->col && !strcmp(e->src, v->str) && !strcmp(e->path, path))
			return e->t;
	}
	if (m->ns == MEMO_STRINGS)
		return NULL;
	struct memo_string *e = &m->s[m->ns];
	e->path = lm_xstrdup(path);
	if (lm_template_parse_string(&e->t, e->path, v->line, v->col, v->str, d)) {
		free(e->path);
		e->path = NULL;
		return NULL;
	}
	e->src = lm_xstrdup(v->str);
	e->line = v->line, e->col = v->col;
	m->ns++;
	return e->t;
}

void lm_frame_memo_counts(const struct lm_frame_memo *m, struct lm_frame_memo_counts *out)
{
	if (m)
		*out = m->counts;
	else
		memset(out, 0, sizeof(*out));
}

/* Makes room for `need` bytes, freeing the least recently used bodies
 * no part is using (never `keep`).  Returns 0 when it fits. */
static int memo_room(struct lm_frame_memo *m, size_t need, const struct memo_body *keep)
{
	while (m->bytes + need > MEMO_BUDGET) {
		size_t victim = MEMO_BODIES;
		for (size_t i = 0; i < MEMO_BODIES; i++)
			if (m->b[i] && m->b[i] != keep && !m->b[i]->users &&
			    (victim == MEMO_BODIES || m->b[i]->used < m->b[victim]->used))
				victim = i;
		if (victim == MEMO_BODIES)
			return -1;
		memo_body_free(m, victim);
	}
	return 0;
}

/* A part (a letter, or one language of a bilingual letter) read and
 * expanded, ready to be laid out. */
struct part {
	struct ctx c;
	struct body *body;        /* own, or the memo's */
	struct body own;
	struct memo_body *shared; /* the memo's entry it uses, or NULL */
	struct laid *kept;        /* the body's layout the memo kept from this part */
	struct checked copied;    /* the boxes copied from a checked layout */
	int has_copied;
	struct lm_buf footer;
	const char *date;    /* as printed; "" for none */
	long want_pages;     /* `pages: N`, 0 when absent */
	double bottom;       /* where the text stops: above the footer */
};

static void part_release(struct part *p)
{
	lm_buf_release(&p->footer);
	body_release(&p->own);
	if (p->shared)
		p->shared->users--;
}

/* The body expanded to `text`, parsed: the memo's when a letter before
 * had the same (so it parsed without error then), else parsed now and
 * kept for the letters after. */
static int body_get(struct part *p, const struct lm_frame_opts *o, const char *text, size_t len)
{
	struct ctx *c = &p->c;
	struct lm_frame_memo *m = o->memo;
	p->body = &p->own;
	if (!m)
		return body_parse(c, text, len, &p->own);
	for (size_t i = 0; i < MEMO_BODIES; i++) {
		struct memo_body *e = m->b[i];
		if (e && e->l == c->l && e->area == c->area && e->assets == c->assets && e->fonts == c->fonts &&
		    e->len == len && !memcmp(e->text, text, len)) {
			e->users++;
			e->used = ++m->clock;
			p->shared = e;
			p->body = &e->body;
			m->counts.parse_reused++;
			return 0;
		}
	}
	m->counts.parsed++;
	if (body_parse(c, text, len, &p->own))
		return -1;
	/* what it holds: the text, each segment's arena chunk and blocks */
	size_t bytes = sizeof(struct memo_body) + len * 2;
	for (size_t i = 0; i <= p->own.nparts; i++)
		bytes += 64 * 1024 + p->own.docs[i].alloc * sizeof(struct lm_block);
	size_t slot = MEMO_BODIES;
	if (memo_room(m, bytes, NULL))
		return 0; /* no room: laid out as it is */
	for (size_t i = 0; i < MEMO_BODIES && slot == MEMO_BODIES; i++)
		if (!m->b[i])
			slot = i;
	if (slot == MEMO_BODIES) {
		for (size_t i = 0; i < MEMO_BODIES; i++)
			if (!m->b[i]->users && (slot == MEMO_BODIES || m->b[i]->used < m->b[slot]->used))
				slot = i;
		if (slot == MEMO_BODIES)
			return 0;
		memo_body_free(m, slot);
	}
	struct memo_body *e = lm_xcalloc(1, sizeof(*e));
	e->l = c->l, e->area = c->area, e->assets = c->assets, e->fonts = c->fonts;
	e->text = lm_xmalloc(len ? len : 1);
	memcpy(e->text, text, len);
	e->len = len;
	e->body = p->own;
	memset(&p->own, 0, sizeof(p->own));
	e->users = 1;
	e->used = ++m->clock;
	e->bytes = bytes;
	m->bytes += bytes;
	m->b[slot] = e;
	p->shared = e;
	p->body = &e->body;
	return 0;
}

/* Everything of part `l` that does not depend on where it is placed: the
 * paper (for the first part), the template context in its language, the
 * expanded body, salutation, subject, closing and footer. */
static int part_prepare(struct part *p, const struct lm_letter *l, const struct lm_area *area,
			const struct lm_assets *assets, const struct lm_frame_opts *o,
			struct lm_fonts *fonts, struct lm_layout *lay, struct lm_pdf_meta *meta,
			const char *doc_lang, struct lm_diag *d)
{
	memset(p, 0, sizeof(*p));
	p->footer = (struct lm_buf)LM_BUF_INIT;
	p->c = (struct ctx){ .l = l, .area = area, .assets = assets, .fonts = fonts, .lay = lay, .d = d,
			     .large = o->large_print, .size = o->large_print ? LARGE_SIZE : BODY_SIZE,
			     .lead = o->large_print ? 1.35 : 1.3, .gap = 1.0, .lang = lm_letter_lang(l),
			     .first = lay->npages, .first_elem = lay->nelems, .doc_lang = doc_lang,
			     .memo = o->memo };
	struct ctx *c = &p->c;
	struct lm_arena *a = lay->arena;
	struct lm_buf buf = LM_BUF_INIT;
	int rc = -1;

	const struct lm_value *paper = lm_value_get(l->fm, "paper");
	if (c->first) {
		/* a later part: the first part's paper */
	} else if (paper && paper->kind == LM_VALUE_STRING && !strcasecmp(paper->str, "letter")) {
		lay->page_w = LETTER_W, lay->page_h = LETTER_H;
	} else if (paper && (paper->kind != LM_VALUE_STRING || strcasecmp(paper->str, "A4"))) {
		lm_diag_set(d, l->path, paper->line, paper->col, "paper must be A4 or letter");
		goto out;
	} else {
		lay->page_w = A4_W, lay->page_h = A4_H;
	}
	if (pages_wanted(c, &p->want_pages))
		goto out;

	/* the template context: the area's data (its fields' variants in the
	 * letter's language: organisation_cy), the chosen signatories, the date */
	c->data = lm_value_map(a);
	const struct lm_value *ac = o->memo ? memo_localised(o->memo, area, c->lang) : NULL;
	if (!ac)
		ac = lm_value_localise(a, area->ctx, c->lang);
	for (size_t i = 0; i < ac->n; i++)
		lm_value_set(a, c->data, ac->keys[i], ac->items[i]);
	struct lm_value *sigs = NULL;
	if (select_signatories(c, &sigs))
		goto out;
	c->sigs = sigs;
	lm_value_set(a, c->data, "signatories", sigs);
	const struct lm_value *area_map = c->area_map = lm_value_get(ac, "area");
	const struct lm_value *fmt = lm_value_get(area_map, "date_format");
	if (!fmt || fmt->kind != LM_VALUE_STRING || !fmt->len)
		fmt = lm_value_get(l->fm, "date_format");
	lm_date_format_lang(&buf, fmt && fmt->kind == LM_VALUE_STRING ? fmt->str : "%d %B %Y", &o->date,
			    c->lang);
	long bad_code = fmt && fmt->kind == LM_VALUE_STRING ? lm_date_format_unknown(fmt->str) : -1;
	if (bad_code >= 0 && o->report) {
		/* printed as written, so the letter still reads; but say so */
		struct lm_diag w;
		lm_diag_clear(&w);
		w.severity = LM_WARNING;
		snprintf(w.file, sizeof(w.file), "%s", fmt->file ? fmt->file : l->path);
		w.line = fmt->line;
		w.col = fmt->col ? fmt->col + (int)bad_code : 0;
		snprintf(w.msg, sizeof(w.msg),
			 "date_format '%s': '%%%.1s' is not a date code, and is printed as it is; use %%d (day), %%o (1st), %%B (month), %%m (01-12), %%Y (year), %%A (weekday) or %%%% (a %%)",
			 fmt->str, fmt->str[bad_code + 1] ? fmt->str + bad_code + 1 : "");
		o->report(o->report_ctx, &w);
	}
	lm_value_set(a, c->data, "date", lm_value_string(a, buf.ptr, buf.len));
	lm_buf_reset(&buf);
	if (o->recipient)
		lm_value_set(a, c->data, "recipient", (struct lm_value *)o->recipient->row);

	/* the body first: its errors are the likeliest and the cheapest to find */
	if (o->report) {
		struct report_ctx rx = { c, o };
		int r = lm_template_expand_report(l->body, c->data, LM_ESCAPE_MARKDOWN, &buf,
						  report_explained, &rx, d);
		if (r < 0)
			report_explained(&rx, d); /* the error that stopped it */
		if (r) {
			/* reported: the caller need not print it again */
			lm_diag_clear(d);
			goto out;
		}
	} else if (lm_template_expand(l->body, c->data, LM_ESCAPE_MARKDOWN, &buf, d)) {
		explain_left_out(c, d);
		goto out;
	}
	if (body_get(p, o, buf.ptr, buf.len))
		goto out;
	lm_buf_reset(&buf);
	if (read_parts(c, meta))
		goto out;

	/* the footer first: in large print it is wrapped, and the text
	 * stops above however many lines it takes */
	const struct lm_value *footer_v = lm_value_get(l->fm, "footer");
	if (footer_v) {
		if (fm_text(c, footer_v, &p->footer) < 0)
			goto out;
	} else {
		lm_buf_adds(&p->footer, lm_value_str(area_map, "organisation", ""));
		const char *one = lm_value_str(area_map, "address_oneline", "");
		if (*one)
			lm_buf_addf(&p->footer, ", %s", one);
	}
	if (lm_utf8_is_blank(p->footer.ptr, p->footer.len))
		lm_buf_reset(&p->footer); /* nothing to print: no footer line */
	if (!p->footer.ptr)
		lm_buf_adds(&p->footer, "");
	p->bottom = MARGIN_BOTTOM;
	if (c->large) {
		/* room for the footer and a page number (a large-print letter
		 * seldom fits one page) and the gap above them */
		double lines = large_footer_lines(c, p->footer.ptr, 1);
		p->bottom = FOOTER_Y + lines * c->size * 1.2 + 8 * MM;
	}
	const struct lm_value *date_v = lm_value_get(l->fm, "date");
	p->date = is_none(date_v) ? "" : lm_value_get(c->data, "date")->str;
	rc = 0;
out:
	lm_buf_release(&buf);
	return rc;
}

/* Sets tightening level `t` and starts the flow on a fresh page; the
 * layout before this part is kept. */
static void part_begin(struct part *p, const struct tighten *t, const struct lm_frame_opts *o)
{
	struct ctx *c = &p->c;
	c->gap = t->gap;
	c->lead = (c->large ? 1.35 : 1.3) + t->lead;
	c->size = c->large ? LARGE_SIZE : t->size ? t->size : BODY_SIZE;
	layout_clear(c);
	lm_flow_begin(&c->flow, c->lay, c->fonts, MARGIN_X, c->lay->page_w - MARGIN_X,
		      c->lay->page_h - MARGIN_TOP, p->bottom);
	c->flow.image = o->image;
	c->flow.image_ctx = o->image_ctx;
	c->flow.lang = c->lang;
	c->flow.leading_scale = 1.3 + t->lead; /* the body's, in both prints */
	c->flow.gap_scale = c->gap;
}

/* The reference block, and the date unless a reference line prints it. */
static int part_reference(struct part *p)
{
	struct ctx *c = &p->c;
	int shows_date;
	if (reference_block(c, &shows_date))
		return -1;
	if (!shows_date && *p->date) {
		struct lm_para_style bs = body_style(c);
		int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		plain_para(c, p->date, &bs, e);
		lm_flow_space(&c->flow, 6 * MM);
	}
	return 0;
}

/* The head's start: the letterhead and the address in the window (what
 * names the recipient).  Sets *window and *window_bottom for part_rest. */
static int part_top(struct part *p, struct part *other, const struct lm_frame_opts *o, int *window,
		    double *window_bottom)
{
	struct ctx *c = &p->c;
	struct lm_layout *lay = c->lay;
	/* with a postal address, letterhead and reference block move to a
	 * right-hand column beside the envelope window; in large print only
	 * the letterhead, the reference block going below the window */
	*window = lm_recipient_has_address(o->recipient);
	*window_bottom = 0;
	if (*window)
		c->flow.left = lay->page_w - MARGIN_X - 65 * MM;
	if (letterhead(c, other ? &other->c : NULL, *window))
		return -1;
	/* after the letterhead: who writes is read before to whom */
	if (*window)
		*window_bottom = address_window(c, o->recipient);
	if (*window && (c->large || other)) {
		c->flow.left = MARGIN_X;
		double below = *window_bottom - 6 * MM;
		if (c->flow.y > below)
			c->flow.y = below;
	}
	return 0;
}

/* The head's rest: the reference block (its lines expanded in `r`) or
 * the date, and the body's start below the window. */
static void part_rest(struct part *p, const struct reflines *r, int window, double window_bottom)
{
	struct ctx *c = &p->c;
	struct lm_layout *lay = c->lay;
	reference_place(c, r);
	if (!r->shows_date && *p->date) {
		struct lm_para_style bs = body_style(c);
		int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		plain_para(c, p->date, &bs, e);
		lm_flow_space(&c->flow, 6 * MM);
	}
	if (window) {
		c->flow.left = MARGIN_X;
		double below = lay->page_h - WINDOW_TOP - WINDOW_H - 8 * MM;
		if (below > window_bottom - 8 * MM)
			below = window_bottom - 8 * MM;
		if (c->flow.y > below)
			c->flow.y = below;
	}
}

/* The letterhead, the address in the window and the reference block or
 * date of a letter in columns: `other` is the other language, whose
 * organisation and address the letterhead adds; each column has its own
 * reference block. */
static int part_head(struct part *p, struct part *other, const struct lm_frame_opts *o)
{
	int window;
	double window_bottom;
	return part_top(p, other, o, &window, &window_bottom);
}

/* Below the signatures, right-aligned: where a reader shows the digital
 * signature; it must be the last page, so keep it there. */
static void signature_box(struct ctx *c)
{
	struct lm_layout *lay = c->lay;
	double h = 12 * MM, w = 62 * MM;
	lm_flow_space(&c->flow, 4 * MM);
	if (c->flow.y - h < c->flow.bottom && c->flow.page + 1 == lay->npages && !c->flow.at_top)
		lm_flow_new_page(&c->flow);
	lay->sign_rect[0] = c->flow.right - w;
	lay->sign_rect[1] = c->flow.y - h;
	lay->sign_rect[2] = c->flow.right;
	lay->sign_rect[3] = c->flow.y;
	c->flow.y -= h;
}

/* Over `pages: N` at the tightest: an error with the lines to cut. */
static int pages_over(struct part *p, size_t first)
{
	struct ctx *c = &p->c;
	struct lm_layout *lay = c->lay;
	size_t over = 0;
	for (size_t pg = first + (size_t)p->want_pages; pg < lay->npages; pg++)
		over += page_lines(lay, pg);
	const struct lm_value *v = lm_value_get(c->l->fm, "pages");
	return lm_diag_set(c->d, c->l->path, v->line, v->col,
			   "the letter does not fit in %ld page%s even at its tightest (%s%g pt, less space between paragraphs): it is %zu line%s over; shorten it by %zu line%s or set pages: %zu",
			   p->want_pages, p->want_pages == 1 ? "" : "s", c->large ? "large print, " : "",
			   c->size, over, over == 1 ? "" : "s", over, over == 1 ? "" : "s", lay->npages - first);
}

/* What is left once a part is placed: its metadata, the strings and
 * glyphs the writer needs, and the warning about a short last page. */
static int part_finish(struct part *p, const struct lm_frame_opts *o, struct lm_pdf_meta *meta, int warn_short)
{
	struct ctx *c = &p->c;
	struct lm_layout *lay = c->lay;
	struct lm_buf buf = LM_BUF_INIT;
	int rc = -1;
	if (fm_key(c, "title", NULL, &buf))
		goto out;
	meta->title = buf.len ? lm_arena_strdup(lay->arena, buf.ptr) : meta->subject;
	meta->author = lm_value_str(c->area_map, "partnership", NULL);
	meta->lang = lm_arena_strdup(lay->arena, c->lang);
	if (pdf_strings_fit(c, meta, c->area_map, c->sigs))
		goto out;
	if (check_glyphs(c, p->has_copied ? &p->copied : NULL))
		goto out;
	/* a last page with a few lines on it: a page wasted, a letter that
	 * looks unfinished; checking says how to bring it back */
	if (warn_short && o->report && lay->npages - c->first > 1) {
		size_t lines = page_lines(lay, lay->npages - 1);
		if (lines <= LM_FRAME_SHORT_PAGE) {
			struct lm_diag w;
			const struct lm_value *v = lm_value_get(c->l->fm, "pages");
			lm_diag_clear(&w);
			w.severity = LM_WARNING;
			snprintf(w.file, sizeof(w.file), "%s", c->l->path);
			w.line = v ? v->line : 1;
			w.col = v ? v->col : 1;
			snprintf(w.msg, sizeof(w.msg),
				 "the letter runs onto page %zu by %zu line%s: shorten it or set pages: %zu",
				 lay->npages - c->first, lines, lines == 1 ? "" : "s", lay->npages - c->first - 1);
			o->report(o->report_ctx, &w);
		}
	}
	rc = 0;
out:
	lm_buf_release(&buf);
	return rc;
}

/* ---- the body laid out once for the letters that share it ---- */

static void key_bytes(struct lm_buf *k, const void *p, size_t n)
{
	lm_buf_add(k, p, n);
}

static void key_str(struct lm_buf *k, const char *s)
{
	char none = 1;
	if (s)
		lm_buf_add(k, s, strlen(s) + 1);
	else
		lm_buf_add(k, &none, 1); /* NUL-ended strings never hold 1 alone */
}

#define KEY(k, v) key_bytes(k, &(v), sizeof(v))

/* Everything the body's layout reads besides the body itself (the memo
 * entry's key): where it starts on the page and with what. */
static void state_key(struct lm_buf *k, const struct ctx *c, const struct lm_frame_opts *o, int sigbox)
{
	const struct lm_flow *f = &c->flow;
	const struct lm_layout *lay = c->lay;
	size_t page = f->page - c->first, pages = lay->npages - c->first, nsigs = c->sigs ? c->sigs->n : 0;
	KEY(k, c->size), KEY(k, c->lead), KEY(k, c->gap), KEY(k, c->large), KEY(k, c->no_block);
	KEY(k, c->parent);
	key_str(k, c->lang), key_str(k, c->doc_lang);
	key_str(k, c->salutation), key_str(k, c->subject), key_str(k, c->closing);
	KEY(k, nsigs);
	for (size_t i = 0; i < nsigs; i++)
		KEY(k, c->sigs->items[i]); /* the area's rows: the area is the entry's */
	KEY(k, f->left), KEY(k, f->right), KEY(k, f->top), KEY(k, f->bottom), KEY(k, f->y);
	KEY(k, page), KEY(k, pages), KEY(k, f->at_top), KEY(k, f->leading_scale), KEY(k, f->gap_scale);
	KEY(k, f->keep_after), KEY(k, f->image), KEY(k, f->image_ctx);
	key_str(k, f->lang);
	KEY(k, lay->page_w), KEY(k, lay->page_h);
	for (int i = 0; i < 4; i++)
		KEY(k, lay->sign_rect[i]);
	KEY(k, sigbox), KEY(k, o->image), KEY(k, o->image_ctx);
}

/* Pointers copied into a blob, each once (a link's target is shared by
 * its element and its boxes). */
struct pmap {
	const void **from;
	size_t *to;
	size_t cap, n;
	struct lm_buf blob;
};

static size_t blob_add(struct pmap *pm, const void *p, size_t n, size_t align)
{
	while (pm->blob.len % align)
		lm_buf_addc(&pm->blob, 0);
	size_t off = pm->blob.len;
	lm_buf_add(&pm->blob, p, n);
	return off;
}

static void *blob_str(struct pmap *pm, const char *s)
{
	if (!s)
		return NULL;
	if (pm->n * 2 >= pm->cap) {
		size_t cap = pm->cap ? pm->cap * 2 : 256;
		const void **from = lm_xcalloc(cap, sizeof(*from));
		size_t *to = lm_xcalloc(cap, sizeof(*to));
		for (size_t i = 0; i < pm->cap; i++) {
			if (!pm->from[i])
				continue;
			size_t h = ((uintptr_t)pm->from[i] >> 4) % cap;
			while (from[h])
				h = (h + 1) % cap;
			from[h] = pm->from[i], to[h] = pm->to[i];
		}
		free(pm->from);
		free(pm->to);
		pm->from = from, pm->to = to, pm->cap = cap;
	}
	size_t h = ((uintptr_t)s >> 4) % pm->cap;
	while (pm->from[h] && pm->from[h] != s)
		h = (h + 1) % pm->cap;
	if (!pm->from[h]) {
		pm->from[h] = s;
		pm->to[h] = blob_add(pm, s, strlen(s) + 1, 1);
		pm->n++;
	}
	return (void *)(uintptr_t)(pm->to[h] + 1);
}

static uint64_t bytes_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *u = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ u[i]) * 1099511628211ull;
	return h;
}

/* What the layout held before the body: it must be untouched after. */
static uint64_t before_hash(const struct lm_layout *lay, size_t page, size_t n0, size_t base)
{
	uint64_t h = bytes_hash(1469598103934665603ull, lay->elems, base * sizeof(*lay->elems));
	return bytes_hash(h, lay->pages[page].boxes, n0 * sizeof(struct lm_box));
}

/* An element index as the copy keeps it: its own from `base` on, else
 * only the part's parent or none (anything else: not kept). */
static int ref_ok(int e, size_t base, int parent)
{
	return e < 0 || (size_t)e >= base || e == parent;
}

/* Keeps what the body added from (page, n0, base) as a laid-out copy. */
static struct laid *laid_keep(struct lm_frame_memo *m, struct memo_body *e, struct lm_buf *key,
			      const struct ctx *c, size_t page, size_t n0, size_t base)
{
	const struct lm_layout *lay = c->lay;
	size_t nboxes = 0;
	for (size_t p = page; p < lay->npages; p++)
		for (size_t i = p == page ? n0 : 0; i < lay->pages[p].n; i++) {
			if (!ref_ok(lay->pages[p].boxes[i].elem, base, c->parent))
				return NULL;
			nboxes++;
		}
	for (size_t i = base; i < lay->nelems; i++)
		if (!ref_ok(lay->elems[i].parent, base, c->parent))
			return NULL;
	struct laid r = { 0 };
	struct pmap pm = { .blob = LM_BUF_INIT };
	r.npages = lay->npages - page;
	r.pages = lm_xcalloc(r.npages, sizeof(*r.pages));
	for (size_t p = 0; p < r.npages; p++) {
		const struct lm_page *src = &lay->pages[page + p];
		size_t from = p ? 0 : n0;
		struct lm_page *dst = &r.pages[p];
		dst->n = dst->alloc = src->n - from;
		dst->boxes = lm_xmalloc((dst->n ? dst->n : 1) * sizeof(*dst->boxes));
		for (size_t i = 0; i < dst->n; i++) {
			struct lm_box b = src->boxes[from + i];
			b.text = blob_str(&pm, b.text);
			b.href = blob_str(&pm, b.href);
			if (b.glyphs)
				b.glyphs = (void *)(uintptr_t)(blob_add(&pm, b.glyphs, b.nglyphs * sizeof(*b.glyphs),
									 sizeof(uint64_t)) + 1);
			dst->boxes[i] = b;
		}
	}
	r.nelems = lay->nelems - base;
	r.elems = lm_xmalloc((r.nelems ? r.nelems : 1) * sizeof(*r.elems));
	for (size_t i = 0; i < r.nelems; i++) {
		struct lm_elem el = lay->elems[base + i];
		el.alt = blob_str(&pm, el.alt);
		el.href = blob_str(&pm, el.href);
		el.lang = blob_str(&pm, el.lang);
		r.elems[i] = el;
	}
	free(pm.from);
	free(pm.to);
	r.base = base;
	r.flow = c->flow;
	r.flow.page -= page;
	memcpy(r.sign_rect, lay->sign_rect, sizeof(r.sign_rect));
	r.blob = lm_layout_blob_new(pm.blob.ptr, pm.blob.len);
	lm_buf_release(&pm.blob);
	r.keylen = key->len;
	r.key = lm_buf_detach(key, NULL);
	r.bytes = sizeof(r) + r.keylen + r.blob->len + nboxes * sizeof(struct lm_box) +
		  r.nelems * sizeof(struct lm_elem) + r.npages * (sizeof(struct lm_page) + 64);
	/* full: the oldest makes way */
	size_t at = e->nlaid < MEMO_LAYOUTS ? e->nlaid++ : e->next++ % MEMO_LAYOUTS;
	if (e->laid[at].key) {
		m->bytes -= e->laid[at].bytes;
		laid_release(&e->laid[at]);
	}
	if (memo_room(m, r.bytes, e)) {
		laid_release(&r);
		e->laid[at] = e->laid[--e->nlaid]; /* stays packed */
		memset(&e->laid[e->nlaid], 0, sizeof(e->laid[0]));
		return NULL;
	}
	m->bytes += r.bytes;
	e->laid[at] = r;
	return &e->laid[at];
}

#define BLOB_PTR(base, p) ((p) ? (const void *)((base) + ((uintptr_t)(p) - 1)) : NULL)

/* Adds the laid-out copy `r` to the layout where the flow stands. */
static void laid_copy(const struct laid *r, struct ctx *c)
{
	struct lm_layout *lay = c->lay;
	size_t page = c->flow.page, base = lay->nelems;
	const unsigned char *blob = r->blob->data;
	lm_layout_hold(lay, r->blob);
#define REBASE(x) ((x) >= 0 && (size_t)(x) >= r->base ? (int)((size_t)(x) - r->base + base) : (x))
	for (size_t i = 0; i < r->nelems; i++) {
		const struct lm_elem *el = &r->elems[i];
		int e = lm_layout_elem(lay, el->role, el->level, REBASE(el->parent));
		lay->elems[e].alt = BLOB_PTR(blob, el->alt);
		lay->elems[e].href = BLOB_PTR(blob, el->href);
		lay->elems[e].lang = BLOB_PTR(blob, el->lang);
	}
	while (lay->npages < page + r->npages)
		lm_layout_add_page(lay);
	for (size_t p = 0; p < r->npages; p++) {
		struct lm_page *dst = &lay->pages[page + p];
		const struct lm_page *src = &r->pages[p];
		LM_ALLOC_GROW(dst->boxes, dst->n + src->n, dst->alloc);
		for (size_t i = 0; i < src->n; i++) {
			struct lm_box b = src->boxes[i];
			b.elem = REBASE(b.elem);
			b.text = BLOB_PTR(blob, b.text);
			b.href = BLOB_PTR(blob, b.href);
			b.glyphs = BLOB_PTR(blob, b.glyphs);
			dst->boxes[dst->n++] = b;
		}
	}
#undef REBASE
	struct lm_flow f = r->flow;
	f.lay = c->flow.lay, f.fonts = c->flow.fonts, f.image = c->flow.image, f.image_ctx = c->flow.image_ctx;
	f.lang = c->flow.lang;
	f.page += page;
	c->flow = f;
	memcpy(lay->sign_rect, r->sign_rect, sizeof(lay->sign_rect));
}

/* The rest of the head (reference block or date), the body, the parts
 * it places and the signature box: laid out, or copied from a letter
 * before whose reference lines, body and starting point were the same
 * byte for byte. */
static int body_layout(struct part *p, const struct lm_frame_opts *o, int last, const struct reflines *refs,
		       int window, double window_bottom)
{
	struct ctx *c = &p->c;
	struct lm_layout *lay = c->lay;
	struct lm_frame_memo *m = o->memo;
	struct memo_body *e = p->shared;
	int sigbox = o->signature_box && last;
	struct lm_buf key = LM_BUF_INIT;
	p->kept = NULL;
	p->has_copied = 0;
	/* the body starts on the flow's page, the layout's last */
	int keep = e && c->flow.page + 1 == lay->npages && c->flow.page >= c->first;
	if (keep) {
		state_key(&key, c, o, sigbox);
		/* and what the rest of the head prints, as this letter has it */
		KEY(&key, window), KEY(&key, window_bottom), KEY(&key, refs->n), KEY(&key, refs->shows_date);
		for (size_t i = 0; i < refs->n; i++) {
			KEY(&key, refs->v[i].llen), KEY(&key, refs->v[i].vlen);
			key_bytes(&key, refs->v[i].label, refs->v[i].llen);
			key_bytes(&key, refs->v[i].value, refs->v[i].vlen);
		}
		key_str(&key, p->date);
		for (size_t i = 0; i < e->nlaid; i++)
			if (e->laid[i].keylen == key.len && !memcmp(e->laid[i].key, key.ptr, key.len)) {
				const struct laid *r = &e->laid[i];
				if (r->checked) {
					p->copied = (struct checked){ c->flow.page, lay->pages[c->flow.page].n,
								      r->npages, r->pages };
					p->has_copied = 1;
				}
				laid_copy(r, c);
				m->counts.reused++;
				lm_buf_release(&key);
				return 0;
			}
	}
	size_t page = c->flow.page, n0 = page < lay->npages ? lay->pages[page].n : 0, base = lay->nelems;
	/* kept the second time it is laid out from this starting point */
	if (keep) {
		uint64_t h = bytes_hash(1469598103934665603ull, key.ptr, key.len);
		size_t k = 0;
		while (k < e->ntried && k < 8 && e->tried[k] != h)
			k++;
		keep = k < e->ntried && k < 8;
		if (!keep)
			e->tried[e->ntried++ % 8] = h;
	}
	uint64_t before = keep ? before_hash(lay, page, n0, base) : 0;
	part_rest(p, refs, window, window_bottom);
	int rc = parts_and_body(c, p->body);
	if (!rc && sigbox)
		signature_box(c);
	if (m)
		m->counts.laid_out++;
	if (!rc && keep && lay->nelems >= base && lay->pages[page].n >= n0 &&
	    before_hash(lay, page, n0, base) == before)
		p->kept = laid_keep(m, e, &key, c, page, n0, base);
	lm_buf_release(&key);
	return rc;
}

/* One letter (one part of a bilingual letter) from a new page of `lay`;
 * `last`: the last part, which keeps room for a visible signature. */
static int layout_part(const struct lm_letter *l, const struct lm_area *area,
		       const struct lm_assets *assets, const struct lm_frame_opts *o,
		       struct lm_fonts *fonts, struct lm_layout *lay, struct lm_pdf_meta *meta,
		       int last, const char *doc_lang, struct lm_diag *d)
{
	struct part p;
	int rc = -1;
	if (part_prepare(&p, l, area, assets, o, fonts, lay, meta, doc_lang, d))
		goto out;
	struct ctx *c = &p.c;
	/* laid out as written, then (with `pages: N`) tighter until it fits */
	const size_t nlevels = p.want_pages ? sizeof(tightening) / sizeof(tightening[0]) : 1;
	for (size_t level = 0;; level++) {
		const struct tighten *t = &tightening[level];
		if (t->size && c->large)
			break; /* large print never goes below 16 pt */
		part_begin(&p, t, o);
		int window;
		double window_bottom;
		struct reflines refs;
		if (part_top(&p, NULL, o, &window, &window_bottom) || reference_lines(c, &refs) ||
		    body_layout(&p, o, last, &refs, window, window_bottom))
			goto out;
		if (!p.want_pages || lay->npages - c->first <= (size_t)p.want_pages || level + 1 >= nlevels ||
		    (tightening[level + 1].size && c->large))
			break;
	}
	if (p.want_pages && lay->npages - c->first > (size_t)p.want_pages) {
		pages_over(&p, c->first);
		goto out;
	}
	footers(c, p.footer.ptr);
	rc = part_finish(&p, o, meta, 1);
	/* what the memo kept of this letter passed: a copy need not be checked again */
	if (!rc && p.kept)
		p.kept->checked = 1;
out:
	part_release(&p);
	return rc;
}

/* ---- two languages side by side (bilingual: columns) ---- */

#define GUTTER (8 * MM)

/* What lines up across the columns: a top-level block (a list with its
 * items, nested lists and the images and tables in them is one), a
 * heading, or one of the parts the frame places. */
enum unit_kind { UNIT_BLOCKS, UNIT_HEADING, UNIT_SALUTATION, UNIT_SUBJECT, UNIT_SIGN_OFF };

struct unit {
	enum unit_kind kind;
	size_t doc, from, to; /* UNIT_BLOCKS, UNIT_HEADING: body->docs[doc].blocks[from..to) */
};

struct units {
	struct unit *v;
	size_t n, alloc;
};

static void units_push(struct units *u, enum unit_kind kind, size_t doc, size_t from, size_t to)
{
	LM_ALLOC_GROW(u->v, u->n + 1, u->alloc);
	u->v[u->n++] = (struct unit){ kind, doc, from, to };
}

/* The units of a part in reading order; each of salutation, subject and
 * sign-off is there once, where the body places it or where the frame
 * does (salutation and subject first, the sign-off last). */
static void units_of(const struct body *b, struct units *u)
{
	static const enum unit_kind part_kind[] = { UNIT_SALUTATION, UNIT_SUBJECT, UNIT_SIGN_OFF };
	if (!b->placed[PART_SALUTATION])
		units_push(u, UNIT_SALUTATION, 0, 0, 0);
	if (!b->placed[PART_SUBJECT])
		units_push(u, UNIT_SUBJECT, 0, 0, 0);
	for (size_t k = 0; k <= b->nparts; k++) {
		const struct lm_doc *doc = &b->docs[k];
		for (size_t i = 0; i < doc->n;) {
			const struct lm_block *bl = &doc->blocks[i];
			size_t j = i + 1;
			if (bl->kind == LM_BLOCK_LIST_ITEM)
				while (j < doc->n && (doc->blocks[j].kind == LM_BLOCK_LIST_ITEM ||
						      (doc->blocks[j].kind == LM_BLOCK_IMAGE && doc->blocks[j].level > 0) ||
						      (doc->blocks[j].kind == LM_BLOCK_TABLE &&
						       doc->blocks[j - 1].kind == LM_BLOCK_LIST_ITEM &&
						       !doc->blocks[j - 1].nspans)))
					j++;
			units_push(u, bl->kind == LM_BLOCK_HEADING ? UNIT_HEADING : UNIT_BLOCKS, k, i, j);
			i = j;
		}
		if (k < b->nparts)
			units_push(u, part_kind[b->part[k]], 0, 0, 0);
	}
	if (!b->placed[PART_SIGNATURES])
		units_push(u, UNIT_SIGN_OFF, 0, 0, 0);
}

/* A row: units [from, to) of each column, placed side by side from the
 * same height. */
struct row {
	size_t from[2], to[2];
};

/* The rows: one a unit when both columns have the same units in the same
 * order (a translation paragraph for paragraph), else one between each
 * pair of headings and parts when those match, else only the sign-off
 * lines up.  Returns how they line up: 2, 1 or 0. */
static int rows_of(const struct units *u, struct row **out, size_t *nout)
{
	size_t n = 0, alloc = 0;
	struct row *r = NULL;
	int same = u[0].n == u[1].n;
	for (size_t i = 0; same && i < u[0].n; i++)
		same = u[0].v[i].kind == u[1].v[i].kind;
	if (same) {
		for (size_t i = 0; i < u[0].n; i++) {
			LM_ALLOC_GROW(r, n + 1, alloc);
			r[n++] = (struct row){ { i, i }, { i + 1, i + 1 } };
		}
		*out = r, *nout = n;
		return 2;
	}
	/* the anchors: every unit that is not a plain block */
	size_t na[2] = { 0, 0 };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < u[k].n; i++)
			na[k] += u[k].v[i].kind != UNIT_BLOCKS;
	int anchors = na[0] == na[1];
	size_t i0 = 0, i1 = 0;
	for (;;) {
		/* the next anchor of each column (a sign-off only, without matching anchors) */
		size_t a0 = i0, a1 = i1;
		while (a0 < u[0].n && (anchors ? u[0].v[a0].kind == UNIT_BLOCKS : u[0].v[a0].kind != UNIT_SIGN_OFF))
			a0++;
		while (a1 < u[1].n && (anchors ? u[1].v[a1].kind == UNIT_BLOCKS : u[1].v[a1].kind != UNIT_SIGN_OFF))
			a1++;
		if (anchors && a0 < u[0].n && a1 < u[1].n && u[0].v[a0].kind != u[1].v[a1].kind) {
			/* the same number of anchors, not the same ones: only the sign-off */
			free(r);
			r = NULL, n = alloc = 0, i0 = i1 = 0, anchors = 0;
			continue;
		}
		if (a0 > i0 || a1 > i1) {
			LM_ALLOC_GROW(r, n + 1, alloc);
			r[n++] = (struct row){ { i0, i1 }, { a0, a1 } };
		}
		if (a0 >= u[0].n && a1 >= u[1].n)
			break;
		LM_ALLOC_GROW(r, n + 1, alloc);
		r[n++] = (struct row){ { a0, a1 }, { a0 < u[0].n ? a0 + 1 : a0, a1 < u[1].n ? a1 + 1 : a1 } };
		i0 = a0 < u[0].n ? a0 + 1 : a0;
		i1 = a1 < u[1].n ? a1 + 1 : a1;
	}
	*out = r, *nout = n;
	return anchors;
}

/* Both columns on to where the longer one ended. */
static void columns_even(struct ctx *c0, struct ctx *c1)
{
	struct lm_flow *a = &c0->flow, *b = &c1->flow;
	struct lm_flow *later = a->page > b->page || (a->page == b->page && a->y < b->y) ? a : b;
	int at_top = a->page == b->page ? a->at_top && b->at_top : later->at_top;
	a->page = b->page = later->page;
	a->y = b->y = later->y;
	a->at_top = b->at_top = at_top;
}

static void unit_layout(struct ctx *c, const struct body *b, const struct units *u, size_t i)
{
	const struct unit *un = &u->v[i];
	int in_body = 0;
	for (size_t k = 0; k < i && !in_body; k++)
		in_body = u->v[k].kind == UNIT_BLOCKS || u->v[k].kind == UNIT_HEADING;
	if (un->kind == UNIT_SALUTATION) {
		salutation(c, in_body);
	} else if (un->kind == UNIT_SUBJECT) {
		subject(c);
	} else if (un->kind == UNIT_BLOCKS || un->kind == UNIT_HEADING) {
		struct lm_doc sub = b->docs[un->doc];
		sub.blocks += un->from;
		sub.n = un->to - un->from;
		lm_flow_doc(&c->flow, &sub, c->size, c->parent);
	}
}

/* A signatory's title and organisation in c's language, as a paragraph
 * in that language. */
static void sig_lines(struct ctx *c, const struct lm_value *s)
{
	static const char *const keys[] = { "title", "organisation" };
	int pe = -1;
	for (int k = 0; k < 2; k++) {
		const char *t = lm_value_str(s, keys[k], "");
		if (!*t)
			continue;
		if (pe < 0) {
			pe = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
			elem_lang(c, pe);
		}
		struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = c->size,
					    .leading = c->size * 1.23, .rgb = TEXT_RGB };
		plain_para(c, t, &st, pe);
	}
}

/* The second language's row for signatory `s` of the first: the same id. */
static const struct lm_value *same_signatory(const struct ctx *c1, const struct lm_value *s)
{
	const char *id = lm_value_str(s, "id", NULL);
	for (size_t i = 0; id && c1->sigs && i < c1->sigs->n; i++)
		if (!strcmp(lm_value_str(c1->sigs->items[i], "id", ""), id))
			return c1->sigs->items[i];
	return NULL;
}

/* 1 when the second language says the same (title, organisation) as the
 * first: printed once. */
static int sig_same(const struct lm_value *a, const struct lm_value *b)
{
	return b && !strcmp(lm_value_str(a, "title", ""), lm_value_str(b, "title", "")) &&
	       !strcmp(lm_value_str(a, "organisation", ""), lm_value_str(b, "organisation", ""));
}

/* Height of a signatory's title and organisation lines at `width`. */
static double sig_lines_height(struct ctx *c, const struct lm_value *s, double width)
{
	const struct lm_para_style rest = { .face = LM_FACE_REGULAR, .size = c->size, .leading = c->size * 1.23 };
	static const char *const keys[] = { "title", "organisation" };
	double h = 0;
	for (int k = 0; k < 2; k++) {
		const char *t = lm_value_str(s, keys[k], "");
		if (!*t)
			continue;
		size_t n;
		struct lm_span *sp = plain_spans(c, t, strlen(t), 0, &n);
		h += lm_para_height(c->fonts, sp, n, &rest, width);
	}
	return h;
}

/* Height of one signatory's column signed in both languages, at `width`. */
static double sig_column_height2(struct ctx *c0, struct ctx *c1, const struct lm_value *s, double width)
{
	const struct lm_value *s1 = same_signatory(c1, s);
	double h = sig_column_height(c0, s, width);
	if (s1 && !sig_same(s, s1))
		h += 2 + sig_lines_height(c1, s1, width);
	return h;
}

/* One signature block under both columns: each signatory once, with
 * their title and organisation in the first language, then the second's
 * when it differs. */
static double shared_sig_block(struct ctx *c0, struct ctx *c1, double *colw)
{
	size_t n = c0->sigs->n;
	double gutter = 6 * MM;
	*colw = n ? (lm_flow_width(&c0->flow) - gutter * (double)(n - 1)) / (double)n : 0;
	if (*colw > 75 * MM)
		*colw = 75 * MM;
	double h = 0;
	for (size_t i = 0; i < n; i++) {
		double x = sig_column_height2(c0, c1, c0->sigs->items[i], *colw);
		if (x > h)
			h = x;
	}
	return h;
}

static void shared_signatures(struct ctx *c0, struct ctx *c1)
{
	struct lm_flow *f = &c0->flow;
	const struct lm_value *sigs = c0->sigs;
	size_t n = sigs->n;
	double gutter = 6 * MM, colw;
	double sig_h = shared_sig_block(c0, c1, &colw);
	double top = f->y, save_left = f->left, save_right = f->right;
	for (size_t i = 0; i < n; i++) {
		const struct lm_value *s = sigs->items[i], *s1 = same_signatory(c1, s);
		double x = save_left + (double)i * (colw + gutter);
		f->left = x, f->right = x + colw, f->y = top;
		int img = asset_index(c0->assets, lm_value_str(s, "signature_path", NULL));
		if (img >= 0) {
			const struct lm_image *im = &c0->assets->images[img];
			double h = SIG_IMAGE_H, w = h * im->width / im->height;
			if (w > colw)
				w = colw, h = w * im->height / im->width;
			int fig = lm_layout_elem(c0->lay, LM_ROLE_FIGURE, 0, 0);
			const struct lm_value *alt = lm_value_get(s, "alt");
			const char *sig_w = lm_lang_text(c0->lang, LM_TEXT_SIGNATURE);
			struct lm_buf ab = LM_BUF_INIT;
			if (alt && !alt->file && sig_w) /* the default, made in English */
				lm_buf_addf(&ab, "%s %s", sig_w, lm_value_str(s, "name", ""));
			else
				lm_buf_adds(&ab, lm_value_str(s, "alt", ""));
			c0->lay->elems[fig].alt = lm_arena_strdup(c0->lay->arena, ab.ptr ? ab.ptr : "");
			elem_lang(c0, fig);
			lm_buf_release(&ab);
			struct lm_box b = { .kind = LM_BOX_IMAGE, .elem = fig, .x = x,
					    .y = top - SIG_IMAGE_H + (SIG_IMAGE_H - h) / 2, .w = w, .h = h,
					    .image = img };
			lm_layout_add(c0->lay, f->page, &b);
		}
		f->y = top - SIG_IMAGE_H - 2 * MM;
		f->at_top = 0;
		/* the name in no language of its own, then each language's lines */
		struct lm_para_style name = { .face = LM_FACE_BOLD, .size = c0->size,
					      .leading = c0->size * 1.23, .rgb = TEXT_RGB };
		const char *nm = lm_value_str(s, "name", "");
		if (*nm)
			plain_para(c0, nm, &name, lm_layout_elem(c0->lay, LM_ROLE_PARAGRAPH, 0, 0));
		sig_lines(c0, s);
		if (s1 && !sig_same(s, s1)) {
			/* the second language's lines in the same place, written by
			 * its own context (its language on the element) */
			struct lm_flow keep = c1->flow;
			c1->flow = *f;
			c1->flow.y -= 2;
			sig_lines(c1, s1);
			f->y = c1->flow.y;
			f->page = c1->flow.page;
			c1->flow = keep;
		}
	}
	f->left = save_left, f->right = save_right;
	f->y = top - sig_h;
}

/* Column 1 on to where column 0 is. */
static void columns_follow(struct ctx *c0, struct ctx *c1)
{
	c1->flow.page = c0->flow.page;
	c1->flow.y = c0->flow.y;
	c1->flow.at_top = c0->flow.at_top;
}

/* The closing of each column side by side, then one signature block
 * across both, all on one page. */
static void columns_sign_off(struct ctx *c0, struct ctx *c1, double full_left, double full_right)
{
	struct ctx *cs[2] = { c0, c1 };
	int block = !c0->no_block && !c1->no_block && c0->sigs->n;
	int closes[2] = { !c0->no_block && c0->closing, !c1->no_block && c1->closing };
	if (!closes[0] && !closes[1] && !block)
		return;
	double closing_h = 0;
	for (int k = 0; k < 2; k++) {
		struct ctx *c = cs[k];
		lm_flow_space(&c->flow, c->size * 0.8 * c->gap);
		if (closes[k]) {
			size_t n;
			struct lm_span *sp = plain_spans(c, c->closing, strlen(c->closing), 0, &n);
			struct lm_para_style bs = body_style(c);
			double h = lm_para_height(c->fonts, sp, n, &bs, lm_flow_width(&c->flow)) + 3 * MM;
			if (h > closing_h)
				closing_h = h;
		}
	}
	columns_even(c0, c1);
	double colw, sig_h = 0, l = c0->flow.left, r = c0->flow.right;
	if (block) {
		c0->flow.left = full_left, c0->flow.right = full_right;
		sig_h = shared_sig_block(c0, c1, &colw);
		c0->flow.left = l, c0->flow.right = r;
	}
	lm_flow_need(&c0->flow, closing_h + sig_h);
	columns_follow(c0, c1);
	for (int k = 0; k < 2; k++) {
		struct ctx *c = cs[k];
		if (!closes[k])
			continue;
		struct lm_para_style bs = body_style(c);
		int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, c->parent);
		plain_para(c, c->closing, &bs, e);
		c->flow.y -= 3 * MM;
	}
	columns_even(c0, c1);
	if (!block)
		return;
	c0->flow.left = full_left, c0->flow.right = full_right;
	shared_signatures(c0, c1);
	c0->flow.left = l, c0->flow.right = r;
	columns_follow(c0, c1);
}

/* The footer of each language under its column, with the page number
 * below it, on every page of the letter. */
static void columns_footers(struct ctx *cs[2], const char *footer[2], const double left[2], double colw)
{
	struct lm_layout *lay = cs[0]->lay;
	size_t pages = lay->npages - cs[0]->first;
	const double size = 8.5, up = size + 2.5;
	for (size_t p = cs[0]->first; p < lay->npages; p++) {
		struct lm_box line = { .kind = LM_BOX_RULE, .elem = -1, .x = MARGIN_X,
				       .y = FOOTER_Y + up + size + 2, .w = lay->page_w - 2 * MARGIN_X,
				       .h = 0.5, .rgb = 0x9FA8B5 };
		lm_layout_add(lay, p, &line);
		for (int k = 0; k < 2; k++) {
			const char *ft = footer[k];
			if (*ft) {
				double w = lm_shape_width(cs[k]->fonts, LM_FACE_REGULAR, ft, strlen(ft), size);
				double s = w > colw ? size * colw / w : size;
				w = lm_shape_width(cs[k]->fonts, LM_FACE_REGULAR, ft, strlen(ft), s);
				struct lm_box b = { .kind = LM_BOX_TEXT, .elem = -1, .x = left[k], .y = FOOTER_Y + up,
						    .w = w, .h = s, .face = LM_FACE_REGULAR,
						    .text = lm_arena_strdup(lay->arena, ft), .rgb = GREY_RGB };
				lm_layout_add(lay, p, &b);
			}
			if (pages > 1) {
				struct lm_buf num = LM_BUF_INIT;
				page_number(cs[k], &num, p - cs[0]->first + 1, pages);
				double w = lm_shape_width(cs[k]->fonts, LM_FACE_REGULAR, num.ptr, num.len, size);
				struct lm_box b = { .kind = LM_BOX_TEXT, .elem = -1, .x = left[k], .y = FOOTER_Y,
						    .w = w, .h = size, .face = LM_FACE_REGULAR,
						    .text = lm_arena_strdup(lay->arena, num.ptr), .rgb = GREY_RGB };
				lm_layout_add(lay, p, &b);
				lm_buf_release(&num);
			}
		}
	}
}

/* 1 when element e is `sect` or inside it. */
static int elem_within(const struct lm_layout *lay, int e, int sect)
{
	for (; e > 0; e = lay->elems[e].parent)
		if (e == sect)
			return 1;
	return 0;
}

/* A bilingual letter in two columns (bilingual: columns): one letterhead
 * with both organisations' names, one address, then each language in its
 * column (the first on the left) from its reference block to its closing,
 * the paragraphs of the two side by side, then one signature block across
 * both.  Each column is a section of the structure tree, in its language. */
static int layout_columns(const struct lm_letter *const *parts, const struct lm_area *area,
			  const struct lm_assets *assets, const struct lm_frame_opts *o,
			  struct lm_fonts *fonts, struct lm_layout *lay, struct lm_pdf_meta meta[2],
			  const char *doc_lang, struct lm_diag *d)
{
	struct part p[2];
	struct units u[2] = { { 0 }, { 0 } };
	struct row *rows = NULL;
	size_t nrows = 0;
	int rc = -1, prepared = 0;
	for (; prepared < 2; prepared++)
		if (part_prepare(&p[prepared], parts[prepared], area, assets, o, fonts, lay, &meta[prepared],
				 doc_lang, d))
			goto out;
	struct ctx *cs[2] = { &p[0].c, &p[1].c };
	for (int k = 0; k < 2; k++)
		units_of(p[k].body, &u[k]);
	int lined = rows_of(u, &rows, &nrows);
	if (lined < 2 && o->report) {
		/* a paragraph in one language and not the other is a fact one
		 * family reads and another does not */
		size_t nb[2] = { 0, 0 };
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < u[k].n; i++)
				nb[k] += u[k].v[i].kind == UNIT_BLOCKS || u[k].v[i].kind == UNIT_HEADING;
		struct lm_diag w;
		lm_diag_clear(&w);
		w.severity = LM_WARNING;
		snprintf(w.file, sizeof(w.file), "%s", parts[0]->path);
		snprintf(w.msg, sizeof(w.msg),
			 "bilingual: columns: %s has %zu paragraphs, headings, lists and tables and %s has %zu%s, so the columns line up %s; give both the same, one for one",
			 parts[0]->path, nb[0], parts[1]->path, nb[1], nb[0] == nb[1] ? " (not in the same order)" : "",
			 lined ? "only at their headings, salutations and closings" : "only at their closings");
		o->report(o->report_ctx, &w);
	}
	long want_pages = p[0].want_pages ? p[0].want_pages : p[1].want_pages;
	const size_t nlevels = want_pages ? sizeof(tightening) / sizeof(tightening[0]) : 1;
	const double full_left = MARGIN_X, full_right = lay->page_w - MARGIN_X;
	const double colw = (full_right - full_left - GUTTER) / 2;
	const double left[2] = { full_left, full_left + colw + GUTTER };
	for (size_t level = 0;; level++) {
		const struct tighten *t = &tightening[level];
		part_begin(&p[0], t, o);
		part_begin(&p[1], t, o);
		cs[0]->parent = cs[1]->parent = 0;
		if (part_head(&p[0], &p[1], o))
			goto out;
		cs[1]->flow = cs[0]->flow;
		for (int k = 0; k < 2; k++) {
			cs[k]->flow.left = left[k];
			cs[k]->flow.right = left[k] + colw;
			cs[k]->parent = lm_layout_elem(lay, LM_ROLE_SECTION, 0, 0);
			elem_lang(cs[k], cs[k]->parent);
		}
		for (int k = 0; k < 2; k++)
			if (part_reference(&p[k]))
				goto out;
		columns_even(cs[0], cs[1]);
		for (size_t r = 0; r < nrows; r++) {
			if (rows[r].from[0] < u[0].n && rows[r].to[0] == rows[r].from[0] + 1 &&
			    u[0].v[rows[r].from[0]].kind == UNIT_SIGN_OFF) {
				columns_sign_off(cs[0], cs[1], full_left, full_right);
				continue;
			}
			int before_sign_off = r + 1 < nrows && rows[r + 1].from[0] < u[0].n &&
					      u[0].v[rows[r + 1].from[0]].kind == UNIT_SIGN_OFF;
			for (int k = 0; k < 2; k++) {
				for (size_t i = rows[r].from[k]; i < rows[r].to[k]; i++) {
					/* the paragraph before the sign-off goes over with it */
					if (before_sign_off && i + 1 == rows[r].to[k])
						cs[k]->flow.keep_after = sign_off_height(cs[k]);
					unit_layout(cs[k], p[k].body, &u[k], i);
					cs[k]->flow.keep_after = 0;
				}
			}
			columns_even(cs[0], cs[1]);
		}
		if (o->signature_box) {
			cs[0]->flow.left = full_left, cs[0]->flow.right = full_right;
			signature_box(cs[0]);
		}
		if (!want_pages || lay->npages <= (size_t)want_pages || level + 1 >= nlevels)
			break;
	}
	if (want_pages && lay->npages > (size_t)want_pages) {
		pages_over(p[0].want_pages ? &p[0] : &p[1], 0);
		goto out;
	}
	const char *footer[2] = { p[0].footer.ptr, p[1].footer.ptr };
	columns_footers(cs, footer, left, colw);
	for (int k = 0; k < 2; k++)
		if (part_finish(&p[k], o, &meta[k], !k))
			goto out;
	/* a screen reader reads each column in its language */
	for (size_t e = 1; e < lay->nelems; e++)
		for (int k = 0; k < 2; k++)
			if (elem_within(lay, (int)e, cs[k]->parent))
				elem_lang(cs[k], (int)e);
	rc = 0;
out:
	for (int k = 0; k < prepared; k++)
		part_release(&p[k]);
	free(u[0].v);
	free(u[1].v);
	free(rows);
	return rc;
}

int lm_frame_layout_parts(const struct lm_letter *const *parts, size_t nparts,
			  const struct lm_area *area, const struct lm_assets *assets,
			  const struct lm_frame_opts *o, struct lm_fonts *fonts,
			  struct lm_layout *lay, struct lm_pdf_meta *meta, struct lm_diag *d)
{
	const char *doc_lang = o->doc_lang ? o->doc_lang : nparts ? lm_letter_lang(parts[0]) : NULL;
	struct lm_buf title = LM_BUF_INIT, subject = LM_BUF_INIT;
	int rc = 0;
	/* side by side when a part asks for it; large print never (RNIB: no
	 * columns), nor three languages */
	int columns = 0;
	for (size_t i = 0; i < nparts; i++)
		columns |= lm_letter_columns(parts[i]);
	columns = columns && nparts == 2 && !o->large_print;
	struct lm_pdf_meta pms[LM_LANG_MAX_PARTS];
	memset(pms, 0, sizeof(pms));
	if (columns)
		rc = layout_columns(parts, area, assets, o, fonts, lay, pms, doc_lang, d);
	for (size_t i = 0; i < nparts && !rc; i++) {
		struct lm_pdf_meta *pm = &pms[i < LM_LANG_MAX_PARTS ? i : LM_LANG_MAX_PARTS - 1];
		if (!columns) {
			size_t e0 = lay->nelems;
			memset(pm, 0, sizeof(*pm));
			if (i && o->duplex && lay->npages % 2)
				lm_layout_add_page(lay); /* each part starts on a new sheet */
			rc = layout_part(parts[i], area, assets, o, fonts, lay, pm, i + 1 == nparts, doc_lang, d);
			if (rc)
				break;
			/* a screen reader reads each part in its language */
			if (strcasecmp(pm->lang, doc_lang))
				for (size_t e = e0; e < lay->nelems; e++)
					lay->elems[e].lang = pm->lang;
		}
		if (!i) {
			*meta = *pm;
			meta->lang = lm_arena_strdup(lay->arena, doc_lang);
		}
		if (pm->title && *pm->title)
			lm_buf_addf(&title, "%s%s", title.len ? " / " : "", pm->title);
		if (pm->subject && *pm->subject)
			lm_buf_addf(&subject, "%s%s", subject.len ? " / " : "", pm->subject);
	}
	/* joined only while the writer can carry it; else the first part's */
	if (!rc && nparts > 1 && title.len <= LM_PDF_STRING_MAX)
		meta->title = title.len ? lm_arena_strdup(lay->arena, title.ptr) : NULL;
	if (!rc && nparts > 1 && subject.len <= LM_PDF_STRING_MAX)
		meta->subject = subject.len ? lm_arena_strdup(lay->arena, subject.ptr) : NULL;
	lm_buf_release(&title);
	lm_buf_release(&subject);
	return rc;
}

int lm_frame_layout(const struct lm_letter *l, const struct lm_area *area,
		    const struct lm_assets *assets, const struct lm_frame_opts *o,
		    struct lm_fonts *fonts, struct lm_layout *lay, struct lm_pdf_meta *meta,
		    struct lm_diag *d)
{
	return lm_frame_layout_parts(&l, 1, area, assets, o, fonts, lay, meta, d);
}
