#include "xref.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

void lm_xref_init(struct lm_xref *x)
{
	memset(x, 0, sizeof(*x));
}

#define RUN(x, i) ((x)->runs[(i) / LM_XREF_BLOCK][(i) % LM_XREF_BLOCK])
#define DIRECT(x, i) ((x)->direct[(i) / LM_XREF_BLOCK][(i) % LM_XREF_BLOCK])

void lm_xref_release(struct lm_xref *x)
{
	for (size_t i = 0; i * LM_XREF_BLOCK < x->nruns; i++)
		free(x->runs[i]);
	for (size_t i = 0; i * LM_XREF_BLOCK < x->ndirect; i++)
		free(x->direct[i]);
	free(x->runs);
	free(x->direct);
	memset(x, 0, sizeof(*x));
}

/* Room for entry n of an array of blocks: a new block when n starts one. */
#define ROOM(blocks, n, alloc)                                                      \
	do {                                                                        \
		if ((n) % LM_XREF_BLOCK == 0) {                                     \
			LM_ALLOC_GROW(blocks, (n) / LM_XREF_BLOCK + 1, alloc);      \
			(blocks)[(n) / LM_XREF_BLOCK] =                             \
				lm_xmalloc(LM_XREF_BLOCK * sizeof(**(blocks)));     \
		}                                                                   \
	} while (0)

void lm_xref_add_direct(struct lm_xref *x, unsigned num, uint64_t off)
{
	ROOM(x->direct, x->ndirect, x->direct_alloc);
	DIRECT(x, x->ndirect) = (struct lm_xref_direct){ .off = off, .num = num };
	x->ndirect++;
	if (off > x->max)
		x->max = off;
	x->count++;
	x->sorted = 0;
}

void lm_xref_add_in_stream(struct lm_xref *x, unsigned num, unsigned stm, unsigned idx)
{
	if (stm > x->max)
		x->max = stm;
	x->count++;
	if (x->nruns) {
		struct lm_xref_run *r = &RUN(x, x->nruns - 1);
		if (r->stm == stm && r->n < UINT16_MAX && (uint64_t)r->first + r->n == num &&
		    (unsigned)r->idx + r->n == idx) {
			r->n++;
			return;
		}
	}
	ROOM(x->runs, x->nruns, x->runs_alloc);
	RUN(x, x->nruns) = (struct lm_xref_run){ .first = num, .stm = stm, .idx = (uint16_t)idx, .n = 1 };
	x->nruns++;
	x->sorted = 0;
}

const struct lm_xref_run *lm_xref_run_at(const struct lm_xref *x, size_t i)
{
	return &RUN(x, i);
}

/* Heapsort over blocks: in place, n log n whatever the order (qsort would
 * want one array, and may allocate a copy of it). */
#define HEAPSORT(name, type, AT, key)                                               \
	static void name##_sift(type **a, size_t i, size_t n)                       \
	{                                                                           \
		type v = AT(a, i);                                                  \
		for (;;) {                                                          \
			size_t c = 2 * i + 1;                                       \
			if (c >= n)                                                 \
				break;                                              \
			if (c + 1 < n && AT(a, c + 1).key > AT(a, c).key)           \
				c++;                                                \
			if (AT(a, c).key <= v.key)                                  \
				break;                                              \
			AT(a, i) = AT(a, c);                                        \
			i = c;                                                      \
		}                                                                   \
		AT(a, i) = v;                                                       \
	}                                                                           \
	static void name(type **a, size_t n)                                        \
	{                                                                           \
		size_t i;                                                           \
		for (i = 1; i < n && AT(a, i - 1).key <= AT(a, i).key; i++)         \
			;                                                           \
		if (i >= n) /* in order already */                                  \
			return;                                                     \
		for (i = n / 2; i-- > 0;)                                           \
			name##_sift(a, i, n);                                       \
		for (i = n; i-- > 1;) {                                             \
			type t = AT(a, 0);                                          \
			AT(a, 0) = AT(a, i);                                        \
			AT(a, i) = t;                                               \
			name##_sift(a, 0, i);                                       \
		}                                                                   \
	}

#define AT_BLOCK(a, i) ((a)[(i) / LM_XREF_BLOCK][(i) % LM_XREF_BLOCK])
HEAPSORT(sort_runs, struct lm_xref_run, AT_BLOCK, first)
HEAPSORT(sort_direct, struct lm_xref_direct, AT_BLOCK, num)

void lm_xref_sort(struct lm_xref *x)
{
	if (x->sorted)
		return;
	sort_runs(x->runs, x->nruns);
	sort_direct(x->direct, x->ndirect);
	x->sorted = 1;
}

void lm_xref_iter_init(struct lm_xref_iter *it, const struct lm_xref *x)
{
	memset(it, 0, sizeof(*it));
	it->x = x;
}

int lm_xref_next(struct lm_xref_iter *it, struct lm_xref_entry *e)
{
	const struct lm_xref *x = it->x;
	int have_run = it->r < x->nruns, have_direct = it->d < x->ndirect;
	if (!have_run && !have_direct)
		return 0;
	uint64_t rn = have_run ? (uint64_t)RUN(x, it->r).first + it->k : UINT64_MAX;
	uint64_t dn = have_direct ? DIRECT(x, it->d).num : UINT64_MAX;
	if (dn <= rn) {
		const struct lm_xref_direct *d = &DIRECT(x, it->d);
		it->d++;
		*e = (struct lm_xref_entry){ .num = d->num, .type = 1, .f2 = d->off, .f3 = 0 };
		return 1;
	}
	const struct lm_xref_run *r = &RUN(x, it->r);
	*e = (struct lm_xref_entry){ .num = (unsigned)rn, .type = 2, .f2 = r->stm, .f3 = (unsigned)r->idx + (unsigned)it->k };
	if (++it->k == r->n) {
		it->r++;
		it->k = 0;
	}
	return 1;
}
