/* lettermerge fields: every name a letter can use, with its value for one
 * area (and the first recipient), marking those the letter uses and the
 * recipient columns it ignores: the data as the letter sees it. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../area.h"
#include "../buf.h"
#include "../csv.h"
#include "../lang.h"
#include "../letter.h"
#include "../recipient.h"
#include "../template.h"
#include "../translation.h"
#include "../value.h"
#include "cli.h"

enum {
	OPT_AREA, OPT_RECIPIENTS, OPT_SHEET, OPT_ENCODING, OPT_DATE, OPT_ALL, OPT_LANG, OPT_COUNT
};

static const struct cli_option options[] = {
	[OPT_AREA] = { "area", 'a', "DIR", "the area folder whose values to show, e.g. areas/liverpool", 0 },
	[OPT_RECIPIENTS] = { "recipients", 'r', "FILE", "a recipients CSV or workbook: show its first row's values", 0 },
	[OPT_SHEET] = { "sheet", 0, "NAME", "a recipients workbook's sheet (or give FILE#NAME)", 0 },
	[OPT_ENCODING] = { "input-encoding", 0, "ENC", "CSV files are utf-8 (default) or windows-1252", 0 },
	[OPT_DATE] = { "date", 'd', "YYYY-MM-DD", "the letter's date (default: $SOURCE_DATE_EPOCH, else today)", 0 },
	[OPT_ALL] = { "used", 'u', NULL, "list only the names the letter uses", 0 },
	[OPT_LANG] = { "lang", 0, "TAG", "the translation NAME.TAG.md (cy, pl) and the area's values as it reads them (organisation_cy)", 0 },
	[OPT_COUNT] = { NULL, 0, NULL, NULL, 0 },
};

static const char synopsis[] = "lettermerge fields LETTER --area DIR [-r FILE] [options]";
static const char about[] =
	"Lists every name LETTER's template can use ({{area.*}}, {{contacts.ID.COLUMN}},\n"
	"{{groups.*}}, {{signatories.ID.*}}, {{date}}, {{recipient.*}}) with its value for\n"
	"the area (and the first recipient row).  'used' marks what the letter prints\n"
	"(in its body, its front matter, or the letterhead, signatures and address it\n"
	"is framed with); 'ignored' marks a recipient column the letter never uses.";

/* The values the letter names, by address. */
struct seen {
	const struct lm_value **v;
	size_t n, alloc;
};

static void see(void *ctx, const struct lm_value *v)
{
	struct seen *s = ctx;
	LM_ALLOC_GROW(s->v, s->n + 1, s->alloc);
	s->v[s->n++] = v;
}

static int cmp_ptr(const void *a, const void *b)
{
	const struct lm_value *x = *(const struct lm_value *const *)a, *y = *(const struct lm_value *const *)b;
	return x < y ? -1 : x > y;
}

static int was_seen(const struct seen *s, const struct lm_value *v)
{
	return v && bsearch(&v, s->v, s->n, sizeof(*s->v), cmp_ptr) != NULL;
}

/* Walks every string of the front matter as the template it is. */
static void walk_front_matter(const struct lm_letter *l, const struct lm_value *fm,
			      const struct lm_value *ctx, struct seen *s)
{
	if (!fm)
		return;
	if (fm->kind == LM_VALUE_STRING) {
		struct lm_template *t = NULL;
		struct lm_diag d;
		if (!lm_template_parse(&t, l->path, fm->str, fm->len, fm->line, NULL, &d))
			lm_template_walk(t, ctx, see, s);
		lm_template_free(t);
		return;
	}
	for (size_t i = 0; i < fm->n; i++)
		walk_front_matter(l, fm->items[i], ctx, s);
}

/* What the frame prints besides the templates (frame.c): the letterhead,
 * the signatures, the address in the envelope window, copies, large print. */
