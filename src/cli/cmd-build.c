/* lettermerge build: letters for one or many areas and recipients, as PDFs.
 * The run itself is the run engine's (run.h); the command reads its
 * options, loads the signing key, and prints what the run reports. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../buf.h"
#include "../run.h"
#include "cli.h"
#include "manifest.h"
#include "outputs.h"
#include "report.h"

enum {
	OPT_AREA, OPT_ALL_AREAS, OPT_AREAS_DIR, OPT_RECIPIENTS, OPT_AREA_RECIPIENTS, OPT_OUTPUT,
	OPT_COMBINE, OPT_DUPLEX, OPT_MANIFEST, OPT_SKIP_EXISTING, OPT_KEEP_GOING, OPT_JOBS,
	OPT_SHARD, OPT_QUIET, OPT_JSON, OPT_DATE, OPT_FONTS, OPT_SIGN_KEY, OPT_SIGN_CERT,
	OPT_SIGN_CHAIN, OPT_SIGN_PASS_ENV, OPT_SIGN_PASS_FILE, OPT_SIGN_VISIBLE, OPT_ENCODING,
	OPT_STALE, OPT_LARGE_PRINT, OPT_LANG, OPT_SHEET, OPT_ROW, OPT_ONLY, OPT_DELIMITER, OPT_WHERE, OPT_COUNT
};

static const struct cli_option options[] = {
	[OPT_AREA] = { "area", 'a', "DIR", "an area folder, e.g. areas/liverpool", 1 },
	[OPT_ALL_AREAS] = { "all-areas", 0, NULL, "every area folder under --areas-dir", 0 },
	[OPT_AREAS_DIR] = { "areas-dir", 0, "DIR", "where --all-areas looks (default: areas)", 0 },
	[OPT_RECIPIENTS] = { "recipients", 'r', "FILE", "one letter per row of this CSV or workbook ('-' for stdin), shared by all areas", 0 },
	[OPT_AREA_RECIPIENTS] = { "area-recipients", 0, "NAME", "one letter per row of each area's own NAME (e.g. schools.csv)", 0 },
	[OPT_OUTPUT] = { "output", 'o', "PATTERN", "output file; may hold {{area.id}}, {{recipient.COLUMN}} (default: LETTER-AREA.pdf)", 0 },
	[OPT_COMBINE] = { "combine", 0, "FILE", "write every letter into this one print file instead", 0 },
	[OPT_DUPLEX] = { "duplex", 0, NULL, "with --combine: start every letter on a front side", 0 },
	[OPT_MANIFEST] = { "manifest", 0, "FILE", "write one JSON line per output file (path, area, recipient, pages, bytes, sha256); '-' for standard output", 0 },
	[OPT_SKIP_EXISTING] = { "skip-existing", 0, NULL, "leave output files that already exist (resume a run)", 0 },
	[OPT_KEEP_GOING] = { "keep-going", 'k', NULL, "write the good letters even when some are wrong (still exit 1)", 0 },
	[OPT_JOBS] = { "jobs", 'j', "N", "worker processes (default: the number of cores)", 0 },
	[OPT_SHARD] = { "shard", 0, "K/N", "write only the K-th of N equal slices of the letters", 0 },
	[OPT_QUIET] = { "quiet", 'q', NULL, "print errors only", 0 },
	[OPT_JSON] = { "json", 0, NULL, "print a summary object on stdout at the end", 0 },
	[OPT_DATE] = { "date", 'd', "YYYY-MM-DD", "the letters' date (default: $SOURCE_DATE_EPOCH, else today)", 0 },
	[OPT_FONTS] = { "fonts", 0, "DIR", "folder of the Liberation Sans TTF files (default: fonts/)", 0 },
	[OPT_SIGN_KEY] = { "sign-key", 0, "FILE", "sign every PDF: a PKCS#12 file (.p12), or a PEM key with --sign-cert", 0 },
	[OPT_SIGN_CERT] = { "sign-cert", 0, "FILE", "the signing certificate (PEM), with a PEM --sign-key", 0 },
	[OPT_SIGN_CHAIN] = { "sign-chain", 0, "FILE", "issuing certificates to include (PEM)", 0 },
	[OPT_SIGN_PASS_ENV] = { "sign-pass-env", 0, "VAR", "the key's password is in this environment variable", 0 },
	[OPT_SIGN_PASS_FILE] = { "sign-pass-file", 0, "FILE", "the key's password is the first line of this file", 0 },
	[OPT_SIGN_VISIBLE] = { "sign-visible", 0, NULL, "show the signature as a box below the signatories", 0 },
	[OPT_ENCODING] = { "input-encoding", 0, "ENC", "say (and check) that CSV files are utf-8, windows-1252 or utf-16; by default each file's is found", 0 },
	[OPT_DELIMITER] = { "delimiter", 0, "C", "CSV fields are split at ',', ';' or tab; by default each file's is found from its header row", 0 },
	[OPT_WHERE] = { "where", 0, "COLUMN=VALUE", "only recipient rows where COLUMN is (=) or is not (!=) VALUE; repeat for more (all must hold)", 1 },
	[OPT_STALE] = { "stale-after", 0, "DAYS", "warn about 'verified' dates older than this (default 365)", 0 },
	[OPT_LARGE_PRINT] = { "large-print", 0, NULL, "large print: 16 pt text, nothing smaller (RNIB clear print); a recipients' large_print column (yes/no) chooses per letter", 0 },
	[OPT_LANG] = { "lang", 0, "TAG", "the letter's translation NAME.TAG.md (cy, pl), or two joined by + for one bilingual letter (cy+en); a recipients' language column chooses per letter", 0 },
	[OPT_ROW] = { "row", 0, "N", "make only the letter of recipient row N (1 is the first after the header), named as the whole run would name it", 0 },
	[OPT_ONLY] = { "only", 0, "KEY", "make only the letter of the recipient whose first column is KEY (e.g. a URN)", 0 },
	[OPT_SHEET] = { "sheet", 0, "NAME", "a recipients workbook (.xlsx, .ods): read this sheet (or give FILE#NAME; default: the first shown)", 0 },
	[OPT_COUNT] = { NULL, 0, NULL, NULL, 0 },
};

static const char synopsis[] =
	"lettermerge build LETTER (--area DIR ... | --all-areas) [--recipients FILE] [-o PATTERN | --combine FILE] [options]";
static const char about[] =
	"Expands the letter template LETTER (letters/NAME.md) with each area's CSV files\n"
	"(and each recipient row) and writes print-ready A4 PDFs.  Every letter is laid\n"
	"out once, checked as it is written, and kept only when every letter is right:\n"
	"a wrong input writes nothing.";

/* The command's side of a run: what it prints, and where it writes.  The
 * report comes first: the run's context is also the report's (its
 * finding and progress callbacks are the report's own). */
