/* lettermerge check: everything a build would read, checked; nothing written. */
#include <stdlib.h>
#include <string.h>

#include "../batch.h"
#include "../buf.h"
#include "../layout.h"
#include "cli.h"

enum {
	OPT_AREA, OPT_ALL_AREAS, OPT_AREAS_DIR, OPT_RECIPIENTS, OPT_AREA_RECIPIENTS, OPT_ENCODING,
	OPT_STALE, OPT_DATE, OPT_FONTS, OPT_QUIET, OPT_STRUCTURE, OPT_LARGE_PRINT, OPT_LANG, OPT_SHEET,
	OPT_DELIMITER, OPT_WHERE,
};

static const struct cli_option options[] = {
	[OPT_AREA] = { "area", 'a', "DIR", "an area folder, e.g. areas/liverpool", 1 },
	[OPT_ALL_AREAS] = { "all-areas", 0, NULL, "every area folder under --areas-dir", 0 },
	[OPT_AREAS_DIR] = { "areas-dir", 0, "DIR", "where --all-areas looks (default: areas)", 0 },
	[OPT_RECIPIENTS] = { "recipients", 'r', "FILE", "a recipients CSV or workbook ('-' for stdin), shared by all areas", 0 },
	[OPT_AREA_RECIPIENTS] = { "area-recipients", 0, "NAME", "each area's own recipients file NAME (e.g. schools.csv)", 0 },
	[OPT_ENCODING] = { "input-encoding", 0, "ENC", "say (and check) that CSV files are utf-8, windows-1252 or utf-16; by default each file's is found", 0 },
	[OPT_DELIMITER] = { "delimiter", 0, "C", "CSV fields are split at ',', ';' or tab; by default each file's is found from its header row", 0 },
	[OPT_WHERE] = { "where", 0, "COLUMN=VALUE", "only recipient rows where COLUMN is (=) or is not (!=) VALUE; repeat for more (all must hold)", 1 },
	[OPT_STALE] = { "stale-after", 0, "DAYS", "warn about 'verified' dates older than this (default 365)", 0 },
	[OPT_DATE] = { "date", 'd', "YYYY-MM-DD", "the letters' date, which staleness is measured from (default: today)", 0 },
	[OPT_FONTS] = { "fonts", 0, "DIR", "folder of the Liberation Sans TTF files (default: fonts/)", 0 },
	[OPT_QUIET] = { "quiet", 'q', NULL, "print errors only, no warnings or summary", 0 },
	[OPT_STRUCTURE] = { "structure", 0, NULL, "print each area's letter in reading order with its roles, as a screen reader meets it", 0 },
	[OPT_LARGE_PRINT] = { "large-print", 0, NULL, "check the large-print edition", 0 },
	[OPT_LANG] = { "lang", 0, "TAG", "check the translation NAME.TAG.md (cy), or a bilingual letter (cy+en)", 0 },
	[OPT_SHEET] = { "sheet", 0, "NAME", "a recipients workbook (.xlsx, .ods): read this sheet (or give FILE#NAME; default: the first shown)", 0 },
	[OPT_WHERE + 1] = { NULL, 0, NULL, NULL, 0 },
};

static const char synopsis[] =
	"lettermerge check LETTER (--area DIR ... | --all-areas) [--recipients FILE] [options]";
static const char about[] =
	"Reads everything 'build' would read and lays every letter out, writing nothing.\n"
	"Prints one line per finding as FILE:LINE:COLUMN: error|warning: MESSAGE (editors\n"
	"jump to it): placeholders that name nothing, contacts a letter needs that an area\n"
	"lacks, phone numbers that are not valid UK numbers, malformed web and email\n"
	"addresses, 'verified' dates over a year old, broken CSV files and images, postal\n"
	"addresses the envelope window cannot show.  Exit status 1 when any is an error.";

struct area_tag {
	struct lm_findings *to;
	const struct lm_batch *b;
	size_t area;
};

static void tag_finding(void *ctx, const struct lm_diag *d)
{
	struct area_tag *t = ctx;
	struct lm_diag c = *d;
	if (lm_batch_nareas(t->b) > 1)
		cli_name_area(&c, lm_batch_area(t->b, t->area)->id, lm_batch_area(t->b, t->area)->dir);
	lm_findings_add(t->to, &c);
}

/* Loads the letter once and every area that loads (a broken one is a
 * finding, and the others are still checked), checks their facts and lays
 * out every letter.  Returns the number of letters checked. */
/* How the CSV files are read and which rows are kept. */
struct reading {
	enum lm_input_encoding enc;
	char delim;
	struct lm_where *where;
	size_t nwhere;
};

