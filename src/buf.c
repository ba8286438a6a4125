#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

char lm_buf_empty[1];

/* Running out of memory is the system failing us, not a bug and not a bad
 * input: exit status 3 (see src/cli/cli.h).  The one place the core exits,
 * because every allocation would otherwise need an error path. */
static void out_of_memory(void)
{
	fputs("lettermerge: error: out of memory\n", stderr);
	_Exit(3);
}

void *lm_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		out_of_memory();
	}
	return p;
}

void *lm_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p) {
		out_of_memory();
	}
	return p;
}

void *lm_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		out_of_memory();
	}
	return q;
}

char *lm_xstrndup(const char *s, size_t n)
{
	char *p = lm_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *lm_xstrdup(const char *s)
{
	return lm_xstrndup(s, strlen(s));
}

void lm_buf_init(struct lm_buf *b)
{
	b->ptr = lm_buf_empty;
	b->len = 0;
	b->cap = 0;
}

void lm_buf_release(struct lm_buf *b)
{
	if (b->cap)
		free(b->ptr);
	lm_buf_init(b);
}

void lm_buf_grow(struct lm_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	if (b->cap) {
		b->ptr = lm_xrealloc(b->ptr, cap);
	} else {
		b->ptr = lm_xmalloc(cap);
		b->ptr[0] = '\0';
	}
	b->cap = cap;
}

void lm_buf_add(struct lm_buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	lm_buf_grow(b, len);
	memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void lm_buf_adds(struct lm_buf *b, const char *s)
{
	lm_buf_add(b, s, strlen(s));
}

void lm_buf_addc(struct lm_buf *b, char c)
{
	lm_buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}

void lm_buf_vaddf(struct lm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n <= 0)
		return;
	lm_buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void lm_buf_addf(struct lm_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lm_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void lm_buf_reset(struct lm_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

char *lm_buf_detach(struct lm_buf *b, size_t *len)
{
	char *p = b->cap ? b->ptr : lm_xstrdup("");
	if (len)
		*len = b->len;
	lm_buf_init(b);
	return p;
}

void lm_buf_add_deflated(struct lm_buf *b, const void *data, size_t len)
{
	/* window and hash sized to the input: on the few kilobytes a letter's
	 * streams hold, most of compress2's time is clearing 32 KB tables */
	int bits = 9;
	while (bits < 15 && ((size_t)1 << bits) < len)
		bits++;
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, bits, bits > 13 ? 8 : 6,
			 Z_DEFAULT_STRATEGY) != Z_OK) {
		out_of_memory();
	}
	uLong bound = deflateBound(&z, (uLong)len);
	lm_buf_grow(b, bound);
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)b->ptr + b->len;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort(); /* deflateBound rules it out */
	b->len += bound - z.avail_out;
	b->ptr[b->len] = '\0';
	deflateEnd(&z);
}
