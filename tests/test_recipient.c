/* test_recipient.c - one recipient row read once: key, copies, large
 * print and address lines (recipient.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "recipient.h"

static struct lm_value *cell(struct lm_arena *a, const char *s, int line, int col)
{
	struct lm_value *v = lm_value_strz(a, s);
	lm_value_set_origin(v, "r.csv", line, col);
	return v;
}

static void test_copies(void **state)
{
	(void)state;
	unsigned n = 0;
	assert_int_equal(lm_recipient_copies("", 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(lm_recipient_copies("1000", 4, &n), 0);
	assert_int_equal(n, 1000);
	assert_int_equal(lm_recipient_copies("1001", 4, &n), -1);
	assert_int_equal(lm_recipient_copies("0", 1, &n), -1);
	assert_int_equal(lm_recipient_copies("2x", 2, &n), -1);
	assert_int_equal(lm_recipient_copies("-3", 2, &n), -1);
}

static void test_large_print(void **state)
{
	(void)state;
	assert_int_equal(lm_recipient_large_print("YES", 0), 1);
	assert_int_equal(lm_recipient_large_print(" y", 0), 1);
	assert_int_equal(lm_recipient_large_print("false", 1), 0);
	assert_int_equal(lm_recipient_large_print("", 1), 1);
	assert_int_equal(lm_recipient_large_print("maybe", 0), 0);
}

static void test_build(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *row = lm_value_map(a);
	lm_value_set(a, row, "urn", cell(a, "900101", 2, 1));
	lm_value_set(a, row, "address_line_1", cell(a, "The Headteacher", 2, 8));
	lm_value_set(a, row, "address_line_2", cell(a, "", 2, 24));
	/* a zero-width space pasted from a web page prints as nothing */
	lm_value_set(a, row, "address_line_4", cell(a, "\xE2\x80\x8B", 2, 24));
	lm_value_set(a, row, "address_line_3", cell(a, "12 Park Road", 2, 25));
	lm_value_set(a, row, "postcode", cell(a, "L4 0AA", 2, 38));
	lm_value_set(a, row, "copies", cell(a, "3", 2, 45));
	lm_value_set(a, row, "large_print", cell(a, "yes", 2, 47));
	lm_value_set(a, row, "_row", lm_value_strz(a, "1"));
	struct lm_recipient r;
	assert_int_equal(lm_recipient_build(&r, row, 0, NULL), 0);
	assert_string_equal(r.key, "900101");
	assert_int_equal(r.copies, 3);
	assert_int_equal(r.large_print, 1);
	assert_int_equal(r.naddress, 3); /* the empty line dropped, postcode last */
	assert_string_equal(r.address[2]->str, "L4 0AA");
	assert_int_equal(r.address_columns, 1);
	assert_int_equal(lm_recipient_has_address(&r), 1);

	/* every line is kept, however many: check reports past seven */
	row = lm_value_map(a);
	for (int i = 1; i <= 9; i++) {
		char k[32];
		snprintf(k, sizeof(k), "address_line_%d", i);
		lm_value_set(a, row, k, cell(a, "x", 3, i));
	}
	lm_value_set(a, row, "postcode", cell(a, "L4 0AA", 3, 20));
	assert_int_equal(lm_recipient_build(&r, row, 1, NULL), 0);
	assert_int_equal(r.naddress, 10);
	assert_string_equal(r.address[9]->str, "L4 0AA");
	assert_int_equal(r.large_print, 1); /* no column: the run's default */
	assert_int_equal(r.copies, 1);

	/* a bad copies points at its cell */
	row = lm_value_map(a);
	lm_value_set(a, row, "copies", cell(a, "lots", 4, 9));
	struct lm_diag d;
	assert_int_equal(lm_recipient_build(&r, row, 0, &d), -1);
	assert_string_equal(d.file, "r.csv");
	assert_int_equal(d.line, 4);
	assert_int_equal(d.col, 9);
	assert_non_null(strstr(d.msg, "from 1 to 1000"));

	/* no address columns: no window, nothing to check */
	row = lm_value_map(a);
	lm_value_set(a, row, "name", cell(a, "A School", 5, 1));
	assert_int_equal(lm_recipient_build(&r, row, 0, NULL), 0);
	assert_int_equal(r.address_columns, 0);
	assert_int_equal(lm_recipient_has_address(&r), 0);
	assert_int_equal(lm_recipient_has_address(NULL), 0);
	lm_arena_free(a);
}

