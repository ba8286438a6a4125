/* validate.c - phone numbers, email and web addresses, dates, Windows-1252.
 * See validate.h.  Every reason is one line for a non-programmer: it quotes
 * what was typed, says what is wrong and what a right one looks like.
 */
#include "validate.h"

#include "date.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- reasons ---- */

static int fail(char *why, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t n, const char *fmt, ...)
{
	if (why && n) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int ok(char *why, size_t n)
{
	if (why && n)
		why[0] = '\0';
	return 0;
}

/* The text as typed, in double quotes, for a reason: control characters
 * become spaces (a cell may hold a line break), invalid UTF-8 becomes "?",
 * and more than 60 bytes are cut at a character boundary with "...". */
struct quoted {
	char s[80];
};

static const char *quote(struct quoted *q, const char *text)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)text;
	q->s[o++] = '"';
	while (*p) {
		uint32_t cp;
		int len = lm_utf8_decode((const char *)p, strnlen((const char *)p, 4), &cp);
		if (o + (len ? (size_t)len : 1) > 61) {
			memcpy(q->s + o, "...", 3);
			o += 3;
			break;
		}
		if (!len) {
			q->s[o++] = '?';
			p++;
		} else if (cp < 0x20 || cp == 0x7F) {
			q->s[o++] = ' ';
			p++;
		} else {
			memcpy(q->s + o, p, (size_t)len);
			o += (size_t)len;
			p += len;
		}
	}
	q->s[o++] = '"';
	q->s[o] = '\0';
	return q->s;
}

/* One character (at most one UTF-8 sequence) named for a reason. */
struct charname {
	char s[40];
};

static const char *name_char(struct charname *c, const char *p)
{
	uint32_t cp;
	int len = lm_utf8_decode(p, strnlen(p, 4), &cp);
	if (!len)
		snprintf(c->s, sizeof(c->s), "the byte 0x%02X, which is not UTF-8,", (unsigned char)*p);
	else if (cp == '\t')
		snprintf(c->s, sizeof(c->s), "a tab");
	else if (cp == '\n' || cp == '\r')
		snprintf(c->s, sizeof(c->s), "a line break");
	else if (cp < 0x20 || cp == 0x7F)
		snprintf(c->s, sizeof(c->s), "the control character U+%04X", (unsigned)cp);
	else if (cp == 0xA0 || cp == 0x202F || cp == 0x2007)
		snprintf(c->s, sizeof(c->s), "a no-break space");
	else if (cp == '"')
		snprintf(c->s, sizeof(c->s), "a double quote (\")");
	else
		snprintf(c->s, sizeof(c->s), "\"%.*s\"", len, p);
	return c->s;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int starts_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower((unsigned char)*s) != *prefix)
			return 0;
	return 1;
}

/* A space of any kind: the reason for it is the same. */
static int space_len(const char *p)
{
	uint32_t cp;
	int len = lm_utf8_decode(p, strnlen(p, 4), &cp);
	if (len && (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 ||
		    cp == 0x2007 || cp == 0x202F))
		return len;
	return 0;
}

/* ---- phone numbers ---- */

enum phone_err {
	PH_OK,
	PH_EMPTY,      /* nothing but separators */
	PH_CHAR,       /* a character a number cannot hold, at `bad` */
	PH_COUNTRY,    /* + and a country code other than 44 */
	PH_INTL_ZERO,  /* +44 0151 ... */
	PH_OPEN,       /* ( never closed */
	PH_CLOSE,      /* ) never opened */
	PH_NESTED,     /* ( inside ( */
};

struct phone {
	char digits[LM_PHONE_MAX];
	int ndigits;          /* every digit, also those past the buffer */
	int intl;             /* written +44 */
	enum phone_err err;
	const char *bad;      /* PH_CHAR: the character */
	int digits_before;    /* PH_CHAR: digits seen before it */
	char country[8];      /* PH_COUNTRY: the code */
};