static size_t check_areas(const struct cli_parsed *o, char **areas, size_t nareas,
			  const struct reading *rd, const struct lm_check_opts *co,
			  struct lm_findings *f)
{
	struct lm_diag d;
	size_t letters = 0, first, end;
	struct lm_batch_opts bo = { .encoding = rd->enc, .delim = rd->delim, .where = rd->where,
				    .nwhere = rd->nwhere, .sheet = o->value[OPT_SHEET], .date = co->today,
				    .large_print = !!o->value[OPT_LARGE_PRINT] };
	struct lm_batch *b = lm_batch_new(&bo);
	lm_diag_clear(&d);
	if (lm_batch_load(b, cli_fonts_dir(o->value[OPT_FONTS]), o->args[0], &d) ||
	    (o->value[OPT_LANG] && lm_batch_set_lang(b, o->value[OPT_LANG], &d))) {
		lm_findings_add(f, &d);
		goto out;
	}
	struct lm_buf rec = LM_BUF_INIT;
	for (size_t i = 0; i < nareas; i++)
		if (lm_batch_add_area(b, areas[i],
				      cli_recipients_for(o, OPT_RECIPIENTS, OPT_AREA_RECIPIENTS, areas[i], &rec),
				      &d))
			lm_findings_add(f, &d);
	lm_buf_release(&rec);
	if (!lm_batch_nareas(b))
		goto out;
	if (!o->value[OPT_QUIET])
		cli_where_summary(b);
	if (lm_batch_plan(b, NULL, 1, 1, &d)) {
		lm_findings_add(f, &d);
		goto out;
	}
	if (lm_batch_validate(b, co, f, &d)) {
		lm_findings_add(f, &d);
		goto out;
	}
	struct lm_cursor c;
	lm_cursor_init(&c, b);
	lm_batch_slice(b, &first, &end);
	/* a letter's findings for each area in turn, the area named when there
	 * are several (the same fault in two areas is two findings) */
	struct area_tag tag = { f, b, (size_t)-1 };
	struct lm_findings per_area;
	lm_findings_init(&per_area);
	for (size_t j = first; j < end; j++) {
		lm_diag_clear(&d);
		if (lm_cursor_seek(&c, j, &d)) {
			lm_findings_add(f, &d);
			break;
		}
		if (c.job.area != tag.area) {
			lm_findings_release(&per_area);
			lm_findings_init(&per_area);
			per_area.sink = tag_finding;
			per_area.sink_ctx = &tag;
			tag.area = c.job.area;
		}
		if (lm_batch_check(b, &c.job, &per_area, &d) && d.msg[0])
			lm_findings_add(&per_area, &d);
		letters++;
		/* each area's first letter, as a screen reader will read it */
		if (!o->value[OPT_STRUCTURE] || j != lm_batch_area_first(b, c.job.area))
			continue;
		struct lm_layout lay;
		if (!lm_batch_layout(b, &c.job, &lay, &d)) {
			struct lm_buf s = LM_BUF_INIT;
			const char *key = lm_batch_job_key(&c.job);
			printf("# %s for %s%s%s\n", o->args[0], lm_batch_area(b, c.job.area)->dir,
			       *key ? ", recipient " : "", key);
			lm_layout_structure(&lay, &s);
			fputs(s.ptr, stdout);
			lm_buf_release(&s);
		}
		lm_layout_release(&lay);
	}
	lm_cursor_release(&c);
	lm_findings_release(&per_area);
out:
	lm_batch_free(b);
	return letters;
}

/* The command, once its command line is parsed into `parsed`. */
static int run(int argc, char **argv, const struct cli_parsed *parsed)
{
	struct cli_parsed o = *parsed; /* a copy of the pointers: released by cmd_check */
	(void)argc;
	(void)argv;
	if (o.help) {
		cli_usage(stdout, synopsis, about, options);
		return LM_EXIT_OK;
	}
	const char *why = cli_area_options_error(&o, OPT_AREA, OPT_ALL_AREAS, OPT_RECIPIENTS,
						 OPT_AREA_RECIPIENTS);
	if (why)
		return cli_usage_error("check", synopsis, why);
	struct lm_check_opts co;
	struct reading rd;
	if (cli_pick_date("check", o.value[OPT_DATE], &co.today) ||
	    cli_stale_days("check", o.value[OPT_STALE], &co.stale_days) ||
	    cli_encoding("check", o.value[OPT_ENCODING], &rd.enc) ||
	    cli_delimiter("check", o.value[OPT_DELIMITER], &rd.delim))
		return LM_EXIT_USAGE;
	if (cli_where("check", &o, OPT_WHERE, &rd.where, &rd.nwhere)) {
		cli_free_where(rd.where, rd.nwhere);
		return LM_EXIT_USAGE;
	}
	char **areas = NULL;
	size_t nareas = 0;
	if (cli_pick_areas("check", &o, OPT_AREA, OPT_ALL_AREAS, OPT_AREAS_DIR, &areas, &nareas)) {
		cli_free_where(rd.where, rd.nwhere);
		return LM_EXIT_DATA;
	}
	/* printed as found: a million recipient rows are not held */
	int quiet = !!o.value[OPT_QUIET];
	struct lm_findings f;
	lm_findings_init(&f);
	f.sink = cli_print_finding;
	f.sink_ctx = &quiet;
	size_t letters = check_areas(&o, areas, nareas, &rd, &co, &f);
	if (!o.value[OPT_QUIET])
		fprintf(stderr, "check: %zu error%s, %zu warning%s in %zu letter%s for %zu area%s\n", f.errors,
			f.errors == 1 ? "" : "s", f.warnings, f.warnings == 1 ? "" : "s", letters,
			letters == 1 ? "" : "s", nareas, nareas == 1 ? "" : "s");
	int rc = f.errors ? cli_exit_for(f.worst) : LM_EXIT_OK;
	lm_findings_release(&f);
	cli_free_areas(areas, nareas);
	cli_free_where(rd.where, rd.nwhere);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	struct cli_parsed o;
	int rc = cli_parse("check", argc, argv, options, &o) ? LM_EXIT_USAGE : run(argc, argv, &o);
	cli_parsed_release(&o);
	return rc;
}