/* The columns are found as lm_value_get finds names: the key as written,
 * else the first with the same name (names.h), whatever their order. */
static void test_build_names(void **state)
{
	(void)state;
	static const char *const cols[][2] = {
		{ "URN", "900101" },
		{ "Address Line 1", "first" },
		{ "address_line_1", "as written" },
		{ "address_line_10", "not a column" },
		{ "Address-Line-2", "second" },
		{ "ADDRESS LINE 2", "later" },
		{ "Post Code", "L4 0AA" },
		{ "postcode", "L5 0AA" },
		{ "Large Print", "y" },
		{ "COPIES", "2" },
		{ "Language (name)", "cy" },
	};
	struct lm_arena *a = lm_arena_new();
	struct lm_value *row = lm_value_map(a);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		lm_value_append(a, row, cols[i][0], cell(a, cols[i][1], 2, (int)i + 1));
	lm_value_append(a, row, "language", lm_value_list(a)); /* not text: no language */
	struct lm_recipient r;
	assert_int_equal(lm_recipient_build(&r, row, 0, NULL), 0);
	assert_int_equal(r.naddress, 3);
	assert_ptr_equal(r.address[0], lm_value_get(row, "address_line_1"));
	assert_string_equal(r.address[0]->str, "as written");
	assert_ptr_equal(r.address[1], lm_value_get(row, "address_line_2"));
	assert_string_equal(r.address[1]->str, "second");
	assert_ptr_equal(r.address[2], lm_value_get(row, "postcode"));
	assert_string_equal(r.address[2]->str, "L5 0AA");
	assert_int_equal(r.large_print, 1);
	assert_int_equal(r.copies, 2);
	assert_null(r.language);
	/* a list, not a map: its items by id, as lm_value_get reads it */
	struct lm_value *list = lm_value_list(a), *item = lm_value_map(a);
	lm_value_set(a, item, "id", lm_value_strz(a, "copies"));
	lm_value_push(a, list, item);
	assert_int_equal(lm_recipient_build(&r, list, 0, NULL), 0);
	assert_int_equal(r.copies, 1);
	assert_int_equal(r.naddress, 0);
	lm_arena_free(a);
}

/* The map of a row read from a file: columns by header, cells' places. */
static void test_row_map(void **state)
{
	(void)state;
	static const char csv[] = "urn,name,copies\n900101,Dale Park,2\n900102,St Brigid's,\n";
	struct lm_csv_reader rd;
	struct lm_diag d;
	lm_csv_reader_init(&rd);
	assert_int_equal(lm_csv_reader_open_mem(&rd, "s.csv", csv, sizeof(csv) - 1, LM_INPUT_UTF8, &d), 0);
	assert_int_equal(lm_csv_reader_next(&rd, &d), 1);
	assert_int_equal(lm_csv_reader_next(&rd, &d), 1);
	struct lm_arena *a = lm_arena_new();
	struct lm_value *m = lm_recipient_row_map(a, &rd, 2);
	assert_string_equal(lm_value_str(m, "name", ""), "St Brigid's");
	assert_string_equal(lm_value_str(m, "_row", ""), "2");
	assert_int_equal(lm_value_get(m, "_row")->len, 1);
	assert_int_equal(lm_value_get(m, "name")->line, 3);
	/* the row number written as "%ld" writes it */
	static const long rows[] = { 10, 1048577, 2147483647L, -3 };
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		char want[32];
		snprintf(want, sizeof(want), "%ld", rows[i]);
		assert_string_equal(lm_value_str(lm_recipient_row_map(a, &rd, rows[i]), "_row", ""), want);
	}
	struct lm_recipient r;
	assert_int_equal(lm_recipient_build(&r, m, 0, NULL), 0);
	assert_string_equal(r.key, "900102");
	assert_int_equal(r.copies, 1);
	lm_arena_free(a);
	lm_csv_reader_release(&rd);
}

