/* test_check.c - the fact checks over area and recipient values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"

static struct lm_value *cell(struct lm_arena *a, const char *s, int line, int col)
{
	struct lm_value *v = lm_value_strz(a, s);
	lm_value_set_origin(v, "r.csv", line, col);
	return v;
}

static void test_postcodes(void **state)
{
	(void)state;
	const char *good[] = { "L2 2DH", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT",
			       "W1A 0AX", "EC1A 1BB", "l22dh", "GIR 0AA", "ST16 2LH" };
	const char *bad[] = { "L2", "2DH", "L2 2D", "LL2 2DHH", "12 2DH", "L2 DH2", "", "L2 2DH X",
			      "ABC1 2DH" };
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(lm_uk_postcode(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_false(lm_uk_postcode(bad[i]));
}

static void test_findings_dedupe(void **state)
{
	(void)state;
	struct lm_findings f;
	struct lm_diag d;
	lm_findings_init(&f);
	lm_diag_set(&d, "a.csv", 3, 4, "same");
	lm_findings_add(&f, &d);
	lm_findings_add(&f, &d);
	d.severity = LM_WARNING;
	lm_findings_add(&f, &d);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.errors, 1);
	assert_int_equal(f.warnings, 1);
	lm_findings_release(&f);
}

static void test_area_values(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *ctx = lm_value_map(a), *area = lm_value_map(a);
	struct lm_value *contacts = lm_value_list(a), *c = lm_value_map(a);
	lm_value_set(a, area, "direct_line", cell(a, "0151 233 0476", 2, 13));
	lm_value_set(a, area, "email", cell(a, "colette.o'brien@liverpool.gov.uk", 3, 7));
	lm_value_set(a, area, "fax_phone", cell(a, "12345", 4, 11));
	lm_value_set(a, c, "id", cell(a, "careline", 5, 1));
	lm_value_set(a, c, "phone", cell(a, "0800 1111", 5, 20));
	lm_value_set(a, c, "out_of_hours", cell(a, "0151 233 302", 5, 40));
	lm_value_set(a, c, "web", cell(a, "http://www.knowandsee.co.uk/#team", 5, 60));
	lm_value_set(a, c, "verified", cell(a, "2024-01-01", 5, 90));
	lm_value_push(a, contacts, c);
	lm_value_set(a, ctx, "area", area);
	lm_value_set(a, ctx, "contacts", contacts);
	struct lm_check_opts o = { .today = { 2026, 11, 23 }, .stale_days = 365 };
	struct lm_findings f;
	lm_findings_init(&f);
	lm_check_area(ctx, &o, &f);
	/* fax_phone and out_of_hours are wrong, verified is stale */
	assert_int_equal(f.errors, 2);
	assert_int_equal(f.warnings, 1);
	assert_int_equal(f.v[0].line, 4);
	assert_int_equal(f.v[0].col, 11);
	assert_int_equal(f.v[1].line, 5);
	assert_int_equal(f.v[1].col, 40);
	assert_non_null(strstr(f.v[1].msg, "contact 'careline': 'out_of_hours' is not a valid UK phone number"));
	assert_int_equal(f.v[2].severity, LM_WARNING);
	assert_non_null(strstr(f.v[2].msg, "was last verified on 2024-01-01, 1057 days"));
	lm_findings_release(&f);
	lm_arena_free(a);
}

/* check reads a row through the recipient, as batch and the frame do */
static void check_row_map(const struct lm_value *row, const struct lm_check_opts *o,
			  struct lm_findings *f)
{
	struct lm_recipient rec;
	assert_int_equal(lm_recipient_build(&rec, row, 0, NULL), 0);
	lm_check_recipient(&rec, o, f);
}

static void test_recipient_address(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_check_opts o = { .today = { 2026, 11, 23 }, .stale_days = 365 };
	struct lm_findings f;

	/* no address columns: nothing to check */
	struct lm_value *r = lm_value_map(a);
	lm_value_set(a, r, "urn", cell(a, "1", 2, 1));
	lm_findings_init(&f);
	check_row_map(r, &o, &f);
	assert_int_equal(f.n, 0);
	lm_findings_release(&f);

	/* seven lines plus a postcode is one too many */
	r = lm_value_map(a);
	lm_value_set_origin(r, "r.csv", 3, 1);
	for (int i = 1; i <= 7; i++) {
		char k[32];
		snprintf(k, sizeof(k), "address_line_%d", i);
		lm_value_set(a, r, k, cell(a, "x", 3, 2 * i));
	}
	lm_value_set(a, r, "postcode", cell(a, "L2 2DH", 3, 20));
	lm_findings_init(&f);
	check_row_map(r, &o, &f);
	assert_int_equal(f.errors, 1);
	assert_non_null(strstr(f.v[0].msg, "more than 7 address lines"));
	lm_findings_release(&f);

	/* empty lines are dropped before counting */
	r = lm_value_map(a);
	lm_value_set(a, r, "address_line_1", cell(a, "The Headteacher", 4, 1));
	lm_value_set(a, r, "address_line_2", cell(a, "", 4, 10));
	lm_value_set(a, r, "address_line_3", cell(a, "Dale Street", 4, 11));
	lm_value_set(a, r, "postcode", cell(a, "L2 2DH", 4, 30));
	lm_findings_init(&f);
	check_row_map(r, &o, &f);
	assert_int_equal(f.n, 0);
	lm_findings_release(&f);
	lm_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postcodes),
		cmocka_unit_test(test_findings_dedupe),
		cmocka_unit_test(test_area_values),
		cmocka_unit_test(test_recipient_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
