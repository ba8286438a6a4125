#include "pdfr.h"
#include "utf8.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* Bounds for hostile input.  Real letters are far inside all of them. */
#define MAX_DEPTH 64                /* nesting of arrays and dictionaries */
#define MAX_OBJNUM 8388607LL        /* ISO 32000-1 Annex C: indirect objects */
#define MAX_SECTIONS 4096           /* cross-reference sections (revisions) */
#define MAX_DECODED (128u << 20)    /* bytes a stream may decode to */
#define MAX_FILTERS 8               /* filters in one stream's chain */
#define MAX_REF_DEPTH 8             /* /Length -> object -> ... */
#define OBJSTM_CACHE 64             /* decoded object streams kept */

/* ------------------------------------------------------------------ */
/* objects                                                              */

void lm_pobj_free(struct lm_pobj *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->nkids; i++)
		lm_pobj_free(o->kids[i]);
	free(o->kids);
	free(o->s);
	free(o);
}

const struct lm_pobj *lm_pobj_get(const struct lm_pobj *dict, const char *key)
{
	if (!dict || (dict->kind != LM_PK_DICT && dict->kind != LM_PK_STREAM))
		return NULL;
	for (size_t i = 0; i + 1 < dict->nkids; i += 2)
		if (!strcmp(dict->kids[i]->s, key))
			return dict->kids[i + 1];
	return NULL;
}

int lm_pobj_is_name(const struct lm_pobj *o, const char *name)
{
	return o && o->kind == LM_PK_NAME && !strcmp(o->s, name);
}

int lm_pobj_is_type(const struct lm_pobj *o, const char *type)
{
	return lm_pobj_is_name(lm_pobj_get(o, "Type"), type);
}

/* PDFDocEncoding 0x80..0x9F (ISO 32000-1 Annex D); the rest is Latin-1. */
static const unsigned short pdfdoc_80[32] = {
	0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039, 0x203A, 0x2212,
	0x2030, 0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141,
	0x0152, 0x0160, 0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E, 0xFFFD,
};

static size_t put_utf8(char *out, size_t at, size_t n, unsigned long c)
{
	char tmp[4];
	int k = c <= 0x10FFFF ? lm_utf8_encode((uint32_t)c, tmp) : 0;
	if (!k)
		k = lm_utf8_encode(0xFFFD, tmp);
	if (at + (size_t)k >= n)
		return at;
	memcpy(out + at, tmp, (size_t)k);
	return at + (size_t)k;
}

