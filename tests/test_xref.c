/* test_xref.c - the compact cross-reference table (xref.c) and the
 * cross-reference streams pdfw.c makes from it, read back by pdfr.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "pdfr.h"
#include "pdfw.h"
#include "xref.h"

/* a small deterministic generator (no global state) */
static uint32_t next_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void shuffle(unsigned *a, size_t n, uint32_t *seed)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = next_rand(seed) % i;
		unsigned t = a[i - 1];
		a[i - 1] = a[j];
		a[j] = t;
	}
}

static void consecutive_objects_share_a_run(void **state)
{
	(void)state;
	struct lm_xref x;
	lm_xref_init(&x);
	lm_xref_add_in_stream(&x, 10, 5, 0);
	lm_xref_add_in_stream(&x, 11, 5, 1);
	lm_xref_add_in_stream(&x, 12, 5, 2);
	assert_int_equal(x.nruns, 1);
	lm_xref_add_in_stream(&x, 14, 5, 3); /* a gap in numbers */
	lm_xref_add_in_stream(&x, 15, 6, 0); /* another stream */
	lm_xref_add_in_stream(&x, 16, 6, 2); /* a gap in indexes */
	assert_int_equal(x.nruns, 4);
	assert_int_equal(x.count, 6);
	assert_int_equal(x.max, 6);
	lm_xref_sort(&x);
	struct lm_xref_iter it;
	struct lm_xref_entry e;
	lm_xref_iter_init(&it, &x);
	static const unsigned want[][3] = { { 10, 5, 0 }, { 11, 5, 1 }, { 12, 5, 2 },
					    { 14, 5, 3 }, { 15, 6, 0 }, { 16, 6, 2 } };
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(lm_xref_next(&it, &e), 1);
		assert_int_equal(e.num, want[i][0]);
		assert_int_equal(e.type, 2);
		assert_int_equal(e.f2, want[i][1]);
		assert_int_equal(e.f3, want[i][2]);
	}
	assert_int_equal(lm_xref_next(&it, &e), 0);
	lm_xref_release(&x);
}

/* A run is at most 65,535 objects (its length is 16 bits): the next one
 * starts another run and nothing is lost across the boundary. */
static void a_run_past_its_length_field(void **state)
{
	(void)state;
	struct lm_xref x;
	lm_xref_init(&x);
	for (unsigned i = 0; i < 65536; i++)
		lm_xref_add_in_stream(&x, 1 + i, 70000, i);
	assert_int_equal(x.nruns, 2);
	assert_int_equal(lm_xref_run_at(&x, 0)->n, 65535);
	assert_int_equal(lm_xref_run_at(&x, 1)->n, 1);
	lm_xref_sort(&x);
	struct lm_xref_iter it;
	struct lm_xref_entry e;
	lm_xref_iter_init(&it, &x);
	for (unsigned i = 0; i < 65536; i++) {
		assert_int_equal(lm_xref_next(&it, &e), 1);
		assert_int_equal(e.num, 1 + i);
		assert_int_equal(e.f2, 70000);
		assert_int_equal(e.f3, i);
	}
	assert_int_equal(lm_xref_next(&it, &e), 0);
	lm_xref_release(&x);
}

/* Entries added in any order, offsets past 4 GiB among them, come back in
 * number order with their own values. */
static void any_order_and_offsets_past_4_gib(void **state)
{
	(void)state;
	enum { N = 100000 };
	unsigned *order = malloc(N * sizeof(*order));
	assert_non_null(order);
	for (unsigned i = 0; i < N; i++)
		order[i] = 1 + i;
	uint32_t seed = 15;
	shuffle(order, N, &seed);
	struct lm_xref x;
	lm_xref_init(&x);
	uint64_t base = (uint64_t)5 << 32;
	for (size_t i = 0; i < N; i++) {
		unsigned num = order[i];
		if (num % 7 == 0)
			lm_xref_add_direct(&x, num, base + (uint64_t)num * 1000);
		else
			lm_xref_add_in_stream(&x, num, 200000 + num / 200, num % 200);
	}
	assert_int_equal(x.count, N);
	assert_true(x.max == base + (uint64_t)(N / 7 * 7) * 1000);
	lm_xref_sort(&x);
	struct lm_xref_iter it;
	struct lm_xref_entry e;
	lm_xref_iter_init(&it, &x);
	for (unsigned num = 1; num <= N; num++) {
		assert_int_equal(lm_xref_next(&it, &e), 1);
		assert_int_equal(e.num, num);
		if (num % 7 == 0) {
			assert_int_equal(e.type, 1);
			assert_true(e.f2 == base + (uint64_t)num * 1000);
			assert_int_equal(e.f3, 0);
		} else {
			assert_int_equal(e.type, 2);
			assert_int_equal(e.f2, 200000 + num / 200);
			assert_int_equal(e.f3, num % 200);
		}
	}
	assert_int_equal(lm_xref_next(&it, &e), 0);
	/* sorting again (sorted already) changes nothing */
	lm_xref_sort(&x);
	lm_xref_iter_init(&it, &x);
	assert_int_equal(lm_xref_next(&it, &e), 1);
	assert_int_equal(e.num, 1);
	lm_xref_release(&x);
	free(order);
}

