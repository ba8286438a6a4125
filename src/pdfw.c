#include "pdfw.h"

#include "utf8.h"

#include <libdeflate.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* An object stream holds at most this many objects or about this many
 * bytes: larger ones deflate better, smaller ones let a reader get at an
 * object cheaply, and the index within one fits a byte. */
#define OBJSTM_MAX 200
#define OBJSTM_BYTES 65536
/* Bytes kept before they go to the file. */
#define FLUSH_AT (256 * 1024)

/* Rows of the cross-reference stream deflated at a time. */
#define XREF_ROWS 4096

static void hash_upto(struct lm_pdfw *w, size_t end)
{
	if (end > w->hashed) {
		EVP_DigestUpdate(w->md, w->out.ptr + (w->hashed - w->pos), end - w->hashed);
		w->hashed = end;
	}
}

static void to_file(struct lm_pdfw *w)
{
	if (!w->file || w->held || !w->out.len)
		return;
	hash_upto(w, w->pos + w->out.len);
	if (!w->failed && lm_atomic_write(w->file, w->out.ptr, w->out.len, &w->error))
		w->failed = 1;
	w->pos += w->out.len;
	lm_buf_reset(&w->out);
}

static void emit(struct lm_pdfw *w, const void *p, size_t n)
{
	lm_buf_add(&w->out, p, n);
	if (w->out.len >= FLUSH_AT)
		to_file(w);
}

static void emits(struct lm_pdfw *w, const char *s)
{
	emit(w, s, strlen(s));
}

size_t lm_pdfw_tell(const struct lm_pdfw *w)
{
	return w->pos + w->out.len;
}

/* The table of the revision being written: the file's, or an update's. */
static struct lm_xref *table(struct lm_pdfw *w)
{
	return w->updating ? &w->upd : &w->xref;
}

static void set_direct(struct lm_pdfw *w, unsigned num, size_t off)
{
	if (num < w->size)
		lm_xref_add_direct(table(w), num, off);
}