static void see_frame(const struct lm_value *ctx, const struct lm_value *fm, struct seen *s)
{
	static const char *const area_keys[] = { "organisation", "address", "address_oneline", "partnership",
						  "logo", "logo_alt", "date_format", NULL };
	static const char *const sig_keys[] = { "name", "title", "organisation", "signature", "alt", NULL };
	static const char *const rec_keys[] = { "address_line_1", "address_line_2", "address_line_3",
						"address_line_4", "address_line_5", "address_line_6",
						"address_line_7", "postcode", "copies", "large_print", NULL };
	const struct lm_value *area = lm_value_get(ctx, "area");
	for (const char *const *k = area_keys; *k; k++)
		if (lm_value_get(area, *k))
			see(s, lm_value_get(area, *k));
	const struct lm_value *sigs = lm_value_get(ctx, "signatories");
	const struct lm_value *want = lm_value_get(fm, "signatories");
	for (size_t i = 0; sigs && i < sigs->n; i++) {
		const struct lm_value *sig = sigs->items[i];
		int chosen = !want || want->kind != LM_VALUE_LIST;
		for (size_t j = 0; !chosen && j < want->n; j++)
			chosen = want->items[j]->kind == LM_VALUE_STRING &&
				 !strcmp(want->items[j]->str, lm_value_str(sig, "id", ""));
		for (const char *const *k = sig_keys; chosen && *k; k++)
			if (lm_value_get(sig, *k))
				see(s, lm_value_get(sig, *k));
	}
	/* the default address columns, unless the letter's address: names
	 * its own (walked with the front matter) or is none */
	const struct lm_value *rec = lm_value_get(ctx, "recipient");
	int own_address = lm_value_get(fm, "address") != NULL;
	for (const char *const *k = rec_keys; rec && *k; k++) {
		int address_col = !strncmp(*k, "address_line_", 13) || !strcmp(*k, "postcode");
		if (lm_value_get(rec, *k) && !(own_address && address_col))
			see(s, lm_value_get(rec, *k));
	}
}

struct printer {
	const struct seen *seen;
	int used_only;
	size_t used, ignored;
};

/* One line: the mark, the name, the value on one line. */
static void line(struct printer *p, const char *mark, const char *name, const struct lm_value *v)
{
	if (p->used_only && strcmp(mark, "used"))
		return;
	struct lm_buf b = LM_BUF_INIT;
	if (v->kind == LM_VALUE_STRING) {
		size_t chars = 0;
		for (const char *c = v->str; *c; c++) {
			if (chars >= 70 && ((unsigned char)*c & 0xC0) != 0x80) {
				lm_buf_adds(&b, "…");
				break;
			}
			if (*c == '\n')
				lm_buf_adds(&b, " / ");
			else
				lm_buf_addc(&b, *c);
			chars += ((unsigned char)*c & 0xC0) != 0x80;
		}
		if (!v->len)
			lm_buf_adds(&b, "(empty)");
	} else {
		/* a list: the ids of its rows */
		for (size_t i = 0; i < v->n; i++)
			lm_buf_addf(&b, "%s%s", i ? ", " : "(", lm_value_str(v->items[i], "id", "?"));
		lm_buf_adds(&b, v->n ? ")" : "(none)");
	}
	printf("%-8s %-42s %s\n", mark, name, b.ptr);
	lm_buf_release(&b);
}

static void map_lines(struct printer *p, const char *prefix, const struct lm_value *m, int recipient)
{
	if (!m || m->kind != LM_VALUE_MAP)
		return;
	struct lm_buf name = LM_BUF_INIT;
	for (size_t i = 0; i < m->n; i++) {
		lm_buf_reset(&name);
		lm_buf_addf(&name, "%s.%s", prefix, m->keys[i]);
		int used = was_seen(p->seen, m->items[i]);
		const char *mark = used ? "used" : recipient && m->keys[i][0] != '_' ? "ignored" : "";
		p->used += (size_t)used;
		p->ignored += (size_t)(!used && recipient && m->keys[i][0] != '_');
		if (m->items[i]->kind == LM_VALUE_STRING)
			line(p, mark, name.ptr, m->items[i]);
	}
	lm_buf_release(&name);
}