struct build {
	struct cli_report report;
	const struct cli_parsed *o;
	const char *pattern;
	struct cli_manifest manifest;
	int held;                  /* signals held while letters move into place */
};

/* Before the first file is written: the output folders locked, a stopped
 * run's temporary files removed by the signal handler. */
static int on_writing(void *ctx, size_t first, size_t end)
{
	struct build *bd = ctx;
	const struct cli_parsed *o = bd->o;
	const char *m = o->value[OPT_MANIFEST];
	int rc = out_prepare(bd->pattern ? bd->pattern : o->value[OPT_COMBINE], m, first, end,
			     !!o->value[OPT_SKIP_EXISTING]);
	if (!rc && m) {
		out_temp_folder(0, m);
		if (cli_manifest_open(&bd->manifest, m))
			rc = cli_exit_for(bd->manifest.kind);
	}
	if (o->value[OPT_COMBINE])
		out_temp_folder(1, o->value[OPT_COMBINE]);
	cli_report_start(&bd->report, LM_RUN_WRITING);
	return rc;
}

static void on_staging(void *ctx, const char *dir, int moving)
{
	struct build *bd = ctx;
	if (moving && !bd->held) {
		out_hold_signals(1);
		bd->held = 1;
	} else if (!moving) {
		out_stage_folder(dir);
	}
}

static void on_workers(void *ctx, const pid_t *pids, size_t n)
{
	(void)ctx;
	out_workers(pids, n);
}

static void on_file(void *ctx, const struct lm_run_file *f)
{
	cli_manifest_line(&((struct build *)ctx)->manifest, f);
}

/* What the run came to, said (the manifest put in place first); returns
 * the exit status. */
static int conclude(struct build *bd, const struct lm_run_result *res)
{
	const char *m = bd->o->value[OPT_MANIFEST];
	cli_report_repeats(&bd->report);
	/* an empty shard's manifest is an empty file: the shards' join up */
	if (m && res->outcome == LM_RUN_EMPTY_SHARD && cli_manifest_open(&bd->manifest, m))
		return cli_exit_for(bd->manifest.kind);
	if (bd->manifest.open && (res->outcome == LM_RUN_WRITTEN || res->outcome == LM_RUN_EMPTY_SHARD) &&
	    cli_manifest_close(&bd->manifest, 1))
		return cli_exit_for(bd->manifest.kind);
	return cli_report_outcome(&bd->report, res, bd->o->value[OPT_COMBINE]);
}