void lm_pdfw_init(struct lm_pdfw *w, struct lm_atomic *file)
{
	memset(w, 0, sizeof(*w));
	lm_buf_init(&w->out);
	lm_buf_init(&w->stm);
	lm_buf_init(&w->stm_head);
	lm_buf_init(&w->open_body);
	w->file = file;
	w->md = EVP_MD_CTX_new();
	if (!w->md || !EVP_DigestInit_ex(w->md, EVP_sha256(), NULL)) {
		fputs("lettermerge: out of memory\n", stderr);
		abort();
	}
	w->size = 1; /* object 0 is the head of the free list */
	lm_xref_init(&w->xref);
	lm_xref_init(&w->upd);
	w->stm_nums = lm_xmalloc(OBJSTM_MAX * sizeof(*w->stm_nums));
	/* 1.7: signatures name the ETSI extension of it; the second line
	 * tells transfer programs the file is binary */
	emits(w, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
}

void lm_pdfw_release(struct lm_pdfw *w)
{
	lm_buf_release(&w->out);
	lm_buf_release(&w->stm);
	lm_buf_release(&w->stm_head);
	lm_buf_release(&w->open_body);
	EVP_MD_CTX_free(w->md);
	for (int i = 0; i < 2; i++)
		if (w->deflater[i])
			libdeflate_free_compressor(w->deflater[i]);
	lm_xref_release(&w->xref);
	free(w->stm_nums);
	lm_xref_release(&w->upd);
	memset(w, 0, sizeof(*w));
}

unsigned lm_pdfw_reserve(struct lm_pdfw *w)
{
	return (unsigned)w->size++;
}

/* "N 0 obj", not yet in the table */
static void obj_head(struct lm_pdfw *w, unsigned num)
{
	char head[32];
	char *e = lm_pdfw_put_uint(head, num);
	memcpy(e, " 0 obj\n", 7);
	emit(w, head, (size_t)(e + 7 - head));
}

static void begin_obj(struct lm_pdfw *w, unsigned num)
{
	set_direct(w, num, lm_pdfw_tell(w));
	obj_head(w, num);
}

size_t lm_pdfw_direct(struct lm_pdfw *w, unsigned num, const char *body, size_t len)
{
	begin_obj(w, num);
	size_t at = lm_pdfw_tell(w);
	emit(w, body, len);
	emits(w, "\nendobj\n");
	return at;
}

/* Appends `len` bytes of `data` to z, deflated in zlib's format as
 * FlateDecode wants.  libdeflate rather than zlib: it compresses a whole
 * buffer in about half zlib's instructions and to fewer bytes, and a
 * small stream (a letter's address) costs no 16 KB of tables set up and
 * freed (measured: level 1 on a print file's object streams 40 M
 * instructions against zlib's 73 M, 335 KB against 359 KB; 55 K
 * instructions against 118 K for a 350-byte stream). */
static void deflate_into(struct lm_pdfw *w, struct lm_buf *z, const void *data, size_t len, int fast)
{
	if (!w->deflater[fast])
		w->deflater[fast] = libdeflate_alloc_compressor(fast ? 1 : 6);
	if (!w->deflater[fast]) { /* no memory for it: zlib, which says so if it has none either */
		lm_buf_add_deflated(z, data, len);
		return;
	}
	size_t bound = libdeflate_zlib_compress_bound(w->deflater[fast], len);
	lm_buf_grow(z, bound);
	size_t n = libdeflate_zlib_compress(w->deflater[fast], data, len, z->ptr + z->len, bound);
	if (!n)
		abort(); /* the bound rules it out */
	z->len += n;
	z->ptr[z->len] = '\0';
}

void lm_pdfw_deflate(struct lm_pdfw *w, struct lm_buf *out, const void *data, size_t len, int fast)
{
	deflate_into(w, out, data, len, fast != 0);
}

/* A stream object's bytes (`data` deflated already when `flate`), its
 * place in the table given by the caller. */
static void put_stream(struct lm_pdfw *w, unsigned num, const char *dict, const void *data,
		       size_t len, int flate)
{
	obj_head(w, num);
	char tail[64], *e = tail;
	if (flate) {
		memcpy(e, "/Filter/FlateDecode", 19);
		e += 19;
	}
	memcpy(e, "/Length ", 8);
	e = lm_pdfw_put_uint(e + 8, len);
	memcpy(e, ">>\nstream\n", 10);
	emits(w, "<<");
	emits(w, dict);
	emit(w, tail, (size_t)(e + 10 - tail));
	emit(w, data, len);
	emits(w, "\nendstream\nendobj\n");
}

void lm_pdfw_stream(struct lm_pdfw *w, unsigned num, const char *dict, const void *data,
		    size_t len, int flags)
{
	struct lm_buf z = LM_BUF_INIT;
	if (len && (flags & LM_PDFW_DEFLATE)) {
		deflate_into(w, &z, data, len, (flags & LM_PDFW_FAST) != 0);
		data = z.ptr;
		len = z.len;
	}
	/* a filter over no bytes is an error to several readers */
	int flate = len && (flags & (LM_PDFW_DEFLATE | LM_PDFW_DEFLATED));
	set_direct(w, num, lm_pdfw_tell(w));
	put_stream(w, num, dict, data, len, flate);
	lm_buf_release(&z);
}

static void flush_stm(struct lm_pdfw *w)
{
	if (!w->stm_n)
		return;
	unsigned num = lm_pdfw_reserve(w);
	for (size_t i = 0; i < w->stm_n; i++)
		if (w->stm_nums[i] < w->size)
			lm_xref_add_in_stream(table(w), w->stm_nums[i], num, (unsigned)i);
	size_t first = w->stm_head.len + 1;
	lm_buf_addc(&w->stm_head, '\n');
	lm_buf_add(&w->stm_head, w->stm.ptr, w->stm.len);
	char dict[64];
	snprintf(dict, sizeof(dict), "/Type/ObjStm/N %zu/First %zu", w->stm_n, first);
	/* most objects are a letter's structure elements: deflated fast,
	 * they take a tenth more bytes and a third of the time (a 200-letter
	 * print file: 306 to 335 KB, 157 to 40 M instructions against zlib at
	 * its default level) */
	lm_pdfw_stream(w, num, dict, w->stm_head.ptr, w->stm_head.len, LM_PDFW_DEFLATE | LM_PDFW_FAST);
	lm_buf_reset(&w->stm);
	lm_buf_reset(&w->stm_head);
	w->stm_n = 0;
}

struct lm_buf *lm_pdfw_obj_begin(struct lm_pdfw *w, unsigned num)
{
	w->open_num = num;
	if (w->updating) { /* an update is a handful of objects, each direct */
		lm_buf_reset(&w->open_body);
		return &w->open_body;
	}
	/* the index entry "num offset", after a space but for the first */
	lm_buf_grow(&w->stm_head, 48);
	char *p = w->stm_head.ptr + w->stm_head.len;
	if (w->stm_n) {
		*p++ = ' ';
		lm_buf_addc(&w->stm, '\n');
	}
	p = lm_pdfw_put_uint(p, num);
	*p++ = ' ';
	p = lm_pdfw_put_uint(p, w->stm.len);
	*p = '\0';
	w->stm_head.len = (size_t)(p - w->stm_head.ptr);
	return &w->stm;
}

void lm_pdfw_obj_end(struct lm_pdfw *w)
{
	if (w->updating) {
		lm_pdfw_direct(w, w->open_num, w->open_body.ptr, w->open_body.len);
		return;
	}
	w->stm_nums[w->stm_n++] = w->open_num;
	if (w->stm_n == OBJSTM_MAX || w->stm.len >= OBJSTM_BYTES)
		flush_stm(w);
}

void lm_pdfw_obj(struct lm_pdfw *w, unsigned num, const char *body, size_t len)
{
	lm_buf_add(lm_pdfw_obj_begin(w, num), body, len);
	lm_pdfw_obj_end(w);
}

static int width_of(uint64_t v)
{
	int n = 1;
	while (n < 8 && (v >> (8 * n)))
		n++;
	return n;
}

static void put_be(unsigned char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xFF);
}

