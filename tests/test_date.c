/* test_date.c - the one calendar: dates parsed, formatted and counted (date.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"

static void expect_date(const char *s, int y, int m, int d)
{
	struct lm_date date = { -1, -1, -1 };
	if (lm_date_parse(s, &date))
		fail_msg("\"%s\" should be a valid date", s);
	assert_int_equal(date.year, y);
	assert_int_equal(date.month, m);
	assert_int_equal(date.day, d);
}

static void expect_invalid(const char *s)
{
	struct lm_date date = { 7, 7, 7 };
	if (lm_date_parse(s, &date) != -1)
		fail_msg("\"%s\" should not be a valid date", s);
	/* the output is untouched on failure */
	assert_int_equal(date.year, 7);
	assert_int_equal(date.month, 7);
	assert_int_equal(date.day, 7);
}

static void test_parse_valid(void **state)
{
	(void)state;
	expect_date("2015-03-17", 2015, 3, 17);
	expect_date("2016-02-29", 2016, 2, 29); /* leap year */
	expect_date("2000-02-29", 2000, 2, 29); /* divisible by 400 */
	expect_date("2015-01-01", 2015, 1, 1);
	expect_date("2015-12-31", 2015, 12, 31);
	expect_date("2015-04-30", 2015, 4, 30);
	expect_date("1900-01-01", 1900, 1, 1);
	expect_date("9999-12-31", 9999, 12, 31);
}

static void test_parse_invalid(void **state)
{
	(void)state;
	expect_invalid("2015-02-29"); /* not a leap year */
	expect_invalid("1900-02-29"); /* divisible by 100, not 400 */
	expect_invalid("2100-02-29");
	expect_invalid("2015-3-17");  /* month must have two digits */
	expect_invalid("2015-03-7");
	expect_invalid("15-03-17");
	expect_invalid("2015-04-31");
	expect_invalid("2015-13-01");
	expect_invalid("2015-00-10");
	expect_invalid("2015-01-00");
	expect_invalid("2015-01-32");
	expect_invalid("1899-12-31");
	expect_invalid("2015-03-17x");
	expect_invalid("2015-03-17 ");
	expect_invalid(" 2015-03-17");
	expect_invalid("2015/03/17");
	expect_invalid("17/03/2015");
	expect_invalid("2015-03-1x");
	expect_invalid("");
	expect_invalid("today");
}

/* YYYY-MM-DD means digits: sscanf's %2d alone would take a sign or a space */
static void test_parse_digits_only(void **state)
{
	(void)state;
	expect_invalid("2015-+3-17");
	expect_invalid("2015- 3-17");
	expect_invalid("2015-03-+7");
	expect_invalid("2015-03- 7");
	expect_invalid("+015-03-17");
}

static void expect_format(const char *fmt, int y, int m, int d, const char *want)
{
	struct lm_date date = { y, m, d };
	struct lm_buf out = LM_BUF_INIT;
	lm_date_format(&out, fmt, &date);
	/* compared before the buffer is freed, reported after: a failure
	 * leaks nothing */
	int ok = !strcmp(out.ptr, want) && out.len == strlen(want);
	char got[256];
	snprintf(got, sizeof(got), "%s", out.ptr);
	lm_buf_release(&out);
	if (!ok)
		fail_msg("\"%s\" with %04d-%02d-%02d: got \"%s\", want \"%s\"", fmt, y, m, d, got,
			 want);
}

static void test_format(void **state)
{
	(void)state;
	expect_format("%d %B %Y", 2015, 3, 17, "17 March 2015");
	expect_format("%o %B, %Y", 2015, 3, 17, "17th March, 2015");
	expect_format("%d %B %Y", 2015, 3, 1, "1 March 2015"); /* no leading zero */
	expect_format("%m/%Y", 2015, 3, 7, "03/2015");
	expect_format("%A %o %B %Y", 2015, 3, 17, "Tuesday 17th March 2015");
	expect_format("%B", 2015, 1, 1, "January");
	expect_format("%B", 2015, 12, 1, "December");
	/* an unknown conversion is printed as written; so is a lone '%' at the end */
	expect_format("%q %", 2015, 3, 17, "%q %");
	expect_format("", 2015, 3, 17, "");
}