int lm_pobj_text(const struct lm_pobj *o, char *out, size_t n)
{
	if (!n)
		return -1;
	out[0] = '\0';
	if (!o || o->kind != LM_PK_STRING)
		return -1;
	const unsigned char *s = (const unsigned char *)o->s;
	size_t at = 0;
	if (o->n >= 2 && s[0] == 0xFE && s[1] == 0xFF) {
		for (size_t i = 2; i + 1 < o->n; i += 2) {
			unsigned long c = (unsigned long)s[i] << 8 | s[i + 1];
			if (c >= 0xD800 && c < 0xDC00 && i + 3 < o->n) {
				unsigned long lo = (unsigned long)s[i + 2] << 8 | s[i + 3];
				if (lo >= 0xDC00 && lo < 0xE000) {
					c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
					i += 2;
				} else {
					c = 0xFFFD;
				}
			} else if (c >= 0xD800 && c < 0xE000) {
				c = 0xFFFD;
			}
			at = put_utf8(out, at, n, c ? c : 0xFFFD);
		}
	} else {
		for (size_t i = 0; i < o->n; i++) {
			unsigned long c = s[i];
			if (c >= 0x80 && c < 0xA0)
				c = pdfdoc_80[c - 0x80];
			at = put_utf8(out, at, n, c ? c : 0xFFFD);
		}
	}
	out[at] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* the tokenizer and object parser                                      */

struct parser {
	const char *p; /* the buffer */
	size_t len;
	size_t pos;
	int in_objstm;
	struct lm_diag *d;
};

static int is_ws(int c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int is_delim(int c)
{
	return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
	       c == '}' || c == '/' || c == '%';
}

static int is_regular(int c)
{
	return !is_ws(c) && !is_delim(c);
}

static void skip_ws(struct parser *P)
{
	while (P->pos < P->len) {
		int c = (unsigned char)P->p[P->pos];
		if (is_ws(c)) {
			P->pos++;
		} else if (c == '%') {
			while (P->pos < P->len && P->p[P->pos] != '\n' && P->p[P->pos] != '\r')
				P->pos++;
		} else {
			break;
		}
	}
}

static int fail(struct parser *P, const char *what)
{
	lm_diag_set(P->d, NULL, 0, 0, "the PDF is damaged: %s at byte %zu", what, P->pos);
	return -1;
}

/* The regular characters at P->pos (a keyword or a number), not consumed. */
static size_t word_len(const struct parser *P)
{
	size_t k = P->pos;
	while (k < P->len && is_regular((unsigned char)P->p[k]))
		k++;
	return k - P->pos;
}

static int word_is(const struct parser *P, const char *kw)
{
	size_t n = strlen(kw);
	return word_len(P) == n && !memcmp(P->p + P->pos, kw, n);
}

static struct lm_pobj *new_obj(struct parser *P, enum lm_pk kind, size_t pos)
{
	struct lm_pobj *o = lm_xcalloc(1, sizeof(*o));
	o->kind = kind;
	o->pos = pos;
	o->end = pos;
	o->in_objstm = P->in_objstm;
	return o;
}

static void add_kid(struct lm_pobj *o, struct lm_pobj *k, size_t *alloc)
{
	LM_ALLOC_GROW(o->kids, o->nkids + 1, *alloc);
	o->kids[o->nkids++] = k;
}

/* A number token: 0 with *is_int and the value, or -1 if it is not one. */
static int scan_number(const char *s, size_t n, int *is_int, long long *iv, double *rv)
{
	size_t k = 0;
	int neg = 0, digits = 0, dot = 0;
	if (k < n && (s[k] == '+' || s[k] == '-'))
		neg = s[k++] == '-';
	long long whole = 0;
	double frac = 0, scale = 1;
	int overflow = 0;
	for (; k < n; k++) {
		char c = s[k];
		if (c == '.' && !dot) {
			dot = 1;
		} else if (c >= '0' && c <= '9') {
			digits++;
			if (dot) {
				scale /= 10;
				frac += (c - '0') * scale;
			} else if (whole > (LLONG_MAX - 9) / 10) {
				overflow = 1;
			} else {
				whole = whole * 10 + (c - '0');
			}
		} else {
			return -1;
		}
	}
	if (!digits)
		return -1;
	*is_int = !dot && !overflow;
	*iv = neg ? -whole : whole;
	*rv = (neg ? -1 : 1) * ((double)whole + frac);
	if (overflow)
		*rv = neg ? -1e18 : 1e18;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static struct lm_pobj *parse_literal(struct parser *P)
{
	struct lm_pobj *o = new_obj(P, LM_PK_STRING, P->pos);
	struct lm_buf b = LM_BUF_INIT;
	size_t nest = 1;
	P->pos++;
	while (P->pos < P->len) {
		unsigned char c = (unsigned char)P->p[P->pos++];
		if (c == '(') {
			nest++;
		} else if (c == ')') {
			if (!--nest)
				break;
		} else if (c == '\r') {
			/* an end of line in a string is a line feed, whatever its bytes */
			if (P->pos < P->len && P->p[P->pos] == '\n')
				P->pos++;
			c = '\n';
		} else if (c == '\\') {
			if (P->pos >= P->len)
				break;
			c = (unsigned char)P->p[P->pos++];
			switch (c) {
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case '\r':
				if (P->pos < P->len && P->p[P->pos] == '\n')
					P->pos++;
				continue;
			case '\n':
				continue;
			default:
				if (c >= '0' && c <= '7') {
					int v = c - '0';
					for (int k = 0; k < 2 && P->pos < P->len && P->p[P->pos] >= '0' &&
							P->p[P->pos] <= '7'; k++)
						v = v * 8 + (P->p[P->pos++] - '0');
					c = (unsigned char)(v & 0xFF);
				}
			}
		}
		lm_buf_addc(&b, (char)c);
	}
	if (nest) {
		lm_buf_release(&b);
		free(o);
		fail(P, "a string with no closing ')'");
		return NULL;
	}
	o->s = lm_buf_detach(&b, &o->n);
	o->end = P->pos;
	return o;
}

static struct lm_pobj *parse_hex(struct parser *P)
{
	struct lm_pobj *o = new_obj(P, LM_PK_STRING, P->pos);
	struct lm_buf b = LM_BUF_INIT;
	int hi = -1;
	P->pos++;
	while (P->pos < P->len && P->p[P->pos] != '>') {
		int c = (unsigned char)P->p[P->pos++];
		if (is_ws(c))
			continue;
		int v = hexval(c);
		if (v < 0) {
			lm_buf_release(&b);
			free(o);
			P->pos--;
			fail(P, "a hex string with a character that is not hex");
			return NULL;
		}
		if (hi < 0) {
			hi = v;
		} else {
			lm_buf_addc(&b, (char)(hi << 4 | v));
			hi = -1;
		}
	}
	if (P->pos >= P->len) {
		lm_buf_release(&b);
		free(o);
		fail(P, "a hex string with no closing '>'");
		return NULL;
	}
	P->pos++;
	if (hi >= 0)
		lm_buf_addc(&b, (char)(hi << 4));
	o->s = lm_buf_detach(&b, &o->n);
	o->end = P->pos;
	return o;
}

static struct lm_pobj *parse_name(struct parser *P)
{
	struct lm_pobj *o = new_obj(P, LM_PK_NAME, P->pos);
	struct lm_buf b = LM_BUF_INIT;
	P->pos++;
	while (P->pos < P->len && is_regular((unsigned char)P->p[P->pos])) {
		char c = P->p[P->pos++];
		if (c == '#' && P->pos + 1 < P->len && hexval((unsigned char)P->p[P->pos]) >= 0 &&
		    hexval((unsigned char)P->p[P->pos + 1]) >= 0) {
			c = (char)(hexval((unsigned char)P->p[P->pos]) << 4 |
				   hexval((unsigned char)P->p[P->pos + 1]));
			P->pos += 2;
		}
		lm_buf_addc(&b, c);
	}
	o->s = lm_buf_detach(&b, &o->n);
	o->end = P->pos;
	return o;
}

static struct lm_pobj *parse_value(struct parser *P, int depth);

/* An array or a dictionary; P->pos at '[' or '<<'. */
static struct lm_pobj *parse_container(struct parser *P, int depth, int dict)
{
	struct lm_pobj *o = new_obj(P, dict ? LM_PK_DICT : LM_PK_ARRAY, P->pos);
	size_t alloc = 0;
	if (depth >= MAX_DEPTH) {
		free(o);
		fail(P, "arrays or dictionaries nested too deeply");
		return NULL;
	}
	P->pos += dict ? 2 : 1;
	for (;;) {
		skip_ws(P);
		if (P->pos >= P->len) {
			fail(P, dict ? "a dictionary with no closing '>>'" : "an array with no closing ']'");
			goto bad;
		}
		if (!dict && P->p[P->pos] == ']') {
			P->pos++;
			break;
		}
		if (dict && P->p[P->pos] == '>') {
			if (P->pos + 1 >= P->len || P->p[P->pos + 1] != '>') {
				fail(P, "a '>' where '>>' was expected");
				goto bad;
			}
			P->pos += 2;
			break;
		}
		if (dict) {
			if (P->p[P->pos] != '/') {
				fail(P, "a dictionary key that is not a name");
				goto bad;
			}
			add_kid(o, parse_name(P), &alloc);
			skip_ws(P);
			if (P->pos < P->len && P->p[P->pos] == '>') {
				/* a key without a value: read as null, as other readers do */
				add_kid(o, new_obj(P, LM_PK_NULL, P->pos), &alloc);
				continue;
			}
		}
		struct lm_pobj *v = parse_value(P, depth + 1);
		if (!v)
			goto bad;
		add_kid(o, v, &alloc);
	}
	o->end = P->pos;
	if (dict) {
		/* a key given twice: the first counts, as lm_pobj_get finds it */
		return o;
	}
	return o;
bad:
	lm_pobj_free(o);
	return NULL;
}

static struct lm_pobj *parse_value(struct parser *P, int depth)
{
	skip_ws(P);
	if (P->pos >= P->len) {
		fail(P, "the end of the data where an object was expected");
		return NULL;
	}
	char c = P->p[P->pos];
	size_t start = P->pos;
	if (c == '/')
		return parse_name(P);
	if (c == '(')
		return parse_literal(P);
	if (c == '[')
		return parse_container(P, depth, 0);
	if (c == '<')
		return P->pos + 1 < P->len && P->p[P->pos + 1] == '<' ? parse_container(P, depth, 1)
								 : parse_hex(P);
	size_t n = word_len(P);
	if (!n) {
		fail(P, "an unexpected character where an object was expected");
		return NULL;
	}
	if (word_is(P, "true") || word_is(P, "false")) {
		struct lm_pobj *o = new_obj(P, LM_PK_BOOL, start);
		o->i = P->p[P->pos] == 't';
		P->pos += n;
		o->end = P->pos;
		return o;
	}
	if (word_is(P, "null")) {
		struct lm_pobj *o = new_obj(P, LM_PK_NULL, start);
		P->pos += n;
		o->end = P->pos;
		return o;
	}
	int is_int;
	long long iv;
	double rv;
	if (scan_number(P->p + P->pos, n, &is_int, &iv, &rv)) {
		fail(P, "an unknown keyword where an object was expected");
		return NULL;
	}
	P->pos += n;
	if (is_int && iv >= 0) {
		/* "num gen R" is a reference */
		size_t save = P->pos;
		skip_ws(P);
		size_t n2 = word_len(P);
		int i2;
		long long gen;
		double r2;
		if (n2 && !scan_number(P->p + P->pos, n2, &i2, &gen, &r2) && i2 && gen >= 0 &&
		    gen <= 65535) {
			P->pos += n2;
			skip_ws(P);
			if (word_is(P, "R")) {
				P->pos++;
				struct lm_pobj *o = new_obj(P, LM_PK_REF, start);
				o->i = iv;
				o->gen = (int)gen;
				o->end = P->pos;
				return o;
			}
		}
		P->pos = save;
	}
	struct lm_pobj *o = new_obj(P, is_int ? LM_PK_INT : LM_PK_REAL, start);
	o->i = is_int ? iv : (long long)rv;
	o->r = rv;
	o->end = P->pos;
	return o;
}

struct lm_pobj *lm_pdfr_parse_object(const char *data, size_t len, size_t *pos, struct lm_diag *d)
{
	struct parser P = { data, len, *pos, 0, d };
	struct lm_pobj *o = parse_value(&P, 0);
	if (o)
		*pos = P.pos;
	return o;
}

/* ------------------------------------------------------------------ */
/* sets of numbers                                                      */

static size_t hash_num(long long v, size_t cap)
{
	unsigned long long x = (unsigned long long)v * 0x9E3779B97F4A7C15ULL;
	return (size_t)(x >> 17) & (cap - 1);
}

int lm_numset_add(struct lm_numset *s, long long num)
{
	if (lm_numset_has(s, num))
		return 0;
	if ((s->n + 1) * 2 > s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		long long *slot = lm_xmalloc(cap * sizeof(*slot));
		for (size_t i = 0; i < cap; i++)
			slot[i] = -1;
		for (size_t i = 0; i < s->cap; i++) {
			if (s->slot[i] < 0)
				continue;
			size_t h = hash_num(s->slot[i], cap);
			while (slot[h] >= 0)
				h = (h + 1) & (cap - 1);
			slot[h] = s->slot[i];
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	size_t h = hash_num(num, s->cap);
	while (s->slot[h] >= 0)
		h = (h + 1) & (s->cap - 1);
	s->slot[h] = num;
	s->n++;
	return 1;
}

int lm_numset_has(const struct lm_numset *s, long long num)
{
	if (!s->cap || num < 0)
		return 0;
	size_t h = hash_num(num, s->cap);
	while (s->slot[h] >= 0) {
		if (s->slot[h] == num)
			return 1;
		h = (h + 1) & (s->cap - 1);
	}
	return 0;
}

void lm_numset_release(struct lm_numset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->cap = s->n = 0;
}

/* ------------------------------------------------------------------ */
/* documents                                                            */

struct xent {
	long long num;
	unsigned char type;  /* 0 free, 1 at offset a (gen b), 2 in object stream a at index b */
	unsigned long long a;
	unsigned long b;
	size_t order;        /* for a stable sort: the first entry for a number wins */
};

struct section {
	struct lm_pdfr_rev rev;
	struct lm_pobj *trailer;
	struct xent *ent;     /* sorted by number */
	size_t nent;
	struct xent *stm;     /* a hybrid's /XRefStm entries, consulted after ent */
	size_t nstm;
	size_t parse_end;     /* the end of the section's bytes */
};

struct objstm {
	unsigned long long at; /* file offset of the object stream (0: unused) */
	long long num;
	struct lm_buf data;
	long long n, first;
	long long *hdr;        /* the header, parsed once: number, offset, number... */
	size_t nhdr;           /* pairs read (fewer than n when the header is short) */
	unsigned long use;
};

struct lm_pdfr {
	const char *data;
	size_t len;
	struct section *sec; /* oldest first */
	size_t nsec;
	struct objstm cache[OBJSTM_CACHE];
	unsigned long tick;
	int depth;           /* nested look-ups (/Length of a stream in an object stream...) */
};

static const char *memfind(const char *hay, size_t n, const char *needle, size_t m)
{
	if (m > n)
		return NULL;
	for (size_t i = 0; i + m <= n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

static const char *memrfind(const char *hay, size_t n, const char *needle, size_t m)
{
	if (m > n)
		return NULL;
	for (size_t i = n - m + 1; i-- > 0;)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

static int xent_cmp(const void *a, const void *b)
{
	const struct xent *x = a, *y = b;
	if (x->num != y->num)
		return x->num < y->num ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static const struct xent *find_ent(const struct xent *e, size_t n, long long num)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && e[lo].num == num ? &e[lo] : NULL;
}

static void sort_ents(struct xent *e, size_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), xent_cmp);
}

struct lm_pdfr_loc lm_pdfr_locate(const struct lm_pdfr *r, size_t rev, long long num)
{
	struct lm_pdfr_loc loc = { LM_PDFR_ABSENT, 0, 0, 0 };
	if (rev >= r->nsec)
		rev = r->nsec - 1;
	for (size_t k = rev + 1; k-- > 0;) {
		const struct section *s = &r->sec[k];
		const struct xent *e = find_ent(s->ent, s->nent, num);
		if (!e || (e->type == 0 && s->nstm)) {
			/* hybrid: objects the table leaves out are in its stream */
			const struct xent *e2 = find_ent(s->stm, s->nstm, num);
			if (e2)
				e = e2;
		}
		if (!e)
			continue;
		loc.rev = k;
		loc.where = e->type == 0 ? LM_PDFR_FREE : e->type == 1 ? LM_PDFR_AT : LM_PDFR_IN_OBJSTM;
		loc.a = e->a;
		loc.b = e->b;
		return loc;
	}
	return loc;
}

/* ---- decoding ---- */

static int inflate_into(const char *src, size_t n, struct lm_buf *out, struct lm_diag *d)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return lm_diag_set(d, NULL, 0, 0, "cannot start decompressing a stream");
	z.next_in = (Bytef *)(uintptr_t)src;
	int rc = Z_OK;
	size_t start = out->len;
	while (rc != Z_STREAM_END) {
		size_t in_left = n - (size_t)((const char *)z.next_in - src);
		z.avail_in = in_left > UINT_MAX ? UINT_MAX : (uInt)in_left;
		if (out->len - start >= MAX_DECODED) {
			inflateEnd(&z);
			return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged or hostile: a stream "
					   "decompresses to more than %u MB", MAX_DECODED >> 20);
		}
		lm_buf_grow(out, 65536);
		z.next_out = (Bytef *)out->ptr + out->len;
		z.avail_out = 65536;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len += 65536 - z.avail_out;
		if (rc == Z_BUF_ERROR && z.avail_in == 0)
			break; /* truncated: keep what came out, as readers do */
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			inflateEnd(&z);
			return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: a compressed stream "
					   "cannot be decompressed (%s)", z.msg ? z.msg : "zlib error");
		}
		if (rc == Z_BUF_ERROR && z.avail_out != 0)
			break;
	}
	out->ptr[out->len] = '\0';
	inflateEnd(&z);
	return 0;
}

static long long dict_int(const struct lm_pobj *dict, const char *key, long long def)
{
	const struct lm_pobj *v = lm_pobj_get(dict, key);
	return v && v->kind == LM_PK_INT ? v->i : def;
}

/* Undoes a /Predictor (PNG 10..15, or TIFF 2 for 8-bit samples) in place. */
static int unpredict(struct lm_buf *b, const struct lm_pobj *parms, struct lm_diag *d)
{
	long long pred = dict_int(parms, "Predictor", 1);
	if (pred == 1)
		return 0;
	long long colors = dict_int(parms, "Colors", 1), bpc = dict_int(parms, "BitsPerComponent", 8),
		  cols = dict_int(parms, "Columns", 1);
	if (colors < 1 || colors > 32 || (bpc != 1 && bpc != 2 && bpc != 4 && bpc != 8 && bpc != 16) ||
	    cols < 1 || cols > (1 << 24))
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: a stream's /DecodeParms are "
				   "out of range");
	size_t bpp = (size_t)((colors * bpc + 7) / 8);
	size_t row = (size_t)((colors * bpc * cols + 7) / 8);
	unsigned char *p = (unsigned char *)b->ptr;
	if (pred == 2) {
		if (bpc != 8)
			return lm_diag_set(d, NULL, 0, 0, "a TIFF predictor with %lld bits per "
					   "component is not supported", bpc);
		for (size_t r0 = 0; r0 + row <= b->len; r0 += row)
			for (size_t i = bpp; i < row; i++)
				p[r0 + i] = (unsigned char)(p[r0 + i] + p[r0 + i - bpp]);
		return 0;
	}
	if (pred < 10 || pred > 15)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: unknown /Predictor %lld", pred);
	if (row >= b->len) { /* not one whole row */
		b->len = 0;
		b->ptr[0] = '\0';
		return 0;
	}
	unsigned char *prev = lm_xcalloc(row, 1);
	size_t in = 0, outp = 0;
	while (in + 1 + row <= b->len) {
		int type = p[in++];
		unsigned char *cur = p + in;
		for (size_t i = 0; i < row; i++) {
			unsigned a = i >= bpp ? cur[i - bpp] : 0, up = prev[i],
				 c = i >= bpp ? prev[i - bpp] : 0;
			unsigned x = cur[i];
			switch (type) {
			case 0: break;
			case 1: x += a; break;
			case 2: x += up; break;
			case 3: x += (a + up) / 2; break;
			case 4: {
				int pa = abs((int)up - (int)c), pb = abs((int)a - (int)c),
				    pc = abs((int)a + (int)up - 2 * (int)c);
				x += (pa <= pb && pa <= pc) ? a : pb <= pc ? up : c;
				break;
			}
			default:
				free(prev);
				return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: PNG row filter %d",
						   type);
			}
			cur[i] = (unsigned char)x;
		}
		memcpy(prev, cur, row);
		memmove(p + outp, cur, row);
		outp += row;
		in += row;
	}
	free(prev);
	b->len = outp;
	b->ptr[b->len] = '\0';
	return 0;
}