/* Deflates `len` bytes of `in` into `out`, to the stream's end when `finish`. */
static void deflate_more(z_stream *z, struct lm_buf *out, const unsigned char *in, size_t len, int finish)
{
	z->next_in = (Bytef *)in;
	z->avail_in = (uInt)len;
	for (;;) {
		lm_buf_grow(out, 65536);
		z->next_out = (Bytef *)out->ptr + out->len;
		z->avail_out = 65536;
		int rc = deflate(z, finish ? Z_FINISH : Z_NO_FLUSH);
		out->len += 65536 - z->avail_out;
		out->ptr[out->len] = '\0';
		if (rc == Z_STREAM_END || (!finish && !z->avail_in && z->avail_out))
			return;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			abort(); /* zlib fails only on misuse */
	}
}

static const char *never_written = "object %u of the PDF was never written; this is a bug in lettermerge";
static const char *written_twice = "object %u of the PDF was written twice; this is a bug in lettermerge";

/* The cross-reference stream of the revision (every object 0 .. size-1,
 * or an update's) and its trailer entries.  Past XREF_ROWS objects its
 * rows are made and deflated that many at a time: only the deflated stream
 * is held whole (a quarter of a byte an object in a print file, where the
 * rows are seven). */
static int write_xref(struct lm_pdfw *w, unsigned root, unsigned info, size_t prev,
		      struct lm_diag *d)
{
	struct lm_xref *x = table(w);
	unsigned self = lm_pdfw_reserve(w);
	size_t at = lm_pdfw_tell(w);
	lm_xref_add_direct(x, self, at);
	lm_xref_sort(x);
	int w2 = width_of(x->max), cols = 1 + w2 + 2;
	size_t rowlen = (size_t)cols + 1;
	/* a table of one chunk (a one-letter file) is deflated whole by
	 * libdeflate, as every stream is; a larger one streams through zlib,
	 * as libdeflate cannot take its input in pieces.  zlib at level 3:
	 * a 1,000-letter print file's rows (676 KB) take 18 M instructions
	 * and 29.1 KB there, against 40 M and 24.7 KB at level 6 (libdeflate
	 * took 21 M for 24.7 KB whole) */
	size_t total = (w->updating ? 0 : 1) + x->count;
	int whole = total <= XREF_ROWS;
	unsigned char *rows = lm_xmalloc((whole ? total : XREF_ROWS) * rowlen), prev_row[16] = { 0 }, cur[16];
	struct lm_buf dict = LM_BUF_INIT, index = LM_BUF_INIT, z = LM_BUF_INIT;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (!whole && deflateInit(&zs, 3) != Z_OK) {
		fputs("lettermerge: out of memory\n", stderr);
		abort();
	}
	/* one pass: every object once (a whole revision's 1 .. size-1 after
	 * object 0, free), an update's objects as runs for /Index, the rows */
	struct lm_xref_iter it;
	struct lm_xref_entry e;
	size_t next = 1, run_first = 0, run_n = 0, nrows = 0;
	int zero = !w->updating, bad = 0;
	lm_xref_iter_init(&it, x);
	while (zero || lm_xref_next(&it, &e)) {
		memset(cur, 0, sizeof(cur));
		if (zero) {
			put_be(cur + 1 + w2, 0xFFFF, 2);
			zero = 0;
		} else {
			if (e.num < next) /* the same number again */
				bad = lm_diag_setk(d, LM_KIND_BUG, NULL, 0, 0, written_twice, e.num);
			else if (!w->updating && e.num > next)
				bad = lm_diag_setk(d, LM_KIND_BUG, NULL, 0, 0, never_written, (unsigned)next);
			if (bad)
				break;
			next = (size_t)e.num + 1;
			if (w->updating) {
				if (run_n && e.num == run_first + run_n) {
					run_n++;
				} else {
					if (run_n)
						lm_buf_addf(&index, "%s%zu %zu", index.len ? " " : "", run_first, run_n);
					run_first = e.num;
					run_n = 1;
				}
			}
			cur[0] = (unsigned char)e.type;
			put_be(cur + 1, e.f2, w2);
			put_be(cur + 1 + w2, e.f3, 2);
		}
		/* PNG "up" prediction: rows differ little from the one above */
		unsigned char *r = rows + nrows * rowlen;
		r[0] = 2;
		for (int c = 0; c < cols; c++)
			r[1 + c] = (unsigned char)(cur[c] - prev_row[c]);
		memcpy(prev_row, cur, (size_t)cols);
		if (++nrows == XREF_ROWS && !whole) {
			deflate_more(&zs, &z, rows, nrows * rowlen, 0);
			nrows = 0;
		}
	}
	if (!bad && !w->updating && next != w->size)
		bad = lm_diag_setk(d, LM_KIND_BUG, NULL, 0, 0, never_written, (unsigned)next);
	if (!bad && whole)
		deflate_into(w, &z, rows, nrows * rowlen, 0);
	else if (!bad)
		deflate_more(&zs, &z, rows, nrows * rowlen, 1);
	if (!whole)
		deflateEnd(&zs);
	free(rows);
	if (bad) {
		lm_buf_release(&z);
		lm_buf_release(&index);
		return -1;
	}
	if (run_n)
		lm_buf_addf(&index, "%s%zu %zu", index.len ? " " : "", run_first, run_n);

