/* test_validate.c - phone numbers, email and web addresses, dates and
 * Windows-1252, each failure with the exact reason staff will read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "validate.h"

typedef int (*check_fn)(const char *s, char *why, size_t n);

static void valid(check_fn fn, const char *s)
{
	char why[512] = "untouched";
	if (fn(s, why, sizeof(why)) != 0)
		fail_msg("\"%s\" should be valid, got: %s", s, why);
	assert_string_equal(why, "");
}

static void invalid(check_fn fn, const char *s, const char *want)
{
	char why[512] = "";
	assert_int_equal(fn(s, why, sizeof(why)), -1);
	if (strcmp(why, want))
		fail_msg("for \"%s\"\n  got:  %s\n  want: %s", s, why, want);
}

/* ---- phone numbers ---- */

static void test_phone_seeds(void **state)
{
	(void)state;
	/* every number in the bundled areas */
	static const char *const seeds[] = {
		"0151 233 0476", "0151 233 3027", "01606 275099", "01244 977277",
		"0800 1313 126", "01782 235100", "0800 800 5000", "101", "999", "116 123",
	};
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		valid(lm_check_uk_phone, seeds[i]);
}

static void test_phone_valid_forms(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"112", "111", "105", "116 000", "116 111", "116 117", "116123",
		"0800 1111",                     /* Childline */
		"0800 11 11",
		"0800 123456",                   /* 0800 with 10 digits */
		"0808 800 5000", "0300 123 1234", "0330 123 4567", "0333 123 4567",
		"0345 600 0000", "0370 123 4567", "020 7946 0000", "029 2087 2087",
		"07700 900000", "07624 123456",
		"(0151) 233 3027", "0151-233-3027", "0151 233-3027",
		"+44 151 233 3027", "+44 (0)151 233 3027", "+44 (0) 151 233 3027",
		"+44 20 7946 0000", "+447700900000",
		"01204 12345",                   /* Bolton: some 5-digit local numbers */
		"016977 1234",                   /* Brampton: 4-digit local numbers */
		"015396 20000",
		"0151\xC2\xA0" "233\xC2\xA0" "3027",   /* no-break spaces from Word */
		"0151\xE2\x80\x93" "233\xE2\x80\x93" "3027", /* en dashes */
		"01512333027",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		valid(lm_check_uk_phone, ok[i]);
}

static void test_phone_digit_counts(void **state)
{
	(void)state;
	invalid(lm_check_uk_phone, "0151 233 302",
		"\"0151 233 302\" has 10 digits; a number starting 01 needs 11 (0151 xxx xxxx)");
	invalid(lm_check_uk_phone, "0151 233 30277",
		"\"0151 233 30277\" has 12 digits; a number starting 01 needs 11 (0151 xxx xxxx)");
	invalid(lm_check_uk_phone, "0151 233 3",
		"\"0151 233 3\" has 8 digits; a number starting 01 needs 11 (0151 xxx xxxx)");
}

static void test_phone_digit_counts_all(void **state)
{
	(void)state;
	/* 01606 is one of the codes with some 10-digit numbers */
	valid(lm_check_uk_phone, "01606 27509");
	invalid(lm_check_uk_phone, "01244 97727",
		"\"01244 97727\" has 10 digits; a number starting 01 needs 11 (01244 xxxxxx)");
	invalid(lm_check_uk_phone, "01204 1234",
		"\"01204 1234\" has 9 digits; a number starting 01 needs 10 or 11 "
		"(01204 xxxxx or 01204 xxxxxx)");
	invalid(lm_check_uk_phone, "0116 496 000",
		"\"0116 496 000\" has 10 digits; a number starting 01 needs 11 (0116 xxx xxxx)");
	invalid(lm_check_uk_phone, "01",
		"\"01\" has 2 digits; a number starting 01 needs 11 (01xxx xxxxxx)");
	invalid(lm_check_uk_phone, "020 7946 000",
		"\"020 7946 000\" has 10 digits; a number starting 02 needs 11 (020 xxxx xxxx)");
	invalid(lm_check_uk_phone, "0300 123 123",
		"\"0300 123 123\" has 10 digits; a number starting 03 needs 11 (0300 xxx xxxx)");
	invalid(lm_check_uk_phone, "07700 90000",
		"\"07700 90000\" has 10 digits; a number starting 07 needs 11 (07700 xxxxxx)");
}

