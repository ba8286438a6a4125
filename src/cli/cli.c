#include "cli.h"

#include <stdlib.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../batch.h"
#include "../buf.h"
#include "../lang.h"
#include "../suggest.h"

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_option *opts,
	      struct cli_parsed *out)
{
	memset(out, 0, sizeof(*out));
	/* no command line holds more arguments than argc */
	out->args = lm_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof(*out->args));
	int only_args = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_args || a[0] != '-' || !a[1]) {
			out->args[out->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			out->help = 1;
			continue;
		}
		int k = -1;
		const char *inline_val = NULL;
		for (int j = 0; opts[j].name; j++) {
			if (a[1] == '-') {
				size_t n = strlen(opts[j].name);
				if (!strncmp(a + 2, opts[j].name, n) && (a[2 + n] == '\0' || a[2 + n] == '=')) {
					k = j;
					if (a[2 + n] == '=')
						inline_val = a + 3 + n;
					break;
				}
			} else if (opts[j].short_name && a[1] == opts[j].short_name) {
				k = j;
				if (a[2])
					inline_val = a + 2;
				break;
			}
		}
		if (k < 0) {
			/* "--aera": the option nearest to what was typed */
			struct lm_suggest sg;
			char typed[80];
			snprintf(typed, sizeof(typed), "%.*s", (int)strcspn(a, "="), a);
			lm_suggest_init(&sg, typed);
			char names[CLI_MAX_OPTIONS][72];
			for (int j = 0; opts[j].name && j < CLI_MAX_OPTIONS; j++) {
				snprintf(names[j], sizeof(names[j]), "--%s", opts[j].name);
				lm_suggest_add(&sg, names[j]);
			}
			if (sg.best)
				fprintf(stderr, "lettermerge %s: unknown option '%s'; did you mean '%s'? (see 'lettermerge %s --help')\n",
					cmd, typed, sg.best, cmd);
			else
				fprintf(stderr, "lettermerge %s: unknown option '%s'; see 'lettermerge %s --help'\n",
					cmd, typed, cmd);
			return -1;
		}
		if (!opts[k].arg) {
			if (inline_val) {
				fprintf(stderr, "lettermerge %s: option '--%s' takes no value\n", cmd, opts[k].name);
				return -1;
			}
			out->value[k] = "";
		} else if (inline_val) {
			out->value[k] = inline_val;
		} else if (i + 1 < argc) {
			out->value[k] = argv[++i];
		} else {
			fprintf(stderr, "lettermerge %s: option '--%s' needs a value (%s)\n", cmd,
				opts[k].name, opts[k].arg);
			return -1;
		}
		if (opts[k].repeat) {
			if (!out->list[k])
				out->list[k] = lm_xcalloc((size_t)argc, sizeof(*out->list[k]));
			out->list[k][out->nlist[k]++] = out->value[k];
		}
	}
	return 0;
}

void cli_parsed_release(struct cli_parsed *o)
{
	free(o->args);
	for (int k = 0; k < CLI_MAX_OPTIONS; k++)
		free(o->list[k]);
	memset(o, 0, sizeof(*o));
}

void cli_usage(FILE *fp, const char *synopsis, const char *about, const struct cli_option *opts)
{
	fprintf(fp, "usage: %s\n\n%s\n\noptions:\n", synopsis, about);
	for (int j = 0; opts[j].name; j++) {
		char left[64];
		if (opts[j].short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[j].short_name, opts[j].name,
				 opts[j].arg ? " " : "", opts[j].arg ? opts[j].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[j].name, opts[j].arg ? " " : "",
				 opts[j].arg ? opts[j].arg : "");
		fprintf(fp, "  %-30s %s%s\n", left, opts[j].help, opts[j].repeat ? " (repeatable)" : "");
	}
	fprintf(fp, "  %-30s %s\n", "-h, --help", "show this help");
	fputs(cli_exit_help, fp);
}

const char cli_exit_help[] =
	"\nexit status:\n"
	"  0   success\n"
	"  1   an input is wrong (each message names file:line:column and what to do)\n"
	"  2   the command line is wrong\n"
	"  3   the system failed: disk full, no permission, a file vanished, out of memory\n"
	"  70  a bug in lettermerge (please report it with the message)\n";

