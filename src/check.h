/* check.h - the facts a letter prints, checked before it goes out.
 *
 * Loading an area or a letter stops at the first structural error (a CSV
 * that is not UTF-8, an unclosed section).  The checks here run over data
 * that loaded, and find every wrong fact rather than the first: phone
 * numbers that are not valid UK numbers, malformed web and email addresses,
 * `verified` dates too old to trust, postal addresses the Royal Mail would
 * not deliver.  `lettermerge check` prints them; `build` runs them first and
 * writes nothing when one is an error.
 */
#ifndef LM_CHECK_H
#define LM_CHECK_H

#include <stddef.h>

#include "diag.h"
#include "letter.h"
#include "recipient.h"
#include "value.h"

/* Every finding of a run, in the order found, each once.  With a `sink`
 * each new finding is handed to it as it is found and not kept, so a run
 * over a million recipient rows holds about 16 bytes a distinct finding
 * (the hash that drops repeats), not the findings themselves. */
struct lm_findings {
	struct lm_diag *v; /* owned; empty when there is a sink */
	size_t n, alloc;
	size_t errors, warnings;
	enum lm_diag_kind worst; /* the highest kind of the errors: it picks the exit status */
	void (*sink)(void *ctx, const struct lm_diag *d);
	void *sink_ctx;
	unsigned long long *seen; /* open-addressed hashes of the findings, owned */
	size_t nseen, aseen;
};

void lm_findings_init(struct lm_findings *f);
void lm_findings_release(struct lm_findings *f);
/* Adds a copy of `d` (or hands it to the sink) unless the same finding
 * was added already. */
void lm_findings_add(struct lm_findings *f, const struct lm_diag *d);

struct lm_check_opts {
	struct lm_date today;   /* what "stale" is measured from: the letter's date */
	int stale_days;         /* a `verified` date older than this is a warning */
};

/* Checks an area's values (the `ctx` of struct lm_area): phone numbers,
 * web and email addresses, `verified` dates.  Which check a value gets
 * follows its column or field name: phone, out_of_hours, direct_line and
 * *_phone are phone numbers; email and *_email emails; web, website, url,
 * *_web and *_url web addresses; verified a date. */
void lm_check_area(const struct lm_value *area_ctx, const struct lm_check_opts *o,
		   struct lm_findings *f);
/* Checks a recipient (its row's values carry their cells): the same
 * column rules, and UK address rules when it has address lines: 3 to 7
 * lines once empty ones are dropped, a valid postcode on the last. */
void lm_check_recipient(const struct lm_recipient *r, const struct lm_check_opts *o,
			struct lm_findings *f);

/* 1 when `s` is a UK postcode (e.g. "L2 2DH", "SW1A 1AA", "GIR 0AA"). */
int lm_uk_postcode(const char *s);

#endif
