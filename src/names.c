/* names.c - see names.h. */
#include "names.h"

#include <string.h>

int lm_name_ignored(int c)
{
	return c == ' ' || c == '_' || c == '-' || c == '(' || c == ')' || c == '[' || c == ']' ||
	       c == '{' || c == '}' || c == '\t';
}

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int lm_name_eq_n(const char *a, const char *b, size_t blen)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	const unsigned char *qend = q + blen;
	for (;;) {
		while (*p && lm_name_ignored(*p))
			p++;
		while (q < qend && *q && lm_name_ignored(*q))
			q++;
		int qdone = q == qend || !*q;
		if (!*p || qdone)
			return !*p && qdone;
		if (fold(*p) != fold(*q))
			return 0;
		p++, q++;
	}
}

unsigned lm_name_hash(const char *s, size_t len)
{
	/* FNV-1a over the characters that count, folded */
	unsigned h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)s, *end = p + len; p < end && *p; p++)
		if (!lm_name_ignored(*p))
			h = (h ^ (unsigned)fold(*p)) * 16777619u;
	return h;
}

int lm_name_eq(const char *a, const char *b)
{
	return lm_name_eq_n(a, b, strlen(b));
}

size_t lm_name_key(const char *s, char *out, size_t n)
{
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (lm_name_ignored(*p))
			continue;
		if (k + 1 < n)
			out[k] = (char)fold(*p);
		k++;
	}
	out[k < n ? k : n - 1] = '\0';
	return k;
}