int cli_exit_for(enum lm_diag_kind k)
{
	switch (k) {
	case LM_KIND_INPUT:
		return LM_EXIT_DATA;
	case LM_KIND_USAGE:
		return LM_EXIT_USAGE;
	case LM_KIND_SYSTEM:
		return LM_EXIT_SYSTEM;
	case LM_KIND_BUG:
		break;
	}
	return LM_EXIT_BUG;
}

void cli_print_diag(const struct lm_diag *d)
{
	char line[2200];
	lm_diag_format(d, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
}

const char *cli_fonts_dir(const char *opt)
{
	if (opt)
		return opt;
	const char *env = getenv("LETTERMERGE_FONTS");
	if (env && *env)
		return env;
	if (!access("fonts/LiberationSans-Regular.ttf", R_OK))
		return "fonts";
	return LM_FONTS_DIR;
}

/* The date from --date, SOURCE_DATE_EPOCH (reproducible builds), or today. */
int cli_pick_date(const char *cmd, const char *opt, struct lm_date *out)
{
	/* SOURCE_DATE_EPOCH is checked even with --date: the signatures use it */
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	struct lm_date from_env = { 0, 0, 0 };
	if (sde && *sde) {
		char *end;
		errno = 0;
		long long v = strtoll(sde, &end, 10);
		if (*end || *sde < '0' || *sde > '9') {
			fprintf(stderr, "lettermerge %s: SOURCE_DATE_EPOCH '%s' is not a number of seconds\n", cmd, sde);
			return -1;
		}
		if (errno == ERANGE || lm_date_from_epoch(v, &from_env) || from_env.year < 1970) {
			fprintf(stderr, "lettermerge %s: SOURCE_DATE_EPOCH '%s' is not a date from 1970 to 9999 "
				"(0 to 253402300799 seconds)\n", cmd, sde);
			return -1;
		}
	}
	if (opt) {
		struct lm_date d;
		if (lm_date_parse(opt, out)) {
			/* a real date of a year the calendar does not take is not "not a real date" */
			if (lm_date_parse_lenient(opt, &d) == LM_DATE_ISO)
				fprintf(stderr, "lettermerge %s: --date '%s' is outside the years 1900 to 9999 a letter can carry\n",
					cmd, opt);
			else
				fprintf(stderr, "lettermerge %s: --date '%s' is not a real date in the form YYYY-MM-DD\n", cmd, opt);
			return -1;
		}
		return 0;
	}
	if (sde && *sde) {
		*out = from_env;
		return 0;
	}
	time_t t = time(NULL);
	struct tm tm;
	if (!localtime_r(&t, &tm)) {
		fprintf(stderr, "lettermerge %s: cannot tell today's date; give --date\n", cmd);
		return -1;
	}
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The area folders under `dir` (those with an area.csv), sorted. */
int cli_list_areas(const char *cmd, const char *dir, char ***out, size_t *n)
{
	if (!dir)
		dir = "areas";
	DIR *dp = opendir(dir);
	if (!dp) {
		fprintf(stderr, "lettermerge %s: cannot open areas folder '%s': %s\n", cmd, dir, strerror(errno));
		return -1;
	}
	size_t alloc = 0;
	struct dirent *e;
	*out = NULL;
	*n = 0;
	while ((e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		struct lm_buf p = LM_BUF_INIT;
		int ok = 0;
		for (const char *const *x = (const char *const[]){ "csv", "xlsx", "ods", NULL }; *x && !ok; x++) {
			lm_buf_reset(&p);
			lm_buf_addf(&p, "%s/%s/area.%s", dir, e->d_name, *x);
			ok = !access(p.ptr, R_OK);
		}
		lm_buf_reset(&p);
		lm_buf_addf(&p, "%s/%s", dir, e->d_name);
		if (ok) {
			LM_ALLOC_GROW(*out, *n + 1, alloc);
			(*out)[(*n)++] = lm_buf_detach(&p, NULL);
		}
		lm_buf_release(&p);
	}
	closedir(dp);
	if (!*n) {
		fprintf(stderr, "lettermerge %s: no area folders (with an area.csv, .xlsx or .ods) in '%s'\n", cmd, dir);
		return -1;
	}
	qsort(*out, *n, sizeof(**out), cmp_str);
	return 0;
}

int cli_pick_areas(const char *cmd, const struct cli_parsed *o, int area, int all_areas,
		   int areas_dir, char ***out, size_t *n)
{
	if (o->value[all_areas])
		return cli_list_areas(cmd, o->value[areas_dir], out, n);
	*n = (size_t)o->nlist[area];
	*out = lm_xcalloc(*n ? *n : 1, sizeof(**out));
	for (size_t i = 0; i < *n; i++)
		(*out)[i] = lm_xstrdup(o->list[area][i]);
	return 0;
}

void cli_free_areas(char **areas, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(areas[i]);
	free(areas);
}

const char *cli_recipients_for(const struct cli_parsed *o, int recipients, int area_recipients,
			       const char *area, struct lm_buf *buf)
{
	if (o->value[recipients])
		return o->value[recipients];
	if (!o->value[area_recipients])
		return NULL;
	lm_buf_reset(buf);
	lm_buf_addf(buf, "%s/%s", area, o->value[area_recipients]);
	return buf->ptr;
}

void cli_name_area(struct lm_diag *d, const char *id, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (!strncmp(d->file, dir, n) && (d->file[n] == '/' || !d->file[n]))
		return; /* a file of the area's folder names it already */
	if (strstr(d->msg, dir))
		return;
	size_t len = strlen(d->msg);
	snprintf(d->msg + len, sizeof(d->msg) - len, " (area '%s')", id);
}

void cli_print_finding(void *quiet, const struct lm_diag *d)
{
	if (!*(const int *)quiet || d->severity == LM_ERROR)
		cli_print_diag(d);
}

void cli_print_findings(const struct lm_findings *f, int quiet)
{
	for (size_t i = 0; i < f->n; i++)
		if (!quiet || f->v[i].severity == LM_ERROR)
			cli_print_diag(&f->v[i]);
}

int cli_encoding(const char *cmd, const char *opt, enum lm_input_encoding *out)
{
	static const struct {
		const char *name;
		enum lm_input_encoding enc;
	} names[] = {
		{ "auto", LM_INPUT_AUTO },	   { "utf-8", LM_INPUT_UTF8 },
		{ "utf8", LM_INPUT_UTF8 },	   { "windows-1252", LM_INPUT_CP1252 },
		{ "cp1252", LM_INPUT_CP1252 },	   { "utf-16le", LM_INPUT_UTF16LE },
		{ "utf-16be", LM_INPUT_UTF16BE }, { "utf-16", LM_INPUT_UTF16LE },
	};
	*out = LM_INPUT_AUTO;
	if (!opt)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcasecmp(opt, names[i].name)) {
			*out = names[i].enc;
			return 0;
		}
	}
	fprintf(stderr, "lettermerge %s: --input-encoding '%s': use utf-8, windows-1252 or utf-16 "
		"(or leave it out: each file's encoding is found by itself)\n", cmd, opt);
	return -1;
}

int cli_delimiter(const char *cmd, const char *opt, char *out)
{
	*out = 0;
	if (!opt)
		return 0;
	if (!strcmp(opt, ",") || !strcasecmp(opt, "comma"))
		*out = ',';
	else if (!strcmp(opt, ";") || !strcasecmp(opt, "semicolon"))
		*out = ';';
	else if (!strcmp(opt, "\t") || !strcmp(opt, "\\t") || !strcasecmp(opt, "tab"))
		*out = '\t';
	if (*out)
		return 0;
	fprintf(stderr, "lettermerge %s: --delimiter '%s': use ',', ';' or tab (or leave it out: "
		"each file's delimiter is found from its header row)\n", cmd, opt);
	return -1;
}

int cli_where(const char *cmd, const struct cli_parsed *o, int opt, struct lm_where **out,
	      size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!o->nlist[opt])
		return 0;
	*out = lm_xcalloc((size_t)o->nlist[opt], sizeof(**out));
	for (int i = 0; i < o->nlist[opt]; i++) {
		struct lm_diag d;
		lm_diag_clear(&d);
		(*n)++;
		if (lm_where_parse(&(*out)[i], o->list[opt][i], &d)) {
			fprintf(stderr, "lettermerge %s: %s\n", cmd, d.msg);
			return -1;
		}
	}
	return 0;
}