/* Default columns as people write them; a postcode alone is no address. */
static void test_default_names(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *row = lm_value_map(a);
	lm_value_set(a, row, "Address Line 1", cell(a, "The Headteacher", 2, 1));
	lm_value_set(a, row, "ADDRESS-LINE-2", cell(a, "1 High St", 2, 20));
	lm_value_set(a, row, "Post Code", cell(a, "L1 1AA", 2, 30));
	struct lm_recipient r;
	assert_int_equal(lm_recipient_build(&r, row, 0, NULL), 0);
	assert_int_equal(r.naddress, 3);
	assert_string_equal(r.address[2]->str, "L1 1AA");

	row = lm_value_map(a);
	lm_value_set(a, row, "Postcode", cell(a, "L1 1AA", 3, 30));
	assert_int_equal(lm_recipient_build(&r, row, 0, NULL), 0);
	assert_int_equal(r.naddress, 0);
	assert_int_equal(r.address_columns, 0);
	lm_arena_free(a);
}

/* A letter's address: lines, expanded against the row and the area. */
static void test_compose_address(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *row = lm_value_map(a);
	lm_value_set(a, row, "URN", cell(a, "900201", 2, 1));
	lm_value_set(a, row, "EstablishmentName", cell(a, "St Th\xC3\xA9r\xC3\xA8se's", 2, 10));
	lm_value_set(a, row, "Street", cell(a, "12 Abbey Road", 2, 30));
	lm_value_set(a, row, "Locality", cell(a, " \xE2\x80\x8B\xE2\x80\x8D ", 2, 45));
	lm_value_set(a, row, "Town", cell(a, "Liverpool\nMerseyside", 2, 50));
	lm_value_set(a, row, "County (name)", cell(a, "", 2, 60));
	lm_value_set(a, row, "Postcode", cell(a, "L4 0AA", 2, 70));
	struct lm_value *area = lm_value_map(a);
	lm_value_set(a, area, "organisation", lm_value_strz(a, "Liverpool City Council"));
	struct lm_value *spec = lm_value_list(a);
	static const char *const lines[] = {
		"The Headteacher", "{{recipient.establishment_name}}", "{{ recipient.street }}",
		"{{recipient.locality}}", "{{recipient.town}}", "{{recipient.county_name}}",
		"{{recipient.postcode}}", "c/o {{area.organisation}}",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct lm_value *t = lm_value_strz(a, lines[i]);
		lm_value_set_origin(t, "letter.md", (int)i + 3, 5);
		lm_value_push(a, spec, t);
	}
	struct lm_recipient r;
	assert_int_equal(lm_recipient_build(&r, row, 0, NULL), 0);
	assert_int_equal(r.naddress, 0); /* no address_line_N: none by default */
	struct lm_diag d;
	assert_int_equal(lm_recipient_compose_address(&r, spec, area, a, &d), 0);
	static const char *const want[] = {
		"The Headteacher", "St Th\xC3\xA9r\xC3\xA8se's", "12 Abbey Road", "Liverpool",
		"Merseyside", "L4 0AA", "c/o Liverpool City Council",
	};
	assert_int_equal(r.naddress, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(r.address[i]->str, want[i]);
	assert_int_equal(r.address_columns, 1);
	/* a line that is one value points at its cell */
	assert_string_equal(r.address[2]->file, "r.csv");
	assert_int_equal(r.address[2]->col, 30);
	assert_int_equal(r.address[5]->col, 70);

	/* a name that is not there is an error at its place in the letter */
	struct lm_value *typo = lm_value_list(a);
	struct lm_value *t = lm_value_strz(a, "{{recipient.stret}}");
	lm_value_set_origin(t, "letter.md", 9, 5);
	lm_value_push(a, typo, t);
	assert_int_equal(lm_recipient_compose_address(&r, typo, area, a, &d), -1);
	assert_string_equal(d.file, "letter.md");
	assert_int_equal(d.line, 9);
	assert_non_null(strstr(d.msg, "recipient.stret"));

	/* none: no window, nothing to check */
	struct lm_value *none = lm_value_strz(a, "none");
	assert_true(lm_address_none(none));
	assert_int_equal(lm_recipient_compose_address(&r, none, area, a, &d), 0);
	assert_int_equal(r.naddress, 0);
	assert_int_equal(r.address_columns, 0);
	/* no address: key keeps the default */
	assert_int_equal(lm_recipient_build(&r, row, 0, NULL), 0);
	assert_int_equal(lm_recipient_compose_address(&r, NULL, area, a, &d), 0);
	assert_false(lm_address_none(NULL));
	lm_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies),
		cmocka_unit_test(test_large_print),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_names),
		cmocka_unit_test(test_row_map),
		cmocka_unit_test(test_default_names),
		cmocka_unit_test(test_compose_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
