/* layout.h - boxes on pages.
 *
 * The layout engine turns styled text into positioned boxes: it measures with
 * the font's own widths (font.h), breaks lines itself (left-aligned, ragged
 * right; a word or web address wider than the line is broken inside), and
 * moves to a new page when the frame is full, keeping a paragraph's first or
 * last line from standing alone.
 *
 * Every box knows the structure element it belongs to (`elem`), and every
 * element its role, so the PDF writer can tag the letter for screen readers
 * without guessing.  Coordinates are PDF points with the origin at the
 * bottom-left of the page.
 */
#ifndef LM_LAYOUT_H
#define LM_LAYOUT_H

#include <stddef.h>

#include "buf.h"
#include "font.h"
#include "markdown.h"
#include "shape.h"
#include "value.h"

enum lm_role {
	LM_ROLE_ARTIFACT,  /* decoration, running footers, page numbers */
	LM_ROLE_DOCUMENT,
	LM_ROLE_HEADING,   /* level 1-6 in lm_elem.level */
	LM_ROLE_PARAGRAPH,
	LM_ROLE_LIST,
	LM_ROLE_LIST_ITEM,
	LM_ROLE_LABEL,     /* a list item's bullet or number */
	LM_ROLE_LIST_BODY,
	LM_ROLE_TABLE,
	LM_ROLE_TABLE_ROW,
	LM_ROLE_TABLE_HEADER,
	LM_ROLE_TABLE_CELL,
	LM_ROLE_LINK,
	LM_ROLE_FIGURE,    /* alt text in lm_elem.alt */
	LM_ROLE_SECTION,   /* a part of the letter: one language's column */
};

/* A node of the structure tree: the reading order is the order of creation. */
struct lm_elem {
	enum lm_role role;
	int level;
	int parent;         /* index, -1 for the root */
	const char *alt;    /* figures; arena-owned */
	const char *href;   /* links; arena-owned */
	const char *lang;   /* BCP 47 when it differs from the document's; arena-owned or NULL */
};

enum lm_box_kind { LM_BOX_TEXT, LM_BOX_IMAGE, LM_BOX_RULE };

struct lm_box {
	enum lm_box_kind kind;
	int elem;           /* structure element, -1 for an artifact */
	/* TEXT: x, y is the start of the baseline, w the advance width, h the
	 * font size; IMAGE and RULE: bottom-left corner, width, height */
	double x, y, w, h;
	enum lm_face face;
	const char *text;   /* arena-owned, NUL-terminated UTF-8, in logical order */
	/* TEXT: the shaped text, glyphs left to right as drawn (arena-owned),
	 * in font index `font` (font.h: the face or a fallback); clusters are
	 * byte offsets in `text`.  NULL: the writer shapes `text` in `face`. */
	const struct lm_glyph *glyphs;
	size_t nglyphs;
	int font;
	int rtl;            /* TEXT: a right-to-left run */
	int para_rtl;       /* TEXT: in a right-to-left paragraph */
	const char *href;   /* link target or NULL */
	int image;          /* IMAGE: caller's image index */
	unsigned rgb;       /* 0xRRGGBB */
};

struct lm_page {
	struct lm_box *boxes; /* malloc-owned */
	size_t n, alloc;
};

/* A block of box texts, glyphs and element strings that several layouts
 * point into (a body laid out once and kept, frame.c), never changed once
 * made.  Counted: each holder owns one reference, and whoever drops the
 * last frees it. */
struct lm_layout_blob {
	size_t refs;
	size_t len;
	_Alignas(16) unsigned char data[]; /* glyphs in it are 8-byte aligned from here */
};

struct lm_layout {
	struct lm_arena *arena; /* owns box texts and element strings */
	struct lm_layout_blob **held; /* and these, one reference each (lm_layout_hold) */
	size_t nheld, held_alloc;
	double page_w, page_h;
	struct lm_page *pages;  /* malloc-owned */
	size_t npages, pages_alloc;
	struct lm_elem *elems;  /* malloc-owned; elems[0] is the Document */
	size_t nelems, elems_alloc;
	double sign_rect[4];    /* space kept for a visible digital signature on the last page */
};

void lm_layout_init(struct lm_layout *lay, double page_w, double page_h);
void lm_layout_release(struct lm_layout *lay);
/* A new blob of a copy of `len` bytes, its one reference the caller's. */
struct lm_layout_blob *lm_layout_blob_new(const void *data, size_t len);
/* Drops a reference; the last frees the blob.  NULL is nothing. */
void lm_layout_blob_unref(struct lm_layout_blob *b);
/* The layout takes a reference to `b` (its boxes may now point into it),
 * dropped by lm_layout_release. */
