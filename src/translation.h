/* translation.h - a letter's translations: letters/NAME.TAG.md beside
 * letters/NAME.md (NAME.cy.md, NAME.pl.md, NAME.pt-BR.md: BCP 47 tags),
 * each a whole letter with its own front matter and body, sharing the
 * areas and the partials folder.
 *
 * Every translation beside a letter is read when the letter is; one that
 * does not load keeps its error, which is reported for the letters that
 * use it (a broken Polish translation stops no English letter).
 */
#ifndef LM_TRANSLATION_H
#define LM_TRANSLATION_H

#include <stddef.h>

#include "check.h"
#include "diag.h"
#include "letter.h"
#include "value.h"

struct lm_translation {
	char *tag;                /* from the file name, owned */
	char *path;               /* owned */
	struct lm_letter letter;  /* loaded when `ok` */
	int ok;
	struct lm_diag error;     /* why it did not load, when !ok */
};

struct lm_translations {
	struct lm_translation *v; /* owned, in file-name order */
	size_t n, alloc;
};

void lm_translations_init(struct lm_translations *t);
void lm_translations_release(struct lm_translations *t);

/* The language tag in a letter's file name: "cy" for "letters/x.cy.md",
 * into out; 0, or -1 when the name has none (out empty). */
int lm_letter_path_tag(const char *path, char out[36]);

/* Finds and loads every translation of the letter at `path` (files
 * NAME.TAG.md in its folder, TAG a language tag).  Returns 0, or -1 with
 * d filled when the folder cannot be read. */
int lm_translations_load(struct lm_translations *t, const char *path, struct lm_diag *d);

/* The translation in language `tag`: one whose tag is `tag` (ignoring
 * case), else one of the same language (primary subtag).  NULL if none. */
struct lm_translation *lm_translations_find(struct lm_translations *t, const char *tag);

/* The error for a request (`what`: "--lang cy+pl", a cell's "language
 * 'pl'") that asks for language `tag`, which the letter at `path` (in
 * language `own`) has no translation into: it names the file to write,
 * and suggests the letter's closest language (own or a translation's)
 * when `tag` looks like a slip ("cyy": cy), else lists them.  Returns -1. */
int lm_translations_missing(const struct lm_translations *t, const char *path, const char *own,
			    const char *what, const char *tag, struct lm_diag *d);

/* Warns (into f, at the translation's file) about every value of `ctx`
 * the original's body names that the translation's never does: a fact
 * (a phone number, a contact) that one language would print and the
 * other would not. */
void lm_translation_compare(const struct lm_letter *original, const struct lm_letter *tr,
			    const struct lm_value *ctx, struct lm_findings *f);

#endif