static void list_lines(struct printer *p, const char *prefix, const struct lm_value *list)
{
	struct lm_buf name = LM_BUF_INIT;
	for (size_t i = 0; list && i < list->n; i++) {
		lm_buf_reset(&name);
		lm_buf_addf(&name, "%s.%s", prefix, lm_value_str(list->items[i], "id", "?"));
		map_lines(p, name.ptr, list->items[i], 0);
	}
	lm_buf_release(&name);
}

/* The first row of the recipients file, as a map in `a`; NULL with d filled. */
static struct lm_value *first_row(const char *path, const char *sheet, enum lm_input_encoding enc,
				  struct lm_arena *a, struct lm_diag *d)
{
	struct lm_csv_reader r;
	lm_csv_reader_init(&r);
	char *file = lm_xstrdup(path);
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	char *hash = strrchr(file, '#');
	if (fd < 0 && errno == ENOENT && hash && hash[1]) {
		*hash = '\0';
		sheet = hash + 1;
		fd = open(file, O_RDONLY | O_CLOEXEC);
	}
	struct lm_value *row = NULL;
	if (fd < 0) {
		lm_diag_setk(d, lm_diag_errno_kind(errno), file, 0, 0,
			     "cannot open '%s': %s; check the name and that the file may be read", file,
			     strerror(errno));
	} else if (!lm_csv_reader_open_sheet(&r, file, fd, enc, sheet, 0, d)) {
		int rc = lm_csv_reader_next(&r, d);
		if (rc == 1)
			row = lm_recipient_row_map(a, &r, 1);
		else if (rc == 0)
			lm_diag_set(d, r.path, 0, 0, "the recipients file has no rows after its header");
	}
	lm_csv_reader_release(&r);
	if (fd >= 0)
		close(fd);
	free(file);
	return row;
}

/* The letter in language `req` (--lang): `own` itself when it is in that
 * language, else its translation (loaded into trs).  0, or -1 with d filled. */
static int pick_translation(const struct lm_letter *own, const char *req, struct lm_translations *trs,
			    const struct lm_letter **out, struct lm_diag *d)
{
	struct lm_lang_request r;
	*out = own;
	lm_lang_request_parse(req, &r); /* checked with the options */
	if (lm_lang_same(r.tags[0], lm_letter_lang(own)))
		return 0;
	if (lm_translations_load(trs, own->path, d))
		return -1;
	struct lm_translation *tr = lm_translations_find(trs, r.tags[0]);
	if (!tr) {
		struct lm_buf what = LM_BUF_INIT;
		lm_buf_addf(&what, "--lang %s", req);
		lm_translations_missing(trs, own->path, lm_letter_lang(own), what.ptr, r.tags[0], d);
		lm_buf_release(&what);
		return -1;
	}
	if (!tr->ok) {
		*d = tr->error;
		return -1;
	}
	*out = &tr->letter;
	return 0;
}