/* date.h: "%% a percent sign" */
static void test_format_percent(void **state)
{
	(void)state;
	expect_format("100%% sure", 2015, 3, 17, "100% sure");
	expect_format("%%d", 2015, 3, 17, "%d");
}

static void test_format_appends(void **state)
{
	(void)state;
	struct lm_date date = { 2015, 3, 17 };
	struct lm_buf out = LM_BUF_INIT;
	lm_buf_adds(&out, "Date: ");
	lm_date_format(&out, "%d/%m/%Y", &date);
	assert_string_equal(out.ptr, "Date: 17/03/2015");
	lm_buf_release(&out);
}

static void test_ordinals(void **state)
{
	(void)state;
	static const struct {
		int day;
		const char *want;
	} cases[] = {
		{ 1, "1st" },	{ 2, "2nd" },	{ 3, "3rd" },	{ 4, "4th" },	{ 5, "5th" },
		{ 10, "10th" }, { 11, "11th" }, { 12, "12th" }, { 13, "13th" }, { 14, "14th" },
		{ 20, "20th" }, { 21, "21st" }, { 22, "22nd" }, { 23, "23rd" }, { 24, "24th" },
		{ 30, "30th" }, { 31, "31st" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_format("%o", 2015, 1, cases[i].day, cases[i].want);
}

static void test_weekdays(void **state)
{
	(void)state;
	expect_format("%A", 2015, 3, 17, "Tuesday");
	expect_format("%A", 2000, 1, 1, "Saturday");
	expect_format("%A", 2016, 2, 29, "Monday");
	expect_format("%A", 2016, 3, 1, "Tuesday");
	expect_format("%A", 2024, 12, 25, "Wednesday");
	expect_format("%A", 1900, 1, 1, "Monday");
	expect_format("%A", 2023, 1, 1, "Sunday");
	expect_format("%A", 2021, 1, 1, "Friday");
	expect_format("%A", 2020, 1, 2, "Thursday");
}

static void test_parse_then_format(void **state)
{
	(void)state;
	struct lm_date date;
	assert_int_equal(lm_date_parse("2016-02-29", &date), 0);
	struct lm_buf out = LM_BUF_INIT;
	lm_date_format(&out, "%A %o %B %Y", &date);
	assert_string_equal(out.ptr, "Monday 29th February 2016");
	lm_buf_release(&out);
}

static long diff(int y1, int m1, int d1, int y2, int m2, int d2)
{
	struct lm_date a = { y1, m1, d1 }, b = { y2, m2, d2 };
	return lm_date_diff(&a, &b);
}

static void test_diff(void **state)
{
	(void)state;
	assert_int_equal(diff(2025, 11, 1, 2026, 11, 1), 365);
	assert_int_equal(diff(2024, 1, 1, 2025, 1, 1), 366);
	assert_int_equal(diff(2026, 11, 1, 2025, 11, 1), -365);
	assert_int_equal(diff(2026, 3, 17, 2026, 3, 17), 0);
	assert_int_equal(diff(1999, 12, 31, 2000, 3, 1), 61);
	assert_int_equal(diff(1900, 1, 1, 2000, 1, 1), 36524);
	assert_int_equal(diff(2026, 2, 28, 2026, 3, 1), 1);
	assert_int_equal(diff(1970, 1, 1, 9999, 12, 31), 2932896);
}

/* Every day of 1900-9999 maps to its day number and back, one apart. */
static void test_days_round_trip(void **state)
{
	(void)state;
	struct lm_date d = { 1900, 1, 1 };
	long n = lm_date_to_days(&d);
	assert_int_equal(n, -25567);
	for (int y = 1900; y <= 9999; y++)
		for (int m = 1; m <= 12; m++)
			for (int dd = 1; dd <= lm_date_days_in_month(y, m); dd++, n++) {
				struct lm_date a = { y, m, dd }, b;
				if (lm_date_to_days(&a) != n)
					fail_msg("%04d-%02d-%02d is day %ld, want %ld", y, m, dd,
						 lm_date_to_days(&a), n);
				lm_date_from_days(n, &b);
				if (b.year != y || b.month != m || b.day != dd)
					fail_msg("day %ld came back as %04d-%02d-%02d", n, b.year, b.month, b.day);
			}
	assert_int_equal(n, 2932897); /* the day after 9999-12-31 */
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(lm_date_valid(2016, 2, 29));
	assert_false(lm_date_valid(2015, 2, 29));
	assert_false(lm_date_valid(1899, 12, 31));
	assert_false(lm_date_valid(10000, 1, 1));
	assert_false(lm_date_valid(2015, 0, 1));
	assert_false(lm_date_valid(2015, 13, 1));
	assert_false(lm_date_valid(2015, 4, 31));
	assert_int_equal(lm_date_days_in_month(2015, 13), 0);
	assert_int_equal(lm_date_days_in_month(2100, 2), 28);
}

static void expect_lenient(const char *s, int form, int y, int m, int d)
{
	struct lm_date date = { -1, -1, -1 };
	int got = lm_date_parse_lenient(s, &date);
	if (got != form)
		fail_msg("\"%s\": form %d, want %d", s, got, form);
	if (form >= 0 && (date.year != y || date.month != m || date.day != d))
		fail_msg("\"%s\": got %04d-%02d-%02d", s, date.year, date.month, date.day);
	if (form < 0 && date.year != -1)
		fail_msg("\"%s\": output touched on failure", s);
}

/* What Excel and LibreOffice turn YYYY-MM-DD into, read day first. */
static void test_parse_lenient(void **state)
{
	(void)state;
	expect_lenient("2015-03-17", LM_DATE_ISO, 2015, 3, 17);
	expect_lenient("2015-3-7", LM_DATE_ISO_SHORT, 2015, 3, 7);
	expect_lenient("17/03/2015", LM_DATE_DMY, 2015, 3, 17);
	expect_lenient("7/3/2015", LM_DATE_DMY, 2015, 3, 7);
	expect_lenient("17-03-2015", LM_DATE_DMY, 2015, 3, 17);
	expect_lenient("17.03.2015", LM_DATE_DMY, 2015, 3, 17);
	expect_lenient("03/17/2015", -1, 0, 0, 0); /* US order is not a real day-first date */
	expect_lenient("31/02/2015", -1, 0, 0, 0);
	expect_lenient("17/03-2015", -1, 0, 0, 0); /* mixed separators */
	expect_lenient("17/03/15", -1, 0, 0, 0);   /* two-digit years are ambiguous */
	expect_lenient("2015-13-01", -1, 0, 0, 0);
	expect_lenient("2015/03/17", -1, 0, 0, 0);
	expect_lenient("42080", -1, 0, 0, 0);
	expect_lenient("", -1, 0, 0, 0);
	/* a real date before 1900 is read, for the caller to name */
	expect_lenient("1899-12-31", LM_DATE_ISO, 1899, 12, 31);
}

static void test_epoch(void **state)
{
	(void)state;
	struct lm_date d;
	assert_int_equal(lm_date_from_epoch(0, &d), 0);
	assert_int_equal(d.year, 1970);
	assert_int_equal(d.day, 1);
	assert_int_equal(lm_date_from_epoch(1426550400, &d), 0); /* 2015-03-17T00:00:00Z */
	assert_int_equal(d.year, 2015);
	assert_int_equal(d.month, 3);
	assert_int_equal(d.day, 17);
	assert_int_equal(lm_date_from_epoch(1426550400 + 86399, &d), 0);
	assert_int_equal(d.day, 17);
	assert_int_equal(lm_date_from_epoch(-1, &d), 0);
	assert_int_equal(d.year, 1969);
	assert_int_equal(d.month, 12);
	assert_int_equal(d.day, 31);
	struct lm_date x = { 2015, 3, 17 };
	assert_int_equal(lm_date_to_epoch(&x), 1426550400LL);
	assert_int_equal(lm_date_from_epoch(253402300800LL, &d), -1); /* 10000-01-01 */
	assert_int_equal(lm_date_from_epoch(-2208988801LL, &d), -1);  /* 1899-12-31T23:59:59 */
}

static void expect_excel(long serial, int y, int m, int d)
{
	struct lm_date date;
	assert_int_equal(lm_date_from_excel(serial, &date), 0);
	if (date.year != y || date.month != m || date.day != d)
		fail_msg("serial %ld: got %04d-%02d-%02d", serial, date.year, date.month, date.day);
}

static void test_excel_serial(void **state)
{
	(void)state;
	struct lm_date date;
	expect_excel(1, 1900, 1, 1);
	expect_excel(59, 1900, 2, 28);
	assert_int_equal(lm_date_from_excel(60, &date), -1); /* 1900-02-29 never was */
	expect_excel(61, 1900, 3, 1);
	expect_excel(42080, 2015, 3, 17);
	expect_excel(46327, 2026, 11, 1);
	expect_excel(2958465, 9999, 12, 31);
	assert_int_equal(lm_date_from_excel(0, &date), -1);
	assert_int_equal(lm_date_from_excel(-5, &date), -1);
	assert_int_equal(lm_date_from_excel(2958466, &date), -1);
}

static void expect_format_lang(const char *fmt, const char *lang, int y, int m, int d,
			       const char *want)
{
	struct lm_buf out = LM_BUF_INIT;
	struct lm_date date = { y, m, d };
	lm_date_format_lang(&out, fmt, &date, lang);
	assert_string_equal(out.ptr ? out.ptr : "", want);
	lm_buf_release(&out);
}

/* Welsh: every month name, the ordinals of every day of a month, and the
 * day names; other languages stay English, English is unchanged. */
static void test_welsh(void **state)
{
	(void)state;
	static const char *const months[12] = {
		"Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf",
		"Awst", "Medi", "Hydref", "Tachwedd", "Rhagfyr",
	};
	for (int m = 1; m <= 12; m++) {
		char want[64];
		snprintf(want, sizeof(want), "17 %s 2015", months[m - 1]);
		expect_format_lang("%d %B %Y", "cy", 2015, m, 17, want);
		assert_string_equal(lm_date_month_name_lang(m, "cy-GB"), months[m - 1]);
	}
	static const char *const ord[32] = {
		NULL, "1af", "2il", "3ydd", "4ydd", "5ed", "6ed", "7fed", "8fed", "9fed", "10fed",
		"11eg", "12fed", "13eg", "14eg", "15fed", "16eg", "17eg", "18fed", "19eg", "20fed",
		"21ain", "22ain", "23ain", "24ain", "25ain", "26ain", "27ain", "28ain", "29ain",
		"30ain", "31ain",
	};
	for (int d = 1; d <= 31; d++)
		expect_format_lang("%o", "cy", 2015, 1, d, ord[d]);
	expect_format_lang("%A %o %B %Y", "cy", 2015, 3, 17, "Dydd Mawrth 17eg Mawrth 2015");
	expect_format_lang("%A %o %B %Y", "CY", 2026, 12, 5, "Dydd Sadwrn 5ed Rhagfyr 2026");
	expect_format_lang("%A %o %B %Y", "en-GB", 2015, 3, 17, "Tuesday 17th March 2015");
	expect_format_lang("%A %o %B %Y", NULL, 2015, 3, 1, "Sunday 1st March 2015");
	/* "cym" or "cyrl" are not Welsh tags; Polish has no month names here */
	expect_format_lang("%B", "cyx", 2015, 3, 17, "March");
	expect_format_lang("%B", "pl", 2015, 3, 17, "March");
	assert_string_equal(lm_date_month_name_lang(13, "cy"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_digits_only),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_percent),
		cmocka_unit_test(test_format_appends),
		cmocka_unit_test(test_ordinals),
		cmocka_unit_test(test_welsh),
		cmocka_unit_test(test_weekdays),
		cmocka_unit_test(test_parse_then_format),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_days_round_trip),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_parse_lenient),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_excel_serial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