/* Undoes a stream's filters; `data` is its raw bytes. */
static int decode(const struct lm_pobj *filter, const struct lm_pobj *parms, const char *data,
		  size_t n, struct lm_buf *out, struct lm_diag *d)
{
	const struct lm_pobj *one[1];
	const struct lm_pobj *const *filters = one;
	size_t nf = 0;
	if (!filter || filter->kind == LM_PK_NULL) {
		lm_buf_add(out, data, n);
		return 0;
	}
	if (filter->kind == LM_PK_NAME) {
		one[0] = filter;
		nf = 1;
	} else if (filter->kind == LM_PK_ARRAY) {
		filters = (const struct lm_pobj *const *)filter->kids;
		nf = filter->nkids;
	} else {
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: a stream's /Filter is not a name");
	}
	if (nf > MAX_FILTERS)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged or hostile: %zu filters on one "
				   "stream", nf);
	struct lm_buf cur = LM_BUF_INIT, next = LM_BUF_INIT;
	lm_buf_add(&cur, data, n);
	int rc = 0;
	for (size_t i = 0; i < nf && !rc; i++) {
		const struct lm_pobj *p = parms;
		if (parms && parms->kind == LM_PK_ARRAY)
			p = i < parms->nkids ? parms->kids[i] : NULL;
		if (!lm_pobj_is_name(filters[i], "FlateDecode") && !lm_pobj_is_name(filters[i], "Fl")) {
			rc = 1;
			lm_diag_set(d, NULL, 0, 0, "the stream filter /%s is not decoded by this reader",
				    filters[i]->kind == LM_PK_NAME ? filters[i]->s : "?");
			break;
		}
		lm_buf_reset(&next);
		rc = inflate_into(cur.ptr, cur.len, &next, d);
		if (!rc && p && p->kind == LM_PK_DICT)
			rc = unpredict(&next, p, d);
		struct lm_buf t = cur;
		cur = next;
		next = t;
	}
	if (!rc)
		lm_buf_add(out, cur.ptr, cur.len);
	lm_buf_release(&cur);
	lm_buf_release(&next);
	return rc;
}

