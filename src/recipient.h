/* recipient.h - one recipient of a bulk run, built once per row.
 *
 * A recipients file (one row a letter) has any columns; a few have a
 * meaning of their own, and every rule about them lives here so that
 * batch (copies), check (addresses) and the frame (the envelope window,
 * large print) read a row the same way:
 *
 *   first column      the row's key (the manifest's "recipient")
 *   copies            a whole number from 1 to 1000, empty for 1
 *   large_print       yes/y/true/1 or no/n/false/0 (any case), empty for
 *                     the run's --large-print
 *   language          the letter's language(s): en, cy, cy+en (lang.h),
 *                     empty for the run's --lang
 *   address_line_1 … address_line_9, postcode
 *                     the postal address by default (GOV.UK Notify's
 *                     names), empty lines dropped, postcode last; the
 *                     envelope window prints at most 7.  A letter's
 *                     front matter `address:` composes it instead from
 *                     template lines, or says `none`.
 */
#ifndef LM_RECIPIENT_H
#define LM_RECIPIENT_H

#include <stddef.h>

#include "csv.h"
#include "diag.h"
#include "value.h"

/* A postal address has at most this many lines (UK rules: 3 to 7). */
#define LM_ADDRESS_MAX_LINES 7
/* Columns address_line_1 … address_line_9 are read (check reports past 7). */
#define LM_ADDRESS_COLUMNS 9

struct lm_recipient {
	const struct lm_value *row; /* column -> value (and `_row`); borrowed */
	const char *key;            /* the first column's value, "" without */
	unsigned copies;
	int large_print;
	/* the non-empty address lines in order, postcode last, every one of
	 * them (check reports more than LM_ADDRESS_MAX_LINES) */
	const struct lm_value *address[LM_ADDRESS_COLUMNS + 1];
	size_t naddress;
	int address_columns;        /* the row has address columns at all, or the
				       letter's `address:` lists lines */
	int address_overflow;       /* more lines than `address` holds */
	const struct lm_value *language; /* the `language` cell, NULL when absent or empty */
};

/* Reads `row` (a map from lm_recipient_row_map, or any map of strings)
 * into r; `large_dflt` is the run's --large-print.  Returns 0, or -1 with
 * d filled when `copies` is not a number from 1 to 1000. */
int lm_recipient_build(struct lm_recipient *r, const struct lm_value *row, int large_dflt,
		       struct lm_diag *d);

/* The row `r` has just read as a map in `a`: every column by its header
 * name, each value remembering its cell, and `_row`, the row's number
 * among the data rows (1-based). */
struct lm_value *lm_recipient_row_map(struct lm_arena *a, const struct lm_csv_reader *r,
				      long row);

/* The `copies` rule: empty is 1, else a whole number from 1 to 1000.
 * Returns 0 with *out set, or -1. */
int lm_recipient_copies(const char *text, size_t len, unsigned *out);

/* The `large_print` rule: yes/y/true/1 -> 1, no/n/false/0 -> 0 (any case,
 * leading spaces ignored), anything else `dflt`. */
int lm_recipient_large_print(const char *text, int dflt);

/* 1 when the recipient has an address for the envelope window. */
int lm_recipient_has_address(const struct lm_recipient *r);

/* The most lines a letter's `address:` may list. */
#define LM_ADDRESS_SPEC_LINES (LM_ADDRESS_COLUMNS + 1)

/* Composes r's address as the letter's front matter `address:` (`spec`)
 * says: NULL keeps the default columns lm_recipient_build read; "none"
 * leaves the letter without one; a list of template lines is expanded
 * against the row (`recipient`) and `area`, each line trimmed, empty ones
 * dropped (lines are arena-owned; a line that is one placeholder keeps
 * its cell's place for messages).  Returns 0, or -1 with d filled (a
 * line names a value that is not there). */
int lm_recipient_compose_address(struct lm_recipient *r, const struct lm_value *spec,
				 const struct lm_value *area, struct lm_arena *a, struct lm_diag *d);

/* 1 when `spec` (front matter `address:`) is `none`. */
int lm_address_none(const struct lm_value *spec);

#endif
