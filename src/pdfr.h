/* pdfr.h - reading PDF syntax: objects, cross-reference sections, revisions.
 *
 * The one place that parses PDF bytes.  `verify` (every signature, and what
 * changed after each), page counts and "is this a whole PDF" all read
 * through it, so a file written by us, by qpdf, by MuPDF or by a signer is
 * read the same way everywhere.
 *
 * What it reads (ISO 32000-1 7.3 and 7.5): the object syntax (numbers,
 * literal and hex strings, names with #xx escapes, arrays, dictionaries,
 * indirect references, streams whose /Length is direct or indirect);
 * classic cross-reference tables, cross-reference streams and compressed
 * object streams (FlateDecode with PNG predictors); incremental updates
 * (/Prev chains) and hybrid files (/XRefStm).  Each cross-reference section
 * is a revision; any object can be looked up as it was at any revision.
 *
 * The bytes are the caller's and are not copied: they must outlive the
 * document.  Input is untrusted: every size, count and nesting depth is
 * bounded, nothing is read outside the buffer, and a file that cannot be
 * read fails with one message in `struct lm_diag` (d->file left empty: the
 * caller knows the file's name).  Nothing is printed.
 */
#ifndef LM_PDFR_H
#define LM_PDFR_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

enum lm_pk {
	LM_PK_NULL,
	LM_PK_BOOL,
	LM_PK_INT,
	LM_PK_REAL,
	LM_PK_STRING,
	LM_PK_NAME,
	LM_PK_ARRAY,
	LM_PK_DICT,
	LM_PK_REF,
	LM_PK_STREAM,
};

/* One parsed object.  A dictionary (and a stream's dictionary) keeps its
 * entries in `kids` as name, value, name, value...; an array its elements.
 * Strings and names are decoded (escapes, hex, #xx) and NUL-terminated. */
struct lm_pobj {
	enum lm_pk kind;
	long long i;              /* INT, BOOL (0/1); REF: object number */
	int gen;                  /* REF: generation */
	double r;                 /* REAL (and INT, converted) */
	char *s;                  /* STRING, NAME: bytes (NAME without the '/') */
	size_t n;                 /* STRING, NAME: length */
	struct lm_pobj **kids;    /* ARRAY elements; DICT/STREAM name, value pairs */
	size_t nkids;
	/* where the object's bytes are: in the file, or (in_objstm) in the
	 * decoded object stream it came from */
	size_t pos, end;
	int in_objstm;
	const char *data;         /* STREAM: its raw (still encoded) bytes, in the file */
	size_t data_len;
};

void lm_pobj_free(struct lm_pobj *o);
/* A dictionary's (or a stream's) value for `key` (no '/'), or NULL. */
const struct lm_pobj *lm_pobj_get(const struct lm_pobj *dict, const char *key);
/* 1 if `o` is the name `name` (no '/'). */
int lm_pobj_is_name(const struct lm_pobj *o, const char *name);
/* 1 if `o` is a dictionary or stream whose /Type is `type`. */
int lm_pobj_is_type(const struct lm_pobj *o, const char *type);
/* A text string (PDFDocEncoding, or UTF-16BE with a BOM) as UTF-8 into
 * out[n]; returns 0, or -1 if `o` is not a string. */
int lm_pobj_text(const struct lm_pobj *o, char *out, size_t n);

/* Parses one object from `data` at *pos (white space and comments first)
 * with no document around it: references stay references and streams are
 * not read.  Returns the object (lm_pobj_free it) with *pos after it, or
 * NULL with d filled.  For tests and the fuzzer; the document functions
 * below do the rest. */
struct lm_pobj *lm_pdfr_parse_object(const char *data, size_t len, size_t *pos, struct lm_diag *d);

/* ---- documents ---- */

struct lm_pdfr;