/* Counts either side of a block's end, added in reverse order (the sort's
 * worst), objects in streams every other number so each is its own run. */
static void either_side_of_a_block(void **state)
{
	(void)state;
	static const size_t counts[] = { LM_XREF_BLOCK - 1, LM_XREF_BLOCK, LM_XREF_BLOCK + 1,
					 2 * LM_XREF_BLOCK, 3 * LM_XREF_BLOCK + 5 };
	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		size_t n = counts[c];
		struct lm_xref x;
		lm_xref_init(&x);
		for (size_t i = n; i-- > 0;) {
			unsigned num = 1 + (unsigned)i;
			if (num % 2)
				lm_xref_add_in_stream(&x, num, 9, num % 100);
			else
				lm_xref_add_direct(&x, num, (uint64_t)num << 20);
		}
		assert_int_equal(x.nruns, (n + 1) / 2);
		assert_int_equal(x.ndirect, n / 2);
		lm_xref_sort(&x);
		assert_int_equal(lm_xref_run_at(&x, 0)->first, 1);
		struct lm_xref_iter it;
		struct lm_xref_entry e;
		lm_xref_iter_init(&it, &x);
		for (unsigned num = 1; num <= n; num++) {
			assert_int_equal(lm_xref_next(&it, &e), 1);
			assert_int_equal(e.num, num);
			assert_int_equal(e.type, num % 2 ? 2 : 1);
			assert_true(e.f2 == (num % 2 ? 9 : (uint64_t)num << 20));
			assert_int_equal(e.f3, num % 2 ? num % 100 : 0);
		}
		assert_int_equal(lm_xref_next(&it, &e), 0);
		lm_xref_release(&x);
	}
}

static void an_object_added_twice_comes_twice(void **state)
{
	(void)state;
	struct lm_xref x;
	lm_xref_init(&x);
	lm_xref_add_direct(&x, 3, 100);
	lm_xref_add_in_stream(&x, 2, 9, 0);
	lm_xref_add_direct(&x, 2, 200);
	lm_xref_sort(&x);
	struct lm_xref_iter it;
	struct lm_xref_entry e;
	lm_xref_iter_init(&it, &x);
	unsigned got[3];
	for (int i = 0; i < 3; i++) {
		assert_int_equal(lm_xref_next(&it, &e), 1);
		got[i] = e.num;
	}
	assert_int_equal(got[0], 2);
	assert_int_equal(got[1], 2);
	assert_int_equal(got[2], 3);
	assert_int_equal(lm_xref_next(&it, &e), 0);
	lm_xref_release(&x);
}

/* An empty table reads as nothing. */
static void an_empty_table(void **state)
{
	(void)state;
	struct lm_xref x;
	lm_xref_init(&x);
	lm_xref_sort(&x);
	struct lm_xref_iter it;
	struct lm_xref_entry e;
	lm_xref_iter_init(&it, &x);
	assert_int_equal(lm_xref_next(&it, &e), 0);
	lm_xref_release(&x);
}

/* ---- through pdfw.c, read back by pdfr.c ---- */

/* 1 if `s` is in the `n` bytes at `p` (which may hold NULs) */
static int contains(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s);
	for (size_t i = 0; i + k <= n; i++)
		if (!memcmp(p + i, s, k))
			return 1;
	return 0;
}

/* The integer object `num` holds in these files. */
static long long value_of(unsigned num)
{
	return (long long)num * 3 + 1;
}

static void add_int(struct lm_pdfw *w, unsigned num, int direct)
{
	char body[32];
	int n = snprintf(body, sizeof(body), "%lld", value_of(num));
	if (direct)
		lm_pdfw_direct(w, num, body, (size_t)n);
	else
		lm_pdfw_obj(w, num, body, (size_t)n);
}

