/* test_names.c - names as people write them (names.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "names.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_name),
		cmocka_unit_test(test_name_n),
		cmocka_unit_test(test_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