static void test_phone_freephone(void **state)
{
	(void)state;
	valid(lm_check_uk_phone, "0800 1313 12"); /* 0800 takes 10 digits too */
	invalid(lm_check_uk_phone, "0800 1313",
		"\"0800 1313\" has 8 digits; a number starting 0800 needs 10 or 11 "
		"(0800 xxxxxx or 0800 xxx xxxx)");
	invalid(lm_check_uk_phone, "0800 1313 1266",
		"\"0800 1313 1266\" has 12 digits; a number starting 0800 needs 10 or 11 "
		"(0800 xxxxxx or 0800 xxx xxxx)");
	invalid(lm_check_uk_phone, "0808 800 500",
		"\"0808 800 500\" has 10 digits; a number starting 0808 needs 11 (0808 xxx xxxx)");
	invalid(lm_check_uk_phone, "0801 123 4567",
		"\"0801 123 4567\": numbers starting 0801 are not in use; a freephone number "
		"starts 0800 or 0808");
	invalid(lm_check_uk_phone, "0500 123 456",
		"\"0500 123 456\": 0500 freephone numbers were switched off in 2017; ask the "
		"service for its new number");
}

static void test_phone_costly(void **state)
{
	(void)state;
	invalid(lm_check_uk_phone, "0906 123 4567",
		"\"0906 123 4567\": 09 numbers are premium rate; families cannot be asked to pay "
		"to report abuse, so give the service's 01, 02, 03 or 0800 number");
	invalid(lm_check_uk_phone, "0845 123 4567",
		"\"0845 123 4567\": 084 numbers cost extra to call; families cannot be asked to "
		"pay to report abuse, so give the service's 01, 02, 03 or 0800 number");
	invalid(lm_check_uk_phone, "0871 123 4567",
		"\"0871 123 4567\": 087 numbers cost extra to call; families cannot be asked to "
		"pay to report abuse, so give the service's 01, 02, 03 or 0800 number");
	invalid(lm_check_uk_phone, "070 1234 5678",
		"\"070 1234 5678\": 070 numbers are personal numbers that cost up to premium "
		"rate (they are not mobiles); families cannot be asked to pay to report abuse, "
		"so give the service's 01, 02, 03 or 0800 number");
	invalid(lm_check_uk_phone, "0560 123 4567",
		"\"0560 123 4567\": 05 numbers are company or internet numbers that may cost "
		"extra; families cannot be asked to pay to report abuse, so give the service's "
		"01, 02, 03 or 0800 number");
	invalid(lm_check_uk_phone, "07600 123456",
		"\"07600 123456\": 076 numbers are pagers, which cannot take a call; give a "
		"number where families can speak to someone");
	invalid(lm_check_uk_phone, "0350 123 1234",
		"\"0350 123 1234\": numbers starting 035 are not in use; check the number with "
		"the service");
	invalid(lm_check_uk_phone, "0401 234 567",
		"\"0401 234 567\": numbers starting 04 are not in use in the UK; check the "
		"number with the service");
}