/* Separators a number may hold: length of the one at p, or 0. */
static int phone_sep(const char *p)
{
	uint32_t cp;
	int len = lm_utf8_decode(p, strnlen(p, 4), &cp);
	if (!len)
		return 0;
	if (cp == ' ' || cp == '-' || cp == 0xA0 || cp == 0x202F || cp == 0x2007 ||
	    (cp >= 0x2010 && cp <= 0x2013))
		return len;
	return 0;
}

static void phone_add(struct phone *ph, char c)
{
	if (ph->ndigits < LM_PHONE_MAX - 1)
		ph->digits[ph->ndigits] = c;
	ph->ndigits++;
}

static enum phone_err phone_scan(const char *s, struct phone *ph)
{
	const char *p = s ? s : "";
	int depth = 0, len;
	memset(ph, 0, sizeof(*ph));
	while ((len = phone_sep(p)) > 0)
		p += len;
	if (*p == '+') {
		const char *q = p + 1;
		while (*q == ' ')
			q++;
		if (q[0] == '4' && q[1] == '4') {
			ph->intl = 1;
			p = q + 2;
			while ((len = phone_sep(p)) > 0)
				p += len;
			if (!strncmp(p, "(0)", 3)) {
				p += 3;
			} else {
				const char *r = p;
				while (*r == '(' || phone_sep(r))
					r += *r == '(' ? 1 : phone_sep(r);
				if (*r == '0')
					return ph->err = PH_INTL_ZERO;
			}
			phone_add(ph, '0');
		} else if (is_digit((unsigned char)*q)) {
			int i = 0;
			while (is_digit((unsigned char)q[i]) && i < 3)
				ph->country[i] = q[i], i++;
			return ph->err = PH_COUNTRY;
		}
		/* else a lone "+": reported as a stray character below */
	}
	for (; *p; p += len) {
		if (is_digit((unsigned char)*p)) {
			phone_add(ph, *p);
			len = 1;
		} else if ((len = phone_sep(p)) > 0) {
			continue;
		} else if (*p == '(') {
			if (depth)
				return ph->err = PH_NESTED;
			depth = 1;
			len = 1;
		} else if (*p == ')') {
			if (!depth)
				return ph->err = PH_CLOSE;
			depth = 0;
			len = 1;
		} else {
			ph->bad = p;
			ph->digits_before = ph->ndigits;
			return ph->err = PH_CHAR;
		}
	}
	if (depth)
		return ph->err = PH_OPEN;
	ph->digits[ph->ndigits < LM_PHONE_MAX - 1 ? ph->ndigits : LM_PHONE_MAX - 1] = '\0';
	if (!ph->ndigits)
		return ph->err = PH_EMPTY;
	return PH_OK;
}

int lm_phone_digits(const char *s, char *out, size_t n)
{
	struct phone ph;
	if (phone_scan(s, &ph) != PH_OK) {
		if (n)
			out[0] = '\0';
		return -1;
	}
	if (n) {
		size_t k = strlen(ph.digits);
		if (k > n - 1)
			k = n - 1;
		memcpy(out, ph.digits, k);
		out[k] = '\0';
	}
	return ph.ndigits;
}

/* 01 area codes that still have some five-digit local numbers, so some of
 * their numbers have 10 digits in all (Ofcom's numbering plan, as encoded in
 * libphonenumber's metadata for GB); and 016977, which has four-digit ones. */
static const char *const ten_digit_codes[] = {
	"01204", "01208", "01254", "01276", "01297", "01298", "01363", "01364",
	"01384", "01386", "01404", "01420", "01460", "01461", "01480", "01488",
	"01524", "01527", "01562", "01566", "01606", "01629", "01635", "01647",
	"01659", "01695", "01726", "01744", "01750", "01768", "01827", "01837",
	"01884", "01900", "01905", "01935", "01946", "01949", "01963", "01995",
	"016977",
};

static const char *ten_digit_code(const char *d)
{
	for (size_t i = 0; i < sizeof(ten_digit_codes) / sizeof(ten_digit_codes[0]); i++)
		if (!strncmp(d, ten_digit_codes[i], strlen(ten_digit_codes[i])))
			return ten_digit_codes[i];
	return NULL;
}

