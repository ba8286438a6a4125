/* date.h - the one calendar: dates read (strictly, or as Excel rewrites
 * them), written, and counted in days.
 *
 * Proleptic Gregorian dates of the years 1900-9999 (a letter's date, a
 * `verified` date); no time zones: a date is a day.  Pure functions, no
 * global state.
 */
#ifndef LM_DATE_H
#define LM_DATE_H

struct lm_buf;

struct lm_date {
	int year, month, day;
};

/* Days in month `m` (1-12) of year `y`. */
int lm_date_days_in_month(int y, int m);
/* 1 when y-m-d is a real date of the years 1900-9999, else 0. */
int lm_date_valid(int y, int m, int d);

/* Parses exactly YYYY-MM-DD (no signs, spaces or short parts); returns 0,
 * or -1 (out untouched) when it is not that form or not a real date. */
int lm_date_parse(const char *s, struct lm_date *out);

/* How lm_date_parse_lenient read a date. */
enum lm_date_form {
	LM_DATE_ISO = 0,   /* YYYY-MM-DD */
	LM_DATE_ISO_SHORT, /* YYYY-M-D: a one-digit month or day */
	LM_DATE_DMY,       /* D/M/YYYY, D-M-YYYY or D.M.YYYY, day first as UK Excel writes it */
};

/* Parses YYYY-MM-DD and the forms a spreadsheet program turns it into
 * (see lm_date_form); the parts must make a real date.  Returns the form
 * (>= 0), or -1 (out untouched) when it is none of them.  *out is set even
 * for a real date of a year before 1900, so a caller can name it: check
 * lm_date_valid() for the range. */
int lm_date_parse_lenient(const char *s, struct lm_date *out);

/* Days since 1970-01-01 (negative before). */
long lm_date_to_days(const struct lm_date *d);
/* The date `days` days after 1970-01-01. */
void lm_date_from_days(long days, struct lm_date *out);
/* Days from `a` to `b` (negative when b is earlier). */
long lm_date_diff(const struct lm_date *a, const struct lm_date *b);
/* 0 Sunday .. 6 Saturday. */
int lm_date_weekday(const struct lm_date *d);
/* "January" .. "December" for 1 .. 12. */
const char *lm_date_month_name(int m);

/* The UTC day of `secs` seconds since the epoch; -1 when out of 1900-9999. */
int lm_date_from_epoch(long long secs, struct lm_date *out);
/* Midnight UTC of the date, in seconds since the epoch. */
long long lm_date_to_epoch(const struct lm_date *d);

/* The date of an Excel serial day number (1 = 1900-01-01, counting
 * Excel's 29 February 1900, which never was); -1 for 60 (that day),
 * anything below 1 or past 9999. */
int lm_date_from_excel(long serial, struct lm_date *out);

/* Writes `date` as `fmt` says (%d day, %o day with suffix, %B month name,
 * %m month number, %Y year, %A weekday, %% a percent sign) into out;
 * any other %x is copied as written. */
void lm_date_format(struct lm_buf *out, const char *fmt, const struct lm_date *date);
/* As lm_date_format, in the language of BCP 47 tag `lang` (NULL: English):
 * Welsh (cy) has its month and day names (Ionawr … Rhagfyr, Dydd Llun …)
 * and ordinals (1af, 2il, 3ydd, 4ydd, 5ed … 11eg, 12fed … 21ain); any other
 * language is written in English. */
void lm_date_format_lang(struct lm_buf *out, const char *fmt, const struct lm_date *date,
			 const char *lang);
/* lm_date_month_name in the language of `lang` (as lm_date_format_lang). */
const char *lm_date_month_name_lang(int m, const char *lang);

/* The byte offset of the first '%' in `fmt` that lm_date_format does not
 * know (it prints those as they are), or -1 when all are known. */
long lm_date_format_unknown(const char *fmt);

#endif
