#include "layout.h"
#include "utf8.h"

#include "buf.h"

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
	memset(lay, 0, sizeof(*lay));
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

/* ---- line breaking ---- */

enum { GLUE = 0, SPACE = 1, BREAK = 2 };

/* A piece of a word in one face; words are runs of fragments joined by GLUE. */
struct frag {
	const char *text;
	size_t len;
	enum lm_face face;
	const char *href;
	double w;
	int before;     /* GLUE, SPACE or BREAK (a break point of no width) */
	int hard;       /* a forced line break comes before this fragment */
};

struct fragvec {
	struct frag *v;
	size_t n, alloc;
};

struct line {
	size_t first, end; /* fragments [first, end) */
	double w;
};

static enum lm_face face_for(enum lm_face base, unsigned style)
{
	int bold = base == LM_FACE_BOLD || base == LM_FACE_BOLD_ITALIC || (style & LM_SPAN_BOLD);
	int italic = base == LM_FACE_ITALIC || base == LM_FACE_BOLD_ITALIC || (style & LM_SPAN_ITALIC);
	return bold ? (italic ? LM_FACE_BOLD_ITALIC : LM_FACE_BOLD)
		    : (italic ? LM_FACE_ITALIC : LM_FACE_REGULAR);
}

static void push_frag(struct fragvec *fv, const struct frag *fr)
{
	LM_ALLOC_GROW(fv->v, fv->n + 1, fv->alloc);
	fv->v[fv->n++] = *fr;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void tokenize(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
		     const struct lm_para_style *st, struct fragvec *out)
{
	int pending_space = 0, pending_hard = 0, any = 0;
	for (size_t k = 0; k < n; k++) {
		const struct lm_span *sp = &spans[k];
		if (sp->len == 1 && sp->text[0] == '\n') {
			if (pending_hard) {
				/* an empty line between two hard breaks */
				struct frag fr = { .text = "", .face = st->face, .before = GLUE, .hard = 1 };
				push_frag(out, &fr);
			}
			pending_hard = 1;
			pending_space = 0;
			continue;
		}
		enum lm_face face = face_for(st->face, sp->style);
		size_t i = 0;
		while (i < sp->len) {
			if (is_space(sp->text[i])) {
				pending_space = 1;
				i++;
				continue;
			}
			size_t j = i;
			while (j < sp->len && !is_space(sp->text[j]))
				j++;
			struct frag fr = {
				.text = sp->text + i,
				.len = j - i,
				.face = face,
				.href = sp->href,
				.w = lm_font_text_width(fonts, face, sp->text + i, j - i, st->size),
				.before = (pending_space && any && !pending_hard) ? SPACE : GLUE,
				.hard = pending_hard && any,
			};
			push_frag(out, &fr);
			any = 1;
			pending_space = 0;
			pending_hard = 0;
			i = j;
		}
	}
}

static size_t word_end(const struct fragvec *fv, size_t i)
{
	size_t j = i + 1;
	while (j < fv->n && fv->v[j].before == GLUE && !fv->v[j].hard)
		j++;
	return j;
}

/* Characters after which a long word or web address may be broken. */
static int good_break_after(char c)
{
	return c == '/' || c == '-' || c == '.' || c == '?' || c == '&' || c == '=' ||
	       c == '_' || c == '#' || c == '@';
}

/* Splits any word wider than `width` into pieces that fit, joined by
 * zero-width breaks, preferring a break after '/', '-', '.' and the like. */
static void split_long_words(struct lm_fonts *fonts, struct fragvec *fv, double width,
			     double size)
{
	struct fragvec out = { 0 };
	size_t i = 0;
	while (i < fv->n) {
		size_t e = word_end(fv, i);
		double ww = 0;
		for (size_t k = i; k < e; k++)
			ww += fv->v[k].w;
		if (ww <= width) {
			for (size_t k = i; k < e; k++)
				push_frag(&out, &fv->v[k]);
			i = e;
			continue;
		}
		double x = 0;      /* width of the current piece so far */
		int first_of_piece = 1;
		for (size_t k = i; k < e; k++) {
			struct frag fr = fv->v[k];
			size_t pos = 0;
			while (pos < fr.len) {
				/* how much of fr from pos fits in width - x */
				size_t b = pos, last_good = 0, last_slash = 0;
				double w = 0, w_at_good = 0, w_at_slash = 0;
				while (b < fr.len) {
					uint32_t cp;
					int cl = lm_utf8_decode(fr.text + b, fr.len - b, &cp);
					if (!cl)
						cl = 1, cp = 0xFFFD;
					double cw = lm_font_char_width(fonts, fr.face, cp) * size / 1000.0;
					if (x + w + cw > width && (b > pos || x > 0))
						break;
					w += cw;
					b += (size_t)cl;
					if (good_break_after(fr.text[b - 1]))
						last_good = b, w_at_good = w;
					if (fr.text[b - 1] == '/')
						last_slash = b, w_at_slash = w;
				}
				int fits_rest = b == fr.len;
				/* a web address is best broken after a '/': a break after
				 * a '-' reads as a hyphenated word */
				if (!fits_rest && last_slash > pos && x + w_at_slash > width * 0.4)
					b = last_slash, w = w_at_slash;
				else if (!fits_rest && last_good > pos && x + w_at_good > width * 0.4)
					b = last_good, w = w_at_good;
				struct frag piece = fr;
				piece.text = fr.text + pos;
				piece.len = b - pos;
				piece.w = w;
				if (pos > 0 || (!first_of_piece && k == i))
					piece.hard = 0;
				if (pos > 0)
					piece.before = first_of_piece ? BREAK : GLUE;
				else if (k > i)
					piece.before = first_of_piece ? BREAK : GLUE;
				push_frag(&out, &piece);
				first_of_piece = 0;
				x += w;
				pos = b;
				if (!fits_rest) {
					x = 0; /* the next piece starts a new line */
					first_of_piece = 1;
				}
			}
		}
		i = e;
	}
	free(fv->v);
	*fv = out;
}

static double space_width(struct lm_fonts *fonts, enum lm_face face, double size)
{
	return lm_font_char_width(fonts, face, ' ') * size / 1000.0;
}

static void break_lines(struct lm_fonts *fonts, const struct fragvec *fv, double width,
			double size, struct line **lines, size_t *nlines)
{
	size_t alloc = 0;
	*lines = NULL;
	*nlines = 0;
	size_t i = 0;
	while (i < fv->n) {
		double x = 0;
		size_t j = i;
		while (j < fv->n) {
			size_t e = word_end(fv, j);
			double ww = 0;
			for (size_t k = j; k < e; k++)
				ww += fv->v[k].w;
			double sp = 0;
			if (j > i && fv->v[j].before == SPACE)
				sp = space_width(fonts, fv->v[j - 1].face, size);
			if (j > i && (fv->v[j].hard || x + sp + ww > width + 0.001))
				break;
			x += sp + ww;
			j = e;
		}
		LM_ALLOC_GROW(*lines, *nlines + 1, alloc);
		(*lines)[(*nlines)++] = (struct line){ i, j, x };
		i = j;
	}
}

static void prepare(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
		    const struct lm_para_style *st, double width, struct fragvec *fv,
		    struct line **lines, size_t *nlines)
{
	memset(fv, 0, sizeof(*fv));
	tokenize(fonts, spans, n, st, fv);
	split_long_words(fonts, fv, width, st->size);
	break_lines(fonts, fv, width, st->size, lines, nlines);
}

double lm_para_height(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
		      const struct lm_para_style *st, double width)
{
	struct fragvec fv;
	struct line *lines;
	size_t nlines;
	prepare(fonts, spans, n, st, width - st->indent - st->right_indent, &fv, &lines, &nlines);
	free(fv.v);
	free(lines);
	return (double)(nlines ? nlines : 1) * st->leading;
}

/* The link element for `href` within `elem`: one per link run, reused
 * across the lines the link wraps over. */
struct link_state {
	const char *href; /* the span's, to tell one link from the next */
	const char *copy; /* the layout's own copy: boxes outlive the spans */
	int elem;
};

static void emit_line(struct lm_flow *f, const struct fragvec *fv, const struct line *ln,
		      const struct lm_para_style *st, int elem, struct link_state *ls,
		      double baseline)
{
	double width = f->right - f->left - st->indent - st->right_indent;
	double x0 = f->left + st->indent;
	if (st->align == LM_ALIGN_RIGHT)
		x0 += width - ln->w;
	else if (st->align == LM_ALIGN_CENTER)
		x0 += (width - ln->w) / 2;
	double x = x0;
	size_t i = ln->first;
	while (i < ln->end) {
		/* a group: fragments of one face and one link, spaces included */
		size_t j = i;
		struct lm_buf text = LM_BUF_INIT;
		double gw = 0;
		if (i > ln->first && fv->v[i].before == SPACE)
			x += space_width(f->fonts, fv->v[i - 1].face, st->size);
		while (j < ln->end && fv->v[j].face == fv->v[i].face && fv->v[j].href == fv->v[i].href) {
			if (j > i && fv->v[j].before == SPACE) {
				lm_buf_addc(&text, ' ');
				gw += space_width(f->fonts, fv->v[j].face, st->size);
			}
			lm_buf_add(&text, fv->v[j].text, fv->v[j].len);
			gw += fv->v[j].w;
			j++;
		}
		if (text.len) {
			int owner = elem;
			/* an artifact (a repeated table header) is no link */
			const char *href = elem >= 0 ? fv->v[i].href : NULL;
			if (href) {
				if (ls->href != href) {
					ls->href = href;
					ls->copy = lm_arena_strdup(f->lay->arena, href);
					ls->elem = lm_layout_elem(f->lay, LM_ROLE_LINK, 0, elem);
					f->lay->elems[ls->elem].href = ls->copy;
				}
				owner = ls->elem;
				href = ls->copy;
			} else {
				ls->href = NULL;
			}
			struct lm_box b = {
				.kind = LM_BOX_TEXT,
				.elem = owner,
				.x = x,
				.y = baseline,
				.w = gw,
				.h = st->size,
				.face = fv->v[i].face,
				.text = lm_arena_strndup(f->lay->arena, text.ptr, text.len),
				.href = href,
				.rgb = href ? LINK_RGB : st->rgb,
			};
			lm_layout_add(f->lay, f->page, &b);
			if (href) {
				/* underline: links must be recognisable on paper too */
				struct lm_box u = {
					.kind = LM_BOX_RULE, .elem = -1,
					.x = x, .y = baseline - st->size * 0.12,
					.w = gw, .h = st->size * 0.05, .rgb = LINK_RGB,
				};
				lm_layout_add(f->lay, f->page, &u);
			}
		}
		lm_buf_release(&text);
		x += gw;
		i = j;
	}
}

int lm_flow_para(struct lm_flow *f, const struct lm_span *spans, size_t n,
		 const struct lm_para_style *st, int elem)
{
	struct fragvec fv;
	struct line *lines;
	size_t nlines;
	double width = f->right - f->left - st->indent - st->right_indent;
	prepare(f->fonts, spans, n, st, width, &fv, &lines, &nlines);
	struct link_state ls = { 0 };
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
				double mw = lm_font_text_width(f->fonts, st->face, st->marker,
							       strlen(st->marker), st->size);
				struct lm_box mb = {
					.kind = LM_BOX_TEXT, .elem = st->marker_elem,
					.x = f->left + st->indent - mw - st->size * 0.6,
					.y = baseline, .w = mw, .h = st->size, .face = st->face,
					.text = lm_arena_strdup(f->lay->arena, st->marker),
					.rgb = st->rgb,
				};
				lm_layout_add(f->lay, f->page, &mb);
			}
			marker_done = 1;
			if (nlines)
				emit_line(f, &fv, &lines[i + k], st, elem, &ls, baseline);
			f->y -= st->leading;
			f->at_top = 0;
		}
		i += fit;
		if (i < nlines)
			lm_flow_new_page(f);
		if (nlines == 0)
			break;
	}
	free(fv.v);
	free(lines);
	return (int)nlines;
}

