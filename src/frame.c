#include "frame.h"

#include "buf.h"
#include "lang.h"
#include "markdown.h"
#include "utf8.h"

#include <math.h>
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
};

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

/* Expands front matter `key` as plain text.  Returns 1 when the key is set,
 * 0 when absent (out untouched), -1 on error. */
static int fm_text(struct ctx *c, const struct lm_value *v, struct lm_buf *out)
{
	if (!v)
		return 0;
	if (v->kind != LM_VALUE_STRING)
		return lm_diag_set(c->d, c->l->path, v->line, v->col, "expected text here, not a list or map");
	if (lm_template_render_string(c->l->path, v->line, v->col, v->str, c->data, LM_ESCAPE_NONE,
				      out, c->d))
		return -1;
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

static int letterhead(struct ctx *c, int window)
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
		int fig = lm_layout_elem(c->lay, LM_ROLE_FIGURE, 0, 0);
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
	int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
	plain_para(c, lm_value_str(ar, "organisation", ""), &org, e);
	const char *addr = lm_value_str(ar, "address", "");
	if (*addr) {
		struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = 9.5, .leading = 12,
					    .align = LM_ALIGN_RIGHT, .rgb = GREY_RGB };
		if (c->large)
			st.size = c->size, st.leading = c->size * 1.2, st.align = LM_ALIGN_LEFT,
			st.rgb = TEXT_RGB;
		/* one line of the address per line of the value */
		size_t n;
		struct lm_buf lines = LM_BUF_INIT;
		for (const char *p = addr; *p; p++) {
			if (*p == '\r')
				continue;
			lm_buf_addc(&lines, *p);
		}
		int ae = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
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
		lm_flow_para(f, sp, n, &st, ae);
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
	int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
	lm_flow_para(f, sp, k, &st, e);
	double end = f->y, foot = c->lay->page_h - WINDOW_TOP - WINDOW_H;
	f->left = save_left;
	f->right = save_right;
	f->y = save_y;
	return end < foot ? end : foot;
}

