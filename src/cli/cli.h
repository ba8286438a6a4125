/* cli.h - shared pieces of the command line: the option table that both
 * parsing and --help are generated from, so they cannot drift, and the
 * printing of diagnostics.  Only this layer prints or decides exit codes. */
#ifndef LM_CLI_H
#define LM_CLI_H

#include <stdio.h>

#include "../buf.h"
#include "../check.h"
#include "../csv.h"
#include "../diag.h"
#include "../letter.h"
#include "../sign.h"

/* Exit codes, documented in --help and README.md: a script can tell
 * "fix the input" from "fix the command" from "fix the machine" from
 * "report a bug". */
enum { LM_EXIT_OK = 0, LM_EXIT_DATA = 1, LM_EXIT_USAGE = 2, LM_EXIT_SYSTEM = 3, LM_EXIT_BUG = 70 };

/* The exit status for a diagnostic of kind `k`. */
int cli_exit_for(enum lm_diag_kind k);

/* The --sign-* options. */
struct cli_sign_opts {
	const char *key, *cert, *chain, *pass_env, *pass_file;
};
/* Loads the signing key (cert: a PEM key's certificate, else key is a
 * PKCS#12 file) and checks its certificate is valid at the signing time
 * (SOURCE_DATE_EPOCH, else now; in *when).  Returns 0, or prints why not
 * and returns the exit status; *out is then freed by the caller. */
int cli_load_signer(const char *cmd, const struct cli_sign_opts *so, struct lm_signer **out, long long *when);
/* --jobs N (1 to 256; default the number of cores) and --shard K/N (1/1
 * when absent).  Print a usage error and return -1 when malformed. */
int cli_jobs(const char *cmd, const char *opt, long *jobs);
/* build's default output for `letter`: NAME-{{area.id}}.pdf, with
 * -{{recipient._row}} when there are recipients.  malloc'd. */
char *cli_default_output(const char *letter, int rows);
int cli_shard(const char *cmd, const char *opt, size_t *k, size_t *n);
/* The exit-status paragraph of every --help. */
extern const char cli_exit_help[];

struct cli_option {
	const char *name;   /* long name without "--" */
	char short_name;    /* 0 if none */
	const char *arg;    /* argument name, NULL for a flag */
	const char *help;
	int repeat;         /* may be given more than once: see cli_parsed.list */
};

#define CLI_MAX_OPTIONS 48

/* As many arguments and repeated options as the command line holds
 * (verify over thousands of files, many --area): sized from argc. */
struct cli_parsed {
	const char *value[CLI_MAX_OPTIONS]; /* argument (the last one), or "" for a set flag, NULL if absent */
	const char **list[CLI_MAX_OPTIONS]; /* every argument of a repeatable option; owned */
	int nlist[CLI_MAX_OPTIONS];
	const char **args;                  /* positional arguments; owned */
	int nargs;
	int help;
};

/* Parses argv[1..] of a subcommand against `opts` (NULL-terminated by a
 * zero entry).  Returns 0, or prints a usage error and returns -1. */
int cli_parse(const char *cmd, int argc, char **argv, const struct cli_option *opts,
	      struct cli_parsed *out);
/* Frees what cli_parse allocated (also after it failed). */
void cli_parsed_release(struct cli_parsed *o);
/* Prints "usage: SYNOPSIS" and the option table. */
void cli_usage(FILE *fp, const char *synopsis, const char *about, const struct cli_option *opts);
/* Prints "lettermerge CMD: WHY" and the synopsis; returns LM_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *synopsis, const char *why);
/* Prints `d` as "file:line:col: error: message". */
void cli_print_diag(const struct lm_diag *d);
/* The fonts folder: --fonts, $LETTERMERGE_FONTS, ./fonts, or the built-in path. */
const char *cli_fonts_dir(const char *opt);

/* The letter date from --date, else SOURCE_DATE_EPOCH (reproducible
 * runs), else today.  Prints a usage error and returns -1 when wrong. */
int cli_pick_date(const char *cmd, const char *opt, struct lm_date *out);
/* The area folders (with an area.csv) under `dir` (NULL: "areas"), sorted,
 * malloc'd.  Prints the error and returns -1 when there are none. */
int cli_list_areas(const char *cmd, const char *dir, char ***out, size_t *n);
/* The areas a command runs over: every area folder under the areas-dir
 * option when the all-areas option is given, else the --area list (option
 * indexes given).  *out is malloc'd: free it with cli_free_areas.
 * Prints the error and returns -1 when there are none. */
int cli_pick_areas(const char *cmd, const struct cli_parsed *o, int area, int all_areas,
		   int areas_dir, char ***out, size_t *n);
void cli_free_areas(char **areas, size_t n);
/* The recipients file for `area`: the shared --recipients file, else the
 * area's own --area-recipients NAME (written into `buf`), else NULL. */
const char *cli_recipients_for(const struct cli_parsed *o, int recipients, int area_recipients,
			       const char *area, struct lm_buf *buf);
/* --stale-after DAYS (default 365).  Prints a usage error and returns -1
 * when it is not a number of days. */
int cli_stale_days(const char *cmd, const char *opt, int *out);
/* --input-encoding: utf-8 (or absent) or windows-1252.  Prints a usage
 * error and returns -1 for anything else. */
int cli_encoding(const char *cmd, const char *opt, enum lm_input_encoding *out);
/* --delimiter: ',' ';' or tab (also "comma", "semicolon", "tab"); absent
 * is 0 (found per file).  Prints a usage error and returns -1 otherwise. */
int cli_delimiter(const char *cmd, const char *opt, char *out);
struct lm_batch;
struct lm_where;
/* Every --where of option `opt`, parsed into *out (free with
 * cli_free_where, also after a failure).  Prints a usage error and
 * returns -1 for one that is not COLUMN=VALUE or COLUMN!=VALUE. */
int cli_where(const char *cmd, const struct cli_parsed *o, int opt, struct lm_where **out,
	      size_t *n);
void cli_free_where(struct lm_where *w, size_t n);
/* Prints, for each recipients file, how many rows --where left out and why. */
void cli_where_summary(const struct lm_batch *b);
/* Prints what --where left out of `file` (a lm_batch_where_report callback). */
void cli_where_note(void *ctx, const char *file, const char *text);
/* The usage error in the options that choose the letter, areas and
 * recipients (option indexes given), or NULL when they are right. */
const char *cli_area_options_error(const struct cli_parsed *o, int area, int all_areas,
				   int recipients, int area_recipients);
/* In a run over several areas, a finding that does not name the area
 * (one in the letter, found for that area's data) gets it added:
 * "... (area 'liverpool')".  `dir` is the area folder. */
void cli_name_area(struct lm_diag *d, const char *id, const char *dir);
/* Prints every finding; with `quiet`, the errors only. */
void cli_print_findings(const struct lm_findings *f, int quiet);
/* A struct lm_findings sink: prints `d` as found, unless `quiet` (an int *)
 * is set and it is a warning. */
void cli_print_finding(void *quiet, const struct lm_diag *d);

/* What the commands on one letter for one area (fields, watch) check
 * first: --help (printed), exactly one LETTER, --area (option `area`)
 * and, when given, --lang (option `lang`: a language, or several joined
 * by +; at most `max_langs` of them).  Returns -1 to go on, else the exit
 * status (LM_EXIT_OK after --help, LM_EXIT_USAGE after the error). */
int cli_letter_and_area(const char *cmd, const char *synopsis, const char *about,
			const struct cli_option *opts, const struct cli_parsed *o, int area, int lang,
			size_t max_langs);

int cmd_build(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_fields(int argc, char **argv);

#endif
