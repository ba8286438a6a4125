/* report.h - what a bulk run prints as it goes: its findings (a letter's
 * each once a run, its area named in a run over several; one system
 * failure said once, then counted) and, on a terminal, a progress bar. */
#ifndef LM_CLI_REPORT_H
#define LM_CLI_REPORT_H

#include <stddef.h>
#include <time.h>

#include "../area.h"
#include "../diag.h"
#include "../run.h"

struct cli_report {
	int quiet, tty;
	struct timespec start;     /* of the phase under way */
	int phase;                 /* enum lm_run_phase, or -1 before the first */
	char *last_sys;            /* the last system failure's message, malloc'd */
	size_t repeats;            /* letters that failed with it again, not printed */
	unsigned long long *seen;  /* hashes of the finding lines printed; owned */
	size_t nseen, aseen;
};

void cli_report_init(struct cli_report *r, int quiet);
void cli_report_release(struct cli_report *r);
/* An lm_run_callbacks.finding, with the report as its context. */
void cli_report_finding(void *report, const struct lm_diag *d, const struct lm_area *area, int letter);
/* An lm_run_callbacks.progress: the bar, named for its phase. */
void cli_report_progress(void *report, enum lm_run_phase phase, size_t done, size_t total);
/* Starts the clock of a phase (the bar's rate, the summary's seconds). */
void cli_report_start(struct cli_report *r, int phase);
/* Seconds since the phase under way began. */
double cli_report_elapsed(const struct cli_report *r);
/* Says how many letters failed again with a system failure said before. */
void cli_report_repeats(const struct cli_report *r);
/* Says what the run came to (the letters written into `combine`, the print
 * file, when not NULL) and returns the exit status. */
int cli_report_outcome(const struct cli_report *r, const struct lm_run_result *res, const char *combine);
/* --json: the summary object on standard output, with exit status `rc`. */
void cli_report_json(const struct cli_report *r, const struct lm_run_result *res, int rc);

#endif