void cli_free_where(struct lm_where *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lm_where_release(&w[i]);
	free(w);
}

void cli_where_note(void *ctx, const char *file, const char *text)
{
	(void)ctx;
	fprintf(stderr, "lettermerge: %s: %s\n", file, text);
}

void cli_where_summary(const struct lm_batch *b)
{
	lm_batch_where_report(b, cli_where_note, NULL);
}

const char *cli_area_options_error(const struct cli_parsed *o, int area, int all_areas,
				   int recipients, int area_recipients)
{
	if (o->nargs != 1)
		return "give exactly one LETTER";
	if (!o->nlist[area] && !o->value[all_areas])
		return "--area or --all-areas is required";
	if (o->nlist[area] && o->value[all_areas])
		return "give --area or --all-areas, not both";
	if (o->value[recipients] && o->value[area_recipients])
		return "give --recipients or --area-recipients, not both";
	const char *ar = o->value[area_recipients];
	/* a file of each area's own folder: a path could reach another
	 * area's recipients, or anything on the machine */
	if (ar && (!*ar || strchr(ar, '/') || strchr(ar, '\\') || ar[0] == '.'))
		return "--area-recipients takes the name of a file inside each area folder (e.g. schools.csv), "
		       "with no '/' and not starting with '.'; to give one file for every area, use --recipients";
	return NULL;
}