/* The command, once its command line is parsed into `parsed`. */
static int run(int argc, char **argv, const struct cli_parsed *parsed)
{
	struct cli_parsed o = *parsed; /* a copy of the pointers: released by cmd_fields */
	(void)argc;
	(void)argv;
	int early = cli_letter_and_area("fields", synopsis, about, options, &o, OPT_AREA, OPT_LANG, 1);
	if (early >= 0)
		return early;
	enum lm_input_encoding enc;
	struct lm_date date;
	if (cli_encoding("fields", o.value[OPT_ENCODING], &enc) ||
	    cli_pick_date("fields", o.value[OPT_DATE], &date))
		return LM_EXIT_USAGE;

	struct lm_letter own;
	struct lm_translations trs;
	struct lm_area area;
	struct lm_arena *a = lm_arena_new();
	struct lm_diag d;
	struct seen s = { 0 };
	int rc = LM_EXIT_OK;
	lm_letter_init(&own);
	lm_translations_init(&trs);
	lm_area_init(&area);
	lm_diag_clear(&d);
	struct lm_value *rec = NULL;
	const struct lm_letter *lp = &own;
	if (lm_letter_load(&own, o.args[0], &d) ||
	    (o.value[OPT_LANG] && pick_translation(&own, o.value[OPT_LANG], &trs, &lp, &d)) ||
	    lm_area_load_as(&area, a, o.value[OPT_AREA], (int)enc, &d) ||
	    (o.value[OPT_RECIPIENTS] &&
	     !(rec = first_row(o.value[OPT_RECIPIENTS], o.value[OPT_SHEET], enc, a, &d)))) {
		cli_print_diag(&d);
		rc = cli_exit_for(d.kind);
		goto out;
	}

	/* the context a letter is expanded in (frame.c): the area's fields
	 * as the letter's language reads them (organisation_cy) */
	const struct lm_letter *l = lp;
	const char *lang = lm_letter_lang(l);
	const struct lm_value *actx = lm_value_localise(a, area.ctx, lang);
	struct lm_value *ctx = lm_value_map(a);
	for (size_t i = 0; i < actx->n; i++)
		lm_value_set(a, ctx, actx->keys[i], actx->items[i]);
	struct lm_buf when = LM_BUF_INIT;
	const struct lm_value *fmt = lm_value_get(lm_value_get(actx, "area"), "date_format");
	if (!fmt || fmt->kind != LM_VALUE_STRING || !fmt->len)
		fmt = lm_value_get(l->fm, "date_format");
	lm_date_format_lang(&when, fmt && fmt->kind == LM_VALUE_STRING ? fmt->str : "%d %B %Y", &date, lang);
	struct lm_value *date_v = lm_value_string(a, when.ptr, when.len);
	lm_buf_release(&when);
	lm_value_set(a, ctx, "date", date_v);
	if (rec)
		lm_value_set(a, ctx, "recipient", rec);

	lm_template_walk(l->body, ctx, see, &s);
	walk_front_matter(l, l->fm, ctx, &s);
	see_frame(ctx, l->fm, &s);
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), cmp_ptr);

	struct printer p = { &s, !!o.value[OPT_ALL], 0, 0 };
	map_lines(&p, "area", lm_value_get(ctx, "area"), 0);
	list_lines(&p, "contacts", lm_value_get(ctx, "contacts"));
	const struct lm_value *groups = lm_value_get(ctx, "groups");
	struct lm_buf name = LM_BUF_INIT;
	for (size_t i = 0; groups && i < groups->n; i++) {
		lm_buf_reset(&name);
		lm_buf_addf(&name, "groups.%s", groups->keys[i]);
		int used = was_seen(&s, groups->items[i]);
		p.used += (size_t)used;
		line(&p, used ? "used" : "", name.ptr, groups->items[i]);
	}
	lm_buf_release(&name);
	list_lines(&p, "signatories", lm_value_get(ctx, "signatories"));
	int date_used = was_seen(&s, date_v);
	p.used += (size_t)date_used;
	line(&p, date_used ? "used" : "", "date", date_v);
	map_lines(&p, "recipient", rec, 1);
	fflush(stdout);
	fprintf(stderr, "fields: %zu used", p.used);
	if (rec)
		fprintf(stderr, "; %zu recipient column%s ignored", p.ignored, p.ignored == 1 ? "" : "s");
	if (l != &own)
		fprintf(stderr, " (%s, %s)", l->path, lang);
	fputc('\n', stderr);
out:
	free(s.v);
	lm_area_release(&area);
	lm_translations_release(&trs);
	lm_letter_release(&own);
	lm_arena_free(a);
	return rc;
}

int cmd_fields(int argc, char **argv)
{
	struct cli_parsed o;
	int rc = cli_parse("fields", argc, argv, options, &o) ? LM_EXIT_USAGE : run(argc, argv, &o);
	cli_parsed_release(&o);
	return rc;
}