/* "0151 xxx xxxx": the code, a space, then `local` x's grouped as the
 * number's own local part would be (7 as 3+4, 8 as 4+4, else one block). */
static void shape(char *out, size_t n, const char *code, size_t codelen, int local)
{
	char x[16];
	int k = 0;
	for (int i = 0; i < local && k < 14; i++) {
		if ((local == 7 && i == 3) || (local == 8 && i == 4))
			x[k++] = ' ';
		x[k++] = 'x';
	}
	x[k] = '\0';
	snprintf(out, n, "%.*s %s", (int)codelen, code, x);
}

/* The reason a number of the right kind has the wrong number of digits.
 * `want` and `alt` are the digit counts allowed (alt 0: just one);
 * `code`/`codelen` the area code shown in the example shape. */
static int wrong_count(char *why, size_t n, const char *shown, int have, const char *start,
		       int want, int alt, const char *code, size_t codelen)
{
	char a[48], b[48];
	shape(a, sizeof(a), code, codelen, want - (int)codelen);
	if (alt) {
		shape(b, sizeof(b), code, codelen, alt - (int)codelen);
		return fail(why, n, "%s has %d digit%s; a number starting %s needs %d or %d (%s or %s)",
			    shown, have, have == 1 ? "" : "s", start, alt, want, b, a);
	}
	return fail(why, n, "%s has %d digit%s; a number starting %s needs %d (%s)", shown, have,
		    have == 1 ? "" : "s", start, want, a);
}

static const char pay_more[] = "families cannot be asked to pay to report abuse, so give the "
			       "service's 01, 02, 03 or 0800 number";