	lm_buf_addf(&dict, "/Type/XRef/Size %zu/W[1 %d 2]", w->size, w2);
	if (w->updating)
		lm_buf_addf(&dict, "/Index[%s]", index.ptr);
	lm_buf_adds(&dict, "/Root ");
	lm_pdfw_ref(&dict, root);
	if (info) {
		lm_buf_adds(&dict, "/Info ");
		lm_pdfw_ref(&dict, info);
	}
	lm_buf_adds(&dict, "/ID[");
	lm_pdfw_hex(&dict, w->id, 16);
	lm_pdfw_hex(&dict, w->id, 16);
	lm_buf_addc(&dict, ']');
	if (prev)
		lm_buf_addf(&dict, "/Prev %zu", prev);
	lm_buf_addf(&dict, "/DecodeParms<</Columns %d/Predictor 12>>", cols);
	/* the stream is its own last entry, in the table already */
	put_stream(w, self, dict.ptr, z.ptr, z.len, 1);
	w->xref_off = at;
	char tail[64];
	int tn = snprintf(tail, sizeof(tail), "startxref\n%zu\n%%%%EOF\n", at);
	emit(w, tail, (size_t)tn);
	lm_buf_release(&z);
	lm_buf_release(&index);
	lm_buf_release(&dict);
	return 0;
}