static void test_phone_short_numbers(void **state)
{
	(void)state;
	invalid(lm_check_uk_phone, "9999", "\"9999\" has 4 digits; the short number 999 has 3");
	invalid(lm_check_uk_phone, "1011", "\"1011\" has 4 digits; the short number 101 has 3");
	invalid(lm_check_uk_phone, "116 12",
		"\"116 12\" has 5 digits; a number starting 116 needs 6 (116 xxx)");
	invalid(lm_check_uk_phone, "116 1234",
		"\"116 1234\" has 7 digits; a number starting 116 needs 6 (116 xxx)");
	invalid(lm_check_uk_phone, "123",
		"\"123\" is not a UK phone number: it must start with 0, or be a short number "
		"such as 999, 101, 111 or 116 123");
	invalid(lm_check_uk_phone, "1512333027",
		"\"1512333027\" does not start with 0; if it is 01512333027, type the 0 (Excel "
		"drops a leading 0 from a number: format the column as text)");
	invalid(lm_check_uk_phone, "0", "\"0\" has 1 digit; a UK phone number has 11 digits, or "
		"is a short number such as 999 or 101");
}

static void test_phone_characters(void **state)
{
	(void)state;
	invalid(lm_check_uk_phone, "0151 233 3O27",
		"\"0151 233 3O27\" has the letter \"O\" in it (a letter O typed for a zero?); a "
		"phone number may hold only digits, spaces, hyphens and brackets");
	invalid(lm_check_uk_phone, "0151 233 302l",
		"\"0151 233 302l\" has the letter \"l\" in it (a letter typed for the digit 1?); a "
		"phone number may hold only digits, spaces, hyphens and brackets");
	invalid(lm_check_uk_phone, "0151 233 3027 / 3028",
		"\"0151 233 3027 / 3028\" has \"/\" in it (one number to a cell, with no notes "
		"after it); a phone number may hold only digits, spaces, hyphens and brackets");
	invalid(lm_check_uk_phone, "0151 233 3027 ext 12",
		"\"0151 233 3027 ext 12\" has the letter \"e\" in it (one number to a cell, with "
		"no notes after it); a phone number may hold only digits, spaces, hyphens and "
		"brackets");
	invalid(lm_check_uk_phone, "0151.233.3027",
		"\"0151.233.3027\" has \".\" in it; a phone number may hold only digits, spaces, "
		"hyphens and brackets");
	invalid(lm_check_uk_phone, "Careline",
		"\"Careline\" has the letter \"C\" in it; a phone number may hold only digits, "
		"spaces, hyphens and brackets");
	invalid(lm_check_uk_phone, "0151\t233 3027",
		"\"0151 233 3027\" has a tab in it; a phone number may hold only digits, spaces, "
		"hyphens and brackets");
	invalid(lm_check_uk_phone, "0151 233\n3027",
		"\"0151 233 3027\" has a line break in it; a phone number may hold only digits, "
		"spaces, hyphens and brackets");
	invalid(lm_check_uk_phone, "0151 233 \x92" "3027",
		"\"0151 233 ?3027\" has the byte 0x92, which is not UTF-8, in it; a phone number "
		"may hold only digits, spaces, hyphens and brackets");
	invalid(lm_check_uk_phone, "(0151 233 3027",
		"\"(0151 233 3027\" has a \"(\" with no \")\" to close it");
	invalid(lm_check_uk_phone, "0151) 233 3027",
		"\"0151) 233 3027\" has a \")\" with no \"(\" before it");
	invalid(lm_check_uk_phone, "((0151)) 233 3027",
		"\"((0151)) 233 3027\" has brackets inside brackets; bracket only the area code, "
		"as in (0151) xxx xxxx");
	invalid(lm_check_uk_phone, "", "the phone number is empty; give the number, or leave "
		"the column out");
	invalid(lm_check_uk_phone, " - ", "\" - \" has no digits; give the service's phone number");
	invalid(lm_check_uk_phone, "+", "\"+\" has \"+\" in it; a phone number may hold only "
		"digits, spaces, hyphens and brackets");
	invalid(lm_check_uk_phone, "0151 + 233 3027", "\"0151 + 233 3027\" has \"+\" in it; a "
		"phone number may hold only digits, spaces, hyphens and brackets");
}

