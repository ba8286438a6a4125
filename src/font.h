/* font.h - the four faces of the letter's font family, measured.
 *
 * Widths are taken from the TrueType files with HarfBuzz and rounded the way
 * libharu rounds them (advance * 1000 / unitsPerEm, truncated), so a line we
 * measure is exactly as long as the line libharu draws.  The files are read
 * once per run; the same `struct lm_fonts` serves every letter.
 */
#ifndef LM_FONT_H
#define LM_FONT_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "utf8.h" /* text is measured as UTF-8 */

struct lm_embed;

enum lm_face { LM_FACE_REGULAR, LM_FACE_BOLD, LM_FACE_ITALIC, LM_FACE_BOLD_ITALIC, LM_FACES };

struct lm_fonts {
	char *path[LM_FACES];          /* owned */
	struct lm_embed *embed;        /* subsets for the PDF (subset.h), borrowed; NULL until prepared */
	void *face[LM_FACES];          /* hb_font_t*, owned */
	int16_t *width[LM_FACES];      /* lazily filled, per BMP code point; -1 unknown, owned */
	int8_t *has[LM_FACES];         /* likewise: has a glyph 1, has none 0, unknown -1; owned */
};

void lm_fonts_init(struct lm_fonts *f);
/* Loads LiberationSans-{Regular,Bold,Italic,BoldItalic}.ttf from `dir`.
 * Returns 0, or -1 with d filled. */
int lm_fonts_load(struct lm_fonts *f, const char *dir, struct lm_diag *d);
void lm_fonts_release(struct lm_fonts *f);

/* Width in 1/1000 em of one code point; 0 for one the face lacks. */
int lm_font_char_width(struct lm_fonts *f, enum lm_face face, uint32_t cp);
/* Width in points of `len` bytes of UTF-8 at `size` points. */
double lm_font_text_width(struct lm_fonts *f, enum lm_face face, const char *s,
			  size_t len, double size);
/* 1 when the face has a glyph for `cp`. */
int lm_font_has_glyph(struct lm_fonts *f, enum lm_face face, uint32_t cp);


#endif