int lm_pdfw_finish(struct lm_pdfw *w, unsigned root, unsigned info, struct lm_diag *d)
{
	flush_stm(w);
	/* the identifier: the start of the digest of everything before it */
	hash_upto(w, lm_pdfw_tell(w));
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (!c || !EVP_MD_CTX_copy_ex(c, w->md) || !EVP_DigestFinal_ex(c, md, &mdlen)) {
		EVP_MD_CTX_free(c);
		return lm_diag_setk(d, LM_KIND_SYSTEM, NULL, 0, 0, "cannot compute the PDF's identifier (OpenSSL)");
	}
	EVP_MD_CTX_free(c);
	memcpy(w->id, md, 16);
	if (write_xref(w, root, info, 0, d))
		return -1;
	to_file(w);
	if (w->failed) {
		*d = w->error;
		return -1;
	}
	return 0;
}

void lm_pdfw_update_begin(struct lm_pdfw *w)
{
	to_file(w);
	hash_upto(w, lm_pdfw_tell(w));
	w->held = 1;
	w->updating = 1;
	lm_xref_release(&w->upd);
	/* an update starts on a line of its own */
	if (w->out.len && w->out.ptr[w->out.len - 1] != '\n')
		emits(w, "\n");
}

int lm_pdfw_update_finish(struct lm_pdfw *w, unsigned root, unsigned info, struct lm_diag *d)
{
	int rc = write_xref(w, root, info, w->xref_off ? w->xref_off : 0, d);
	w->updating = 0;
	return rc;
}

char *lm_pdfw_at(struct lm_pdfw *w, size_t off)
{
	return off >= w->pos && off <= lm_pdfw_tell(w) ? w->out.ptr + (off - w->pos) : NULL;
}

int lm_pdfw_digest_except(struct lm_pdfw *w, size_t a, size_t b, unsigned char md[32])
{
	size_t end = lm_pdfw_tell(w);
	if (a < w->hashed || b < a || b > end)
		return -1;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n = 32;
	int ok = c && EVP_MD_CTX_copy_ex(c, w->md) &&
		 EVP_DigestUpdate(c, w->out.ptr + (w->hashed - w->pos), a - w->hashed) &&
		 EVP_DigestUpdate(c, w->out.ptr + (b - w->pos), end - b) && EVP_DigestFinal_ex(c, md, &n);
	EVP_MD_CTX_free(c);
	return ok ? 0 : -1;
}

void lm_pdfw_unhold(struct lm_pdfw *w)
{
	w->held = 0;
}

int lm_pdfw_flush(struct lm_pdfw *w, struct lm_diag *d)
{
	to_file(w);
	hash_upto(w, lm_pdfw_tell(w));
	if (w->failed) {
		*d = w->error;
		return -1;
	}
	return 0;
}

void lm_pdfw_sha256(struct lm_pdfw *w, unsigned char md[32])
{
	hash_upto(w, lm_pdfw_tell(w));
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned n = 32;
	if (!c || !EVP_MD_CTX_copy_ex(c, w->md) || !EVP_DigestFinal_ex(c, md, &n))
		memset(md, 0, 32);
	EVP_MD_CTX_free(c);
}

/* ---- helpers ---- */

const char lm_pdfw_digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				      "8081828384858687888990919293949596979899";

void lm_pdfw_uint(struct lm_buf *b, size_t v)
{
	/* by hand, two digits a step and straight into the buffer, whose
	 * fields are not reloaded after every byte (printf costs more than
	 * the rest of a structure tree) */
	lm_buf_grow(b, 20);
	char *p = lm_pdfw_put_uint(b->ptr + b->len, v);
	*p = '\0';
	b->len = (size_t)(p - b->ptr);
}

void lm_pdfw_ref(struct lm_buf *b, unsigned num)
{
	lm_buf_grow(b, 14);
	char *p = lm_pdfw_put_ref(b->ptr + b->len, num);
	*p = '\0';
	b->len = (size_t)(p - b->ptr);
}

void lm_pdfw_num(struct lm_buf *b, double v)
{
	long long c = llround(v * 100.0);
	/* in place: a separate file writes some hundreds of these */
	lm_buf_grow(b, 26);
	char *p = b->ptr + b->len;
	unsigned long long u = (unsigned long long)c;
	if (c < 0) {
		*p++ = '-';
		u = 0 - u;
	}
	p = lm_pdfw_put_uint(p, (size_t)(u / 100));
	int frac = (int)(u % 100);
	if (frac) {
		*p++ = '.';
		*p++ = (char)('0' + frac / 10);
		if (frac % 10)
			*p++ = (char)('0' + frac % 10);
	}
	*p++ = ' ';
	*p = '\0';
	b->len = (size_t)(p - b->ptr);
}

