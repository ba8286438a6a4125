/* test_names.c - names as people write them (names.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "names.h"
#include "value.h"

#include <stdio.h>

static void test_same_name(void **state)
{
	(void)state;
	static const char *const same[][2] = {
		{ "EstablishmentName", "establishment_name" },
		{ "County (name)", "county_name" },
		{ "County (name)", "COUNTY-NAME" },
		{ "EstablishmentStatus (name)", "establishment status name" },
		{ "Postcode", "postcode" },
		{ "Post Code", "post_code" },
		{ "address_line_1", "Address Line 1" },
		{ "[URN]", "urn" },
		{ "{x}", "X" },
		{ "", "" },
		{ "_", "" },
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		if (!lm_name_eq(same[i][0], same[i][1]) || !lm_name_eq(same[i][1], same[i][0]))
			fail_msg("'%s' and '%s' should be one name", same[i][0], same[i][1]);
	static const char *const other[][2] = {
		{ "county", "county_name" },
		{ "post.code", "postcode" },
		{ "address_line_1", "address_line_10" },
		{ "Th\xC3\xA9r\xC3\xA8se", "th\xC3\x89r\xC3\xA8se" }, /* only ASCII is folded */
		{ "a", "" },
	};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (lm_name_eq(other[i][0], other[i][1]) || lm_name_eq(other[i][1], other[i][0]))
			fail_msg("'%s' and '%s' should be two names", other[i][0], other[i][1]);
}

static void test_name_n(void **state)
{
	(void)state;
	/* b is only its first blen bytes: a segment of a dotted name */
	assert_true(lm_name_eq_n("County (name)", "county_name.x", 11));
	assert_false(lm_name_eq_n("County (name)", "county_name.x", 10));
	assert_true(lm_name_eq_n("urn", "urn", 3));
	assert_false(lm_name_eq_n("urn", "urn", 2));
	assert_true(lm_name_eq_n("", "___", 3));
}

static void test_key(void **state)
{
	(void)state;
	char k[16];
	assert_int_equal(lm_name_key("County (name)", k, sizeof(k)), 10);
	assert_string_equal(k, "countyname");
	assert_int_equal(lm_name_key("Establishment Status (name)", k, sizeof(k)), 23);
	assert_string_equal(k, "establishmentst"); /* cut, NUL-terminated */
	assert_int_equal(lm_name_key("", k, sizeof(k)), 0);
	assert_string_equal(k, "");
}

static void test_ignored(void **state)
{
	(void)state;
	/* the table in names.c against the list names.h gives */
	for (int c = -1; c < 257; c++) {
		int listed = c > 0 && c < 256 && strchr(" _-()[]{}\t", c) != NULL;
		if (lm_name_ignored(c) != listed)
			fail_msg("character %d: ignored %d, listed %d", c, lm_name_ignored(c), listed);
	}
	/* only ASCII letters fold; every other byte counts as written */
	char k[8];
	lm_name_key("AZaz@[`{", k, sizeof(k));
	assert_string_equal(k, "azaz@`");
	assert_true(lm_name_eq("\xC3\x89", "\xC3\x89"));
	assert_false(lm_name_eq("\xC3\x89", "\xC3\xA9"));
}

static void test_hash(void **state)
{
	(void)state;
	/* one name, one hash: a look-up skips the keys whose hash differs */
	static const char *const same[][2] = {
		{ "EstablishmentName", "establishment_name" }, { "County (name)", "COUNTY-NAME" },
		{ "[URN]", "urn" }, { "", "___" }, { "address_line_1", "Address Line 1" },
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		assert_int_equal(lm_name_hash(same[i][0], strlen(same[i][0])),
				 lm_name_hash(same[i][1], strlen(same[i][1])));
	assert_int_not_equal(lm_name_hash("address_line_1", 14), lm_name_hash("address_line_10", 15));
	/* only the first len bytes, and not past a NUL */
	assert_int_equal(lm_name_hash("county_name.x", 11), lm_name_hash("countyname", 10));
	assert_int_equal(lm_name_hash("urn\0xyz", 7), lm_name_hash("urn", 3));
}

static void test_lookup(void **state)
{
	(void)state;
	struct lm_arena *a = lm_arena_new();
	struct lm_value *m = lm_value_map(a);
	struct lm_value *v[24];
	char key[32];
	/* past the first growth of the arrays: the hashes move with the keys */
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "Column (%d)", i);
		v[i] = lm_value_strz(a, key);
		lm_value_set(a, m, key, v[i]);
	}
	v[20] = lm_value_strz(a, "Name");
	v[21] = lm_value_strz(a, "name");
	lm_value_append(a, m, "Name", v[20]);
	lm_value_append(a, m, "name", v[21]);
	for (int i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "column_%d", i);
		assert_ptr_equal(lm_value_get(m, key), v[i]);
		snprintf(key, sizeof(key), "Column (%d)", i);
		assert_ptr_equal(lm_value_get(m, key), v[i]);
	}
	/* the key as written first, else the first that is the same name */
	assert_ptr_equal(lm_value_get(m, "name"), v[21]);
	assert_ptr_equal(lm_value_get(m, "Name"), v[20]);
	assert_ptr_equal(lm_value_get(m, "NAME"), v[20]);
	assert_null(lm_value_get(m, "column_20"));
	assert_ptr_equal(lm_value_get_hashed(m, "column_3.x", 8, lm_name_hash("column_3", 8)), v[3]);
	/* set replaces the key as written, and only that one */
	struct lm_value *w = lm_value_strz(a, "w");
	lm_value_set(a, m, "name", w);
	assert_ptr_equal(lm_value_get(m, "name"), w);
	assert_ptr_equal(lm_value_get(m, "Name"), v[20]);
	assert_int_equal(m->n, 22);
	/* a list finds the map item whose id is the name, as written */
	struct lm_value *list = lm_value_list(a), *police = lm_value_map(a);
	lm_value_set(a, police, "ID", lm_value_strz(a, "police"));
	lm_value_push(a, list, lm_value_strz(a, "police"));
	lm_value_push(a, list, police);
	assert_ptr_equal(lm_value_path(list, "police.id"), police->items[0]);
	assert_null(lm_value_get(list, "Police"));
	lm_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_name),
		cmocka_unit_test(test_name_n),
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
