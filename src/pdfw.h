/* pdfw.h - PDF syntax for writing (PDF 32000-1 chapter 7): the one place
 * that writes objects, streams, object streams, cross-reference streams and
 * trailers.  pdf.c, tags.c and sign.c build dictionaries' contents with the
 * helpers below and hand them here.
 *
 * A file is one revision: every object that is not a stream goes into a
 * compressed object stream, and one cross-reference stream with a trailer
 * /ID (the start of the SHA-256 of the bytes before it, so the same input
 * gives the same bytes) ends it.  Signing may add exactly one incremental
 * update in the same syntax (lm_pdfw_update_begin/_finish).
 *
 * Objects are numbered ahead (lm_pdfw_reserve) and written whenever they
 * are ready, in any order.  Bytes go out to the file as they are made when
 * the writer streams to one (lm_pdfw_init with a file), so memory grows with
 * the length of a print file only by the cross-reference table (xref.h:
 * about 110 bytes a letter), and the cross-reference stream is deflated as
 * it is made, never held whole.  Without a file the whole PDF stays in
 * `out` for the caller.
 */
#ifndef LM_PDFW_H
#define LM_PDFW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "fileio.h"
#include "xref.h"

struct lm_pdfw {
	struct lm_buf out;        /* bytes not yet in the file (all of them without one) */
	struct lm_atomic *file;   /* borrowed; NULL: keep everything in `out` */
	size_t pos;               /* file offset of out.ptr[0] */
	void *md;                 /* EVP_MD_CTX: SHA-256 of the bytes before `hashed` */
	size_t hashed;
	int held;                 /* keep bytes in `out` (a signature is being placed) */
	int failed;               /* a write to the file failed; `error` says why */
	struct lm_diag error;
	struct lm_xref xref;      /* where each object of the revision is */
	size_t size;              /* next object number */
	/* the object stream being filled */
	struct lm_buf stm, stm_head;
	unsigned *stm_nums;
	size_t stm_n;
	/* the object lm_pdfw_obj_begin opened: its number, and its value
	 * while an update writes objects directly */
	unsigned open_num;
	struct lm_buf open_body;
	/* a revision's end */
	size_t xref_off;          /* where the last cross-reference stream starts */
	unsigned char id[16];     /* the file identifier */
	void *deflater[2];        /* libdeflate compressors, default and fast; made at first use */
	/* an incremental update: the objects it (re)writes */
	int updating;
	struct lm_xref upd;
};

/* Starts a file (the header); `file` may be NULL. */
void lm_pdfw_init(struct lm_pdfw *w, struct lm_atomic *file);
void lm_pdfw_release(struct lm_pdfw *w);

/* A new object number. */
unsigned lm_pdfw_reserve(struct lm_pdfw *w);
/* Object `num` with the value `body` (no "obj" around it), compressed into
 * an object stream. */
void lm_pdfw_obj(struct lm_pdfw *w, unsigned num, const char *body, size_t len);
/* Object `num` made in place: its value is appended to the buffer this
 * returns (nothing else done to it), then lm_pdfw_obj_end, with no other
 * call on `w` between the two.  The same bytes as lm_pdfw_obj, without a
 * copy of the value (a print file writes some ninety a letter). */
struct lm_buf *lm_pdfw_obj_begin(struct lm_pdfw *w, unsigned num);
void lm_pdfw_obj_end(struct lm_pdfw *w);
/* Object `num` written as it is, outside any object stream (the catalog,
 * signature dictionaries).  Returns the file offset of body's first byte. */
size_t lm_pdfw_direct(struct lm_pdfw *w, unsigned num, const char *body, size_t len);

/* Stream flags */
#define LM_PDFW_DEFLATE 1   /* deflate `data` */
#define LM_PDFW_DEFLATED 2  /* `data` is a zlib stream already */
#define LM_PDFW_FAST 4      /* with DEFLATE: the fastest level (streams made for
			     * every letter, where the time counts more than bytes) */
/* Appends `len` bytes of `data` to `out` deflated as lm_pdfw_stream would
 * (LM_PDFW_FAST when `fast`), for a stream written later as DEFLATED. */