void lm_layout_hold(struct lm_layout *lay, struct lm_layout_blob *b);
/* The PDF structure type of an element ("P", "H1", "LI", "Figure", …), or
 * NULL for an artifact.  A static string. */
const char *lm_role_name(const struct lm_elem *e);
/* Appends the structure tree in reading order, one element a line, indented
 * by depth, with its text, alt text or link target: what a screen reader
 * will read, for authors to check. */
void lm_layout_structure(const struct lm_layout *lay, struct lm_buf *out);

/* The first structure element (after the Document) with nothing in it:
 * no box of its own and none in a child; -1 when there is none.  A
 * screen reader announces an empty element as an empty paragraph.  Table
 * cells may be empty (the grid stays whole). */
int lm_layout_empty_elem(const struct lm_layout *lay);

/* Adds a structure element; returns its index. */
int lm_layout_elem(struct lm_layout *lay, enum lm_role role, int level, int parent);
/* Appends a box to page `page`; returns it for the caller to fill further. */
/* Adds an empty page (a blank back side). */
void lm_layout_add_page(struct lm_layout *lay);
struct lm_box *lm_layout_add(struct lm_layout *lay, size_t page, const struct lm_box *box);

enum lm_align { LM_ALIGN_LEFT, LM_ALIGN_CENTER, LM_ALIGN_RIGHT };

struct lm_para_style {
	enum lm_face face;   /* base face: REGULAR, or BOLD for headings */
	double size;         /* points */
	double leading;      /* baseline to baseline */
	double indent;       /* from the frame's left edge */
	double right_indent;
	enum lm_align align;
	const char *marker;  /* list bullet or number, hung left of `indent` */
	int marker_elem;     /* the marker's structure element (a list label) */
	unsigned rgb;
};

/* The writing position on the current page. */
struct lm_flow {
	struct lm_layout *lay;
	struct lm_fonts *fonts;
	double left, right, top, bottom; /* the frame, in points */
	double y;                        /* top of the next line */
	size_t page;
	int at_top;                      /* nothing placed on this page yet */
	/* Markdown images: the caller's look-up of a file name as written to
	 * its image index (lm_box.image) and size in pixels; -1 when unknown.
	 * NULL: images are printed as their alt text. */
	int (*image)(void *ctx, const char *src, unsigned *w, unsigned *h);
	void *image_ctx;
	/* lm_flow_doc: body leading and the space between blocks as factors
	 * of the size (0: 1.3 and 0.8), the latter scaled by gap_scale (0: 1);
	 * a letter made to fit fewer pages tightens them */
	double leading_scale, gap_scale;
	/* points that must fit on the page below the last line of the next
	 * paragraph lm_flow_doc ends with (a closing and signature block kept
	 * with the paragraph before it); lm_flow_doc clears it */
	double keep_after;
	/* the text's language (BCP 47) or NULL: a right-to-left language's
	 * paragraphs flow right to left, Urdu is set in Nastaliq */
	const char *lang;
};

/* Body images are drawn at their natural size at this resolution, never
 * wider than the text. */
#define LM_IMAGE_DPI 150.0

/* Starts page 1 with the given frame. */
void lm_flow_begin(struct lm_flow *f, struct lm_layout *lay, struct lm_fonts *fonts,
		   double left, double right, double top, double bottom);
void lm_flow_new_page(struct lm_flow *f);
/* Vertical space; none at the top of a page. */
void lm_flow_space(struct lm_flow *f, double pts);
/* Starts a new page unless `height` points fit below the current line. */
void lm_flow_need(struct lm_flow *f, double height);
double lm_flow_width(const struct lm_flow *f);

/* Lays out a paragraph of spans in `elem` (links become child elements).
 * Returns the number of lines. */
int lm_flow_para(struct lm_flow *f, const struct lm_span *spans, size_t n,
		 const struct lm_para_style *st, int elem);
/* Shapes text box `b` from its text, face and size (h) as one line, as
 * the paragraphs are (memoised): glyphs, font and direction filled when
 * it is one run (else the writer shapes it; its text may become the
 * layout's copy, white space collapsed).  Returns its width in points. */
double lm_layout_shape_box(struct lm_layout *lay, struct lm_fonts *fonts, struct lm_box *b,
			   const char *lang);
/* Height the paragraph would take at `width`, without placing it. */
double lm_para_height(struct lm_fonts *fonts, const struct lm_span *spans, size_t n,
		      const struct lm_para_style *st, double width);

/* 1 for a language written right to left (ar, ur, he, fa, …). */
int lm_lang_is_rtl(const char *lang);

/* Lays out a parsed Markdown document in the body style, under `parent`. */
void lm_flow_doc(struct lm_flow *f, const struct lm_doc *doc, double size, int parent);

#endif