/* ---- indirect objects ---- */

static int get_at(struct lm_pdfr *r, size_t rev, unsigned long long off, long long want_num,
		  struct lm_pobj **out, struct lm_diag *d);

/* The length of a stream: a direct /Length, or one looked up at `rev`. */
static long long stream_length(struct lm_pdfr *r, size_t rev, const struct lm_pobj *dict)
{
	const struct lm_pobj *v = lm_pobj_get(dict, "Length");
	if (v && v->kind == LM_PK_INT)
		return v->i;
	if (!v || v->kind != LM_PK_REF || !r || r->depth >= MAX_REF_DEPTH)
		return -1;
	struct lm_pobj *o = NULL;
	struct lm_diag ignore;
	lm_diag_clear(&ignore);
	r->depth++;
	int rc = lm_pdfr_get(r, rev, v->i, &o, &ignore);
	r->depth--;
	long long n = !rc && o->kind == LM_PK_INT ? o->i : -1;
	lm_pobj_free(o);
	return n;
}

/* Reads the stream data after a dictionary: P->pos just after "stream". */
static int read_stream(struct lm_pdfr *r, size_t rev, struct parser *P, struct lm_pobj *o)
{
	size_t at = P->pos;
	if (at < P->len && P->p[at] == '\r')
		at++;
	if (at < P->len && P->p[at] == '\n')
		at++;
	long long n = stream_length(r, rev, o);
	/* trust /Length only when "endstream" follows it; else find the keyword */
	int ok = 0;
	if (n >= 0 && (unsigned long long)n <= P->len - at) {
		size_t e = at + (size_t)n;
		while (e < P->len && is_ws((unsigned char)P->p[e]))
			e++;
		ok = P->len - e >= 9 && !memcmp(P->p + e, "endstream", 9);
	}
	if (!ok) {
		const char *k = memfind(P->p + at, P->len - at, "endstream", 9);
		if (!k) {
			P->pos = at;
			return fail(P, "a stream with no 'endstream'");
		}
		size_t e = (size_t)(k - P->p);
		if (e > at && P->p[e - 1] == '\n')
			e--;
		if (e > at && P->p[e - 1] == '\r')
			e--;
		n = (long long)(e - at);
	}
	o->kind = LM_PK_STREAM;
	o->data = P->p + at;
	o->data_len = (size_t)n;
	P->pos = at + (size_t)n;
	skip_ws(P);
	if (word_is(P, "endstream"))
		P->pos += 9;
	return 0;
}

