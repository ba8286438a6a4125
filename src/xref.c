#include "xref.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>

void lm_xref_init(struct lm_xref *x)
{
	memset(x, 0, sizeof(*x));
}

void lm_xref_release(struct lm_xref *x)
{
	free(x->runs);
	free(x->direct);
	memset(x, 0, sizeof(*x));
}

void lm_xref_add_direct(struct lm_xref *x, unsigned num, uint64_t off)
{
	LM_ALLOC_GROW(x->direct, x->ndirect + 1, x->direct_alloc);
	x->direct[x->ndirect++] = (struct lm_xref_direct){ .off = off, .num = num };
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
		struct lm_xref_run *r = &x->runs[x->nruns - 1];
		if (r->stm == stm && r->n < UINT16_MAX && (uint64_t)r->first + r->n == num &&
		    (unsigned)r->idx + r->n == idx) {
			r->n++;
			return;
		}
	}
	LM_ALLOC_GROW(x->runs, x->nruns + 1, x->runs_alloc);
	x->runs[x->nruns++] = (struct lm_xref_run){ .first = num, .stm = stm, .idx = (uint16_t)idx, .n = 1 };
	x->sorted = 0;
}

/* Heapsort: in place, n log n whatever the order (qsort may allocate a
 * copy of the whole array, which is what this table is to avoid). */
#define HEAPSORT(name, type, key)                                                   \
	static void name##_sift(type *a, size_t i, size_t n)                        \
	{                                                                           \
		type v = a[i];                                                      \
		for (;;) {                                                          \
			size_t c = 2 * i + 1;                                       \
			if (c >= n)                                                 \
				break;                                              \
			if (c + 1 < n && a[c + 1].key > a[c].key)                   \
				c++;                                                \
			if (a[c].key <= v.key)                                      \
				break;                                              \
			a[i] = a[c];                                                \
			i = c;                                                      \
		}                                                                   \
		a[i] = v;                                                           \
	}                                                                           \
	static void name(type *a, size_t n)                                         \
	{                                                                           \
		size_t i;                                                           \
		for (i = 1; i < n && a[i - 1].key <= a[i].key; i++)                 \
			;                                                           \
		if (i >= n) /* in order already, as most runs are */                \
			return;                                                     \
		for (i = n / 2; i-- > 0;)                                           \
			name##_sift(a, i, n);                                       \
		for (i = n; i-- > 1;) {                                             \
			type t = a[0];                                              \
			a[0] = a[i];                                                \
			a[i] = t;                                                   \
			name##_sift(a, 0, i);                                       \
		}                                                                   \
	}

HEAPSORT(sort_runs, struct lm_xref_run, first)
HEAPSORT(sort_direct, struct lm_xref_direct, num)

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
	uint64_t rn = have_run ? (uint64_t)x->runs[it->r].first + it->k : UINT64_MAX;
	uint64_t dn = have_direct ? x->direct[it->d].num : UINT64_MAX;
	if (dn <= rn) {
		const struct lm_xref_direct *d = &x->direct[it->d++];
		*e = (struct lm_xref_entry){ .num = d->num, .type = 1, .f2 = d->off, .f3 = 0 };
		return 1;
	}
	const struct lm_xref_run *r = &x->runs[it->r];
	*e = (struct lm_xref_entry){ .num = (unsigned)rn, .type = 2, .f2 = r->stm, .f3 = (unsigned)r->idx + (unsigned)it->k };
	if (++it->k == r->n) {
		it->r++;
		it->k = 0;
	}
	return 1;
}
