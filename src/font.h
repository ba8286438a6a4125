/* font.h - the four faces of the letter's font family, measured, and the
 * Noto faces other scripts fall back to.
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

/* Scripts Liberation Sans lacks, each drawn with a Noto face (regular and
 * bold) from Debian's fonts-noto-core.  Font index LM_FACES + 2 * fallback
 * + bold; Urdu (lang ur) reads Arabic script in Nastaliq. */
enum lm_fallback {
	LM_FB_NASKH, LM_FB_NASTALIQ, LM_FB_HEBREW, LM_FB_BENGALI, LM_FB_GURMUKHI,
	LM_FB_GUJARATI, LM_FB_DEVANAGARI, LM_FB_TAMIL, LM_FALLBACKS
};
#define LM_FONTS_MAX (LM_FACES + 2 * LM_FALLBACKS)
#ifndef LM_NOTO_DIR
#define LM_NOTO_DIR "/usr/share/fonts/truetype/noto"
#endif

struct lm_fonts {
	char *path[LM_FONTS_MAX];      /* owned; fallbacks once loaded */
	struct lm_embed *embed;        /* subsets for the PDF (subset.h), borrowed; NULL until prepared */
	void *face[LM_FONTS_MAX];      /* hb_font_t*, owned; a fallback loaded at first use */
	int16_t *width[LM_FACES];      /* lazily filled, per BMP code point; -1 unknown, owned */
	int8_t *has[LM_FACES];         /* likewise: has a glyph 1, has none 0, unknown -1; owned */
	char *noto_dir;                /* owned; LM_NOTO_DIR unless set */
	unsigned char tried[LM_FONTS_MAX]; /* a fallback's file was looked for */
	void *memo;                    /* layout's memo of shaped paragraphs (layout.c), owned */
	void *hbbuf;                   /* shape.c's hb_buffer_t, reused; owned */
	struct lm_plan {               /* shape.c's shape plans, by font and segment */
		void *plan;            /* hb_shape_plan_t*, owned */
		int font, dir;
		unsigned script;
		const void *lang;      /* hb_language_t */
	} plans[32];
	int nplans;
	void *shaped;                  /* shape.c's memo of shaped runs, owned */
	void (*memo_free)(void *);
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

/* The hb_font_t of font index `font` (a face, or a fallback loaded now);
 * NULL when its file is not installed. */
void *lm_fonts_get(struct lm_fonts *f, int font);
/* The font index a character of face `face` is drawn with: the face itself
 * for Latin, Greek, Cyrillic and the common characters it has, a Noto
 * fallback for the scripts it lacks; -1 for a character of no script we
 * have (the caller then draws it in the face and reports it).  `lang` (BCP
 * 47 or NULL) picks Nastaliq for Urdu. */
int lm_fonts_pick(struct lm_fonts *f, enum lm_face face, uint32_t cp, const char *lang);
/* The fallback of script `cp` belongs to, or -1 (Latin and the rest). */
int lm_fonts_fallback_of(uint32_t cp, const char *lang);
/* "Liberation Sans Bold", "Noto Naskh Arabic": for messages. */
const char *lm_fonts_name(int font);


#endif