/* "num gen obj VALUE [stream ... endstream] endobj" at P->pos. */
static struct lm_pobj *parse_indirect(struct lm_pdfr *r, size_t rev, struct parser *P,
				      long long want_num)
{
	skip_ws(P);
	int is_int;
	long long num, gen;
	double rv;
	size_t n = word_len(P);
	if (!n || scan_number(P->p + P->pos, n, &is_int, &num, &rv) || !is_int) {
		fail(P, "no object where the cross-reference table points");
		return NULL;
	}
	P->pos += n;
	skip_ws(P);
	n = word_len(P);
	if (!n || scan_number(P->p + P->pos, n, &is_int, &gen, &rv) || !is_int) {
		fail(P, "no object where the cross-reference table points");
		return NULL;
	}
	P->pos += n;
	skip_ws(P);
	if (!word_is(P, "obj")) {
		fail(P, "no 'obj' where the cross-reference table points");
		return NULL;
	}
	P->pos += 3;
	if (want_num >= 0 && num != want_num) {
		lm_diag_set(P->d, NULL, 0, 0, "the PDF is damaged: the cross-reference table says "
			    "object %lld is at byte %zu, but object %lld is there", want_num, P->pos, num);
		return NULL;
	}
	struct lm_pobj *o = parse_value(P, 0);
	if (!o)
		return NULL;
	skip_ws(P);
	if (o->kind == LM_PK_DICT && word_is(P, "stream")) {
		P->pos += 6;
		if (read_stream(r, rev, P, o)) {
			lm_pobj_free(o);
			return NULL;
		}
	}
	return o;
}

static int get_at(struct lm_pdfr *r, size_t rev, unsigned long long off, long long want_num,
		  struct lm_pobj **out, struct lm_diag *d)
{
	*out = NULL;
	if (off >= r->len)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object %lld is said to be at "
				   "byte %llu, past the end of the file (%zu bytes)", want_num, off, r->len);
	struct parser P = { r->data, r->len, (size_t)off, 0, d };
	*out = parse_indirect(r, rev, &P, want_num);
	return *out ? 0 : -1;
}

/* A decoded object stream, from the cache or read now. */
static struct objstm *load_objstm(struct lm_pdfr *r, size_t rev, long long num, struct lm_diag *d)
{
	struct lm_pdfr_loc loc = lm_pdfr_locate(r, rev, num);
	if (loc.where != LM_PDFR_AT) {
		lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object stream %lld is missing", num);
		return NULL;
	}
	struct objstm *slot = &r->cache[0];
	for (size_t i = 0; i < OBJSTM_CACHE; i++) {
		struct objstm *c = &r->cache[i];
		if (c->at == loc.a + 1) {
			c->use = ++r->tick;
			return c;
		}
		if (c->use < slot->use)
			slot = c;
	}
	struct lm_pobj *o = NULL;
	if (get_at(r, rev, loc.a, num, &o, d))
		return NULL;
	struct objstm *res = NULL;
	if (o->kind != LM_PK_STREAM || !lm_pobj_is_type(o, "ObjStm")) {
		lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object %lld is not an object stream", num);
		goto done;
	}
	long long n = dict_int(o, "N", -1), first = dict_int(o, "First", -1);
	if (n < 0 || first < 0 || n > MAX_OBJNUM) {
		lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object stream %lld has no valid /N "
			    "or /First", num);
		goto done;
	}
	lm_buf_reset(&slot->data);
	slot->at = 0;
	if (decode(lm_pobj_get(o, "Filter"), lm_pobj_get(o, "DecodeParms"), o->data, o->data_len,
		   &slot->data, d))
		goto done;
	if ((unsigned long long)first > slot->data.len) {
		lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object stream %lld is shorter than "
			    "its /First", num);
		goto done;
	}
	/* the header: "number offset" pairs, read once for every look-up */
	free(slot->hdr);
	slot->hdr = NULL;
	slot->nhdr = 0;
	{
		struct parser P = { slot->data.ptr, (size_t)first, 0, 1, d };
		size_t cap = (size_t)first / 4 + 1; /* a pair takes at least 4 bytes */
		if ((unsigned long long)n < cap)
			cap = (size_t)n;
		slot->hdr = lm_xmalloc((cap ? cap : 1) * 2 * sizeof(*slot->hdr));
		while (slot->nhdr < cap) {
			long long v[2];
			int k;
			for (k = 0; k < 2; k++) {
				skip_ws(&P);
				size_t wn = word_len(&P);
				int is_int;
				double rv;
				if (!wn || scan_number(P.p + P.pos, wn, &is_int, &v[k], &rv) || !is_int || v[k] < 0)
					break;
				P.pos += wn;
			}
			if (k < 2)
				break;
			slot->hdr[2 * slot->nhdr] = v[0];
			slot->hdr[2 * slot->nhdr + 1] = v[1];
			slot->nhdr++;
		}
	}
	slot->at = loc.a + 1;
	slot->num = num;
	slot->n = n;
	slot->first = first;
	slot->use = ++r->tick;
	res = slot;
done:
	lm_pobj_free(o);
	return res;
}

