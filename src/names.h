/* names.h - names as people write them.
 *
 * A name in a template or an option matches a column header (or an area
 * field) ignoring case, spaces, '_', '-' and brackets, so that
 * {{recipient.establishment_name}} reads GIAS's "EstablishmentName" and
 * {{recipient.county_name}} reads "County (name)".  Only ASCII letters are
 * folded; other characters count as written.
 */
#ifndef LM_NAMES_H
#define LM_NAMES_H

#include <stddef.h>

/* 1 when a and b are the same name. */
int lm_name_eq(const char *a, const char *b);
/* The same with b given as b[0 .. blen). */
int lm_name_eq_n(const char *a, const char *b, size_t blen);

/* A hash of the name s[0 .. len) (to a NUL, if one comes first) in the
 * form names are compared in: two names that are the same name have the
 * same hash, so a look-up compares hashes before names. */
unsigned lm_name_hash(const char *s, size_t len);

/* 1 when the character does not count in a name. */
int lm_name_ignored(int c);

/* Writes the form of `s` that names are compared in (lower case, the
 * ignored characters dropped) into out[0 .. n), NUL-terminated (n > 0), and
 * returns its length (more than n - 1 when it was cut). */
size_t lm_name_key(const char *s, char *out, size_t n);

#endif
