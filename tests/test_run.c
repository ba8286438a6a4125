/* test_run.c - the run engine's phases and its abort rule (run.c), on the
 * real letter and area, into a folder of its own.
 *
 *   test_run SOURCE_DIR
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "run.h"

static const char *src;

/* What the callbacks saw. */
struct seen {
	struct lm_buf files;     /* "path;" per file done, in order */
	size_t nfiles, errors, letter_errors, writing_calls, staged, moving;
	size_t progress_last;
	int refuse;              /* writing returns this */
	char stage_dir[512];
};

static void finding(void *ctx, const struct lm_diag *d, const struct lm_area *area, int letter)
{
	struct seen *s = ctx;
	(void)area;
	if (d->severity == LM_ERROR) {
		s->errors++;
		s->letter_errors += (size_t)letter;
	}
}

static void progress(void *ctx, enum lm_run_phase phase, size_t done, size_t total)
{
	struct seen *s = ctx;
	(void)phase;
	assert_true(done <= total);
	s->progress_last = done;
}

static int writing(void *ctx, size_t first, size_t end)
{
	struct seen *s = ctx;
	assert_true(first < end);
	s->writing_calls++;
	return s->refuse;
}

static void staging(void *ctx, const char *dir, int moving)
{
	struct seen *s = ctx;
	if (dir && !moving) {
		snprintf(s->stage_dir, sizeof(s->stage_dir), "%s", dir);
		s->staged++;
	}
	s->moving += (size_t)moving;
}

static void file_done(void *ctx, const struct lm_run_file *f)
{
	struct seen *s = ctx;
	assert_string_equal(f->area, "liverpool");
	assert_true(f->result->pages >= 1);
	lm_buf_addf(&s->files, "%s;", f->path);
	s->nfiles++;
}

/* Files in `dir` (not . and ..), and how many are temporary. */
static size_t count_files(const char *dir, size_t *temps)
{
	DIR *dp = opendir(dir);
	size_t n = 0;
	*temps = 0;
	if (!dp)
		return 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		n++;
		*temps += !strncmp(e->d_name, ".lettermerge-", 13);
	}
	closedir(dp);
	return n;
}

static void remove_all(const char *dir)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *e;
	struct lm_buf p = LM_BUF_INIT;
	while ((e = readdir(dp))) {
		lm_buf_reset(&p);
		lm_buf_addf(&p, "%s/%s", dir, e->d_name);
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlink(p.ptr);
	}
	closedir(dp);
	lm_buf_release(&p);
	rmdir(dir);
}

struct fixture {
	char dir[64];
	char csv[128], pattern[160], letter[512], area[512], fonts[512];
	const char *areas[1], *recipients[1];
	struct lm_run_opts o;
	struct lm_run_callbacks cb;
	struct seen s;
};

/* A run of the awareness letter for Liverpool over `rows` schools, row
 * `bad` (1-based; 0 none) with a name too long for the PDF's title. */
static void setup(struct fixture *f, int rows, int bad, unsigned jobs)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/lm-run-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->csv, sizeof(f->csv), "%s/schools.csv", f->dir);
	FILE *fp = fopen(f->csv, "w");
	assert_non_null(fp);
	fprintf(fp, "urn,name,address_line_1,address_line_2,postcode\n");
	for (int i = 1; i <= rows; i++) {
		fprintf(fp, "%d,", 100 + i);
		if (i == bad)
			for (int k = 0; k < 40000; k++)
				fputc('N', fp);
		else
			fprintf(fp, "School %d", i);
		fprintf(fp, ",The Head,1 Road,L1 1AA\n");
	}
	fclose(fp);
	snprintf(f->pattern, sizeof(f->pattern), "%s/out/{{recipient.urn}}.pdf", f->dir);
	snprintf(f->letter, sizeof(f->letter), "%s/rowtitle.md", f->dir);
	fp = fopen(f->letter, "w");
	assert_non_null(fp);
	fprintf(fp, "---\ntitle: \"Letter for {{recipient.name}}\"\n---\nDear parent,\n");
	fclose(fp);
	snprintf(f->area, sizeof(f->area), "%s/areas/liverpool", src);
	snprintf(f->fonts, sizeof(f->fonts), "%s/fonts", src);
	f->areas[0] = f->area;
	f->recipients[0] = f->csv;
	f->o = (struct lm_run_opts){ .fonts_dir = f->fonts, .letter = f->letter, .areas = f->areas,
				     .recipients = f->recipients, .nareas = 1, .pattern = f->pattern,
				     .digests = 1, .shard_k = 1, .shard_n = 1, .jobs = jobs,
				     .check = { .today = { 2015, 3, 17 }, .stale_days = 36500 } };
	lm_buf_init(&f->s.files);
	f->cb = (struct lm_run_callbacks){ .ctx = &f->s, .finding = finding, .progress = progress,
					   .writing = writing, .staging = staging, .file_done = file_done };
}

static void teardown(struct fixture *f)
{
	struct lm_buf out = LM_BUF_INIT;
	lm_buf_addf(&out, "%s/out", f->dir);
	remove_all(out.ptr);
	lm_buf_release(&out);
	remove_all(f->dir);
	lm_buf_release(&f->s.files);
}