static int get_in_objstm(struct lm_pdfr *r, size_t rev, long long stm, unsigned long idx,
			 long long num, struct lm_pobj **out, struct lm_diag *d)
{
	*out = NULL;
	if (stm == num || r->depth >= MAX_REF_DEPTH)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object %lld is in an object "
				   "stream that cannot be read", num);
	r->depth++;
	struct objstm *c = load_objstm(r, rev, stm, d);
	r->depth--;
	if (!c)
		return -1;
	if ((long long)idx >= c->n)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object %lld is said to be number "
				   "%lu in object stream %lld, which holds %lld", num, idx, stm, c->n);
	if (idx >= c->nhdr)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object stream %lld has a bad header",
				   stm);
	long long onum = c->hdr[2 * idx], ooff = c->hdr[2 * idx + 1];
	if (onum != num)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object stream %lld holds object "
				   "%lld where object %lld was expected", stm, onum, num);
	if ((unsigned long long)ooff > c->data.len - (size_t)c->first)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: object %lld is past the end of "
				   "object stream %lld", num, stm);
	struct parser P = { c->data.ptr, c->data.len, (size_t)(c->first + ooff), 1, d };
	*out = parse_value(&P, 0);
	return *out ? 0 : -1;
}

int lm_pdfr_get(struct lm_pdfr *r, size_t rev, long long num, struct lm_pobj **out,
		struct lm_diag *d)
{
	*out = NULL;
	struct lm_pdfr_loc loc = lm_pdfr_locate(r, rev, num);
	if (loc.where == LM_PDFR_ABSENT || loc.where == LM_PDFR_FREE)
		return 1;
	if (loc.where == LM_PDFR_AT)
		return get_at(r, rev, loc.a, num, out, d);
	return get_in_objstm(r, rev, (long long)loc.a, loc.b, num, out, d);
}

const struct lm_pobj *lm_pdfr_deref(struct lm_pdfr *r, size_t rev, const struct lm_pobj *v,
				    struct lm_pobj **hold, struct lm_diag *d)
{
	*hold = NULL;
	if (!v || v->kind != LM_PK_REF)
		return v;
	int rc = lm_pdfr_get(r, rev, v->i, hold, d);
	if (rc == 1 && d)
		d->msg[0] = '\0';
	return rc ? NULL : *hold;
}

int lm_pdfr_stream(struct lm_pdfr *r, size_t rev, const struct lm_pobj *stream, struct lm_buf *out,
		   struct lm_diag *d)
{
	if (!stream || stream->kind != LM_PK_STREAM)
		return lm_diag_set(d, NULL, 0, 0, "not a stream");
	struct lm_pobj *hf = NULL, *hp = NULL;
	struct lm_diag ignore;
	const struct lm_pobj *f = lm_pdfr_deref(r, rev, lm_pobj_get(stream, "Filter"), &hf, &ignore);
	const struct lm_pobj *p = lm_pdfr_deref(r, rev, lm_pobj_get(stream, "DecodeParms"), &hp, &ignore);
	int rc = decode(f, p, stream->data, stream->data_len, out, d);
	lm_pobj_free(hf);
	lm_pobj_free(hp);
	return rc;
}

/* ---- cross-reference sections ---- */

static int sec_fail(struct lm_diag *d, size_t at, const char *what)
{
	return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: %s (cross-reference section at byte "
			   "%zu)", what, at);
}

/* A classic table at `at`: "xref", subsections, "trailer" and its dictionary. */
static int read_table(struct lm_pdfr *r, size_t at, struct section *s, struct lm_diag *d)
{
	struct parser P = { r->data, r->len, at, 0, d };
	size_t alloc = 0, order = 0;
	P.pos += 4;
	for (;;) {
		skip_ws(&P);
		if (word_is(&P, "trailer")) {
			P.pos += 7;
			break;
		}
		long long v[2];
		for (int k = 0; k < 2; k++) {
			size_t n = word_len(&P);
			int is_int;
			double rv;
			if (!n || scan_number(P.p + P.pos, n, &is_int, &v[k], &rv) || !is_int || v[k] < 0)
				return sec_fail(d, at, "a cross-reference table without 'trailer'");
			P.pos += n;
			skip_ws(&P);
		}
		long long first = v[0], count = v[1];
		/* every entry takes at least 18 bytes ("o g n" and an end of line) */
		if (first > MAX_OBJNUM || count > MAX_OBJNUM - first ||
		    (unsigned long long)count > (P.len - P.pos) / 18 + 1)
			return sec_fail(d, at, "a cross-reference subsection larger than the file");
		for (long long i = 0; i < count; i++) {
			long long off, gen;
			size_t n;
			int is_int;
			double rv;
			skip_ws(&P);
			n = word_len(&P);
			if (!n || scan_number(P.p + P.pos, n, &is_int, &off, &rv) || !is_int || off < 0)
				return sec_fail(d, at, "a cross-reference entry that is not 'offset gen n|f'");
			P.pos += n;
			skip_ws(&P);
			n = word_len(&P);
			if (!n || scan_number(P.p + P.pos, n, &is_int, &gen, &rv) || !is_int || gen < 0)
				return sec_fail(d, at, "a cross-reference entry that is not 'offset gen n|f'");
			P.pos += n;
			skip_ws(&P);
			if (!word_is(&P, "n") && !word_is(&P, "f"))
				return sec_fail(d, at, "a cross-reference entry that is not 'offset gen n|f'");
			int used = P.p[P.pos] == 'n';
			P.pos++;
			LM_ALLOC_GROW(s->ent, s->nent + 1, alloc);
			struct xent *e = &s->ent[s->nent++];
			e->num = first + i;
			e->type = used ? 1 : 0;
			e->a = (unsigned long long)off;
			e->b = (unsigned long)gen;
			e->order = order++;
		}
	}
	s->trailer = parse_value(&P, 0);
	if (!s->trailer)
		return -1;
	if (s->trailer->kind != LM_PK_DICT)
		return sec_fail(d, at, "a trailer that is not a dictionary");
	s->parse_end = P.pos;
	sort_ents(s->ent, s->nent);
	return 0;
}

