/* suggest.h - "did you mean": the closest of some names to one mistyped.
 *
 * One edit distance for the whole program (template names, front matter
 * keys, options, commands, area folders): optimal string alignment, where
 * inserting, deleting or changing a character, or swapping two neighbours
 * ("biuld"), costs one.  A name is suggested only when it is at most two
 * edits away and fewer edits than the typed name has characters ("x" is
 * two edits from "id", which is no suggestion).
 */
#ifndef LM_SUGGEST_H
#define LM_SUGGEST_H

#include <stddef.h>

/* The distance between a and b, or (size_t)-1 when either is longer than
 * 64 bytes (no name is; it keeps the table on the stack). */
size_t lm_edit_distance(const char *a, const char *b);

struct lm_suggest {
	const char *want;  /* borrowed */
	const char *best;  /* the closest candidate so far (borrowed), or NULL */
	size_t dist;
};

void lm_suggest_init(struct lm_suggest *s, const char *want);
/* Considers `cand`: kept when plausibly meant and closer than the best so
 * far (the first of equals wins).  `cand` must outlive the use of best. */
void lm_suggest_add(struct lm_suggest *s, const char *cand);

#endif
