/* subset.h - the fonts as the PDF embeds them, prepared once per run.
 *
 * libharu embeds a whole TrueType file in every PDF and builds a
 * 65,536-entry glyph map for it in every document: most of its time and
 * bytes (see ../shared/notes/libharu-2.3.md).  A run knows in advance every
 * character it can print: those of the letter, its partials, the area files
 * and the recipients, and the few the program adds.  Here HarfBuzz cuts each
 * face down to them once, and everything a PDF needs about the face is made
 * once too: the deflated font file, the widths, the ToUnicode map (so text
 * can be copied and read aloud), and the code-point-to-glyph table the
 * writer encodes text with.  Documents then only add small dictionaries.
 *
 * The subset depends only on the inputs, never on which slice of them a
 * worker writes, so a letter's bytes are the same at any --jobs or --shard.
 */
#ifndef LM_SUBSET_H
#define LM_SUBSET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "diag.h"
#include "font.h"

/* A set of Unicode code points. */
struct lm_cpset {
	uint8_t *bits; /* 0x110000 bits, owned */
};

void lm_cpset_init(struct lm_cpset *s);
void lm_cpset_release(struct lm_cpset *s);
void lm_cpset_add(struct lm_cpset *s, uint32_t cp);
/* Adds every code point of valid UTF-8 in `text`; invalid bytes are skipped. */
void lm_cpset_add_utf8(struct lm_cpset *s, const char *text, size_t len);
/* Adds every code point of `from`. */
void lm_cpset_add_set(struct lm_cpset *s, const struct lm_cpset *from);
int lm_cpset_has(const struct lm_cpset *s, uint32_t cp);
/* The characters the program itself may print whatever the inputs: ASCII,
 * list markers, and what Markdown entities turn into. */
void lm_cpset_add_base(struct lm_cpset *s);

/* One face, ready to embed. */
/* A font as a PDF embeds it for one set of glyphs printed (pdf.c's
 * write_font): the files of a run that print the same glyphs reuse it
 * rather than prune and deflate the font again. */
struct lm_embed_made {
	unsigned char used[32];      /* SHA-256 of the used-glyph bytes */
	struct lm_buf file;          /* the pruned font file, deflated */
	size_t file_len;             /* its length before (/Length1) */
	struct lm_buf tounicode;     /* its ToUnicode map, deflated; empty when not kept */
};

struct lm_embed_face {
	char base_font[80];          /* "ABCDEF+LiberationSans-Bold" */
	unsigned char *font;         /* the subset TrueType file; owned */
	size_t font_len;
	uint32_t *unicode;           /* per glyph id, the character it shows (0 none); owned */
	int *widths;                 /* per glyph id, 1/1000 em; owned */
	unsigned nglyphs;
	uint16_t *gid;               /* per BMP code point, 0 when absent; owned */
	uint16_t *newgid;            /* per glyph id of the installed file (shape.h), the
				      * subset's; 0 when not in the subset; owned */
	unsigned norig;              /* glyphs in the installed file */
	int ready;                   /* prepared (a fallback only when a letter uses it) */
	int ascent, descent, cap_height, bbox[4];
	int italic_angle;
	int flags;
	struct lm_embed_made *made;  /* pdf.c's, at most 128 (MAX_MADE); owned */
	size_t nmade;
};

/* A page's content stream as pdf.c deflated it for a file of the run, kept
 * for the next files: a separate file's page that does not vary (the
 * second page of a letter) is then written again without being deflated
 * again; so is the one-byte CMap every file holds.  Reused only for the
 * same bytes at the same level. */
struct lm_embed_stream {
	struct lm_buf ops;           /* the operators */
	struct lm_buf z;             /* deflated as lm_pdfw_stream would */
	int fast;                    /* at LM_PDFW_FAST's level, else the default one */
	size_t hits;                 /* times reused: the least used slot is replaced */
	size_t stamp;                /* when made: the oldest of those */
};

#define LM_EMBED_STREAMS 8

struct lm_embed {
	struct lm_embed_face face[LM_FONTS_MAX];
	struct lm_cpset cps;         /* what the subsets cover */
	struct lm_fonts *fonts;      /* borrowed: fallbacks are subset at first use */
	int ready;
	struct lm_embed_stream streams[LM_EMBED_STREAMS]; /* pdf.c's; a bounded few */
	size_t nstreams;             /* made so far (the next stamp) */
};

void lm_embed_init(struct lm_embed *e);
/* Subsets every face of `fonts` to `cps` (copied) plus the base set and
 * prepares the PDF data.  Returns 0, or -1 with d filled. */
int lm_embed_prepare(struct lm_embed *e, struct lm_fonts *fonts, const struct lm_cpset *cps,
		     struct lm_diag *d);
void lm_embed_release(struct lm_embed *e);
/* Font index `font` ready to embed: a fallback face is subset (to the same
 * characters) the first time a document prints with it, so a run that
 * never does embeds nothing of it.  NULL with d filled when it cannot be. */
struct lm_embed_face *lm_embed_face(struct lm_embed *e, int font, struct lm_diag *d);

/* Appends to `out` the face's font file keeping only the outlines of the
 * glyphs marked in `used` (one byte a glyph id; components of composite
 * glyphs such as accented letters are kept too).  Glyph ids do not change:
 * the others become empty.  This is what makes a one-letter file small
 * while the subset itself stays the same for every letter of a run.
 * Returns 0, or -1 when the font file is not as subset.c made it. */
int lm_embed_prune(const struct lm_embed_face *f, const unsigned char *used, struct lm_buf *out);
/* 1 when every glyph id fits one byte: text is then encoded one byte a
 * glyph (a CMap of our own), half the size of Identity-H's two. */
int lm_embed_one_byte(const struct lm_embed_face *f);
/* Appends a ToUnicode CMap for the glyphs marked in `used`, so text can be
 * copied, searched and read aloud.  `shaped` (NULL, or per glyph id UTF-8
 * or NULL) gives what a glyph shaping made stands for where the font's
 * own map has nothing: a joining form, a ligature. */
void lm_embed_tounicode(const struct lm_embed_face *f, const unsigned char *used,
			char *const *shaped, struct lm_buf *out);

#endif