static void test_phone_international(void **state)
{
	(void)state;
	invalid(lm_check_uk_phone, "+353 1 234 5678",
		"\"+353 1 234 5678\" is not a UK number (+353 is not +44); give a UK number "
		"families can call");
	invalid(lm_check_uk_phone, "+44 0151 233 3027",
		"\"+44 0151 233 3027\" has a 0 straight after +44; leave that 0 out, or write "
		"the number starting 0 as it is dialled in the UK");
	invalid(lm_check_uk_phone, "0044 151 233 3027",
		"\"0044 151 233 3027\" starts with 00, the code for calling abroad; give a UK "
		"number starting 0");
	invalid(lm_check_uk_phone, "+44 151 233 302",
		"\"+44 151 233 302\" has 10 digits; a number starting 01 needs 11 (0151 xxx xxxx)");
}

static void test_phone_long_text_is_cut(void **state)
{
	(void)state;
	char s[300], why[512];
	memset(s, '1', 200);
	s[0] = '0';
	s[200] = '\0';
	assert_int_equal(lm_check_uk_phone(s, why, sizeof(why)), -1);
	/* 60 bytes of the number, then "..." */
	char want[200];
	snprintf(want, sizeof(want), "\"0%.59s...\" has 200 digits; a number starting 01 needs "
		 "11 (0111 xxx xxxx)", s + 1);
	assert_string_equal(why, want);
	/* a small buffer is cut, still terminated; NULL is allowed */
	char tiny[8];
	assert_int_equal(lm_check_uk_phone("0151", tiny, sizeof(tiny)), -1);
	assert_string_equal(tiny, "\"0151\" ");
	assert_int_equal(lm_check_uk_phone("0151", NULL, 0), -1);
	assert_int_equal(lm_check_uk_phone(NULL, NULL, 0), -1);
}