/* A cross-reference stream's entries, appended to *ent. */
static int read_xref_stream(struct lm_pdfr *r, size_t at, struct lm_pobj **dict_out,
			    struct xent **ent, size_t *nent, size_t *parse_end, struct lm_diag *d)
{
	struct parser P = { r->data, r->len, at, 0, d };
	/* its /Length is direct (ISO 32000-1 7.5.8.2): no revision to look in */
	struct lm_pobj *o = parse_indirect(NULL, 0, &P, -1);
	if (!o)
		return -1;
	*dict_out = o;
	*parse_end = P.pos;
	if (o->kind != LM_PK_STREAM || !lm_pobj_is_type(o, "XRef"))
		return sec_fail(d, at, "startxref points at something that is not a cross-reference "
				"table or stream");
	const struct lm_pobj *w = lm_pobj_get(o, "W"), *index = lm_pobj_get(o, "Index");
	long long size = dict_int(o, "Size", -1);
	if (size < 0 || size > MAX_OBJNUM + 1)
		return sec_fail(d, at, "a cross-reference stream with no valid /Size");
	int wd[3];
	if (!w || w->kind != LM_PK_ARRAY || w->nkids != 3)
		return sec_fail(d, at, "a cross-reference stream with no valid /W");
	size_t width = 0;
	for (int k = 0; k < 3; k++) {
		if (w->kids[k]->kind != LM_PK_INT || w->kids[k]->i < 0 || w->kids[k]->i > 8)
			return sec_fail(d, at, "a cross-reference stream with no valid /W");
		wd[k] = (int)w->kids[k]->i;
		width += (size_t)wd[k];
	}
	if (!width)
		return sec_fail(d, at, "a cross-reference stream with no valid /W");
	if (index && (index->kind != LM_PK_ARRAY || index->nkids % 2))
		return sec_fail(d, at, "a cross-reference stream with no valid /Index");
	struct lm_buf data = LM_BUF_INIT;
	if (decode(lm_pobj_get(o, "Filter"), lm_pobj_get(o, "DecodeParms"), o->data, o->data_len,
		   &data, d)) {
		lm_buf_release(&data);
		return -1;
	}
	size_t alloc = *nent, pos = 0, order = *nent;
	size_t nsub = index ? index->nkids / 2 : 1;
	int rc = 0;
	for (size_t sub = 0; sub < nsub && !rc; sub++) {
		long long first = 0, count = size;
		if (index) {
			const struct lm_pobj *a = index->kids[2 * sub], *b = index->kids[2 * sub + 1];
			if (a->kind != LM_PK_INT || b->kind != LM_PK_INT) {
				rc = sec_fail(d, at, "a cross-reference stream with no valid /Index");
				break;
			}
			first = a->i;
			count = b->i;
		}
		if (first < 0 || count < 0 || first > MAX_OBJNUM || count > MAX_OBJNUM + 1 - first ||
		    (unsigned long long)count > (data.len - pos) / width) {
			rc = sec_fail(d, at, "a cross-reference stream shorter than its /Index says");
			break;
		}
		for (long long i = 0; i < count; i++) {
			unsigned long long f[3] = { 1, 0, 0 };
			for (int k = 0; k < 3; k++) {
				if (!wd[k])
					continue;
				unsigned long long v = 0;
				for (int j = 0; j < wd[k]; j++)
					v = v << 8 | (unsigned char)data.ptr[pos++];
				f[k] = v;
			}
			if (f[0] > 2)
				continue; /* unknown types are null objects (7.5.8.3) */
			LM_ALLOC_GROW(*ent, *nent + 1, alloc);
			struct xent *e = &(*ent)[(*nent)++];
			e->num = first + i;
			e->type = (unsigned char)f[0];
			e->a = f[1];
			e->b = (unsigned long)(f[2] > ULONG_MAX ? ULONG_MAX : f[2]);
			e->order = order++;
		}
	}
	lm_buf_release(&data);
	if (!rc)
		sort_ents(*ent, *nent);
	return rc;
}

/* The section at `at`, of either kind. */
static int read_section(struct lm_pdfr *r, size_t at, struct section *s, struct lm_diag *d)
{
	memset(s, 0, sizeof(*s));
	s->rev.xref_pos = at;
	struct parser P = { r->data, r->len, at, 0, d };
	if (word_is(&P, "xref")) {
		if (read_table(r, at, s, d))
			return -1;
		const struct lm_pobj *stm = lm_pobj_get(s->trailer, "XRefStm");
		if (stm && stm->kind == LM_PK_INT) {
			struct lm_pobj *sd = NULL;
			size_t end;
			if (stm->i < 0 || (unsigned long long)stm->i >= r->len) {
				return sec_fail(d, at, "a /XRefStm past the end of the file");
			}
			int rc = read_xref_stream(r, (size_t)stm->i, &sd, &s->stm, &s->nstm, &end, d);
			lm_pobj_free(sd);
			if (rc)
				return -1;
			s->rev.hybrid = 1;
		}
	} else {
		if (read_xref_stream(r, at, &s->trailer, &s->ent, &s->nent, &s->parse_end, d))
			return -1;
		s->rev.xref_stream = 1;
	}
	s->rev.trailer = s->trailer;
	/* the revision ends at the "%%EOF" after its startxref */
	const char *eof = memfind(r->data + s->parse_end, r->len - s->parse_end, "%%EOF", 5);
	if (eof) {
		size_t e = (size_t)(eof - r->data) + 5;
		s->rev.eof_pos = e;
		if (e < r->len && r->data[e] == '\r')
			e++;
		if (e < r->len && r->data[e] == '\n')
			e++;
		s->rev.end = e;
	} else {
		s->rev.eof_pos = s->rev.end = r->len;
	}
	return 0;
}

static void section_release(struct section *s)
{
	lm_pobj_free(s->trailer);
	free(s->ent);
	free(s->stm);
}

void lm_pdfr_free(struct lm_pdfr *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nsec; i++)
		section_release(&r->sec[i]);
	free(r->sec);
	for (size_t i = 0; i < OBJSTM_CACHE; i++) {
		lm_buf_release(&r->cache[i].data);
		free(r->cache[i].hdr);
	}
	free(r);
}