/* A file of 30,000 objects (more rows than the writer deflates at a
 * time, more objects than one object stream holds) written out of order,
 * some outside object streams: every object reads back. */
static void a_large_file_reads_back(void **state)
{
	(void)state;
	enum { N = 30000 };
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	unsigned root = lm_pdfw_reserve(&w);
	unsigned *nums = malloc(N * sizeof(*nums));
	assert_non_null(nums);
	for (size_t i = 0; i < N; i++)
		nums[i] = lm_pdfw_reserve(&w);
	/* blocks of consecutive numbers (as a letter's elements are), the
	 * blocks in shuffled order */
	uint32_t seed = 7;
	for (size_t b = 0; b + 100 <= N; b += 100) {
		size_t j = (next_rand(&seed) % (N / 100)) * 100;
		for (size_t k = 0; k < 100; k++) {
			unsigned t = nums[b + k];
			nums[b + k] = nums[j + k];
			nums[j + k] = t;
		}
	}
	for (size_t i = 0; i < N; i++)
		add_int(&w, nums[i], nums[i] % 97 == 0);
	lm_pdfw_stream(&w, lm_pdfw_reserve(&w), "", "q Q", 3, LM_PDFW_DEFLATE);
	lm_pdfw_obj(&w, root, "<</Type/Catalog>>", 17);
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdfw_finish(&w, root, 0, &d), 0);
	assert_int_equal(lm_pdfw_flush(&w, &d), 0);

	struct lm_pdfr *r = NULL;
	int rc = lm_pdfr_open(&r, w.out.ptr, w.out.len, &d);
	if (rc)
		fprintf(stderr, "pdfr: %s\n", d.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(lm_pdfr_nrevisions(r), 1);
	for (unsigned num = 2; num < 2 + N; num++) {
		struct lm_pobj *o = NULL;
		assert_int_equal(lm_pdfr_get(r, 0, num, &o, &d), 0);
		assert_int_equal(o->kind, LM_PK_INT);
		assert_int_equal(o->i, value_of(num));
		struct lm_pdfr_loc loc = lm_pdfr_locate(r, 0, num);
		assert_int_equal(loc.where, num % 97 == 0 ? LM_PDFR_AT : LM_PDFR_IN_OBJSTM);
		lm_pobj_free(o);
	}
	lm_pdfr_free(r);
	free(nums);
	lm_pdfw_release(&w);
}

/* Files either side of the size where the writer stops deflating the
 * table whole (4,096 rows) and streams it: each reads back. */
static void either_side_of_the_streamed_table(void **state)
{
	(void)state;
	for (unsigned k = 4070; k <= 4100; k++) {
		struct lm_pdfw w;
		lm_pdfw_init(&w, NULL);
		unsigned root = lm_pdfw_reserve(&w), nums[4100];
		/* numbered as they come: a full object stream takes the next number */
		for (unsigned i = 0; i < k; i++) {
			nums[i] = lm_pdfw_reserve(&w);
			add_int(&w, nums[i], i % 50 == 0);
		}
		lm_pdfw_obj(&w, root, "<</Type/Catalog>>", 17);
		struct lm_diag d;
		lm_diag_clear(&d);
		assert_int_equal(lm_pdfw_finish(&w, root, 0, &d), 0);
		struct lm_pdfr *r = NULL;
		assert_int_equal(lm_pdfr_open(&r, w.out.ptr, w.out.len, &d), 0);
		for (unsigned i = 0; i < k; i++) {
			struct lm_pobj *o = NULL;
			assert_int_equal(lm_pdfr_get(r, 0, nums[i], &o, &d), 0);
			assert_int_equal(o->i, value_of(nums[i]));
			lm_pobj_free(o);
		}
		/* nothing past the table's end */
		struct lm_pdfr_loc loc = lm_pdfr_locate(r, 0, (long long)w.size);
		assert_int_equal(loc.where, LM_PDFR_ABSENT);
		lm_pdfr_free(r);
		lm_pdfw_release(&w);
	}
}

/* An update lists only the objects it writes, in /Index runs, and they
 * read back at the new revision while the old one keeps its own. */
