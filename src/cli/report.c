#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../buf.h"
#include "cli.h"

void cli_report_init(struct cli_report *r, int quiet)
{
	memset(r, 0, sizeof(*r));
	r->quiet = quiet;
	r->tty = isatty(2);
	r->phase = -1;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
}

void cli_report_release(struct cli_report *r)
{
	free(r->last_sys);
	free(r->seen);
	memset(r, 0, sizeof(*r));
}

void cli_report_start(struct cli_report *r, int phase)
{
	r->phase = phase;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
}

double cli_report_elapsed(const struct cli_report *r)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->start.tv_sec) + (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
}

/* 1 the first time `line` is seen this run: an open-addressed set of
 * the hashes of the lines printed. */
static int first_time(struct cli_report *r, const char *line)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	for (const char *s = line; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	if (!h)
		h = 1;
	if (2 * (r->nseen + 1) > r->aseen) {
		size_t a = r->aseen ? 2 * r->aseen : 64;
		unsigned long long *t = lm_xcalloc(a, sizeof(*t));
		for (size_t i = 0; i < r->aseen; i++)
			if (r->seen[i])
				for (size_t k = r->seen[i] % a;; k = (k + 1) % a)
					if (!t[k]) {
						t[k] = r->seen[i];
						break;
					}
		free(r->seen);
		r->seen = t;
		r->aseen = a;
	}
	size_t k = h % r->aseen;
	while (r->seen[k] && r->seen[k] != h)
		k = (k + 1) % r->aseen;
	if (r->seen[k])
		return 0;
	r->seen[k] = h;
	r->nseen++;
	return 1;
}

void cli_report_finding(void *report, const struct lm_diag *d, const struct lm_area *area, int letter)
{
	struct cli_report *r = report;
	if (!letter) {
		/* the inputs' own findings, as they are found */
		if (!r->quiet || d->severity == LM_ERROR)
			cli_print_diag(d);
		return;
	}
	struct lm_diag c = *d;
	if (area)
		cli_name_area(&c, area->id, area->dir);
	/* a read-only or full destination fails every letter alike: said
	 * once, then counted */
	if (c.kind == LM_KIND_SYSTEM && c.severity == LM_ERROR) {
		if (r->last_sys && !strcmp(r->last_sys, c.msg)) {
			r->repeats++;
			return;
		}
		free(r->last_sys);
		r->last_sys = lm_xstrdup(c.msg);
	}
	/* the same fault in a thousand letters is one line */
	char line[2400];
	lm_diag_format(&c, line, sizeof(line));
	if (first_time(r, line) && (c.severity == LM_ERROR || !r->quiet))
		fprintf(stderr, "%s\n", line);
}

void cli_report_progress(void *report, enum lm_run_phase phase, size_t done, size_t total)
{
	struct cli_report *r = report;
	if (r->phase != (int)phase)
		cli_report_start(r, (int)phase);
	if (r->quiet || !r->tty)
		return;
	double t = cli_report_elapsed(r);
	double rate = t > 0 ? (double)done / t : 0;
	int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : width;
	fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu  %.0f letters/s  %.0f s left ",
		phase == LM_RUN_CHECKING ? "checking" : "writing ", fill, "##############################",
		width - fill, "", done, total, rate, rate > 0 ? (double)(total - done) / rate : 0.0);
	if (done == total)
		fputc('\n', stderr);
}

void cli_report_repeats(const struct cli_report *r)
{
	if (r->repeats)
		fprintf(stderr, "lettermerge build: %zu more letter%s could not be written for the same reason\n",
			r->repeats, r->repeats == 1 ? "" : "s");
}

int cli_report_outcome(const struct cli_report *r, const struct lm_run_result *res, const char *combine)
{
	size_t n = res->letters;
	switch (res->outcome) {
	case LM_RUN_FAILED:
		cli_print_diag(&res->error);
		return cli_exit_for(res->error.kind);
	case LM_RUN_WORKERS_FAILED:
		fprintf(stderr, "lettermerge build: %s\n", res->error.msg);
		return cli_exit_for(res->error.kind);
	case LM_RUN_NO_AREAS:
		return cli_exit_for(res->broken_kind);
	case LM_RUN_STOPPED:
		return res->stop;
	case LM_RUN_EMPTY_SHARD:
		if (!r->quiet)
			fprintf(stderr, "lettermerge: no letters in shard %zu/%zu\n", res->shard_k, res->shard_n);
		return LM_EXIT_OK;
	case LM_RUN_AREAS_BROKEN:
		fprintf(stderr, "lettermerge build: %zu of %zu areas could not be read (see above)%s; nothing was "
			"written (--keep-going writes the other areas' letters)\n", res->broken, res->areas,
			res->failed ? ", and some letters have errors" : "");
		return cli_exit_for(res->broken_kind > res->worst ? res->broken_kind : res->worst);
	case LM_RUN_LETTERS_FAILED:
		fprintf(stderr, "lettermerge build: %zu of %zu letter%s ha%s errors; nothing was written (--keep-going writes the others)\n",
			res->failed, n, n == 1 ? "" : "s", res->failed == 1 ? "s" : "ve");
		return cli_exit_for(res->worst);
	case LM_RUN_PRINT_REFUSED:
		/* a print file with letters missing is not what was asked for */
		fprintf(stderr, "lettermerge build: not writing '%s': %zu letters have errors\n", combine,
			res->failed);
		return LM_EXIT_DATA;
	case LM_RUN_WRITTEN:
		break;
	}
	if (!r->quiet) {
		fprintf(stderr, "lettermerge: %zu letter%s written%s%s (%zu pages, %zu bytes) in %.2f s", res->written,
			res->written == 1 ? "" : "s", combine ? " into " : "", combine ? combine : "", res->pages,
			res->bytes, cli_report_elapsed(r));
		if (res->skipped)
			fprintf(stderr, "; %zu existing left as they were", res->skipped);
		if (res->failed)
			fprintf(stderr, "; %zu not written because of the errors above", res->failed);
		if (res->broken)
			fprintf(stderr, "; %zu area%s not read because of the errors above", res->broken,
				res->broken == 1 ? "" : "s");
		fputc('\n', stderr);
	}
	int rc = res->failed ? cli_exit_for(res->worst) : LM_EXIT_OK;
	if (res->broken && rc < cli_exit_for(res->broken_kind))
		rc = cli_exit_for(res->broken_kind);
	return rc;
}

void cli_report_json(const struct cli_report *r, const struct lm_run_result *res, int rc)
{
	size_t failed = res->failed;
	/* the letters that failed, when some did; else (a run stopped
	 * before its letters) every letter not written */
	if (rc != LM_EXIT_OK && !failed)
		failed = res->letters ? res->letters - res->written - res->skipped : 1;
	printf("{\"letters\":%zu,\"written\":%zu,\"skipped\":%zu,\"failed\":%zu,\"pages\":%zu,\"bytes\":%zu,\"seconds\":%.3f,\"exit\":%d}\n",
	       res->letters, res->written, res->skipped, failed, res->pages, res->bytes,
	       res->outcome == LM_RUN_WRITTEN ? cli_report_elapsed(r) : 0.0, rc);
}