/* Judges the digits of a number that scanned cleanly. */
static int phone_judge(const struct phone *ph, const char *s, const char *shown, char *why,
		       size_t n)
{
	const char *d = ph->digits;
	int len = ph->ndigits;

	if (d[0] != '0') {
		static const char *const shorts[] = { "999", "112", "101", "111", "105" };
		for (size_t i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
			if (!strncmp(d, shorts[i], 3)) {
				if (len == 3)
					return ok(why, n);
				/* 1011 is a typo of 101; 151 233 3027 lost its 0 */
				if (len < 9)
					return fail(why, n, "%s has %d digits; the short number %s has 3",
						    shown, len, shorts[i]);
			}
		}
		if (!strncmp(d, "116", 3) && len < 9) {
			if (len == 6)
				return ok(why, n);
			return fail(why, n, "%s has %d digit%s; a number starting 116 needs 6 (116 xxx)",
				    shown, len, len == 1 ? "" : "s");
		}
		if (len == 9 || len == 10) {
			/* Excel drops the 0 from a number typed without spaces */
			struct phone with0 = *ph;
			char tmp[LM_PHONE_MAX + 1];
			tmp[0] = '0';
			memcpy(tmp + 1, d, (size_t)len + 1);
			memcpy(with0.digits, tmp, (size_t)len + 2);
			with0.ndigits = len + 1;
			if (phone_judge(&with0, NULL, "", NULL, 0) == 0)
				return fail(why, n, "%s does not start with 0; if it is 0%s, type the 0 "
					    "(Excel drops a leading 0 from a number: format the column as text)",
					    shown, d);
		}
		return fail(why, n, "%s is not a UK phone number: it must start with 0, or be a short "
			    "number such as 999, 101, 111 or 116 123", shown);
	}
	if (len < 2)
		return fail(why, n, "%s has 1 digit; a UK phone number has 11 digits, or is a short "
			    "number such as 999 or 101", shown);

	switch (d[1]) {
	case '0':
		return fail(why, n, "%s starts with 00, the code for calling abroad; give a UK number "
			    "starting 0", shown);
	case '1': {
		const char *ten = ten_digit_code(d);
		if (len == 11 || (len == 10 && ten))
			return ok(why, n);
		if (ten)
			return wrong_count(why, n, shown, len, "01", 11, 10, ten, 5);
		/* 011x and 01x1 are three-digit codes with seven-digit numbers */
		if (len >= 4 && (d[2] == '1' || d[3] == '1'))
			return wrong_count(why, n, shown, len, "01", 11, 0, d, 4);
		if (len >= 5)
			return wrong_count(why, n, shown, len, "01", 11, 0, d, 5);
		return wrong_count(why, n, shown, len, "01", 11, 0, "01xxx", 5);
	}
	case '2':
		if (len == 11)
			return ok(why, n);
		return wrong_count(why, n, shown, len, "02", 11, 0, len >= 3 ? d : "02x", 3);
	case '3':
		if (len >= 3 && d[2] != '0' && d[2] != '3' && d[2] != '4' && d[2] != '7')
			return fail(why, n, "%s: numbers starting 03%c are not in use; check the number "
				    "with the service", shown, d[2]);
		if (len == 11)
			return ok(why, n);
		return wrong_count(why, n, shown, len, "03", 11, 0, len >= 4 ? d : "03xx", 4);
	case '4':
	case '6':
		return fail(why, n, "%s: numbers starting 0%c are not in use in the UK; check the "
			    "number with the service", shown, d[1]);
	case '5':
		if (!strncmp(d, "0500", 4))
			return fail(why, n, "%s: 0500 freephone numbers were switched off in 2017; ask "
				    "the service for its new number", shown);
		return fail(why, n, "%s: 05 numbers are company or internet numbers that may cost "
			    "extra; %s", shown, pay_more);
	case '7':
		if (len >= 3 && d[2] == '0')
			return fail(why, n, "%s: 070 numbers are personal numbers that cost up to premium "
				    "rate (they are not mobiles); %s", shown, pay_more);
		if (len >= 3 && d[2] == '6' && strncmp(d, "07624", 5))
			return fail(why, n, "%s: 076 numbers are pagers, which cannot take a call; give "
				    "a number where families can speak to someone", shown);
		if (len == 11)
			return ok(why, n);
		return wrong_count(why, n, shown, len, "07", 11, 0, len >= 5 ? d : "07xxx", 5);
	case '8':
		if (len >= 3 && (d[2] == '4' || d[2] == '7'))
			return fail(why, n, "%s: 08%c numbers cost extra to call; %s", shown, d[2],
				    pay_more);
		if (!strncmp(d, "0800", 4) || (len < 4 && !strncmp(d, "080", (size_t)len))) {
			if (len == 10 || len == 11 || !strcmp(d, "08001111"))
				return ok(why, n);
			return wrong_count(why, n, shown, len, "0800", 11, 10, "0800", 4);
		}
		if (!strncmp(d, "0808", 4)) {
			if (len == 11)
				return ok(why, n);
			return wrong_count(why, n, shown, len, "0808", 11, 0, "0808", 4);
		}
		if (len >= 3 && d[2] == '0')
			return fail(why, n, "%s: numbers starting %.4s are not in use; a freephone "
				    "number starts 0800 or 0808", shown, d);
		return fail(why, n, "%s: numbers starting 08%c are not in use; check the number with "
			    "the service", shown, d[2]);
	case '9':
		return fail(why, n, "%s: 09 numbers are premium rate; %s", shown, pay_more);
	}
	(void)s;
	return -1; /* not reached: d[1] is a digit */
}

/* 1.51233E+09: how Excel shows (and a CSV save keeps) a long number in
 * a cell formatted as a number. */
static int excel_scientific(const char *s)
{
	const char *p = s;
	if (!is_digit((unsigned char)*p))
		return 0;
	p++;
	if (*p == '.' || *p == ',') {
		p++;
		if (!is_digit((unsigned char)*p))
			return 0;
		while (is_digit((unsigned char)*p))
			p++;
	}
	if (*p != 'E' && *p != 'e')
		return 0;
	p++;
	if (*p == '+')
		p++;
	if (!is_digit((unsigned char)*p))
		return 0;
	while (is_digit((unsigned char)*p))
		p++;
	return !*p;
}