static void an_update_lists_its_objects(void **state)
{
	(void)state;
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	unsigned root = lm_pdfw_reserve(&w);
	for (int i = 0; i < 10; i++)
		add_int(&w, lm_pdfw_reserve(&w), 0);
	lm_pdfw_obj(&w, root, "<</Type/Catalog>>", 17);
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdfw_finish(&w, root, 0, &d), 0);
	lm_pdfw_update_begin(&w);
	lm_pdfw_obj(&w, 5, "500", 3);
	lm_pdfw_direct(&w, 4, "400", 3);
	lm_pdfw_obj(&w, 9, "900", 3);
	assert_int_equal(lm_pdfw_update_finish(&w, root, 0, &d), 0);
	lm_pdfw_unhold(&w);
	assert_int_equal(lm_pdfw_flush(&w, &d), 0);
	/* objects 4, 5, 9 and the update's own stream, 14 (12 is the
	 * object stream, 13 the first cross-reference stream) */
	assert_true(contains(w.out.ptr, w.out.len, "/Index[4 2 9 1 14 1]"));

	struct lm_pdfr *r = NULL;
	assert_int_equal(lm_pdfr_open(&r, w.out.ptr, w.out.len, &d), 0);
	assert_int_equal(lm_pdfr_nrevisions(r), 2);
	for (unsigned num = 2; num <= 11; num++) {
		long long now = num == 4 ? 400 : num == 5 ? 500 : num == 9 ? 900 : value_of(num);
		struct lm_pobj *o = NULL;
		assert_int_equal(lm_pdfr_get(r, 1, num, &o, &d), 0);
		assert_int_equal(o->i, now);
		lm_pobj_free(o);
		assert_int_equal(lm_pdfr_get(r, 0, num, &o, &d), 0);
		assert_int_equal(o->i, value_of(num));
		lm_pobj_free(o);
	}
	lm_pdfr_free(r);
	lm_pdfw_release(&w);
}

/* A number reserved and never written, or written twice, is a bug the
 * writer says, not a file with a hole or a shadowed object. */
static void an_object_never_written(void **state)
{
	(void)state;
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	unsigned root = lm_pdfw_reserve(&w);
	unsigned a = lm_pdfw_reserve(&w), b = lm_pdfw_reserve(&w);
	add_int(&w, a, 0);
	lm_pdfw_obj(&w, root, "<<>>", 4);
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdfw_finish(&w, root, 0, &d), -1);
	assert_int_equal(d.kind, LM_KIND_BUG);
	char want[64];
	snprintf(want, sizeof(want), "object %u of the PDF was never written", b);
	assert_non_null(strstr(d.msg, want));
	lm_pdfw_release(&w);

	/* the last one missing */
	lm_pdfw_init(&w, NULL);
	root = lm_pdfw_reserve(&w);
	a = lm_pdfw_reserve(&w);
	lm_pdfw_obj(&w, root, "<<>>", 4);
	lm_diag_clear(&d);
	assert_int_equal(lm_pdfw_finish(&w, root, 0, &d), -1);
	snprintf(want, sizeof(want), "object %u of the PDF was never written", a);
	assert_non_null(strstr(d.msg, want));
	lm_pdfw_release(&w);
}

static void an_object_written_twice(void **state)
{
	(void)state;
	struct lm_pdfw w;
	lm_pdfw_init(&w, NULL);
	unsigned root = lm_pdfw_reserve(&w);
	unsigned a = lm_pdfw_reserve(&w);
	add_int(&w, a, 0);
	add_int(&w, a, 1);
	lm_pdfw_obj(&w, root, "<<>>", 4);
	struct lm_diag d;
	lm_diag_clear(&d);
	assert_int_equal(lm_pdfw_finish(&w, root, 0, &d), -1);
	assert_int_equal(d.kind, LM_KIND_BUG);
	char want[64];
	snprintf(want, sizeof(want), "object %u of the PDF was written twice", a);
	assert_non_null(strstr(d.msg, want));
	lm_pdfw_release(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(consecutive_objects_share_a_run),
		cmocka_unit_test(a_run_past_its_length_field),
		cmocka_unit_test(any_order_and_offsets_past_4_gib),
		cmocka_unit_test(either_side_of_a_block),
		cmocka_unit_test(an_object_added_twice_comes_twice),
		cmocka_unit_test(an_empty_table),
		cmocka_unit_test(a_large_file_reads_back),
		cmocka_unit_test(either_side_of_the_streamed_table),
		cmocka_unit_test(an_update_lists_its_objects),
		cmocka_unit_test(an_object_never_written),
		cmocka_unit_test(an_object_written_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