int cli_letter_and_area(const char *cmd, const char *synopsis, const char *about,
			const struct cli_option *opts, const struct cli_parsed *o, int area, int lang,
			size_t max_langs)
{
	if (o->help) {
		cli_usage(stdout, synopsis, about, opts);
		return LM_EXIT_OK;
	}
	if (o->nargs != 1)
		return cli_usage_error(cmd, synopsis, "give exactly one LETTER");
	if (!o->value[area] || !*o->value[area])
		return cli_usage_error(cmd, synopsis, "--area DIR is required: the area whose values the letter takes");
	struct lm_lang_request r;
	const char *l = o->value[lang];
	if (l && lm_lang_request_parse(l, &r)) {
		fprintf(stderr, "lettermerge %s: --lang '%s' is not a language: write a tag such as cy or pl%s\n",
			cmd, l, max_langs > 1 ? ", or two joined by + (cy+en)" : "");
		return LM_EXIT_USAGE;
	}
	if (l && r.n > max_langs) {
		fprintf(stderr, "lettermerge %s: --lang %s: %s shows one language at a time; give --lang %s, then --lang %s\n",
			cmd, l, cmd, r.tags[0], r.tags[1]);
		return LM_EXIT_USAGE;
	}
	return -1;
}

int cli_usage_error(const char *cmd, const char *synopsis, const char *why)
{
	fprintf(stderr, "lettermerge %s: %s\nusage: %s\n(see 'lettermerge %s --help')\n", cmd, why,
		synopsis, cmd);
	return LM_EXIT_USAGE;
}

int cli_jobs(const char *cmd, const char *opt, long *jobs)
{
	*jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (opt) {
		char *end;
		*jobs = strtol(opt, &end, 10);
		if (*end || *jobs < 1 || *jobs > 256) {
			fprintf(stderr, "lettermerge %s: --jobs '%s' must be a whole number from 1 to 256\n", cmd, opt);
			return -1;
		}
	}
	if (*jobs < 1)
		*jobs = 1;
	return 0;
}

char *cli_default_output(const char *letter, int rows)
{
	const char *base = strrchr(letter, '/');
	base = base ? base + 1 : letter;
	size_t n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".md"))
		n -= 3;
	struct lm_buf p = LM_BUF_INIT;
	lm_buf_add(&p, base, n);
	lm_buf_adds(&p, "-{{area.id}}");
	if (rows)
		lm_buf_adds(&p, "-{{recipient._row}}");
	lm_buf_adds(&p, ".pdf");
	return lm_buf_detach(&p, NULL);
}

int cli_shard(const char *cmd, const char *opt, size_t *k, size_t *n)
{
	char tail;
	*k = *n = 1;
	if (opt && (sscanf(opt, "%zu/%zu%c", k, n, &tail) != 2 || *n < 1 || *k < 1 || *k > *n || *n > 1000000)) {
		fprintf(stderr, "lettermerge %s: --shard '%s' must be K/N with 1 <= K <= N <= 1000000\n", cmd, opt);
		return -1;
	}
	return 0;
}

int cli_stale_days(const char *cmd, const char *opt, int *out)
{
	*out = 365;
	if (!opt)
		return 0;
	char *end;
	long v = strtol(opt, &end, 10);
	if (!*opt || *end || v < 1 || v > 36500) {
		fprintf(stderr, "lettermerge %s: --stale-after '%s' must be a number of days\n", cmd, opt);
		return -1;
	}
	*out = (int)v;
	return 0;
}
