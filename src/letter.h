/* letter.h - a letter template: its front matter and its body.
 *
 * The template (letters/<name>.md) is loaded once and expanded for each
 * area and recipient.  The front matter says how the frame is filled
 * (title, subject, salutation, closing, signatories, reference, footer,
 * paper, lang, date_format); the body is the template's Markdown.  Where
 * each part goes on the page is frame.h's business.
 */
#ifndef LM_LETTER_H
#define LM_LETTER_H

#include <stddef.h>

#include "buf.h"
#include "date.h"
#include "diag.h"
#include "template.h"
#include "value.h"

struct lm_letter {
	char *path;             /* the name in messages (the file's path), owned */
	char *src;              /* the letter's bytes, owned */
	struct lm_arena *arena; /* owns the front matter values */
	struct lm_value *fm;    /* front matter map */
	struct lm_template *body;
	char *tag;              /* a translation's language from its file name (NAME.cy.md), owned; NULL for the original */
};

void lm_letter_init(struct lm_letter *l);
/* Parses a letter held in memory: `src` (len bytes, copied) is named
 * `name` in messages; partials come from `partials_dir` (NULL: a partial
 * is an error).  Returns 0, or -1 with d filled and l released. */
int lm_letter_parse(struct lm_letter *l, const char *name, const char *src, size_t len,
		    const char *partials_dir, struct lm_diag *d);
/* Reads and parses `path` (front matter and body; partials from the
 * `partials/` folder beside it).  Returns 0, or -1 with d filled. */
int lm_letter_load(struct lm_letter *l, const char *path, struct lm_diag *d);
void lm_letter_release(struct lm_letter *l);
/* The letter's language: its `lang:`, else its file name's tag
 * (NAME.cy.md is "cy"), else "en-GB". */
const char *lm_letter_lang(const struct lm_letter *l);
/* 1 when the front matter says `bilingual: columns`: a bilingual letter
 * with this part sets its languages side by side. */
int lm_letter_columns(const struct lm_letter *l);

#endif
