/* utf8.c - see utf8.h. */
#include "utf8.h"

#include "buf.h"

int lm_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (!n)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	int len;
	uint32_t c, min;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, c = s[0] & 0x1F, min = 0x80;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, c = s[0] & 0x0F, min = 0x800;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates and values past Unicode are invalid */
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

size_t lm_utf8_check(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		/* runs of ASCII are most of any text */
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		uint32_t cp;
		int n = lm_utf8_decode(s + i, len - i, &cp);
		if (!n)
			return i;
		i += (size_t)n;
	}
	return len;
}

int lm_utf8_encode(uint32_t cp, char out[4])
{
	if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

void lm_utf8_add(struct lm_buf *b, uint32_t cp)
{
	char u[4];
	int n = cp ? lm_utf8_encode(cp, u) : 0;
	if (!n)
		n = lm_utf8_encode(0xFFFD, u);
	lm_buf_add(b, u, (size_t)n);
}

size_t lm_utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}

/* ---- Windows-1252 ---- */

/* 0x80-0x9F; 0 where Windows-1252 defines nothing. */
static const unsigned short cp1252_high[32] = {
	0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
	0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

unsigned lm_cp1252_code_point(unsigned char c)
{
	return c < 0x80 || c >= 0xA0 ? c : cp1252_high[c - 0x80];
}

int lm_cp1252_to_utf8(const char *in, size_t len, struct lm_buf *out)
{
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && (unsigned char)in[j] < 0x80)
			j++;
		if (j > i)
			lm_buf_add(out, in + i, j - i);
		if (j == len)
			break;
		unsigned cp = lm_cp1252_code_point((unsigned char)in[j]);
		if (!cp)
			return -1;
		lm_utf8_add(out, cp);
		i = j + 1;
	}
	return 0;
}

/* ---- UTF-16 ---- */

static unsigned unit(const unsigned char *p, int be)
{
	return be ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

int lm_utf16_to_utf8(const unsigned char *in, size_t len, int be, int final,
		     struct lm_buf *out, size_t *used)
{
	size_t i = 0;
	int rc = 0;
	while (i + 2 <= len) {
		unsigned u = unit(in + i, be);
		if (u < 0x80) {
			/* a NUL stays a NUL, so the reader can point at it */
			lm_buf_addc(out, (char)u);
			i += 2;
			continue;
		}
		if (u >= 0xDC00 && u <= 0xDFFF) {
			rc = -1;
			break;
		}
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (i + 4 > len) {
				if (final)
					rc = -1;
				break;
			}
			unsigned lo = unit(in + i + 2, be);
			if (lo < 0xDC00 || lo > 0xDFFF) {
				rc = -1;
				break;
			}
			lm_utf8_add(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
			i += 4;
			continue;
		}
		lm_utf8_add(out, u);
		i += 2;
	}
	if (!rc && final && i < len)
		rc = -1;
	*used = i;
	return rc;
}

int lm_is_default_ignorable(uint32_t cp)
{
	/* DerivedCoreProperties.txt, Default_Ignorable_Code_Point */
	return cp == 0x00AD || cp == 0x034F || cp == 0x061C || cp == 0x115F || cp == 0x1160 ||
	       cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x180B && cp <= 0x180F) ||
	       (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2060 && cp <= 0x206F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
	       cp == 0xFEFF || cp == 0xFFA0 || (cp >= 0xFFF0 && cp <= 0xFFF8) ||
	       (cp >= 0x1BCA0 && cp <= 0x1BCA3) || (cp >= 0x1D173 && cp <= 0x1D17A) ||
	       (cp >= 0xE0000 && cp <= 0xE0FFF);
}

int lm_utf8_is_blank(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		int k = lm_utf8_decode(s + i, len - i, &cp);
		if (!k || !(cp == ' ' || cp == '\t' || cp == '\r' || cp == '\n' || lm_is_default_ignorable(cp)))
			return 0;
		i += (size_t)k;
	}
	return 1;
}