static void test_writes_in_order(void **state)
{
	(void)state;
	for (unsigned jobs = 1; jobs <= 3; jobs += 2) {
		struct fixture f;
		struct lm_run_result res;
		setup(&f, 7, 0, jobs);
		assert_int_equal(lm_run(&f.o, &f.cb, &res), 0);
		assert_int_equal(res.outcome, LM_RUN_WRITTEN);
		assert_int_equal(res.letters, 7);
		assert_int_equal(res.written, 7);
		assert_int_equal(f.s.nfiles, 7);
		assert_int_equal(f.s.errors, 0);
		assert_int_equal(f.s.writing_calls, 1);
		assert_int_equal(f.s.staged, 1);
		assert_int_equal(f.s.moving, 1);
		assert_int_equal(f.s.progress_last, 7);
		char want[256];
		snprintf(want, sizeof(want), "%s/out/101.pdf;", f.dir);
		assert_memory_equal(f.s.files.ptr, want, strlen(want)); /* in letter order */
		assert_non_null(strstr(f.s.files.ptr, "/out/107.pdf;"));
		char out[128];
		size_t temps;
		snprintf(out, sizeof(out), "%s/out", f.dir);
		assert_int_equal(count_files(out, &temps), 7);
		assert_int_equal(temps, 0);
		teardown(&f);
	}
}

/* A bad row late in the run: every letter checked, nothing kept. */
static void test_bad_row_writes_nothing(void **state)
{
	(void)state;
	for (unsigned jobs = 1; jobs <= 2; jobs++) {
		struct fixture f;
		struct lm_run_result res;
		setup(&f, 50, 48, jobs);
		assert_int_equal(lm_run(&f.o, &f.cb, &res), 1);
		assert_int_equal(res.outcome, LM_RUN_LETTERS_FAILED);
		assert_int_equal(res.failed, 1);
		assert_int_equal(res.written, 0);
		assert_int_equal(f.s.nfiles, 0);
		assert_int_equal(f.s.letter_errors, 1);
		assert_int_equal(f.s.moving, 0);
		char out[128];
		size_t temps;
		snprintf(out, sizeof(out), "%s/out", f.dir);
		assert_int_equal(count_files(out, &temps), 0);
		teardown(&f);
	}
	/* keep_going: the others are kept */
	struct fixture f;
	struct lm_run_result res;
	setup(&f, 9, 4, 2);
	f.o.keep_going = 1;
	assert_int_equal(lm_run(&f.o, &f.cb, &res), 1);
	assert_int_equal(res.outcome, LM_RUN_WRITTEN);
	assert_int_equal(res.written, 8);
	assert_int_equal(res.failed, 1);
	assert_null(strstr(f.s.files.ptr, "/104.pdf"));
	teardown(&f);
}

/* A print file with a bad letter is not written; with keep_going it is
 * refused, not written with a letter missing. */
static void test_print_file(void **state)
{
	(void)state;
	for (int keep = 0; keep < 2; keep++) {
		struct fixture f;
		struct lm_run_result res;
		setup(&f, 6, 5, 1);
		char path[128];
		snprintf(path, sizeof(path), "%s/all.pdf", f.dir);
		f.o.pattern = NULL;
		f.o.combine = path;
		f.o.keep_going = keep;
		assert_int_equal(lm_run(&f.o, &f.cb, &res), 1);
		assert_int_equal(res.outcome, keep ? LM_RUN_PRINT_REFUSED : LM_RUN_LETTERS_FAILED);
		assert_int_equal(access(path, F_OK), -1);
		teardown(&f);
	}
	struct fixture f;
	struct lm_run_result res;
	setup(&f, 6, 0, 1);
	char path[128];
	snprintf(path, sizeof(path), "%s/all.pdf", f.dir);
	f.o.pattern = NULL;
	f.o.combine = path;
	assert_int_equal(lm_run(&f.o, &f.cb, &res), 0);
	assert_int_equal(res.outcome, LM_RUN_WRITTEN);
	assert_int_equal(f.s.nfiles, 1);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
	teardown(&f);
}

/* `writing` refusing stops the run before a file is written. */
static void test_writing_refused(void **state)
{
	(void)state;
	struct fixture f;
	struct lm_run_result res;
	setup(&f, 3, 0, 1);
	f.s.refuse = 3;
	assert_int_equal(lm_run(&f.o, &f.cb, &res), 1);
	assert_int_equal(res.outcome, LM_RUN_STOPPED);
	assert_int_equal(res.stop, 3);
	assert_int_equal(f.s.nfiles, 0);
	char out[128];
	size_t temps;
	snprintf(out, sizeof(out), "%s/out", f.dir);
	assert_int_equal(count_files(out, &temps), 0);
	teardown(&f);
}

/* A shard past the letters has none; a missing letter fails the run. */
static void test_empty_shard_and_failure(void **state)
{
	(void)state;
	struct fixture f;
	struct lm_run_result res;
	setup(&f, 2, 0, 1);
	f.o.shard_k = 1; /* letters [0, 2/3): none */
	f.o.shard_n = 3;
	assert_int_equal(lm_run(&f.o, &f.cb, &res), 0);
	assert_int_equal(res.outcome, LM_RUN_EMPTY_SHARD);
	assert_int_equal(f.s.writing_calls, 0);
	teardown(&f);
	setup(&f, 2, 0, 1);
	f.o.letter = "/nonexistent/letter.md";
	assert_int_equal(lm_run(&f.o, &f.cb, &res), 1);
	assert_int_equal(res.outcome, LM_RUN_FAILED);
	assert_non_null(strstr(res.error.file, "/nonexistent/letter.md"));
	teardown(&f);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_run SOURCE_DIR\n");
		return 2;
	}
	src = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writes_in_order),
		cmocka_unit_test(test_bad_row_writes_nothing),
		cmocka_unit_test(test_print_file),
		cmocka_unit_test(test_writing_refused),
		cmocka_unit_test(test_empty_shard_and_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
