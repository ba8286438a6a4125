/* test_suggest.c - the one edit distance and "did you mean". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "suggest.h"

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(lm_edit_distance("build", "build"), 0);
	assert_int_equal(lm_edit_distance("biuld", "build"), 1);   /* a swap of neighbours */
	assert_int_equal(lm_edit_distance("--aera", "--area"), 1);
	assert_int_equal(lm_edit_distance("liverpol", "liverpool"), 1); /* one missing */
	assert_int_equal(lm_edit_distance("chek", "check"), 1);
	assert_int_equal(lm_edit_distance("", "abc"), 3);
	assert_int_equal(lm_edit_distance("kitten", "sitting"), 3);
	char long_name[80];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[79] = '\0';
	assert_int_equal(lm_edit_distance(long_name, "a"), (size_t)-1);
}

static void test_suggest(void **state)
{
	(void)state;
	static const char *const commands[] = { "build", "check", "fields", "verify", "watch" };
	struct lm_suggest s;
	lm_suggest_init(&s, "biuld");
	for (int i = 0; i < 5; i++)
		lm_suggest_add(&s, commands[i]);
	assert_string_equal(s.best, "build");
	assert_int_equal(s.dist, 1);
	/* nothing plausibly meant: too far, or as far as the name is long */
	lm_suggest_init(&s, "compile");
	for (int i = 0; i < 5; i++)
		lm_suggest_add(&s, commands[i]);
	assert_null(s.best);
	lm_suggest_init(&s, "x");
	lm_suggest_add(&s, "id");
	assert_null(s.best);
	/* the closest wins, the first of equals */
	lm_suggest_init(&s, "wach");
	lm_suggest_add(&s, "watch");
	lm_suggest_add(&s, "each");
	assert_string_equal(s.best, "watch");
	lm_suggest_init(&s, "areas");
	lm_suggest_add(&s, "area");
	lm_suggest_add(&s, "areas");
	assert_string_equal(s.best, "area"); /* an exact match is no suggestion */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