void lm_pdfw_deflate(struct lm_pdfw *w, struct lm_buf *out, const void *data, size_t len, int fast);
/* Stream object `num`: `dict` holds its entries but /Length and /Filter
 * (e.g. "/Subtype/Image/Width 4"); an empty stream is never given a filter. */
void lm_pdfw_stream(struct lm_pdfw *w, unsigned num, const char *dict, const void *data,
		    size_t len, int flags);

/* Ends the revision: the open object stream, then the cross-reference
 * stream with /Root, /Info (0: none) and /ID.  Returns 0, or -1 with d
 * filled (a write to the file failed, or an object was reserved and never
 * written: a bug). */
int lm_pdfw_finish(struct lm_pdfw *w, unsigned root, unsigned info, struct lm_diag *d);

/* An incremental update after lm_pdfw_finish: objects written until
 * lm_pdfw_update_finish are listed in a cross-reference stream with /Prev.
 * Bytes stay in memory from here until lm_pdfw_unhold, so that parts of
 * them (a signature) can be filled in place. */
void lm_pdfw_update_begin(struct lm_pdfw *w);
int lm_pdfw_update_finish(struct lm_pdfw *w, unsigned root, unsigned info, struct lm_diag *d);
/* The bytes at file offset `off`, while held. */
char *lm_pdfw_at(struct lm_pdfw *w, size_t off);
/* The SHA-256 of the file so far except bytes [a, b), while held. */
int lm_pdfw_digest_except(struct lm_pdfw *w, size_t a, size_t b, unsigned char md[32]);
void lm_pdfw_unhold(struct lm_pdfw *w);

/* Bytes written so far (the file's length when finished). */
size_t lm_pdfw_tell(const struct lm_pdfw *w);
/* Sends what is left to the file.  Returns 0, or -1 with d filled. */
int lm_pdfw_flush(struct lm_pdfw *w, struct lm_diag *d);
/* The SHA-256 of every byte written, after lm_pdfw_flush. */
void lm_pdfw_sha256(struct lm_pdfw *w, unsigned char md[32]);

/* ---- helpers for dictionaries' contents ---- */
/* "12 0 R" */
void lm_pdfw_ref(struct lm_buf *b, unsigned num);
/* A whole number. */
void lm_pdfw_uint(struct lm_buf *b, size_t v);
/* The digits of v written at p, which has room for 20; returns their end.
 * Inline: the structure tree writes a few hundred numbers a letter. */
extern const char lm_pdfw_digit_pairs[201]; /* "00" "01" ... "99" */
static inline char *lm_pdfw_put_uint(char *p, size_t v)
{
	int n = 1;
	size_t t = v;
	for (; t >= 10000; t /= 10000)
		n += 4;
	n += (t >= 10) + (t >= 100) + (t >= 1000);
	char *end = p + n, *q = end;
	while (v >= 100) {
		size_t r = v % 100;
		v /= 100;
		q -= 2;
		q[0] = lm_pdfw_digit_pairs[2 * r];
		q[1] = lm_pdfw_digit_pairs[2 * r + 1];
	}
	if (v >= 10) {
		q[-2] = lm_pdfw_digit_pairs[2 * v];
		q[-1] = lm_pdfw_digit_pairs[2 * v + 1];
	} else {
		q[-1] = (char)('0' + v);
	}
	return end;
}
/* "12 0 R" written at p, which has room for 14; returns its end. */
static inline char *lm_pdfw_put_ref(char *p, unsigned num)
{
	p = lm_pdfw_put_uint(p, num);
	memcpy(p, " 0 R", 4);
	return p + 4;
}
/* A number with at most two decimals, no trailing zeros, then a space. */
void lm_pdfw_num(struct lm_buf *b, double v);
/* A name: "/" and the bytes, # escaped where PDF wants it. */
void lm_pdfw_name(struct lm_buf *b, const char *name);
/* A byte string as a literal: ( ) \ escaped, CR as \r. */
void lm_pdfw_literal(struct lm_buf *b, const char *s, size_t len);
/* A text string for UTF-8 `utf8`: a literal in PDFDocEncoding when every
 * character has a byte there, else UTF-16BE with a byte order mark. */
void lm_pdfw_text(struct lm_buf *b, const char *utf8);
/* Hex digits of `n` bytes in <>. */
void lm_pdfw_hex(struct lm_buf *b, const unsigned char *p, size_t n);

#endif
