/* letter.h - a letter template, and one letter laid out for one area.
 *
 * The template (letters/<name>.md) is loaded once and expanded for each
 * area and recipient.  The frame of the letter (letterhead, reference block,
 * date, salutation, subject, closing, signatures, footer) comes from the
 * front matter and the area; the body is the template's Markdown.
 */
#ifndef LM_LETTER_H
#define LM_LETTER_H

#include <stddef.h>

#include "area.h"
#include "date.h"
#include "diag.h"
#include "font.h"
#include "image.h"
#include "layout.h"
#include "pdf.h"
#include "template.h"
#include "value.h"

struct lm_letter {
	char *path;             /* owned */
	char *src;              /* the file's bytes, owned */
	struct lm_arena *arena; /* owns the front matter values */
	struct lm_value *fm;    /* front matter map */
	struct lm_template *body;
};

void lm_letter_init(struct lm_letter *l);
/* Reads and parses `path` (front matter and body; partials from the
 * `partials/` folder beside it).  Returns 0, or -1 with d filled. */
int lm_letter_load(struct lm_letter *l, const char *path, struct lm_diag *d);
void lm_letter_release(struct lm_letter *l);

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


/* A postal address has at most this many lines (UK rules: 3 to 7). */
#define LM_ADDRESS_MAX_LINES 7
/* Columns address_line_1 … address_line_9 are read (check reports past 7). */
#define LM_ADDRESS_COLUMNS 9

/* 1 when `recipient` (a map, or NULL) has address lines: the letter then
 * prints them in the envelope window. */
int lm_letter_has_address(const struct lm_value *recipient);

struct lm_letter_opts {
	struct lm_date date;
	const struct lm_value *recipient; /* a map, or NULL */
	int signature_box;                /* keep room for a visible digital signature */
	int large_print;                  /* 16 pt body, nothing smaller, reflowed (RNIB clear print) */
	/* checking: every missing value in the body goes to `report`, and a
	 * layout that fails for them returns -1 with d cleared (msg empty) */
	lm_report_fn report;
	void *report_ctx;
};

/* Whether a recipient's letter is in large print: its `large_print` column
 * when that says yes/y/true/1 or no/n/false/0 (any case), else `dflt` (the
 * run's --large-print). */
int lm_letter_wants_large_print(const struct lm_value *recipient, int dflt);

/* Lays out `l` for `area` into `lay` (initialised by the caller, who
 * releases it) and fills `meta` with strings owned by lay->arena.
 * Box image indexes refer to assets->images.  Returns 0, or -1 with d filled. */
int lm_letter_layout(const struct lm_letter *l, const struct lm_area *area,
		     const struct lm_assets *assets, const struct lm_letter_opts *o,
		     struct lm_fonts *fonts, struct lm_layout *lay, struct lm_pdf_meta *meta,
		     struct lm_diag *d);

#endif
