/* lettermerge build: one letter for one area, as a PDF. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../area.h"
#include "../buf.h"
#include "../letter.h"
#include "../pdf.h"
#include "cli.h"

enum { OPT_AREA, OPT_OUTPUT, OPT_DATE, OPT_FONTS };

static const struct cli_option options[] = {
	[OPT_AREA] = { "area", 'a', "DIR", "the area folder, e.g. areas/liverpool (required)" },
	[OPT_OUTPUT] = { "output", 'o', "FILE", "the PDF to write (default: LETTER-AREA.pdf)" },
	[OPT_DATE] = { "date", 'd', "YYYY-MM-DD", "the letter's date (default: $SOURCE_DATE_EPOCH, else today)" },
	[OPT_FONTS] = { "fonts", 0, "DIR", "folder of the Liberation Sans TTF files (default: fonts/)" },
	{ NULL, 0, NULL, NULL },
};

static const char synopsis[] = "lettermerge build LETTER --area DIR [-o FILE.pdf] [--date YYYY-MM-DD]";
static const char about[] =
	"Expands the letter template LETTER (letters/NAME.md) with the area's CSV files\n"
	"and writes one print-ready A4 PDF.  Nothing is written when an input is wrong.";

/* The date from --date, SOURCE_DATE_EPOCH (reproducible builds), or today. */
static int pick_date(const char *opt, struct lm_date *out)
{
	if (opt) {
		if (lm_date_parse(opt, out)) {
			fprintf(stderr, "lettermerge build: --date '%s' is not a real date in the form YYYY-MM-DD\n", opt);
			return -1;
		}
		return 0;
	}
	time_t t = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (*end || v < 0) {
			fprintf(stderr, "lettermerge build: SOURCE_DATE_EPOCH '%s' is not a number of seconds\n", sde);
			return -1;
		}
		t = (time_t)v;
	}
	struct tm tm;
	if (sde && *sde)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	out->year = tm.tm_year + 1900;
	out->month = tm.tm_mon + 1;
	out->day = tm.tm_mday;
	return 0;
}

static char *default_output(const char *letter, const char *area_id)
{
	const char *base = strrchr(letter, '/');
	base = base ? base + 1 : letter;
	size_t n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".md"))
		n -= 3;
	struct lm_buf b = LM_BUF_INIT;
	lm_buf_add(&b, base, n);
	lm_buf_addf(&b, "-%s.pdf", area_id);
	return lm_buf_detach(&b, NULL);
}

/* Creates the folders above `path` that are missing. */
static int make_parents(const char *path, struct lm_diag *d)
{
	char *p = lm_xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			rc = lm_diag_set(d, p, 0, 0, "cannot create folder: %s", strerror(errno));
			break;
		}
		*s = '/';
	}
	free(p);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	struct cli_parsed o;
	if (cli_parse("build", argc, argv, options, &o))
		return LM_EXIT_USAGE;
	if (o.help) {
		cli_usage(stdout, synopsis, about, options);
		return LM_EXIT_OK;
	}
	if (o.nargs != 1 || !o.value[OPT_AREA]) {
		fprintf(stderr, "lettermerge build: %s\n\n",
			o.nargs != 1 ? "give exactly one LETTER" : "--area is required");
		cli_usage(stderr, synopsis, about, options);
		return LM_EXIT_USAGE;
	}
	struct lm_letter_opts lo = { 0 };
	if (pick_date(o.value[OPT_DATE], &lo.date))
		return LM_EXIT_USAGE;

	int rc = LM_EXIT_DATA;
	struct lm_diag d;
	struct lm_fonts fonts;
	struct lm_letter letter;
	struct lm_area area;
	struct lm_assets assets;
	struct lm_layout lay;
	struct lm_pdf pdf;
	struct lm_pdf_meta meta = { 0 };
	struct lm_arena *arena = lm_arena_new();
	char *out = NULL;
	int have_pdf = 0;
	lm_diag_clear(&d);
	lm_fonts_init(&fonts);
	lm_letter_init(&letter);
	lm_area_init(&area);
	lm_assets_init(&assets);
	lm_layout_init(&lay, 0, 0);

	if (lm_fonts_load(&fonts, cli_fonts_dir(o.value[OPT_FONTS]), &d) ||
	    lm_letter_load(&letter, o.args[0], &d) ||
	    lm_area_load(&area, arena, o.value[OPT_AREA], &d) ||
	    lm_assets_load(&assets, &area, &d) ||
	    lm_letter_layout(&letter, &area, &assets, &lo, &fonts, &lay, &meta, &d))
		goto done;
	out = o.value[OPT_OUTPUT] ? lm_xstrdup(o.value[OPT_OUTPUT]) : default_output(o.args[0], area.id);
	if (lm_pdf_begin(&pdf, &fonts, &meta, &d))
		goto done;
	have_pdf = 1;
	if (lm_pdf_add(&pdf, &lay, assets.images, assets.n, &d) || make_parents(out, &d) ||
	    lm_pdf_save(&pdf, out, &d))
		goto done;
	rc = LM_EXIT_OK;
done:
	if (rc != LM_EXIT_OK)
		cli_print_diag(&d);
	if (have_pdf)
		lm_pdf_release(&pdf);
	free(out);
	lm_layout_release(&lay);
	lm_assets_release(&assets);
	lm_area_release(&area);
	lm_letter_release(&letter);
	lm_fonts_release(&fonts);
	lm_arena_free(arena);
	return rc;
}