/* ---- documents ---- */

static double natural_width(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
			    const struct lm_para_style *st, double *min_word)
{
	struct fragvec fv = { 0 };
	tokenize(fonts, spans, n, st, &fv);
	/* the widest line between forced breaks (<br> in a cell), and the
	 * widest word: a column never needs more, and can never take less */
	double w = 0, line = 0, word = 0;
	*min_word = 0;
	for (size_t i = 0; i < fv.n; i++) {
		if (fv.v[i].hard)
			line = 0;
		if (fv.v[i].before != GLUE || fv.v[i].hard)
			word = 0;
		if (fv.v[i].before == SPACE && !fv.v[i].hard)
			line += space_width(fonts, fv.v[i].face, st->size);
		line += fv.v[i].w;
		word += fv.v[i].w;
		if (word > *min_word)
			*min_word = word;
		if (line > w)
			w = line;
	}
	free(fv.v);
	return w;
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
				double mw = lm_font_text_width(f->fonts, LM_FACE_REGULAR, marker, strlen(marker), size);
				struct lm_box mb = {
					.kind = LM_BOX_TEXT, .elem = marker_elem,
					.x = f->left + indent - mw - size * 0.6, .y = top - leading * 0.78,
					.w = mw, .h = size, .face = LM_FACE_REGULAR,
					.text = lm_arena_strdup(f->lay->arena, marker),
				};
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