int lm_check_uk_phone(const char *s, char *why, size_t n)
{
	struct phone ph;
	struct quoted q;
	struct charname c;
	const char *shown = quote(&q, s ? s : "");

	if (s && excel_scientific(s))
		return fail(why, n, "%s is not a phone number: Excel turned this into a number "
			    "(and dropped its last digits and its leading 0): format the column as "
			    "text and type the number again", shown);
	switch (phone_scan(s, &ph)) {
	case PH_OK:
		break;
	case PH_EMPTY:
		if (!s || !*s)
			return fail(why, n, "the phone number is empty; give the number, or leave "
				    "the column out");
		return fail(why, n, "%s has no digits; give the service's phone number", shown);
	case PH_CHAR: {
		const char *b = ph.bad;
		int ch = (unsigned char)*b;
		const char *hint = "";
		if ((ch == 'O' || ch == 'o') &&
			 ((b > s && is_digit((unsigned char)b[-1])) || is_digit((unsigned char)b[1])))
			hint = " (a letter O typed for a zero?)";
		else if ((ch == 'l' || ch == 'I') &&
			 ((b > s && is_digit((unsigned char)b[-1])) || is_digit((unsigned char)b[1])))
			hint = " (a letter typed for the digit 1?)";
		else if (ph.digits_before >= 9)
			hint = " (one number to a cell, with no notes after it)";
		if (is_alpha(ch))
			return fail(why, n, "%s has the letter \"%c\" in it%s; a phone number may hold "
				    "only digits, spaces, hyphens and brackets", shown, ch, hint);
		return fail(why, n, "%s has %s in it%s; a phone number may hold only digits, spaces, "
			    "hyphens and brackets", shown, name_char(&c, b), hint);
	}
	case PH_COUNTRY:
		return fail(why, n, "%s is not a UK number (+%s is not +44); give a UK number families "
			    "can call", shown, ph.country);
	case PH_INTL_ZERO:
		return fail(why, n, "%s has a 0 straight after +44; leave that 0 out, or write the "
			    "number starting 0 as it is dialled in the UK", shown);
	case PH_OPEN:
		return fail(why, n, "%s has a \"(\" with no \")\" to close it", shown);
	case PH_CLOSE:
		return fail(why, n, "%s has a \")\" with no \"(\" before it", shown);
	case PH_NESTED:
		return fail(why, n, "%s has brackets inside brackets; bracket only the area code, "
			    "as in (0151) xxx xxxx", shown);
	}
	return phone_judge(&ph, s, shown, why, n);
}

/* ---- host names (email domains and web sites) ---- */

static int host_char(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-';
}

/* Checks `len` bytes of `h`, a host name.  `shown` is the whole text, quoted;
 * `where` says which part the host is ("after the \"@\"", "in the site name"). */
