/* lang.h - the languages a letter is written in (BCP 47 tags), and the
 * words lettermerge writes itself in each.
 *
 * A request is one language ("cy") or several joined by '+' ("cy+en": one
 * bilingual letter, Welsh first), as --lang and a recipients' `language`
 * column say it.  Area, contact and signatory fields may have language
 * variants (`organisation_cy`); lm_value_localise reads them.
 */
#ifndef LM_LANG_H
#define LM_LANG_H

#include <stddef.h>

#include "value.h"

/* At most this many languages in one bilingual (or trilingual) letter. */
#define LM_LANG_MAX_PARTS 3
#define LM_LANG_TAG_MAX 36

/* 1 when `tag` has the shape of a BCP 47 tag: a primary subtag of 2-3
 * letters, then '-' subtags of 1-8 letters or digits ("cy", "en-GB",
 * "pa-Guru", "zh-Hant-HK"). */
int lm_lang_valid(const char *tag);
/* 1 when `a` and `b` name one language: their primary subtags are equal
 * (ignoring case).  NULL matches nothing. */
int lm_lang_same(const char *a, const char *b);
/* The primary subtag of `tag`, lower case, into out (at most 3 letters). */
void lm_lang_primary(const char *tag, char out[4]);

struct lm_lang_request {
	char tags[LM_LANG_MAX_PARTS][LM_LANG_TAG_MAX];
	size_t n;
};
/* Parses "cy", "cy+en", "en-GB" or a language's name in English or in
 * itself ("Welsh", "Cymraeg": cy).  Spaces around parts are allowed.
 * Returns 0, or -1 when a part is not a language (or too many parts, or a
 * language twice). */
int lm_lang_request_parse(const char *s, struct lm_lang_request *r);

/* The words the frame writes when a letter does not say them. */
enum lm_lang_text {
	LM_TEXT_SALUTATION, /* "Dear Parent/Carer," */
	LM_TEXT_CLOSING,    /* "Yours sincerely," */
	LM_TEXT_PAGE,       /* "Page" (of "Page 2 of 3") */
	LM_TEXT_OF,         /* "of" */
	LM_TEXT_LOGO,       /* "logo", after the organisation's name in English */
	LM_TEXT_SIGNATURE,  /* "Signature of" */
};
/* The text in language `lang`, or NULL when lettermerge does not know it
 * in that language (English and Welsh are known; NULL `lang` is English). */
const char *lm_lang_text(const char *lang, enum lm_lang_text which);
/* 1 when the logo's words come before the organisation's name ("Logo
 * Cyngor …") in `lang`. */
int lm_lang_logo_first(const char *lang);

/* `v` as a letter in `lang` reads it: in every map of strings under `v`,
 * a field K with a non-empty variant K_<primary subtag> (organisation_cy)
 * takes the variant's value.  Unchanged parts are shared, not copied; `v`
 * itself is returned when nothing changes.  Lists keep their items' ids. */
struct lm_value *lm_value_localise(struct lm_arena *a, struct lm_value *v, const char *lang);

#endif
