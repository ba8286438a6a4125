/* shape.h - text to positioned glyphs, with HarfBuzz.
 *
 * Every piece of text the layout places is shaped: kerning, marks placed on
 * their letters, Arabic joining and Indic reordering come from the font's
 * own tables.  Glyph ids are those of the font file as installed; the PDF
 * writer maps them to its subset's (subset.h).  Default-ignorable
 * characters (zero-width space and joiners, bidi controls, U+2060, U+FEFF,
 * the soft hyphen) give no glyph at all.
 */
#ifndef LM_SHAPE_H
#define LM_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "utf8.h"

#include "font.h"

struct lm_glyph {
	uint32_t gid;      /* in the installed font file */
	int32_t ax;        /* advance, 1/1000 em (truncated, as the PDF's /W widths) */
	int32_t dx, dy;    /* where it is drawn, from the pen, 1/1000 em */
	uint32_t cluster;  /* byte offset in the text of the first character it shows */
};

struct lm_glyphs {
	struct lm_glyph *v; /* malloc-owned */
	size_t n, alloc;
};

/* Shapes bytes [start, end) of `text` (len bytes; the rest is context, so
 * a word cut by a span still joins) with font index `font`, right to left
 * when `rtl`, and appends the glyphs to `out` in visual order (left to
 * right on the page).  `lang`: BCP 47 or NULL.  Returns 0, or -1 when the
 * font is not installed.  A short run shaped before with the same font,
 * direction, language, bytes and context is copied, not shaped again. */
int lm_shape(struct lm_fonts *f, int font, const char *text, size_t len, size_t start, size_t end,
	     int rtl, const char *lang, struct lm_glyphs *out);
/* Frees the memo of shaped runs lm_shape keeps in a font set
 * (lm_fonts.shaped); lm_fonts_release calls it. */
void lm_shape_memo_free(void *memo);
/* Total advance of `n` glyphs, 1/1000 em. */
long lm_glyphs_advance(const struct lm_glyph *g, size_t n);
/* Width in points of `len` bytes of UTF-8 shaped in `face` alone, left
 * to right (kerning included): what the writer draws for an unshaped box. */
double lm_shape_width(struct lm_fonts *f, enum lm_face face, const char *s, size_t len, double size);
/* lm_is_default_ignorable() is in utf8.h: never drawn, never refused. */

/* Puts a right-to-left run's text (UTF-8, logical order) into the order
 * text extractors read back as written, for its /ActualText.  Extractors
 * (poppler's pdftotext, which these letters are tested with) lay a span's
 * text out left to right over its glyphs, then put a line into reading
 * order themselves: from the right, whatever is not Latin or a digit is
 * reversed, and Latin and digits (with the punctuation up to the next
 * right-to-left letter, and for poppler the Arabic comma) are kept as they
 * stand.  So the run is given reversed, with a RIGHT-TO-LEFT MARK
 * (U+200F, invisible) before it and after each of its punctuation marks,
 * which keeps a mark in its place: "(CSE).", "ישיר: 0151", "الجنسي، أو".  Drawn glyphs alone do not survive that reading:
 * Arabic marks and Urdu's Nastaliq, whose glyphs step down the line, are
 * read as lines of their own.  Default-ignorables are left out. */
struct lm_buf;
void lm_extract_order(struct lm_buf *text);

#endif