void lm_pdfw_name(struct lm_buf *b, const char *name)
{
	static const char hx[] = "0123456789ABCDEF";
	lm_buf_addc(b, '/');
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		if (*s < 0x21 || *s > 0x7E || strchr("#()<>[]{}/%", *s)) {
			lm_buf_addc(b, '#');
			lm_buf_addc(b, hx[*s >> 4]);
			lm_buf_addc(b, hx[*s & 15]);
		} else {
			lm_buf_addc(b, (char)*s);
		}
	}
}

void lm_pdfw_literal(struct lm_buf *b, const char *s, size_t len)
{
	lm_buf_grow(b, 2 * len + 2); /* every byte escaped at most */
	char *p = b->ptr + b->len;
	*p++ = '(';
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '(' || c == ')' || c == '\\' || c == '\r')
			*p++ = '\\';
		*p++ = c == '\r' ? 'r' : c;
	}
	*p++ = ')';
	*p = '\0';
	b->len = (size_t)(p - b->ptr);
}

void lm_pdfw_hex(struct lm_buf *b, const unsigned char *p, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	lm_buf_addc(b, '<');
	for (size_t i = 0; i < n; i++) {
		lm_buf_addc(b, hx[p[i] >> 4]);
		lm_buf_addc(b, hx[p[i] & 15]);
	}
	lm_buf_addc(b, '>');
}

/* PDFDocEncoding's byte for `cp`, or -1 (PDF 32000 annex D.2). */
static int pdfdoc_byte(uint32_t cp)
{
	static const uint16_t high[] = { 0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044,
					 0x2039, 0x203A, 0x2212, 0x2030, 0x201E, 0x201C, 0x201D, 0x2018,
					 0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141, 0x0152, 0x0160,
					 0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E };
	if ((cp >= 0x20 && cp < 0x7F) || (cp >= 0xA1 && cp <= 0xFF && cp != 0xAD))
		return (int)cp;
	if (cp == 0x20AC)
		return 0xA0;
	for (int i = 0; i < 31; i++)
		if (high[i] == cp)
			return 0x80 + i;
	return -1;
}

void lm_pdfw_text(struct lm_buf *b, const char *utf8)
{
	size_t len = strlen(utf8);
	/* printable ASCII (a link's target, alt text) is its own
	 * PDFDocEncoding: a literal at once */
	size_t plain = 0;
	while (plain < len && (unsigned char)utf8[plain] >= 0x20 && (unsigned char)utf8[plain] < 0x7F)
		plain++;
	if (plain == len) {
		lm_pdfw_literal(b, utf8, len);
		return;
	}
	struct lm_buf bytes = LM_BUF_INIT;
	int ok = 1;
	for (size_t i = 0; i < len && ok;) {
		uint32_t cp;
		int n = lm_utf8_decode(utf8 + i, len - i, &cp);
		int byte = n ? pdfdoc_byte(cp) : -1;
		if (byte < 0)
			ok = 0;
		else
			lm_buf_addc(&bytes, (char)byte);
		i += n ? (size_t)n : 1;
	}
	if (ok) {
		lm_pdfw_literal(b, bytes.ptr, bytes.len);
		lm_buf_release(&bytes);
		return;
	}
	lm_buf_reset(&bytes);
	lm_buf_add(&bytes, "\xFE\xFF", 2);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = lm_utf8_decode(utf8 + i, len - i, &cp);
		if (!n)
			n = 1, cp = 0xFFFD;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
			char u[4] = { (char)(hi >> 8), (char)hi, (char)(lo >> 8), (char)lo };
			lm_buf_add(&bytes, u, 4);
		} else {
			char u[2] = { (char)(cp >> 8), (char)cp };
			lm_buf_add(&bytes, u, 2);
		}
		i += (size_t)n;
	}
	lm_pdfw_hex(b, (const unsigned char *)bytes.ptr, bytes.len);
	lm_buf_release(&bytes);
}