/* The command, once its command line is parsed into `parsed`. */
static int run(int argc, char **argv, const struct cli_parsed *parsed)
{
	struct cli_parsed o = *parsed; /* a copy of the pointers: released by cmd_build */
	(void)argc;
	(void)argv;
	if (o.help) {
		cli_usage(stdout, synopsis, about, options);
		return LM_EXIT_OK;
	}
	const char *why = cli_area_options_error(&o, OPT_AREA, OPT_ALL_AREAS, OPT_RECIPIENTS,
						 OPT_AREA_RECIPIENTS);
	if (!why && o.value[OPT_COMBINE] && o.value[OPT_OUTPUT])
		why = "give -o or --combine, not both";
	else if (!why && o.value[OPT_DUPLEX] && !o.value[OPT_COMBINE])
		why = "--duplex goes with --combine";
	else if (!why && (o.value[OPT_SIGN_CERT] || o.value[OPT_SIGN_CHAIN] || o.value[OPT_SIGN_VISIBLE] ||
		  o.value[OPT_SIGN_PASS_ENV] || o.value[OPT_SIGN_PASS_FILE]) && !o.value[OPT_SIGN_KEY])
		why = "the --sign-* options go with --sign-key";
	else if (!why && o.value[OPT_SIGN_PASS_ENV] && o.value[OPT_SIGN_PASS_FILE])
		why = "give --sign-pass-env or --sign-pass-file, not both";
	else if (!why && o.value[OPT_MANIFEST] && !strcmp(o.value[OPT_MANIFEST], "-") && o.value[OPT_JSON])
		why = "--manifest - and --json both write to standard output; give the manifest a file name";
	else if (!why && o.value[OPT_MANIFEST] && o.value[OPT_COMBINE] &&
		 lm_same_output(o.value[OPT_MANIFEST], o.value[OPT_COMBINE]))
		why = "--manifest and --combine name the same file; give them different names";
	else if (!why && (o.value[OPT_ROW] || o.value[OPT_ONLY]) && o.value[OPT_SHARD])
		why = "--row and --only make one letter: leave out --shard";
	else if (!why && (o.value[OPT_ROW] || o.value[OPT_ONLY]) &&
		 !o.value[OPT_RECIPIENTS] && !o.value[OPT_AREA_RECIPIENTS])
		why = "--row and --only pick a recipient: give --recipients or --area-recipients";
	long only_row = 0;
	if (!why && o.value[OPT_ROW]) {
		char *end;
		only_row = strtol(o.value[OPT_ROW], &end, 10);
		if (!*o.value[OPT_ROW] || *end || only_row < 1)
			why = "--row N must be a row number: 1 for the first row after the header";
	}
	if (why)
		return cli_usage_error("build", synopsis, why);
	long jobs;
	size_t shard_k, shard_n;
	if (cli_jobs("build", o.value[OPT_JOBS], &jobs) || cli_shard("build", o.value[OPT_SHARD], &shard_k, &shard_n))
		return LM_EXIT_USAGE;
	int stale_days;
	enum lm_input_encoding encoding;
	char delim;
	struct lm_where *where;
	size_t nwhere;
	if (cli_stale_days("build", o.value[OPT_STALE], &stale_days) ||
	    cli_encoding("build", o.value[OPT_ENCODING], &encoding) ||
	    cli_delimiter("build", o.value[OPT_DELIMITER], &delim))
		return LM_EXIT_USAGE;
	if (cli_where("build", &o, OPT_WHERE, &where, &nwhere)) {
		cli_free_where(where, nwhere);
		return LM_EXIT_USAGE;
	}
	struct lm_run_opts ro = { .lang = o.value[OPT_LANG], .letter = o.args[0], .encoding = encoding,
				  .delim = delim, .where = where, .nwhere = nwhere, .sheet = o.value[OPT_SHEET],
				  .check = { .stale_days = stale_days }, .large_print = !!o.value[OPT_LARGE_PRINT],
				  .combine = o.value[OPT_COMBINE], .duplex = !!o.value[OPT_DUPLEX],
				  .digests = !!o.value[OPT_MANIFEST], .skip_existing = !!o.value[OPT_SKIP_EXISTING],
				  .keep_going = !!o.value[OPT_KEEP_GOING], .shard_k = shard_k, .shard_n = shard_n,
				  .only_row = only_row, .only_key = o.value[OPT_ONLY],
				  .only = only_row || o.value[OPT_ONLY], .jobs = (unsigned)jobs,
				  .sign_visible = !!o.value[OPT_SIGN_VISIBLE] };
	if (cli_pick_date("build", o.value[OPT_DATE], &ro.check.today)) {
		cli_free_where(where, nwhere);
		return LM_EXIT_USAGE;
	}
	if (o.value[OPT_MANIFEST] && strcmp(o.value[OPT_MANIFEST], "-"))
		ro.manifest = o.value[OPT_MANIFEST];
	int rc = LM_EXIT_DATA;
	char **areas = NULL, **recipients = NULL;
	size_t nareas = 0;
	struct lm_signer *signer = NULL;
	struct lm_run_result res = { .outcome = LM_RUN_STOPPED, .stop = LM_EXIT_DATA };
	struct build bd = { .o = &o };
	_Static_assert(offsetof(struct build, report) == 0, "the run's context is the report's");
	cli_report_init(&bd.report, !!o.value[OPT_QUIET]);
	/* once per run, and before anything else: a wrong password must stop
	 * the run, not its 1,000th letter */
	struct cli_sign_opts so = { o.value[OPT_SIGN_KEY], o.value[OPT_SIGN_CERT], o.value[OPT_SIGN_CHAIN],
				    o.value[OPT_SIGN_PASS_ENV], o.value[OPT_SIGN_PASS_FILE] };
	if (so.key && (rc = cli_load_signer("build", &so, &signer, &ro.signing_time)))
		goto done;
	ro.signer = signer;
	if (cli_pick_areas("build", &o, OPT_AREA, OPT_ALL_AREAS, OPT_AREAS_DIR, &areas, &nareas))
		goto done;
	recipients = lm_xcalloc(nareas + 1, sizeof(*recipients));
	struct lm_buf buf = LM_BUF_INIT;
	for (size_t i = 0; i < nareas; i++) {
		const char *r = cli_recipients_for(&o, OPT_RECIPIENTS, OPT_AREA_RECIPIENTS, areas[i], &buf);
		recipients[i] = r ? lm_xstrdup(r) : NULL;
	}
	lm_buf_release(&buf);
	/* no output may replace the key or the password file either */
	const char *inputs[5] = { NULL };
	static const int key_files[] = { OPT_SIGN_KEY, OPT_SIGN_CERT, OPT_SIGN_CHAIN, OPT_SIGN_PASS_FILE };
	for (size_t i = 0, k = 0; i < sizeof(key_files) / sizeof(*key_files); i++)
		if (o.value[key_files[i]])
			inputs[k++] = o.value[key_files[i]];
	char *pattern = o.value[OPT_COMBINE] ? NULL : o.value[OPT_OUTPUT] ? lm_xstrdup(o.value[OPT_OUTPUT])
									   : cli_default_output(o.args[0], o.value[OPT_RECIPIENTS] || o.value[OPT_AREA_RECIPIENTS]);
	ro.fonts_dir = cli_fonts_dir(o.value[OPT_FONTS]);
	ro.areas = (const char *const *)areas;
	ro.recipients = (const char *const *)recipients;
	ro.nareas = nareas;
	ro.inputs = inputs;
	ro.pattern = bd.pattern = pattern;
	struct lm_run_callbacks cb = { .ctx = &bd, .finding = cli_report_finding, .progress = cli_report_progress,
				       .note = bd.report.quiet ? NULL : cli_where_note, .writing = on_writing,
				       .staging = on_staging, .workers = on_workers, .file_done = on_file };
	lm_run(&ro, &cb, &res);
	rc = conclude(&bd, &res);
	free(pattern);
done:
	/* scripts get the summary whatever happened, with the exit status */
	if (o.value[OPT_JSON])
		cli_report_json(&bd.report, &res, rc);
	if (bd.manifest.open)
		cli_manifest_close(&bd.manifest, 0);
	out_unlock();
	if (bd.held)
		out_hold_signals(0); /* every letter in place: a signal held acts now */
	for (size_t i = 0; recipients && i < nareas; i++)
		free(recipients[i]);
	free(recipients);
	cli_free_areas(areas, nareas);
	cli_free_where(where, nwhere);
	cli_report_release(&bd.report);
	lm_signer_free(signer);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	struct cli_parsed o;
	int rc = cli_parse("build", argc, argv, options, &o) ? LM_EXIT_USAGE : run(argc, argv, &o);
	cli_parsed_release(&o);
	return rc;
}
