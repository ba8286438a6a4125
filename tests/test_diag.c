/* test_diag.c - a diagnostic's kind and the exit status the CLI picks from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "diag.h"
#include "fileio.h"

static void kind_defaults_to_input(void **state)
{
	(void)state;
	struct lm_diag d;
	lm_diag_clear(&d);
	d.kind = LM_KIND_BUG;
	assert_int_equal(lm_diag_set(&d, "f", 1, 2, "x %d", 3), -1);
	assert_int_equal(d.kind, LM_KIND_INPUT);
	assert_string_equal(d.msg, "x 3");
	assert_int_equal(lm_diag_setk(&d, LM_KIND_SYSTEM, "f", 0, 0, "y"), -1);
	assert_int_equal(d.kind, LM_KIND_SYSTEM);
	assert_int_equal(lm_diag_setk(NULL, LM_KIND_BUG, "f", 0, 0, "z"), -1);
}

static void errno_kinds(void **state)
{
	(void)state;
	assert_int_equal(lm_diag_errno_kind(ENOENT), LM_KIND_INPUT);
	assert_int_equal(lm_diag_errno_kind(ENOTDIR), LM_KIND_INPUT);
	assert_int_equal(lm_diag_errno_kind(ENOSPC), LM_KIND_SYSTEM);
	assert_int_equal(lm_diag_errno_kind(EDQUOT), LM_KIND_SYSTEM);
	assert_int_equal(lm_diag_errno_kind(EACCES), LM_KIND_SYSTEM);
	assert_int_equal(lm_diag_errno_kind(EPERM), LM_KIND_SYSTEM);
	assert_int_equal(lm_diag_errno_kind(EROFS), LM_KIND_SYSTEM);
	assert_int_equal(lm_diag_errno_kind(EIO), LM_KIND_SYSTEM);
	assert_int_equal(lm_diag_errno_kind(EMFILE), LM_KIND_SYSTEM);
}

static void exit_codes(void **state)
{
	(void)state;
	assert_int_equal(cli_exit_for(LM_KIND_INPUT), 1);
	assert_int_equal(cli_exit_for(LM_KIND_USAGE), 2);
	assert_int_equal(cli_exit_for(LM_KIND_SYSTEM), 3);
	assert_int_equal(cli_exit_for(LM_KIND_BUG), 70);
	/* the worst kind of a run decides: the order of the enum is that */
	assert_true(LM_KIND_BUG > LM_KIND_SYSTEM && LM_KIND_SYSTEM > LM_KIND_USAGE &&
		    LM_KIND_USAGE > LM_KIND_INPUT);
}

static void findings_keep_the_worst_kind(void **state)
{
	(void)state;
	struct lm_findings f;
	struct lm_diag d;
	lm_findings_init(&f);
	lm_diag_setk(&d, LM_KIND_SYSTEM, "a", 1, 1, "disk");
	lm_findings_add(&f, &d);
	lm_diag_set(&d, "b", 1, 1, "input");
	lm_findings_add(&f, &d);
	assert_int_equal(f.worst, LM_KIND_SYSTEM);
	/* a warning never decides the status */
	lm_diag_setk(&d, LM_KIND_BUG, "c", 1, 1, "w");
	d.severity = LM_WARNING;
	lm_findings_add(&f, &d);
	assert_int_equal(f.worst, LM_KIND_SYSTEM);
	lm_findings_release(&f);
}

/* A read of a missing file is the input's fault; a write to a full device
 * the system's. */
static void file_errors_have_kinds(void **state)
{
	(void)state;
	struct lm_diag d;
	struct lm_buf b = LM_BUF_INIT;
	lm_diag_clear(&d);
	assert_int_equal(lm_read_file("/nonexistent/x", &b, &d), -1);
	assert_int_equal(d.kind, LM_KIND_INPUT);
	lm_buf_release(&b);
	struct lm_atomic a = { 0 };
	a.fd = open("/dev/full", O_WRONLY);
	if (a.fd < 0)
		skip();
	a.path = strdup("/dev/full");
	assert_int_equal(lm_atomic_write(&a, "x", 1, &d), -1);
	assert_int_equal(d.kind, LM_KIND_SYSTEM);
	assert_non_null(strstr(d.msg, "No space left on device"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kind_defaults_to_input),
		cmocka_unit_test(errno_kinds),
		cmocka_unit_test(exit_codes),
		cmocka_unit_test(findings_keep_the_worst_kind),
		cmocka_unit_test(file_errors_have_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