int lm_pdfr_open(struct lm_pdfr **out, const char *data, size_t len, struct lm_diag *d)
{
	*out = NULL;
	/* the header may follow a little junk (7.5.2 allows readers to look) */
	if (!memfind(data, len < 1024 ? len : 1024, "%PDF-", 5))
		return lm_diag_set(d, NULL, 0, 0, "not a PDF file (no '%%PDF-' header)");
	const char *sx = memrfind(data, len, "startxref", 9);
	if (!sx)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is incomplete (no 'startxref' at its end); "
				   "it may have been cut short while it was written or copied");
	struct parser P = { data, len, (size_t)(sx - data) + 9, 0, d };
	skip_ws(&P);
	size_t n = word_len(&P);
	int is_int;
	long long off;
	double rv;
	if (!n || scan_number(data + P.pos, n, &is_int, &off, &rv) || !is_int || off < 0 ||
	    (unsigned long long)off >= len)
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: 'startxref' is not followed by "
				   "the offset of a cross-reference section in the file");

	struct lm_pdfr *r = lm_xcalloc(1, sizeof(*r));
	r->data = data;
	r->len = len;
	size_t alloc = 0;
	struct lm_numset seen = LM_NUMSET_INIT;
	/* newest first, as the chain goes; reversed below */
	for (;;) {
		if (!lm_numset_add(&seen, off)) {
			lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: its cross-reference sections "
				    "form a loop (/Prev %lld)", off);
			goto bad;
		}
		if (r->nsec >= MAX_SECTIONS) {
			lm_diag_set(d, NULL, 0, 0, "the PDF has more than %d revisions", MAX_SECTIONS);
			goto bad;
		}
		LM_ALLOC_GROW(r->sec, r->nsec + 1, alloc);
		struct section *s = &r->sec[r->nsec];
		int rc = read_section(r, (size_t)off, s, d);
		r->nsec++;
		if (rc)
			goto bad;
		const struct lm_pobj *prev = lm_pobj_get(s->trailer, "Prev");
		if (!prev)
			break;
		if (prev->kind != LM_PK_INT || prev->i < 0 || (unsigned long long)prev->i >= len) {
			lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: a /Prev that is not an offset in "
				    "the file");
			goto bad;
		}
		off = prev->i;
	}
	lm_numset_release(&seen);
	for (size_t i = 0; i < r->nsec / 2; i++) {
		struct section t = r->sec[i];
		r->sec[i] = r->sec[r->nsec - 1 - i];
		r->sec[r->nsec - 1 - i] = t;
	}
	/* a revision includes all before it (a linearized file's first-page
	 * section is newer than, but in front of, its main one) */
	for (size_t i = 1; i < r->nsec; i++) {
		if (r->sec[i].rev.end < r->sec[i - 1].rev.end) {
			r->sec[i].rev.end = r->sec[i - 1].rev.end;
			r->sec[i].rev.eof_pos = r->sec[i - 1].rev.eof_pos;
		}
	}
	*out = r;
	return 0;
bad:
	lm_numset_release(&seen);
	lm_pdfr_free(r);
	return -1;
}

size_t lm_pdfr_nrevisions(const struct lm_pdfr *r)
{
	return r->nsec;
}

const struct lm_pdfr_rev *lm_pdfr_revision(const struct lm_pdfr *r, size_t rev)
{
	return rev < r->nsec ? &r->sec[rev].rev : NULL;
}

/* ---- pages ---- */

struct pagewalk {
	struct lm_pdfr *r;
	size_t rev;
	struct lm_numset seen;
	long long *nums;
	size_t n, alloc;
	struct lm_diag *d;
};

static int walk_pages(struct pagewalk *w, long long num, int depth)
{
	if (depth > MAX_DEPTH)
		return lm_diag_set(w->d, NULL, 0, 0, "the PDF is damaged: its page tree is nested more "
				   "than %d deep", MAX_DEPTH);
	if (!lm_numset_add(&w->seen, num))
		return lm_diag_set(w->d, NULL, 0, 0, "the PDF is damaged: its page tree refers to "
				   "object %lld twice", num);
	struct lm_pobj *o = NULL;
	int rc = lm_pdfr_get(w->r, w->rev, num, &o, w->d);
	if (rc == 1)
		return lm_diag_set(w->d, NULL, 0, 0, "the PDF is damaged: page tree object %lld is "
				   "missing", num);
	if (rc)
		return -1;
	const struct lm_pobj *kids = lm_pobj_get(o, "Kids");
	if (o->kind == LM_PK_DICT && kids && !lm_pobj_is_type(o, "Page")) {
		if (kids->kind != LM_PK_ARRAY) {
			lm_pobj_free(o);
			return lm_diag_set(w->d, NULL, 0, 0, "the PDF is damaged: page tree node %lld "
					   "has /Kids that is not an array", num);
		}
		for (size_t i = 0; i < kids->nkids && !rc; i++) {
			if (kids->kids[i]->kind != LM_PK_REF)
				rc = lm_diag_set(w->d, NULL, 0, 0, "the PDF is damaged: page tree node "
						 "%lld has a kid that is not a reference", num);
			else
				rc = walk_pages(w, kids->kids[i]->i, depth + 1);
		}
	} else if (o->kind == LM_PK_DICT) {
		LM_ALLOC_GROW(w->nums, w->n + 1, w->alloc);
		w->nums[w->n++] = num;
	} else {
		rc = lm_diag_set(w->d, NULL, 0, 0, "the PDF is damaged: page tree object %lld is not "
				 "a dictionary", num);
	}
	lm_pobj_free(o);
	return rc;
}

int lm_pdfr_pages(struct lm_pdfr *r, size_t rev, long long **nums, size_t *n, struct lm_diag *d)
{
	*nums = NULL;
	*n = 0;
	if (rev >= r->nsec)
		return lm_diag_set(d, NULL, 0, 0, "no revision %zu", rev);
	const struct lm_pobj *root = lm_pobj_get(r->sec[rev].trailer, "Root");
	struct lm_pobj *cat = NULL, *hold = NULL;
	if (!root || root->kind != LM_PK_REF || lm_pdfr_get(r, rev, root->i, &cat, d) ||
	    cat->kind != LM_PK_DICT) {
		lm_pobj_free(cat);
		return lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: its catalog (/Root) cannot be "
				   "read");
	}
	const struct lm_pobj *pages = lm_pobj_get(cat, "Pages");
	struct pagewalk w = { r, rev, LM_NUMSET_INIT, NULL, 0, 0, d };
	int rc;
	if (!pages || pages->kind != LM_PK_REF)
		rc = lm_diag_set(d, NULL, 0, 0, "the PDF is damaged: its catalog has no page tree");
	else
		rc = walk_pages(&w, pages->i, 0);
	lm_pobj_free(hold);
	lm_pobj_free(cat);
	lm_numset_release(&w.seen);
	if (rc) {
		free(w.nums);
		return -1;
	}
	*nums = w.nums;
	*n = w.n;
	return 0;
}

int lm_pdfr_check_whole(const char *data, size_t len, size_t *pages, struct lm_diag *d)
{
	struct lm_pdfr *r = NULL;
	if (lm_pdfr_open(&r, data, len, d))
		return -1;
	/* a file cut short inside an update still has the previous revision's
	 * startxref: the newest revision must end the file */
	size_t e = len;
	while (e && is_ws((unsigned char)data[e - 1]))
		e--;
	const struct lm_pdfr_rev *last = &r->sec[r->nsec - 1].rev;
	if (e < 5 || memcmp(data + e - 5, "%%EOF", 5) || last->eof_pos != e) {
		lm_pdfr_free(r);
		return lm_diag_set(d, NULL, 0, 0, "the PDF does not end with its last revision's "
				   "'%%%%EOF'; it may have been cut short while it was written or copied");
	}
	long long *nums = NULL;
	size_t n = 0;
	int rc = lm_pdfr_pages(r, r->nsec - 1, &nums, &n, d);
	if (!rc && !n)
		rc = lm_diag_set(d, NULL, 0, 0, "the PDF has no pages");
	if (!rc && pages)
		*pages = n;
	free(nums);
	lm_pdfr_free(r);
	return rc;
}