/* The reference block; sets *shows_date when a line prints {{date}}. */
static int reference_block(struct ctx *c, int *shows_date)
{
	const struct lm_value *ref = lm_value_get(c->l->fm, "reference");
	*shows_date = 0;
	if (!ref || is_none(ref))
		return 0;
	if (ref->kind != LM_VALUE_LIST)
		return lm_diag_set(c->d, c->l->path, ref->line, ref->col,
				   "'reference' must be a list of lines, each with a label and a value");
	struct lm_para_style st = { .face = LM_FACE_REGULAR, .size = 10, .leading = 13, .rgb = TEXT_RGB };
	if (c->large)
		st.size = c->size, st.leading = c->size * 1.25;
	else if (lm_flow_width(&c->flow) < 80 * MM)
		st.size = 9, st.leading = 11.5; /* the column beside the address window */
	int any = 0;
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
				*shows_date = 1;
			struct lm_span lab = { .style = LM_SPAN_BOLD };
			struct lm_buf lt = LM_BUF_INIT;
			if (label.len)
				lm_buf_addf(&lt, "%s: ", label.ptr);
			lab.text = lm_arena_strdup(c->lay->arena, lt.ptr);
			lab.len = lt.len;
			lm_buf_release(&lt);
			size_t nv;
			struct lm_span *vs = plain_spans(c, value.ptr, value.len, 0, &nv);
			struct lm_span *all = lm_arena_alloc(c->lay->arena, (nv + 1) * sizeof(*all));
			all[0] = lab;
			memcpy(all + 1, vs, nv * sizeof(*vs));
			int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
			lm_flow_para(&c->flow, label.len ? all : all + 1, label.len ? nv + 1 : nv, &st, e);
			any = 1;
		}
		lm_buf_release(&label);
		lm_buf_release(&value);
	}
	if (any)
		lm_flow_space(&c->flow, 6 * MM);
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
		int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
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
			int fig = lm_layout_elem(c->lay, LM_ROLE_FIGURE, 0, 0);
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
		int pe = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
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
			double w = lm_font_text_width(c->fonts, LM_FACE_REGULAR, footer, strlen(footer), size);
			double maxw = lay->page_w - 2 * MARGIN_X - (pages > 1 ? 28 * MM : 0);
			/* shrink rather than wrap: a footer is one line */
			double s = w > maxw ? size * maxw / w : size;
			w = lm_font_text_width(c->fonts, LM_FACE_REGULAR, footer, strlen(footer), s);
			struct lm_box b = { .kind = LM_BOX_TEXT, .elem = -1, .x = MARGIN_X, .y = FOOTER_Y,
					    .w = w, .h = s, .face = LM_FACE_REGULAR,
					    .text = lm_arena_strdup(lay->arena, footer), .rgb = GREY_RGB };
			lm_layout_add(lay, p, &b);
		}
		struct lm_box line = { .kind = LM_BOX_RULE, .elem = -1, .x = MARGIN_X,
				       .y = FOOTER_Y + size + 2, .w = lay->page_w - 2 * MARGIN_X,
				       .h = 0.5, .rgb = 0x9FA8B5 };
		lm_layout_add(lay, p, &line);
		if (pages > 1) {
			struct lm_buf num = LM_BUF_INIT;
			page_number(c, &num, p - first + 1, pages);
			double w = lm_font_text_width(c->fonts, LM_FACE_REGULAR, num.ptr, num.len, size);
			struct lm_box b = { .kind = LM_BOX_TEXT, .elem = -1,
					    .x = lay->page_w - MARGIN_X - w, .y = FOOTER_Y, .w = w, .h = size,
					    .face = LM_FACE_REGULAR,
					    .text = lm_arena_strdup(lay->arena, num.ptr), .rgb = GREY_RGB };
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

static int check_glyphs(struct ctx *c)
{
	for (size_t p = c->first; p < c->lay->npages; p++) {
		const struct lm_page *pg = &c->lay->pages[p];
		for (size_t i = 0; i < pg->n; i++) {
			const struct lm_box *b = &pg->boxes[i];
			if (b->kind != LM_BOX_TEXT)
				continue;
			size_t len = strlen(b->text);
			for (size_t k = 0; k < len;) {
				uint32_t cp;
				int n = lm_utf8_decode(b->text + k, len - k, &cp);
				if (!n)
					return lm_diag_set(c->d, c->l->path, 0, 0, "text is not valid UTF-8 near \"%.40s\"", b->text);
				if (!lm_font_has_glyph(c->fonts, b->face, cp)) {
					/* point at the cell (or the letter's line) it came from */
					const struct lm_value *from = holding(c->data, cp);
					char ch[8] = { 0 };
					memcpy(ch, b->text + k, (size_t)n);
					return lm_diag_set(c->d, from ? from->file : c->l->path,
							   from ? from->line : 0, from ? from->col : 0,
							   "character '%s' (U+%04X) in \"%.60s\" is not in the font Liberation Sans; replace it",
							   ch, (unsigned)cp, b->text);
				}
				k += (size_t)n;
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
	int e = lm_layout_elem(c->lay, LM_ROLE_PARAGRAPH, 0, 0);
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
	int h = lm_layout_elem(c->lay, LM_ROLE_HEADING, 1, 0);
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
		lm_flow_doc(&c->flow, &b->docs[k], c->size, 0);
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
		if (k == 1) /* the PDF's Subject is the front matter's, wherever it prints */
			meta->subject = lm_arena_strdup(a, b.ptr);
		/* an empty part leaves nothing behind, not an empty paragraph */
		if (b.len)
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

/* One letter (one part of a bilingual letter) from a new page of `lay`;
 * `last`: the last part, which keeps room for a visible signature. */
static int layout_part(const struct lm_letter *l, const struct lm_area *area,
		       const struct lm_assets *assets, const struct lm_frame_opts *o,
		       struct lm_fonts *fonts, struct lm_layout *lay, struct lm_pdf_meta *meta,
		       int last, struct lm_diag *d)
{
	struct ctx c = { .l = l, .area = area, .assets = assets, .fonts = fonts, .lay = lay, .d = d,
			 .large = o->large_print, .size = o->large_print ? LARGE_SIZE : BODY_SIZE,
			 .lead = o->large_print ? 1.35 : 1.3, .gap = 1.0, .lang = lm_letter_lang(l),
			 .first = lay->npages, .first_elem = lay->nelems };
	struct lm_arena *a = lay->arena;
	struct lm_buf buf = LM_BUF_INIT, footer = LM_BUF_INIT;
	struct body body = { 0 };
	int rc = -1;

	const struct lm_value *paper = lm_value_get(l->fm, "paper");
	if (c.first) {
		/* a later part: the first part's paper */
	} else if (paper && paper->kind == LM_VALUE_STRING && !strcasecmp(paper->str, "letter")) {
		lay->page_w = LETTER_W, lay->page_h = LETTER_H;
	} else if (paper && (paper->kind != LM_VALUE_STRING || strcasecmp(paper->str, "A4"))) {
		lm_diag_set(d, l->path, paper->line, paper->col, "paper must be A4 or letter");
		goto out;
	} else {
		lay->page_w = A4_W, lay->page_h = A4_H;
	}
	long want_pages;
	if (pages_wanted(&c, &want_pages))
		goto out;

	/* the template context: the area's data (its fields' variants in the
	 * letter's language: organisation_cy), the chosen signatories, the date */
	c.data = lm_value_map(a);
	const struct lm_value *ac = lm_value_localise(a, area->ctx, c.lang);
	for (size_t i = 0; i < ac->n; i++)
		lm_value_set(a, c.data, ac->keys[i], ac->items[i]);
	struct lm_value *sigs = NULL;
	if (select_signatories(&c, &sigs))
		goto out;
	c.sigs = sigs;
	lm_value_set(a, c.data, "signatories", sigs);
	const struct lm_value *area_map = c.area_map = lm_value_get(ac, "area");
	const struct lm_value *fmt = lm_value_get(area_map, "date_format");
	if (!fmt || fmt->kind != LM_VALUE_STRING || !fmt->len)
		fmt = lm_value_get(l->fm, "date_format");
	lm_date_format_lang(&buf, fmt && fmt->kind == LM_VALUE_STRING ? fmt->str : "%d %B %Y", &o->date,
			    c.lang);
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
	lm_value_set(a, c.data, "date", lm_value_string(a, buf.ptr, buf.len));
	lm_buf_reset(&buf);
	if (o->recipient)
		lm_value_set(a, c.data, "recipient", (struct lm_value *)o->recipient->row);

	/* the body first: its errors are the likeliest and the cheapest to find */
	if (o->report) {
		struct report_ctx rx = { &c, o };
		int r = lm_template_expand_report(l->body, c.data, LM_ESCAPE_MARKDOWN, &buf,
						  report_explained, &rx, d);
		if (r < 0)
			report_explained(&rx, d); /* the error that stopped it */
		if (r) {
			/* reported: the caller need not print it again */
			lm_diag_clear(d);
			goto out;
		}
	} else if (lm_template_expand(l->body, c.data, LM_ESCAPE_MARKDOWN, &buf, d)) {
		explain_left_out(&c, d);
		goto out;
	}
	if (body_parse(&c, buf.ptr, buf.len, &body))
		goto out;
	lm_buf_reset(&buf);
	if (read_parts(&c, meta))
		goto out;

	/* the footer first: in large print it is wrapped, and the text
	 * stops above however many lines it takes */
	const struct lm_value *footer_v = lm_value_get(l->fm, "footer");
	if (footer_v) {
		if (fm_text(&c, footer_v, &footer) < 0)
			goto out;
	} else {
		lm_buf_adds(&footer, lm_value_str(area_map, "organisation", ""));
		const char *one = lm_value_str(area_map, "address_oneline", "");
		if (*one)
			lm_buf_addf(&footer, ", %s", one);
	}
	double bottom = MARGIN_BOTTOM;
	if (c.large) {
		/* room for the footer and a page number (a large-print letter
		 * seldom fits one page) and the gap above them */
		double lines = large_footer_lines(&c, footer.ptr, 1);
		bottom = FOOTER_Y + lines * c.size * 1.2 + 8 * MM;
	}
	const struct lm_value *date_v = lm_value_get(l->fm, "date");
	const char *date = is_none(date_v) ? "" : lm_value_get(c.data, "date")->str;

	/* laid out as written, then (with `pages: N`) tighter until it fits */
	const size_t nlevels = want_pages ? sizeof(tightening) / sizeof(tightening[0]) : 1;
	size_t level = 0;
	for (;; level++) {
		const struct tighten *t = &tightening[level];
		if (t->size && c.large)
			break; /* large print never goes below 16 pt */
		c.gap = t->gap;
		c.lead = (c.large ? 1.35 : 1.3) + t->lead;
		c.size = c.large ? LARGE_SIZE : t->size ? t->size : BODY_SIZE;
		layout_clear(&c);
		struct lm_para_style bs = body_style(&c);
		lm_flow_begin(&c.flow, lay, fonts, MARGIN_X, lay->page_w - MARGIN_X,
			      lay->page_h - MARGIN_TOP, bottom);
		c.flow.image = o->image;
		c.flow.image_ctx = o->image_ctx;
		c.flow.leading_scale = 1.3 + t->lead; /* the body's, in both prints */
		c.flow.gap_scale = c.gap;
		/* with a postal address, letterhead and reference block move to a
		 * right-hand column beside the envelope window; in large print only
		 * the letterhead, the reference block going below the window */
		int window = lm_recipient_has_address(o->recipient);
		double window_bottom = 0;
		if (window)
			c.flow.left = lay->page_w - MARGIN_X - 65 * MM;
		if (letterhead(&c, window))
			goto out;
		/* after the letterhead: who writes is read before to whom */
		if (window)
			window_bottom = address_window(&c, o->recipient);
		if (window && c.large) {
			c.flow.left = MARGIN_X;
			double below = window_bottom - 6 * MM;
			if (c.flow.y > below)
				c.flow.y = below;
		}
		int shows_date;
		if (reference_block(&c, &shows_date))
			goto out;
		if (!shows_date && *date) {
			int e = lm_layout_elem(lay, LM_ROLE_PARAGRAPH, 0, 0);
			plain_para(&c, date, &bs, e);
			lm_flow_space(&c.flow, 6 * MM);
		}
		if (window) {
			c.flow.left = MARGIN_X;
			double below = lay->page_h - WINDOW_TOP - WINDOW_H - 8 * MM;
			if (below > window_bottom - 8 * MM)
				below = window_bottom - 8 * MM;
			if (c.flow.y > below)
				c.flow.y = below;
		}
		if (parts_and_body(&c, &body))
			goto out;
		if (o->signature_box && last) {
			/* below the signatures, right-aligned: where a reader shows the
			 * digital signature; it must be the last page, so keep it there */
			double h = 12 * MM, w = 62 * MM;
			lm_flow_space(&c.flow, 4 * MM);
			if (c.flow.y - h < c.flow.bottom && c.flow.page + 1 == lay->npages && !c.flow.at_top)
				lm_flow_new_page(&c.flow);
			lay->sign_rect[0] = c.flow.right - w;
			lay->sign_rect[1] = c.flow.y - h;
			lay->sign_rect[2] = c.flow.right;
			lay->sign_rect[3] = c.flow.y;
			c.flow.y -= h;
		}
		if (!want_pages || lay->npages - c.first <= (size_t)want_pages || level + 1 >= nlevels ||
		    (tightening[level + 1].size && c.large))
			break;
	}
	if (want_pages && lay->npages - c.first > (size_t)want_pages) {
		/* over by the lines past page N, at the tightest */
		size_t over = 0;
		for (size_t p = c.first + (size_t)want_pages; p < lay->npages; p++)
			over += page_lines(lay, p);
		const struct lm_value *v = lm_value_get(l->fm, "pages");
		lm_diag_set(d, l->path, v->line, v->col,
			    "the letter does not fit in %ld page%s even at its tightest (%s%g pt, less space between paragraphs): it is %zu line%s over; shorten it by %zu line%s or set pages: %zu",
			    want_pages, want_pages == 1 ? "" : "s", c.large ? "large print, " : "", c.size,
			    over, over == 1 ? "" : "s", over, over == 1 ? "" : "s", lay->npages - c.first);
		goto out;
	}

	footers(&c, footer.ptr);

	if (fm_key(&c, "title", NULL, &buf))
		goto out;
	meta->title = buf.len ? lm_arena_strdup(a, buf.ptr) : meta->subject;
	meta->author = lm_value_str(area_map, "partnership", NULL);
	meta->lang = lm_arena_strdup(a, c.lang);
	if (pdf_strings_fit(&c, meta, area_map, sigs))
		goto out;
	if (check_glyphs(&c))
		goto out;
	/* a last page with a few lines on it: a page wasted, a letter that
	 * looks unfinished; checking says how to bring it back */
	if (o->report && lay->npages - c.first > 1) {
		size_t lines = page_lines(lay, lay->npages - 1);
		if (lines <= LM_FRAME_SHORT_PAGE) {
			struct lm_diag w;
			const struct lm_value *v = lm_value_get(l->fm, "pages");
			lm_diag_clear(&w);
			w.severity = LM_WARNING;
			snprintf(w.file, sizeof(w.file), "%s", l->path);
			w.line = v ? v->line : 1;
			w.col = v ? v->col : 1;
			snprintf(w.msg, sizeof(w.msg),
				 "the letter runs onto page %zu by %zu line%s: shorten it or set pages: %zu",
				 lay->npages - c.first, lines, lines == 1 ? "" : "s", lay->npages - c.first - 1);
			o->report(o->report_ctx, &w);
		}
	}
	rc = 0;
out:
	lm_buf_release(&buf);
	lm_buf_release(&footer);
	body_release(&body);
	return rc;
}

int lm_frame_layout_parts(const struct lm_letter *const *parts, size_t nparts,
			  const struct lm_area *area, const struct lm_assets *assets,
			  const struct lm_frame_opts *o, struct lm_fonts *fonts,
			  struct lm_layout *lay, struct lm_pdf_meta *meta, struct lm_diag *d)
{
	const char *doc_lang = o->doc_lang;
	struct lm_buf title = LM_BUF_INIT, subject = LM_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < nparts && !rc; i++) {
		struct lm_pdf_meta pm = { 0 };
		size_t e0 = lay->nelems;
		if (i && o->duplex && lay->npages % 2)
			lm_layout_add_page(lay); /* each part starts on a new sheet */
		rc = layout_part(parts[i], area, assets, o, fonts, lay, &pm, i + 1 == nparts, d);
		if (rc)
			break;
		if (!i) {
			*meta = pm;
			if (!doc_lang)
				doc_lang = pm.lang;
			meta->lang = lm_arena_strdup(lay->arena, doc_lang);
		}
		/* a screen reader reads each part in its language */
		if (strcasecmp(pm.lang, doc_lang))
			for (size_t e = e0; e < lay->nelems; e++)
				lay->elems[e].lang = pm.lang;
		if (pm.title && *pm.title)
			lm_buf_addf(&title, "%s%s", title.len ? " / " : "", pm.title);
		if (pm.subject && *pm.subject)
			lm_buf_addf(&subject, "%s%s", subject.len ? " / " : "", pm.subject);
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