static int check_host(const char *h, size_t len, const char *shown, const char *where,
		      char *why, size_t n)
{
	struct charname c;
	size_t i, start = 0, labels = 0;
	int numeric = 1;

	if (len == 0)
		return fail(why, n, "%s has nothing %s", shown, where);
	if (len > 253)
		return fail(why, n, "%s has more than 253 characters %s; check it", shown, where);
	for (i = 0; i <= len; i++) {
		if (i < len && h[i] != '.') {
			int ch = (unsigned char)h[i];
			if (!host_char(ch)) {
				uint32_t cp;
				int l = lm_utf8_decode(h + i, strnlen(h + i, 4), &cp);
				if (l > 1 && i + (size_t)l <= len)
					return fail(why, n, "%s has %s %s, where only letters a-z, digits, "
						    "hyphens and dots may be (use the name's xn-- form)",
						    shown, name_char(&c, h + i), where);
				return fail(why, n, "%s has %s %s, where only letters, digits, hyphens "
					    "and dots may be", shown, name_char(&c, h + i), where);
			}
			if (!is_digit(ch))
				numeric = 0;
			continue;
		}
		/* a label ends at i */
		size_t l = i - start;
		if (l == 0) {
			if (start == 0)
				return fail(why, n, "%s starts with a dot %s", shown, where);
			if (i == len)
				return fail(why, n, "%s ends with a dot; leave it out", shown);
			return fail(why, n, "%s has two dots in a row %s", shown, where);
		}
		if (l > 63)
			return fail(why, n, "%s has a part of %zu characters between dots %s; at most 63 "
				    "are allowed", shown, l, where);
		if (h[start] == '-' || h[i - 1] == '-')
			return fail(why, n, "%s has a part \"%.*s\" %s that %s with a hyphen", shown,
				    (int)(l > 40 ? 40 : l), h + start, where,
				    h[start] == '-' ? "starts" : "ends");
		labels++;
		start = i + 1;
	}
	if (labels < 2)
		return fail(why, n, "%s has no dot %s; it needs an ending such as .uk or .org", shown,
			    where);
	/* the last label runs from the last dot to the end */
	const char *tld = h + len;
	while (tld > h && tld[-1] != '.')
		tld--;
	size_t tlen = (size_t)(h + len - tld);
	if (numeric)
		return fail(why, n, "%s is a numeric (IP) address %s; give the name, such as "
			    "example.org", shown, where);
	for (i = 0; i < tlen; i++)
		if (!is_alpha((unsigned char)tld[i]))
			break;
	if (i < tlen || tlen < 2)
		return fail(why, n, "%s ends in \".%.*s\" %s; it must end in two or more letters, "
			    "such as .uk or .org", shown, (int)(tlen > 20 ? 20 : tlen), tld, where);
	return 0;
}

/* ---- email ---- */

