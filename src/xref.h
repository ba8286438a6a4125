/* xref.h - a PDF file's cross-reference entries (PDF 32000-1 7.5.8),
 * kept compactly while the file is written and read back in object-number
 * order when its cross-reference stream is made (pdfw.c).
 *
 * A print file holds about a hundred objects a letter, nearly all in
 * object streams, and the objects of one object stream mostly have
 * consecutive numbers (a letter's structure elements are numbered together
 * and written together).  So an entry is not kept per object: a run of
 * consecutive numbers at consecutive indexes of one object stream is 12
 * bytes however long, and an object outside any object stream (a content
 * stream, a font, an object stream itself) is one number and its offset.
 * A 1,000-letter print file holds 96,620 objects in about 7,000 runs and
 * 1,500 direct objects: some 110 bytes a letter, where 8 bytes an object
 * was 770.
 *
 * Entries are added in any order, into blocks of LM_XREF_BLOCK entries
 * (an array grown by realloc would hold its old and new copies at once,
 * and leave the old one behind as free heap); lm_xref_sort puts them in
 * number order in place, after which lm_xref_next reads them out.
 */
#ifndef LM_XREF_H
#define LM_XREF_H

#include <stddef.h>
#include <stdint.h>

/* Objects first .. first+n-1 at indexes idx .. idx+n-1 of object stream `stm`. */
struct lm_xref_run {
	uint32_t first, stm;
	uint16_t idx, n;
};

/* Object `num` at file offset `off`. */
struct lm_xref_direct {
	uint64_t off;
	uint32_t num;
};

/* Entries a block holds: a power of two. */
#define LM_XREF_BLOCK 4096

struct lm_xref {
	struct lm_xref_run **runs;       /* blocks */
	size_t nruns, runs_alloc;        /* entries; block pointers */
	struct lm_xref_direct **direct;  /* blocks */
	size_t ndirect, direct_alloc;
	uint64_t max;   /* the largest offset or object stream number: the /W field's width */
	size_t count;   /* entries added */
	int sorted;
};

void lm_xref_init(struct lm_xref *x);
void lm_xref_release(struct lm_xref *x);

/* Object `num` written at file offset `off`, outside any object stream. */
void lm_xref_add_direct(struct lm_xref *x, unsigned num, uint64_t off);
/* Object `num` at index `idx` of object stream `stm` (idx < 65536). */
void lm_xref_add_in_stream(struct lm_xref *x, unsigned num, unsigned stm, unsigned idx);

/* Run `i` (0 .. nruns-1), in the order added or, once sorted, by number. */
const struct lm_xref_run *lm_xref_run_at(const struct lm_xref *x, size_t i);

/* Puts the entries in object-number order (heapsort, in place: no
 * temporary as large as the table). */
void lm_xref_sort(struct lm_xref *x);

/* One entry as the cross-reference stream has it: type 1 (field 2 the
 * offset, field 3 zero) or type 2 (field 2 the object stream, field 3 the
 * index). */
struct lm_xref_entry {
	unsigned num;
	int type;
	uint64_t f2;
	unsigned f3;
};

/* Reads a sorted table in number order.  An object added twice comes
 * twice (the caller sees a number that does not increase). */
struct lm_xref_iter {
	const struct lm_xref *x;
	size_t r, k, d;
};
void lm_xref_iter_init(struct lm_xref_iter *it, const struct lm_xref *x);
/* Returns 1 with *e filled, or 0 at the end. */
int lm_xref_next(struct lm_xref_iter *it, struct lm_xref_entry *e);

#endif
