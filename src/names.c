/* names.c - see names.h. */
#include "names.h"

#include <string.h>

/* Each byte as it counts in a name: ASCII letters folded to lower case,
 * 0 for the ignored characters (and NUL): ' ', '_', '-', '(', ')', '[',
 * ']', '{', '}' and tab.  A table, as names are hashed on every look-up. */
static const unsigned char counted[256] = {
	  0,   1,   2,   3,   4,   5,   6,   7,   8,   0,  10,  11,  12,  13,  14,  15,
	 16,  17,  18,  19,  20,  21,  22,  23,  24,  25,  26,  27,  28,  29,  30,  31,
	  0,  33,  34,  35,  36,  37,  38,  39,   0,   0,  42,  43,  44,   0,  46,  47,
	 48,  49,  50,  51,  52,  53,  54,  55,  56,  57,  58,  59,  60,  61,  62,  63,
	 64,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
	112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0,  92,   0,  94,   0,
	 96,  97,  98,  99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
	112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122,   0, 124,   0, 126, 127,
	128, 129, 130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 140, 141, 142, 143,
	144, 145, 146, 147, 148, 149, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159,
	160, 161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175,
	176, 177, 178, 179, 180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191,
	192, 193, 194, 195, 196, 197, 198, 199, 200, 201, 202, 203, 204, 205, 206, 207,
	208, 209, 210, 211, 212, 213, 214, 215, 216, 217, 218, 219, 220, 221, 222, 223,
	224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239,
	240, 241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255,
};

int lm_name_ignored(int c)
{
	return c > 0 && c < 256 && !counted[c];
}


int lm_name_eq_n(const char *a, const char *b, size_t blen)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	const unsigned char *qend = q + blen;
	for (;;) {
		while (*p && !counted[*p])
			p++;
		while (q < qend && *q && !counted[*q])
			q++;
		int qdone = q == qend || !*q;
		if (!*p || qdone)
			return !*p && qdone;
		if (counted[*p] != counted[*q])
			return 0;
		p++, q++;
	}
}

unsigned lm_name_hash(const char *s, size_t len)
{
	/* FNV-1a over the characters that count, folded */
	unsigned h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)s, *end = p + len; p < end && *p; p++)
		if (counted[*p])
			h = (h ^ counted[*p]) * 16777619u;
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
		if (!counted[*p])
			continue;
		if (k + 1 < n)
			out[k] = (char)counted[*p];
		k++;
	}
	out[k < n ? k : n - 1] = '\0';
	return k;
}