static int atext(int c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

int lm_check_email(const char *s, char *why, size_t n)
{
	struct quoted q;
	struct charname c;
	const char *shown, *at = NULL;
	int nat = 0;
	size_t i, len;

	if (!s || !*s)
		return fail(why, n, "the email address is empty; give the address, or leave the "
			    "column out");
	shown = quote(&q, s);
	len = strlen(s);
	for (i = 0; i < len; i++) {
		if (space_len(s + i))
			return fail(why, n, "%s has %s in it; an email address has none", shown,
				    s[i] == ' ' ? "a space" : name_char(&c, s + i));
		if (s[i] == '@') {
			if (!at)
				at = s + i;
			nat++;
		}
	}
	if (starts_nocase(s, "mailto:"))
		return fail(why, n, "%s starts with \"mailto:\"; write the address alone", shown);
	if (!nat)
		return fail(why, n, "%s has no \"@\"; an email address looks like name@example.org",
			    shown);
	if (nat > 1)
		return fail(why, n, "%s has %d \"@\" signs; an email address has exactly one (one "
			    "address to a cell)", shown, nat);

	size_t llen = (size_t)(at - s);
	if (!llen)
		return fail(why, n, "%s has nothing before the \"@\"", shown);
	if (llen > 64)
		return fail(why, n, "%s has %zu characters before the \"@\"; at most 64 are allowed",
			    shown, llen);
	if (s[0] == '.')
		return fail(why, n, "%s starts with a dot", shown);
	if (s[llen - 1] == '.')
		return fail(why, n, "%s has a dot just before the \"@\"", shown);
	for (i = 0; i < llen; i++) {
		int ch = (unsigned char)s[i];
		if (ch == '.' && s[i + 1] == '.')
			return fail(why, n, "%s has two dots in a row before the \"@\"", shown);
		if (ch == '.' || atext(ch))
			continue;
		if (!strncmp(s + i, "\xE2\x80\x98", 3) || !strncmp(s + i, "\xE2\x80\x99", 3))
			return fail(why, n, "%s has a curly apostrophe (%.3s); type a straight one (')",
				    shown, s + i);
		return fail(why, n, "%s has %s before the \"@\", where an email address cannot have "
			    "it", shown, name_char(&c, s + i));
	}
	if (check_host(at + 1, len - llen - 1, shown, "after the \"@\"", why, n))
		return -1;
	return ok(why, n);
}

/* ---- web addresses ---- */

static int unreserved(int c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int url_char(int c)
{
	/* unreserved, sub-delims, and the delimiters a path, query or fragment
	 * may hold; '%' and '#' are checked by the caller */
	return unreserved(c) || (c && strchr("!$&'()*+,;=:@/?", c));
}

static int hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int lm_check_web(const char *s, char *why, size_t n)
{
	struct quoted q;
	struct charname c;
	const char *shown, *p;
	size_t i, len;

	if (!s || !*s)
		return fail(why, n, "the web address is empty; give the address, or leave the "
			    "column out");
	shown = quote(&q, s);
	len = strlen(s);
	for (i = 0; i < len; i++) {
		if (space_len(s + i))
			return fail(why, n, "%s has %s in it; a web address has none", shown,
				    s[i] == ' ' ? "a space" : name_char(&c, s + i));
		if (s[i] == '\\')
			return fail(why, n, "%s has a backslash (\\) in it; a web address uses \"/\"",
				    shown);
	}

	/* the scheme */
	p = s;
	if (starts_nocase(s, "http//") || starts_nocase(s, "https//"))
		return fail(why, n, "%s has no \":\" after \"%.*s\"; write %.*s://", shown,
			    s[4] == '/' ? 4 : 5, s, s[4] == '/' ? 4 : 5, s);
	for (i = 0; is_alpha((unsigned char)s[i]) || (i && (is_digit((unsigned char)s[i]) ||
							     s[i] == '+' || s[i] == '-')); i++)
		;
	if (i > 0 && s[i] == ':') {
		/* "name:" is a scheme unless it is a host and port (x:8080) */
		size_t k = i + 1;
		while (is_digit((unsigned char)s[k]))
			k++;
		int port = k > i + 1 && (s[k] == '\0' || s[k] == '/' || s[k] == '?' || s[k] == '#');
		if (!port) {
			if ((i == 4 && starts_nocase(s, "http")) || (i == 5 && starts_nocase(s, "https"))) {
				if (s[i + 1] != '/' || s[i + 2] != '/')
					return fail(why, n, "%s needs two slashes after \"%.*s:\"; write "
						    "%.*s://", shown, (int)i, s, (int)i, s);
				p = s + i + 3;
				if (!*p || *p == '/' || *p == '?' || *p == '#')
					return fail(why, n, "%s has no site name after \"%.*s://\"",
						    shown, (int)i, s);
			} else if (i == 6 && starts_nocase(s, "mailto")) {
				return fail(why, n, "%s is an email address, not a web address", shown);
			} else {
				return fail(why, n, "%s is not a web address (it starts \"%.*s:\"); a web "
					    "address starts http://, https:// or with the site's name%s",
					    shown, (int)(i > 20 ? 20 : i), s,
					    lower((unsigned char)s[0]) == 'h' ? " (did you mean http?)" : "");
			}
		}
	}

	/* the host and port */
	size_t hlen = strcspn(p, "/?#");
	const char *colon = memchr(p, ':', hlen);
	const char *atsign = memchr(p, '@', hlen);
	if (atsign)
		return fail(why, n, "%s has an \"@\" in the site name; if it is an email address, "
			    "put it where email addresses go", shown);
	size_t host_len = colon ? (size_t)(colon - p) : hlen;
	if (check_host(p, host_len, shown, "in the site name", why, n))
		return -1;
	if (colon) {
		const char *port = colon + 1;
		size_t plen = hlen - host_len - 1;
		unsigned long v = 0;
		size_t k;
		for (k = 0; k < plen && is_digit((unsigned char)port[k]); k++)
			if (v < 100000)
				v = v * 10 + (unsigned long)(port[k] - '0');
		if (!plen || k < plen || v == 0 || v > 65535)
			return fail(why, n, "%s has a port \"%.*s\" after the \":\" that is not a number "
				    "from 1 to 65535", shown, (int)(plen > 20 ? 20 : plen), port);
	}

	/* the path, query and fragment */
	int hashes = 0;
	for (p += hlen; *p; p++) {
		int ch = (unsigned char)*p;
		if (ch == '%') {
			if (!hex((unsigned char)p[1]) || !hex((unsigned char)p[2]))
				return fail(why, n, "%s has a \"%%\" that is not followed by two hex "
					    "digits; write it as %%25", shown);
			continue;
		}
		if (ch == '#') {
			if (hashes++)
				return fail(why, n, "%s has a second \"#\"; an address may have only one",
					    shown);
			continue;
		}
		if (url_char(ch))
			continue;
		return fail(why, n, "%s has %s in it, which a web address cannot hold; copy the "
			    "address from the browser's address bar", shown, name_char(&c, p));
	}
	return ok(why, n);
}

/* ---- dates ---- */

/* Reads 1 to `max` digits at *p into *v; returns how many. */
static int digits(const char **p, int max, int *v)
{
	int k = 0;
	*v = 0;
	while (k < max && is_digit((unsigned char)(*p)[k]))
		*v = *v * 10 + ((*p)[k] - '0'), k++;
	if (is_digit((unsigned char)(*p)[k]))
		return 0; /* too many */
	*p += k;
	return k;
}

static int real_date(const char *shown, int y, int m, int d, char *why, size_t n)
{
	if (y < 1900)
		return fail(why, n, "%s has the year %d; check the year", shown, y);
	if (m < 1 || m > 12)
		return fail(why, n, "%s has no month %d; write the date as YYYY-MM-DD, such as "
			    "2025-03-17", shown, m);
	if (d < 1 || d > lm_date_days_in_month(y, m))
		return fail(why, n, "%s is not a real date: %s %d has %d days", shown,
			    lm_date_month_name(m), y, lm_date_days_in_month(y, m));
	return 0;
}

int lm_check_date(const char *s, int *y, int *m, int *d, char *why, size_t n)
{
	struct quoted q;
	const char *shown, *p;
	int yy, mm, dd, ky, km, kd;

	if (!s || !*s)
		return fail(why, n, "the date is empty; write it as YYYY-MM-DD, such as 2025-03-17");
	shown = quote(&q, s);

	/* YYYY-MM-DD, or Y-M-D with short parts */
	p = s;
	ky = digits(&p, 4, &yy);
	if (ky == 4 && *p == '-') {
		p++;
		km = digits(&p, 2, &mm);
		if (km && *p == '-') {
			p++;
			kd = digits(&p, 2, &dd);
			if (kd && !*p) {
				if (real_date(shown, yy, mm, dd, why, n))
					return -1;
				if (km == 2 && kd == 2) {
					if (y)
						*y = yy;
					if (m)
						*m = mm;
					if (d)
						*d = dd;
					return ok(why, n);
				}
				return fail(why, n, "%s needs two digits for the month and the day: "
					    "write %04d-%02d-%02d", shown, yy, mm, dd);
			}
		}
	}

	/* DD/MM/YYYY (or with - or .): how Excel in the UK saves a date cell */
	p = s;
	kd = digits(&p, 2, &dd);
	if (kd && (*p == '/' || *p == '-' || *p == '.')) {
		char sep = *p++;
		km = digits(&p, 2, &mm);
		if (km && *p == sep) {
			p++;
			ky = digits(&p, 4, &yy);
			if (ky == 4 && !*p) {
				if (real_date(shown, yy, mm, dd, why, n))
					return -1;
				if (y)
					*y = yy;
				if (m)
					*m = mm;
				if (d)
					*d = dd;
				fail(why, n, "%s is read as %d %s %d (day first, as UK Excel writes "
				     "dates); write %04d-%02d-%02d (Excel rewrites dates: format the "
				     "column as text)", shown, dd, lm_date_month_name(mm), yy, yy, mm, dd);
				return 1;
			}
		}
	}

	/* Excel's day count, when a date cell was saved as a number */
	p = s;
	if (digits(&p, 5, &dd) == 5 && !*p)
		return fail(why, n, "%s looks like a date Excel turned into a number; format the "
			    "column as text and write the date as YYYY-MM-DD", shown);
	return fail(why, n, "%s is not a date written YYYY-MM-DD, such as 2025-03-17", shown);
}
