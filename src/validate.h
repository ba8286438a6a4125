/* validate.h - checks on the facts staff type into area CSVs.
 *
 * Pure functions: no I/O, no allocation except into a caller's lm_buf, no
 * global state.  Each check returns 0 when the text is valid, or -1 and
 * writes one line saying what is wrong and what to do into `why` (a
 * caller buffer of `n` bytes, always NUL-terminated when n > 0; `why` may
 * be NULL).  The reason quotes the text as typed (control characters shown
 * as spaces, long text cut with "..."), so the caller only has to put the
 * cell's file:line:col in front of it.
 *
 * The checks are for a safeguarding letter to families: a number a family
 * would pay extra to call, or that nobody could dial, is an error even when
 * it is a real number.
 */
#ifndef LM_VALIDATE_H
#define LM_VALIDATE_H

#include <stddef.h>

#include "buf.h"

/* Digits of the longest UK number (11) plus room for typos to be counted. */
#define LM_PHONE_MAX 32

/*
 * Reduces a phone number as staff type it to its digits in national form:
 * spaces, hyphens (also U+2010-U+2013), brackets and no-break spaces are
 * dropped; a leading "+44" or "+44 (0)" becomes "0".  Writes at most n - 1
 * digits and a NUL into `out` (n > 0) and returns how many digits the number
 * has (more than n - 1 means `out` was cut short), or -1 when the text holds
 * anything else (a letter, "/", "+" not at the start, a country code other
 * than 44, unbalanced brackets) or is empty.
 */
int lm_phone_digits(const char *s, char *out, size_t n);

/*
 * A UK phone number a family can call free or at the price of an ordinary
 * call: 999, 112, 101, 111, 105; 116 and three digits (116 123); 01 numbers
 * of 11 digits (10 in the 01 codes that still have five-digit local numbers,
 * e.g. 01204 xxxxx, and 016977 xxxx); 02, 03, 07 (not 070) and 0808 numbers
 * of 11 digits; 0800 numbers of 10 or 11 digits, and 0800 1111 (Childline).
 * 070, 084, 087 and 09 numbers cost extra and are refused with the reason.
 */
int lm_check_uk_phone(const char *s, char *why, size_t n);

/*
 * An email address: local part a dot-atom (letters, digits and
 * ! # $ % & ' * + - / = ? ^ _ ` { | } ~, dots between them, at most 64
 * bytes: colette.o'brien is valid), one "@", and a domain as in
 * lm_check_web() (labels of letters, digits and hyphens, not starting or
 * ending with a hyphen, at least one dot, ending in two or more letters).
 */
int lm_check_email(const char *s, char *why, size_t n);

/*
 * A web address as printed in a letter: optional "http://" or "https://",
 * a host as for email (so "www." is just a label), an optional port, then
 * an optional path, query and fragment of URL-safe characters (RFC 3986
 * unreserved, sub-delims, ":", "@", "/", "?", one "#", and %XX escapes).
 * No spaces, no user name, no other scheme.
 */
int lm_check_web(const char *s, char *why, size_t n);

/*
 * A `verified` date written YYYY-MM-DD that exists in the calendar
 * (years 1900-9999).  On success sets *y, *m, *d (any may be NULL).  A date
 * Excel rewrote as DD/MM/YYYY (or with '-' or '.') is read day first, as
 * UK Excel writes it: *y, *m, *d are set and 1 is returned with a reason
 * for a warning giving the YYYY-MM-DD form.  Otherwise -1 with the reason.
 * (lm_date_diff in date.h counts the days since.)
 */
int lm_check_date(const char *s, int *y, int *m, int *d, char *why, size_t n);

#endif
