/* test_corpus.c - replays fuzz inputs without libFuzzer, in every build.
 *
 *   test_corpus SOURCE_DIR
 *
 * Every file under SOURCE_DIR/tests/corpus/NAME/ (inputs that once crashed
 * or hung a fuzzer, kept as regression tests) and SOURCE_DIR/fuzz/corpus/NAME/
 * (the seeds) goes through lm_fuzz_NAME() from fuzz/targets.c, the very
 * code the fuzzer ran, for NAME in csv, template, letter, pdfr, verify and workbook.  A bug shows as
 * a crash, a sanitizer report or an abort; on success it prints how many
 * inputs passed and exits 0.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "targets.h"

struct target {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
};

static const struct target targets[] = {
	{ "csv", lm_fuzz_csv },
	{ "template", lm_fuzz_template },
	{ "letter", lm_fuzz_letter },
	{ "pdfr", lm_fuzz_pdfr },
	{ "verify", lm_fuzz_verify },
	{ "workbook", lm_fuzz_workbook },
};

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_all(const char *path, struct lm_buf *out)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		lm_buf_add(out, chunk, n);
	int err = ferror(fp);
	fclose(fp);
	return err ? -1 : 0;
}

/* Runs every regular file in `dir` (sorted, so a failure is reproducible)
 * through `t`.  Returns how many ran, or -1 when a file cannot be read. */
static long replay_dir(const char *dir, const struct target *t)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return errno == ENOENT ? 0 : -1;
	char **names = NULL;
	size_t n = 0, alloc = 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		LM_ALLOC_GROW(names, n + 1, alloc);
		names[n++] = lm_xstrdup(e->d_name);
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof(*names), cmp);

	long ran = 0;
	for (size_t i = 0; i < n; i++) {
		struct lm_buf path = LM_BUF_INIT, data = LM_BUF_INIT;
		struct stat st;
		lm_buf_addf(&path, "%s/%s", dir, names[i]);
		if (stat(path.ptr, &st) == 0 && S_ISREG(st.st_mode)) {
			if (read_all(path.ptr, &data)) {
				fprintf(stderr, "test_corpus: cannot read %s\n", path.ptr);
				ran = -1;
			} else {
				/* named first, so a crash report says which input it was */
				fprintf(stderr, "test_corpus: %s %s\n", t->name, path.ptr);
				t->run((const uint8_t *)data.ptr, data.len);
				if (ran >= 0)
					ran++;
			}
		}
		lm_buf_release(&data);
		lm_buf_release(&path);
		free(names[i]);
	}
	free(names);
	return ran;
}

int main(int argc, char **argv)
{
	const char *src = argc > 1 ? argv[1] : ".";
	struct lm_buf fonts = LM_BUF_INIT, partials = LM_BUF_INIT;
	lm_buf_addf(&fonts, "%s/fonts", src);
	lm_buf_addf(&partials, "%s/fuzz/partials", src);
	if (lm_fuzz_setup(fonts.ptr, partials.ptr)) {
		fprintf(stderr, "test_corpus: cannot load the fonts from %s\n", fonts.ptr);
		return 1;
	}
	lm_buf_release(&fonts);
	lm_buf_release(&partials);

	int rc = 0;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		static const char *const dirs[] = { "tests/corpus", "fuzz/corpus" };
		long total = 0;
		for (size_t k = 0; k < 2; k++) {
			struct lm_buf dir = LM_BUF_INIT;
			lm_buf_addf(&dir, "%s/%s/%s", src, dirs[k], targets[i].name);
			long ran = replay_dir(dir.ptr, &targets[i]);
			lm_buf_release(&dir);
			if (ran < 0)
				rc = 1;
			else
				total += ran;
		}
		printf("test_corpus: %s: %ld inputs replayed\n", targets[i].name, total);
	}
	return rc;
}
