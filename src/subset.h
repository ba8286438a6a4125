/* subset.h - font subsets for embedding.
 *
 * libharu embeds a whole TrueType file (about 400 KB per face, ~70 KB
 * compressed) in every PDF.  A run knows in advance every character it can
 * print: those of the letter, its partials, the area files and the
 * recipients, and the few the program adds (bullets, digits of page
 * numbers).  HarfBuzz cuts each face down to those once per run; the subset
 * files live in a temporary folder until the run ends.  The subset depends
 * only on the inputs, never on which slice of them a worker writes, so
 * letters are byte-identical at any --jobs or --shard.
 */
#ifndef LM_SUBSET_H
#define LM_SUBSET_H

#include <stddef.h>
#include <stdint.h>

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
/* Adds the characters of a file; returns -1 with d filled if unreadable. */
int lm_cpset_add_file(struct lm_cpset *s, const char *path, struct lm_diag *d);
int lm_cpset_has(const struct lm_cpset *s, uint32_t cp);

struct lm_subset {
	char *dir;              /* temporary folder, owned, removed on release */
	char *path[LM_FACES];   /* subset files, owned */
};

void lm_subset_init(struct lm_subset *s);
/* Writes subsets of every face covering `cps` and points fonts->embed at
 * them.  Returns 0, or -1 with d filled (fonts then embed whole files). */
int lm_subset_make(struct lm_subset *s, struct lm_fonts *fonts, const struct lm_cpset *cps,
		   struct lm_diag *d);
/* Deletes the files; fonts->embed must not be used afterwards. */
void lm_subset_release(struct lm_subset *s);

#endif