static void test_phone_digits(void **state)
{
	(void)state;
	char out[LM_PHONE_MAX];
	assert_int_equal(lm_phone_digits("+44 (0)151 233 3027", out, sizeof(out)), 11);
	assert_string_equal(out, "01512333027");
	assert_int_equal(lm_phone_digits("(0151) 233-3027", out, sizeof(out)), 11);
	assert_string_equal(out, "01512333027");
	assert_int_equal(lm_phone_digits("116 123", out, sizeof(out)), 6);
	assert_string_equal(out, "116123");
	assert_int_equal(lm_phone_digits("0151 233 302", out, sizeof(out)), 10);
	/* cut short: the count is still the whole number's */
	char small[5];
	assert_int_equal(lm_phone_digits("0151 233 3027", small, sizeof(small)), 11);
	assert_string_equal(small, "0151");
	assert_int_equal(lm_phone_digits("0151 233 3O27", out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(lm_phone_digits("", out, sizeof(out)), -1);
	assert_int_equal(lm_phone_digits("+353 1 234", out, sizeof(out)), -1);
	/* numbers that differ only in how they are written compare equal */
	char a[LM_PHONE_MAX], b[LM_PHONE_MAX];
	lm_phone_digits("0151 233 3027", a, sizeof(a));
	lm_phone_digits("+44 151 2333 027", b, sizeof(b));
	assert_string_equal(a, b);
}

/* ---- email ---- */

static void test_email_valid(void **state)
{
	(void)state;
	valid(lm_check_email, "colette.o'brien@liverpool.gov.uk");
	valid(lm_check_email, "safeguarding@cheshirewestandchester.gov.uk");
	valid(lm_check_email, "first_last+tag@sub.example.org");
	valid(lm_check_email, "A.B-C@X-Y.CO.UK");
	valid(lm_check_email, "x@y.uk");
}

static void test_email_invalid(void **state)
{
	(void)state;
	invalid(lm_check_email, "x@y", "\"x@y\" has no dot after the \"@\"; it needs an ending "
		"such as .uk or .org");
	invalid(lm_check_email, "safeguarding.liverpool.gov.uk", "\"safeguarding.liverpool.gov.uk\" "
		"has no \"@\"; an email address looks like name@example.org");
	invalid(lm_check_email, "a@b@c.uk", "\"a@b@c.uk\" has 2 \"@\" signs; an email address has "
		"exactly one (one address to a cell)");
	invalid(lm_check_email, "@x.uk", "\"@x.uk\" has nothing before the \"@\"");
	invalid(lm_check_email, "x@", "\"x@\" has nothing after the \"@\"");
	invalid(lm_check_email, ".a@x.uk", "\".a@x.uk\" starts with a dot");
	invalid(lm_check_email, "a.@x.uk", "\"a.@x.uk\" has a dot just before the \"@\"");
	invalid(lm_check_email, "a..b@x.uk", "\"a..b@x.uk\" has two dots in a row before the \"@\"");
	invalid(lm_check_email, "colette.o\xE2\x80\x99" "brien@liverpool.gov.uk",
		"\"colette.o\xE2\x80\x99" "brien@liverpool.gov.uk\" has a curly apostrophe "
		"(\xE2\x80\x99); type a straight one (')");
	invalid(lm_check_email, "colette o'brien@x.uk", "\"colette o'brien@x.uk\" has a space in "
		"it; an email address has none");
	invalid(lm_check_email, "Careline <careline@x.uk>", "\"Careline <careline@x.uk>\" has a "
		"space in it; an email address has none");
	invalid(lm_check_email, "a\xC2\xA0" "b@x.uk", "\"a\xC2\xA0" "b@x.uk\" has a no-break space "
		"in it; an email address has none");
	invalid(lm_check_email, "mailto:a@x.uk", "\"mailto:a@x.uk\" starts with \"mailto:\"; write "
		"the address alone");
	invalid(lm_check_email, "a,b@x.uk", "\"a,b@x.uk\" has \",\" before the \"@\", where an "
		"email address cannot have it");
	invalid(lm_check_email, "a\"b@x.uk", "\"a\"b@x.uk\" has a double quote (\") before the "
		"\"@\", where an email address cannot have it");
	invalid(lm_check_email, "a@x.uk.", "\"a@x.uk.\" ends with a dot; leave it out");
	invalid(lm_check_email, "a@.x.uk", "\"a@.x.uk\" starts with a dot after the \"@\"");
	invalid(lm_check_email, "a@x..uk", "\"a@x..uk\" has two dots in a row after the \"@\"");
	invalid(lm_check_email, "a@-x.uk", "\"a@-x.uk\" has a part \"-x\" after the \"@\" that "
		"starts with a hyphen");
	invalid(lm_check_email, "a@x-.uk", "\"a@x-.uk\" has a part \"x-\" after the \"@\" that "
		"ends with a hyphen");
	invalid(lm_check_email, "a@x.u", "\"a@x.u\" ends in \".u\" after the \"@\"; it must end "
		"in two or more letters, such as .uk or .org");
	invalid(lm_check_email, "a@x.c0m", "\"a@x.c0m\" ends in \".c0m\" after the \"@\"; it must "
		"end in two or more letters, such as .uk or .org");
	invalid(lm_check_email, "a@x_y.uk", "\"a@x_y.uk\" has \"_\" after the \"@\", where only "
		"letters, digits, hyphens and dots may be");
	invalid(lm_check_email, "a@10.0.0.1", "\"a@10.0.0.1\" is a numeric (IP) address after the "
		"\"@\"; give the name, such as example.org");
	invalid(lm_check_email, "", "the email address is empty; give the address, or leave the "
		"column out");

	char local[80];
	memset(local, 'a', 65);
	strcpy(local + 65, "@x.uk");
	invalid(lm_check_email, local, "\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"...\" has 65 characters before the \"@\"; at most 64 are allowed");
	char label[100];
	strcpy(label, "a@");
	memset(label + 2, 'b', 64);
	strcpy(label + 66, ".uk");
	invalid(lm_check_email, label, "\"a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		"...\" has a part of 64 characters between dots after the \"@\"; at most 63 are "
		"allowed");
}

/* ---- web ---- */

static void test_web_valid(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"www.ceop.police.uk",
		"http://www.knowandsee.co.uk/#team",
		"http://www.paceuk.info/support-for-parents/advice-centre/",
		"www.knowaboutcse.co.uk/youngpeople",
		"www.listentomystory.co.uk",
		"www.knowaboutcse.co.uk/parents",
		"nspcc.org.uk",
		"https://www.nspcc.org.uk/keeping-children-safe/",
		"HTTPS://WWW.GOV.UK",
		"https://x.uk:8080/a?b=c&d=e#f",
		"https://x.uk?q",
		"www.x.uk/a%20b",
		"https://www.gov.uk/report-child-abuse",
		"www.x.uk/~name/(a),b;c=d:e@f!g$h'i*j+k",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		valid(lm_check_web, ok[i]);
}

static void test_web_invalid(void **state)
{
	(void)state;
	invalid(lm_check_web, "www..x.uk", "\"www..x.uk\" has two dots in a row in the site name");
	invalid(lm_check_web, "http:/x", "\"http:/x\" needs two slashes after \"http:\"; write "
		"http://");
	invalid(lm_check_web, "https:www.x.uk", "\"https:www.x.uk\" needs two slashes after "
		"\"https:\"; write https://");
	invalid(lm_check_web, "ceop police uk", "\"ceop police uk\" has a space in it; a web "
		"address has none");
	invalid(lm_check_web, "x@y", "\"x@y\" has an \"@\" in the site name; if it is an email "
		"address, put it where email addresses go");
	invalid(lm_check_web, "http//x.uk", "\"http//x.uk\" has no \":\" after \"http\"; write "
		"http://");
	invalid(lm_check_web, "ftp://x.uk", "\"ftp://x.uk\" is not a web address (it starts "
		"\"ftp:\"); a web address starts http://, https:// or with the site's name");
	invalid(lm_check_web, "htp://x.uk", "\"htp://x.uk\" is not a web address (it starts "
		"\"htp:\"); a web address starts http://, https:// or with the site's name (did you "
		"mean http?)");
	invalid(lm_check_web, "mailto:a@x.uk", "\"mailto:a@x.uk\" is an email address, not a web "
		"address");
	invalid(lm_check_web, "http://", "\"http://\" has no site name after \"http://\"");
	invalid(lm_check_web, "https:///x", "\"https:///x\" has no site name after \"https://\"");
	invalid(lm_check_web, "www", "\"www\" has no dot in the site name; it needs an ending such "
		"as .uk or .org");
	invalid(lm_check_web, "www.", "\"www.\" ends with a dot; leave it out");
	invalid(lm_check_web, "www.ceop.police.uk.", "\"www.ceop.police.uk.\" ends with a dot; "
		"leave it out");
	invalid(lm_check_web, ".x.uk", "\".x.uk\" starts with a dot in the site name");
	invalid(lm_check_web, "www.-x.uk", "\"www.-x.uk\" has a part \"-x\" in the site name that "
		"starts with a hyphen");
	invalid(lm_check_web, "www.x_y.uk", "\"www.x_y.uk\" has \"_\" in the site name, where only "
		"letters, digits, hyphens and dots may be");
	invalid(lm_check_web, "www.x.u", "\"www.x.u\" ends in \".u\" in the site name; it must end "
		"in two or more letters, such as .uk or .org");
	invalid(lm_check_web, "192.168.1.1", "\"192.168.1.1\" is a numeric (IP) address in the "
		"site name; give the name, such as example.org");
	invalid(lm_check_web, "x.uk:0", "\"x.uk:0\" has a port \"0\" after the \":\" that is not a "
		"number from 1 to 65535");
	invalid(lm_check_web, "x.uk:99999", "\"x.uk:99999\" has a port \"99999\" after the \":\" "
		"that is not a number from 1 to 65535");
	invalid(lm_check_web, "x.uk:", "\"x.uk:\" has a port \"\" after the \":\" that is not a "
		"number from 1 to 65535");
	invalid(lm_check_web, "x.uk:8a/", "\"x.uk:8a/\" has a port \"8a\" after the \":\" that is "
		"not a number from 1 to 65535");
	invalid(lm_check_web, "localhost:8080", "\"localhost:8080\" has no dot in the site name; it "
		"needs an ending such as .uk or .org");
	invalid(lm_check_web, "www.x.uk/a%2", "\"www.x.uk/a%2\" has a \"%\" that is not followed by "
		"two hex digits; write it as %25");
	invalid(lm_check_web, "www.x.uk/a#b#c", "\"www.x.uk/a#b#c\" has a second \"#\"; an address "
		"may have only one");
	invalid(lm_check_web, "www.x.uk\\help", "\"www.x.uk\\help\" has a backslash (\\) in it; a "
		"web address uses \"/\"");
	invalid(lm_check_web, "www.x.uk/<a>", "\"www.x.uk/<a>\" has \"<\" in it, which a web "
		"address cannot hold; copy the address from the browser's address bar");
	invalid(lm_check_web, "www.x.uk/caf\xC3\xA9", "\"www.x.uk/caf\xC3\xA9\" has \"\xC3\xA9\" in "
		"it, which a web address cannot hold; copy the address from the browser's address "
		"bar");
	invalid(lm_check_web, "www.x.uk/a\"b", "\"www.x.uk/a\"b\" has a double quote (\") in it, "
		"which a web address cannot hold; copy the address from the browser's address bar");
	invalid(lm_check_web, "", "the web address is empty; give the address, or leave the column "
		"out");
}

/* ---- dates ---- */

/* What UK Excel makes of a YYYY-MM-DD cell: read day first, with a reason
 * for a warning. */
static void test_date_excel_day_first(void **state)
{
	(void)state;
	char why[256];
	int y = 0, m = 0, d = 0;
	assert_int_equal(lm_check_date("17/03/2015", &y, &m, &d, why, sizeof(why)), 1);
	assert_int_equal(y, 2015);
	assert_int_equal(m, 3);
	assert_int_equal(d, 17);
	assert_string_equal(why, "\"17/03/2015\" is read as 17 March 2015 (day first, as UK Excel "
		"writes dates); write 2015-03-17 (Excel rewrites dates: format the column as text)");
	assert_int_equal(lm_check_date("1.11.2026", &y, &m, &d, why, sizeof(why)), 1);
	assert_int_equal(m, 11);
	assert_int_equal(d, 1);
	assert_string_equal(why, "\"1.11.2026\" is read as 1 November 2026 (day first, as UK Excel "
		"writes dates); write 2026-11-01 (Excel rewrites dates: format the column as text)");
	/* not a real day-first date: still an error */
	assert_int_equal(lm_check_date("03/17/2015", &y, &m, &d, why, sizeof(why)), -1);
	assert_string_equal(why, "\"03/17/2015\" has no month 17; write the date as YYYY-MM-DD, such "
		"as 2025-03-17");
}

static void test_phone_excel_number(void **state)
{
	(void)state;
	char why[256];
	assert_int_equal(lm_check_uk_phone("1.51233E+09", why, sizeof(why)), -1);
	assert_string_equal(why, "\"1.51233E+09\" is not a phone number: Excel turned this into a "
		"number (and dropped its last digits and its leading 0): format the column as text and "
		"type the number again");
	assert_int_equal(lm_check_uk_phone("7.7009E+9", why, sizeof(why)), -1);
	assert_int_equal(lm_check_uk_phone("1,51233e09", why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Excel turned this into a number"));
	/* a real number with an E in it is not taken for one */
	assert_int_equal(lm_check_uk_phone("0151 233 3027", why, sizeof(why)), 0);
}

static void test_date(void **state)
{
	(void)state;
	char why[256];
	int y = 0, m = 0, d = 0;
	assert_int_equal(lm_check_date("2026-11-01", &y, &m, &d, why, sizeof(why)), 0);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 11);
	assert_int_equal(d, 1);
	assert_string_equal(why, "");
	assert_int_equal(lm_check_date("2024-02-29", NULL, NULL, NULL, why, sizeof(why)), 0);
	assert_int_equal(lm_check_date("2000-02-29", NULL, NULL, NULL, NULL, 0), 0);

	static const struct {
		const char *in, *want;
	} bad[] = {
		{ "2025-02-29", "\"2025-02-29\" is not a real date: February 2025 has 28 days" },
		{ "1900-02-29", "\"1900-02-29\" is not a real date: February 1900 has 28 days" },
		{ "2026-04-31", "\"2026-04-31\" is not a real date: April 2026 has 30 days" },
		{ "2026-11-00", "\"2026-11-00\" is not a real date: November 2026 has 30 days" },
		{ "2026-13-01", "\"2026-13-01\" has no month 13; write the date as YYYY-MM-DD, such "
				"as 2025-03-17" },
		{ "2026-00-10", "\"2026-00-10\" has no month 0; write the date as YYYY-MM-DD, such as "
				"2025-03-17" },
		{ "2026-11-1", "\"2026-11-1\" needs two digits for the month and the day: write "
			       "2026-11-01" },
		{ "31/02/2026", "\"31/02/2026\" is not a real date: February 2026 has 28 days" },
		{ "46327", "\"46327\" looks like a date Excel turned into a number; format the column "
			   "as text and write the date as YYYY-MM-DD" },
		{ "1899-12-31", "\"1899-12-31\" has the year 1899; check the year" },
		{ "next week", "\"next week\" is not a date written YYYY-MM-DD, such as 2025-03-17" },
		{ "2026-11-01 ", "\"2026-11-01 \" is not a date written YYYY-MM-DD, such as 2025-03-17" },
		{ "20261-11-01", "\"20261-11-01\" is not a date written YYYY-MM-DD, such as 2025-03-17" },
		{ "2026-011-01", "\"2026-011-01\" is not a date written YYYY-MM-DD, such as 2025-03-17" },
		{ "", "the date is empty; write it as YYYY-MM-DD, such as 2025-03-17" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		y = -1;
		assert_int_equal(lm_check_date(bad[i].in, &y, &m, &d, why, sizeof(why)), -1);
		if (strcmp(why, bad[i].want))
			fail_msg("for \"%s\"\n  got:  %s\n  want: %s", bad[i].in, why, bad[i].want);
		assert_int_equal(y, -1); /* untouched on failure */
	}
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone_seeds),
		cmocka_unit_test(test_phone_valid_forms),
		cmocka_unit_test(test_phone_digit_counts),
		cmocka_unit_test(test_phone_digit_counts_all),
		cmocka_unit_test(test_phone_freephone),
		cmocka_unit_test(test_phone_costly),
		cmocka_unit_test(test_phone_short_numbers),
		cmocka_unit_test(test_phone_characters),
		cmocka_unit_test(test_phone_international),
		cmocka_unit_test(test_phone_long_text_is_cut),
		cmocka_unit_test(test_phone_digits),
		cmocka_unit_test(test_email_valid),
		cmocka_unit_test(test_email_invalid),
		cmocka_unit_test(test_web_valid),
		cmocka_unit_test(test_web_invalid),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_date_excel_day_first),
		cmocka_unit_test(test_phone_excel_number),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
