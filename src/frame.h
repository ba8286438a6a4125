/* frame.h - where each part of a letter goes on the page.
 *
 * The frame lays one letter out for one area (and recipient): the page
 * geometry, the letterhead, the address in the envelope window, the
 * reference block and date, the salutation and subject, the body, the
 * closing and the signature block, and the running footer.  The parts
 * come from the letter's front matter (letter.h), the area (area.h) and
 * the recipient (recipient.h); the body is the letter's Markdown.
 */
#ifndef LM_FRAME_H
#define LM_FRAME_H

#include <stddef.h>

#include "area.h"
#include "diag.h"
#include "font.h"
#include "image.h"
#include "layout.h"
#include "letter.h"
#include "pdf.h"
#include "recipient.h"
#include "value.h"

/* The recipient's postal address goes in the window of a C5/DL window
 * envelope: GOV.UK Notify's letter specification puts the block 24.6 mm
 * from the left and 39.5 mm from the top, 95.4 x 26.8 mm.  In points. */
#define LM_MM (72.0 / 25.4)
#define LM_WINDOW_X (24.6 * LM_MM)
#define LM_WINDOW_TOP (39.5 * LM_MM)
#define LM_WINDOW_W (95.4 * LM_MM)
#define LM_WINDOW_H (26.8 * LM_MM)

/* An area's images (logo, signatures), checked once and shared by every
 * letter of a run. */
struct lm_assets {
	struct lm_image *images; /* owned */
	size_t n, alloc;
};
void lm_assets_init(struct lm_assets *a);
/* Checks and adds every image `area` names.  Returns 0, or -1 with d filled. */
int lm_assets_load(struct lm_assets *a, const struct lm_area *area, struct lm_diag *d);
void lm_assets_release(struct lm_assets *a);

/* What the letters of a run share, laid out once (frame.c): a body
 * expanded to the same bytes is parsed once, and laid out from the same
 * starting point (place on the page, type size, salutation, closing,
 * signatories, …) once; later letters copy the boxes.  Owned by whoever
 * owns the letters and areas it is used with (the batch): it keys on
 * their addresses, so clear it when one of them is freed or moved.
 * Bounded: a few bodies, about 1 MB. */
struct lm_frame_memo;
struct lm_frame_memo *lm_frame_memo_new(void);
void lm_frame_memo_free(struct lm_frame_memo *m);
void lm_frame_memo_clear(struct lm_frame_memo *m);
/* How often a body was parsed and laid out, and how often reused. */
struct lm_frame_memo_counts {
	size_t parsed, parse_reused; /* bodies parsed; bodies found parsed */
	size_t laid_out, reused;     /* bodies laid out; laid-out bodies copied */
};
void lm_frame_memo_counts(const struct lm_frame_memo *m, struct lm_frame_memo_counts *out);

struct lm_frame_opts {
	struct lm_date date;
	const struct lm_recipient *recipient; /* NULL for a letter without one */
	int signature_box;                    /* keep room for a visible digital signature */
	int large_print;                      /* 16 pt body, nothing smaller, reflowed (RNIB clear print) */
	int duplex;                           /* a bilingual letter's parts each start on a front side */
	const char *doc_lang;                 /* the document's language (NULL: the first part's) */
	/* checking: every missing value in the body goes to `report`, and a
	 * layout that fails for them returns -1 with d cleared (msg empty) */
	lm_report_fn report;
	void *report_ctx;
	/* the body's images (see lm_flow.image in layout.h); NULL: alt text */
	int (*image)(void *ctx, const char *src, unsigned *w, unsigned *h);
	void *image_ctx;
	/* reuse across letters (see lm_frame_memo), or NULL */
	struct lm_frame_memo *memo;
};

/* A last page with this many lines of text or fewer is worth a warning
 * when checking (o->report): a page spent on a few lines. */
#define LM_FRAME_SHORT_PAGE 5

/* Lays out `l` for `area` into `lay` (initialised by the caller, who
 * releases it) and fills `meta` with strings owned by lay->arena.
 * Box image indexes refer to assets->images.  Returns 0, or -1 with d filled. */
int lm_frame_layout(const struct lm_letter *l, const struct lm_area *area,
		    const struct lm_assets *assets, const struct lm_frame_opts *o,
		    struct lm_fonts *fonts, struct lm_layout *lay, struct lm_pdf_meta *meta,
		    struct lm_diag *d);
/* Lays out one letter in several languages (a bilingual letter: `parts`
 * in order, "cy" then "en"), each part from a new page (with o->duplex, a
 * new sheet), numbered within itself, with its own salutation, closing and
 * signatures.  Every structure element of a part whose language is not
 * the document's (o->doc_lang, else the first part's) carries it.  The
 * title and subject are the parts' joined by " / ". */
int lm_frame_layout_parts(const struct lm_letter *const *parts, size_t nparts,
			  const struct lm_area *area, const struct lm_assets *assets,
			  const struct lm_frame_opts *o, struct lm_fonts *fonts,
			  struct lm_layout *lay, struct lm_pdf_meta *meta, struct lm_diag *d);

#endif
