/* test_letter_date.c - lm_date_parse and lm_date_format (letter.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "letter.h"

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

/* letter.h: "%% a percent sign" */
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
		cmocka_unit_test(test_weekdays),
		cmocka_unit_test(test_parse_then_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