/* One revision: the original file, or one incremental update. */
struct lm_pdfr_rev {
	size_t xref_pos;   /* where its cross-reference section starts */
	size_t end;        /* bytes of the file up to the end of this revision
			    * ("%%EOF" and its end of line included) */
	size_t eof_pos;    /* where its "%%EOF" ends (end of line not included) */
	int xref_stream;   /* 1: a cross-reference stream; 0: a classic table */
	int hybrid;        /* a classic table with /XRefStm */
	const struct lm_pobj *trailer; /* its trailer (or xref stream) dictionary */
};

/* Reads the cross-reference sections of `data`: the last startxref, then
 * every /Prev (and /XRefStm).  Returns 0 with *out set (lm_pdfr_free it),
 * or -1 with d filled and *out NULL. */
int lm_pdfr_open(struct lm_pdfr **out, const char *data, size_t len, struct lm_diag *d);
void lm_pdfr_free(struct lm_pdfr *r);

/* Revisions, 0 the original file and the last the newest. */
size_t lm_pdfr_nrevisions(const struct lm_pdfr *r);
const struct lm_pdfr_rev *lm_pdfr_revision(const struct lm_pdfr *r, size_t rev);

/* Where object `num` is at revision `rev`. */
enum lm_pdfr_where { LM_PDFR_ABSENT, LM_PDFR_FREE, LM_PDFR_AT, LM_PDFR_IN_OBJSTM };
struct lm_pdfr_loc {
	enum lm_pdfr_where where;
	size_t rev;          /* the revision whose section says so */
	unsigned long long a; /* AT: file offset; IN_OBJSTM: the object stream's number */
	unsigned long b;     /* AT: generation; IN_OBJSTM: index in it */
};
struct lm_pdfr_loc lm_pdfr_locate(const struct lm_pdfr *r, size_t rev, long long num);

/* Object `num` as it is at revision `rev`.  Returns 0 with *out set (free
 * it), 1 with *out NULL when the object is absent or free at that revision
 * (a reference to it means null), or -1 with d filled when it cannot be
 * read. */
int lm_pdfr_get(struct lm_pdfr *r, size_t rev, long long num, struct lm_pobj **out,
		struct lm_diag *d);
/* `v` itself if it is not a reference, else the object it refers to at
 * `rev`, kept in *hold for the caller to free (NULL for a direct value).
 * Returns NULL (d filled, unless the object is merely absent: d->msg
 * empty) if it cannot be read. */
const struct lm_pobj *lm_pdfr_deref(struct lm_pdfr *r, size_t rev, const struct lm_pobj *v,
				    struct lm_pobj **hold, struct lm_diag *d);

/* A stream's data with its filters undone (FlateDecode, with PNG
 * predictors, any number of times) appended to `out`.  Returns 0, -1 with
 * d filled when it cannot be decoded, or 1 (d filled) for a filter this
 * reader does not decode (DCTDecode images and the like). */
int lm_pdfr_stream(struct lm_pdfr *r, size_t rev, const struct lm_pobj *stream, struct lm_buf *out,
		   struct lm_diag *d);

/* The pages at revision `rev`, in order: *nums[i] is page i+1's object
 * number (free the array).  Returns 0, or -1 with d filled. */
int lm_pdfr_pages(struct lm_pdfr *r, size_t rev, long long **nums, size_t *n, struct lm_diag *d);

/* Checks that `data` is a whole PDF: a header, a cross-reference section
 * reachable from the last startxref, the file ending (but for white space)
 * with that revision's "%%EOF", a catalog and a page tree with at least
 * one page: what --skip-existing may keep.  Sets *pages (if not NULL) to the page count of the
 * newest revision.  Returns 0, or -1 with d filled saying what is wrong. */
int lm_pdfr_check_whole(const char *data, size_t len, size_t *pages, struct lm_diag *d);

/* ---- a set of object numbers (for walks that must not loop) ---- */
struct lm_numset {
	long long *slot;
	size_t cap, n;
};
#define LM_NUMSET_INIT { NULL, 0, 0 }
/* Adds `num`; returns 1 if it was new, 0 if it was there. */
int lm_numset_add(struct lm_numset *s, long long num);
int lm_numset_has(const struct lm_numset *s, long long num);
void lm_numset_release(struct lm_numset *s);

#endif
