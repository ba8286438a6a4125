#include "batch.h"

#include "buf.h"
#include "fileio.h"
#include "lang.h"
#include "names.h"
#include "pdf.h"
#include "pdfr.h"
#include "recipient.h"
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A recipients file, opened once for the run and read (with pread, so
 * forked workers share it) as often as a pass needs; standard input is
 * first copied to an unlinked temporary file. */
struct lm_batch_csv {
	char *path;        /* as given ("-" for stdin), owned */
	char *name;        /* in messages: the path, or "<stdin>"; owned */
	char *sheet;       /* of a workbook: the sheet to read (NULL: the first shown); owned */
	char *shown;       /* in messages about its cells: name, or FILE#SHEET of a
			      workbook's sheet (once read); owned */
	int fd;            /* owned */
	size_t nrows;      /* data rows the run keeps (see --where) */
	size_t nall;       /* data rows in the file */
	struct lm_diag error; /* why it failed to load (fd -1), for each area sharing it */
	/* how the first read found it, so later reads need not look again */
	enum lm_input_encoding enc;
	char delim;
	int guessed;
	struct lm_diag guess; /* the warning when guessed */
	int *where_col;    /* b->nwhere: the column each condition reads; owned */
	size_t *left_out;  /* b->nwhere: rows left out by each (the first that fails) */
};

struct lm_batch_area {
	struct lm_area area;
	struct lm_assets assets;
	struct lm_body_images images; /* the body's images, in `assets` */
	int csv;           /* its recipients file in b->csvs, or -1 */
	size_t nrows;      /* recipient rows */
	size_t first;      /* its first job */
};

/* A file the run reads, by identity (a path may have many spellings and
 * links): no output of the run may be one of them. */
struct lm_batch_input {
	unsigned long long dev, ino;
	char *name; /* as the run named it, owned */
};

struct lm_batch {
	struct lm_arena *arena;
	struct lm_fonts fonts;
	struct lm_letter letter;
	struct lm_translations translations; /* NAME.cy.md … beside the letter */
	const char *lang;               /* --lang ("cy", "cy+en"), NULL for the letter's own; borrowed */
	struct lm_body body;            /* the letter body's findings and images */
	struct lm_embed embed;          /* font subsets for every file of the run */
	struct lm_frame_opts opts;      /* the date, --large-print */
	struct lm_batch_area *areas;    /* owned */
	size_t nareas, areas_alloc;
	struct lm_batch_csv *csvs;      /* recipient files, each opened once; owned */
	size_t ncsvs, csvs_alloc;
	struct lm_cpset chars;          /* every character of the recipient files */
	int languages;                  /* a recipients file has a `language` column */
	char *pattern;                  /* output paths, owned; NULL in a combined run */
	size_t njobs;
	size_t first, end;              /* this run's slice of jobs (--shard) */
	unsigned char *bad;             /* a bit a job of the slice: it has errors; owned */
	enum lm_input_encoding encoding; /* --input-encoding (AUTO: found per file, see csv.h) */
	char delim;                     /* --delimiter, or 0: found per file */
	const struct lm_where *where;   /* --where conditions, borrowed */
	size_t nwhere;
	const char *sheet;              /* recipients workbooks: the sheet (--sheet), or NULL; borrowed */
	int digests;                    /* fill lm_result.sha256 (for a manifest) */
	const struct lm_signer *signer; /* sign every file with it, or NULL; borrowed */
	struct lm_sign_info sign;       /* name, signing time, visible; reason per area */
	struct lm_batch_input *inputs;  /* every file the run reads; owned */
	size_t ninputs, inputs_alloc;
	const char *const *outputs;     /* other outputs of the run (manifest, print file), NULL-ended; borrowed */
};

struct lm_batch *lm_batch_new(const struct lm_batch_opts *o)
{
	struct lm_batch *b = lm_xcalloc(1, sizeof(*b));
	b->arena = lm_arena_new();
	lm_fonts_init(&b->fonts);
	lm_letter_init(&b->letter);
	lm_translations_init(&b->translations);
	lm_body_init(&b->body);
	lm_embed_init(&b->embed);
	lm_cpset_init(&b->chars);
	b->encoding = o->encoding;
	b->delim = o->delim;
	b->where = o->where;
	b->nwhere = o->nwhere;
	b->sheet = o->sheet;
	b->opts.date = o->date;
	b->opts.large_print = o->large_print;
	b->opts.duplex = o->duplex;
	/* a body the letters share is parsed and laid out once a run */
	b->opts.memo = lm_frame_memo_new();
	b->digests = o->digests;
	b->signer = o->signer;
	b->sign.signing_time = o->signing_time;
	b->sign.visible = o->sign_visible;
	b->outputs = o->outputs;
	return b;
}

void lm_batch_free(struct lm_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->nareas; i++) {
		lm_area_release(&b->areas[i].area);
		lm_assets_release(&b->areas[i].assets);
		lm_body_images_release(&b->areas[i].images);
	}
	free(b->areas);
	for (size_t i = 0; i < b->ncsvs; i++) {
		free(b->csvs[i].path);
		free(b->csvs[i].name);
		free(b->csvs[i].sheet);
		free(b->csvs[i].shown);
		if (b->csvs[i].fd >= 0)
			close(b->csvs[i].fd);
		free(b->csvs[i].where_col);
		free(b->csvs[i].left_out);
	}
	free(b->csvs);
	free(b->pattern);
	free(b->bad);
	for (size_t i = 0; i < b->ninputs; i++)
		free(b->inputs[i].name);
	free(b->inputs);
	lm_cpset_release(&b->chars);
	lm_embed_release(&b->embed);
	lm_body_release(&b->body);
	lm_letter_release(&b->letter);
	lm_translations_release(&b->translations);
	lm_frame_memo_free(b->opts.memo);
	lm_fonts_release(&b->fonts);
	lm_arena_free(b->arena);
	free(b);
}

size_t lm_batch_nareas(const struct lm_batch *b)
{
	return b->nareas;
}

const struct lm_area *lm_batch_area(const struct lm_batch *b, size_t i)
{
	return &b->areas[i].area;
}

size_t lm_batch_area_first(const struct lm_batch *b, size_t i)
{
	return b->areas[i].first;
}

const struct lm_body_images *lm_batch_area_images(const struct lm_batch *b, size_t i)
{
	return &b->areas[i].images;
}

void lm_batch_slice(const struct lm_batch *b, size_t *first, size_t *end)
{
	*first = b->first;
	*end = b->end;
}

void lm_batch_add_input(struct lm_batch *b, const char *path, int fd, const char *name)
{
	struct stat st;
	if (path ? stat(path, &st) : fstat(fd, &st))
		return; /* what cannot be found cannot be overwritten */
	LM_ALLOC_GROW(b->inputs, b->ninputs + 1, b->inputs_alloc);
	b->inputs[b->ninputs++] = (struct lm_batch_input){ (unsigned long long)st.st_dev,
		(unsigned long long)st.st_ino, lm_xstrdup(name ? name : path) };
}

/* Every regular file in `dir`: the fonts. */
static void add_inputs_in(struct lm_batch *b, const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	if (!dp)
		return;
	struct lm_buf p = LM_BUF_INIT;
	while ((e = readdir(dp))) {
		struct stat st;
		lm_buf_reset(&p);
		lm_buf_addf(&p, "%s/%s", dir, e->d_name);
		if (!lstat(p.ptr, &st) && S_ISREG(st.st_mode))
			lm_batch_add_input(b, p.ptr, -1, NULL);
	}
	lm_buf_release(&p);
	closedir(dp);
}

static void add_partial_input(void *ctx, const char *path)
{
	lm_batch_add_input(ctx, path, -1, NULL);
}

int lm_batch_load(struct lm_batch *b, const char *fonts_dir, const char *letter_path,
		  struct lm_diag *d)
{
	lm_frame_memo_clear(b->opts.memo);
	if (lm_fonts_load(&b->fonts, fonts_dir, d))
		return -1;
	add_inputs_in(b, fonts_dir);
	if (lm_letter_load(&b->letter, letter_path, d))
		return -1;
	lm_batch_add_input(b, letter_path, -1, NULL);
	lm_template_partials(b->letter.body, add_partial_input, b);
	char tag[36];
	if (!lm_letter_path_tag(letter_path, tag))
		b->letter.tag = lm_xstrdup(tag); /* NAME.cy.md built as it is */
	if (lm_body_scan(&b->body, &b->letter, d) ||
	    lm_translations_load(&b->translations, letter_path, d))
		return -1;
	/* a translation's images and Markdown findings join the letter's */
	for (size_t i = 0; i < b->translations.n; i++) {
		struct lm_translation *tr = &b->translations.v[i];
		lm_batch_add_input(b, tr->path, -1, NULL);
		if (!tr->ok)
			continue;
		lm_template_partials(tr->letter.body, add_partial_input, b);
		if (lm_body_scan(&b->body, &tr->letter, d))
			return -1;
	}
	return 0;
}

/* The letters of language request `req` (lang.h), in order, into parts;
 * *doc_lang is the document's language.  A language with no translation
 * falls back to the letter's own, and *missing names it (else "");
 * returns 0, or -1 with d filled when the request is not a language or a
 * translation it needs did not load. */
static int pick_parts(struct lm_batch *b, const char *req, const struct lm_value *cell,
		      const struct lm_letter **parts, size_t *nparts, const char **doc_lang,
		      char missing[LM_LANG_TAG_MAX], struct lm_diag *d)
{
	struct lm_lang_request r;
	const char *own = lm_letter_lang(&b->letter);
	*nparts = 0;
	*doc_lang = NULL;
	missing[0] = '\0';
	if (!req) {
		parts[(*nparts)++] = &b->letter;
		return 0;
	}
	if (lm_lang_request_parse(req, &r))
		return lm_diag_set(d, cell ? cell->file : NULL, cell ? cell->line : 0, cell ? cell->col : 0,
				   "language '%s' is not a language tag: write one such as en, cy or pl, or two joined by + for a bilingual letter (cy+en)",
				   req);
	for (size_t i = 0; i < r.n; i++) {
		const struct lm_letter *l = NULL;
		if (lm_lang_same(r.tags[i], own)) {
			l = &b->letter;
		} else {
			struct lm_translation *tr = lm_translations_find(&b->translations, r.tags[i]);
			if (tr && !tr->ok) {
				*d = tr->error;
				return -1;
			}
			if (tr) {
				l = &tr->letter;
			} else {
				l = &b->letter;
				if (!missing[0])
					snprintf(missing, LM_LANG_TAG_MAX, "%s", r.tags[i]);
			}
		}
		size_t k = 0;
		while (k < *nparts && parts[k] != l)
			k++;
		if (k == *nparts)
			parts[(*nparts)++] = l;
		if (l == &b->letter)
			*doc_lang = own;
	}
	return 0;
}

int lm_batch_set_lang(struct lm_batch *b, const char *lang, struct lm_diag *d)
{
	const struct lm_letter *parts[LM_LANG_MAX_PARTS];
	size_t n;
	const char *doc;
	char missing[LM_LANG_TAG_MAX];
	struct lm_lang_request r;
	if (lm_lang_request_parse(lang, &r))
		return lm_diag_setk(d, LM_KIND_USAGE, NULL, 0, 0,
				    "--lang '%s' is not a language: write a tag such as cy or pl, or two joined by + (cy+en)",
				    lang);
	if (pick_parts(b, lang, NULL, parts, &n, &doc, missing, d))
		return -1;
	if (missing[0]) {
		struct lm_buf what = LM_BUF_INIT;
		lm_buf_addf(&what, "--lang %s", lang);
		lm_translations_missing(&b->translations, b->letter.path, lm_letter_lang(&b->letter), what.ptr,
					missing, d);
		lm_buf_release(&what);
		return -1;
	}
	b->lang = lang;
	return 0;
}

/* Writes the spelling of `path` that two names of one file share as far as
 * text can tell: no "./" parts, no doubled slashes, ASCII letters in lower
 * case (Windows shares and Mac disks ignore case). */
static void fold_path(const char *path, struct lm_buf *out)
{
	lm_buf_reset(out);
	const char *s = path;
	while (s[0] == '.' && s[1] == '/')
		for (s += 2; *s == '/'; s++)
			;
	for (; *s; s++) {
		while (*s == '/' && (s[1] == '/' || (s[1] == '.' && s[2] == '/')))
			s += s[1] == '/' ? 1 : 2;
		char c = *s;
		lm_buf_addc(out, c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c);
	}
}

int lm_same_output(const char *a, const char *b)
{
	struct lm_buf x = LM_BUF_INIT, y = LM_BUF_INIT;
	fold_path(a, &x);
	fold_path(b, &y);
	int same = !strcmp(x.ptr, y.ptr);
	lm_buf_release(&x);
	lm_buf_release(&y);
	if (!same) {
		/* two spellings of one existing file */
		struct stat s1, s2;
		same = !stat(a, &s1) && !stat(b, &s2) && s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino;
	}
	return same;
}

int lm_batch_check_output(const struct lm_batch *b, const char *path, const char *what,
			  struct lm_diag *d)
{
	struct stat st;
	if (lstat(path, &st))
		return 0;
	if (lm_check_output(path, d)) {
		snprintf(d->msg + strlen(d->msg), sizeof(d->msg) - strlen(d->msg), " (%s)", what);
		return -1;
	}
	for (size_t i = 0; i < b->ninputs; i++)
		if (b->inputs[i].dev == (unsigned long long)st.st_dev &&
		    b->inputs[i].ino == (unsigned long long)st.st_ino)
			return lm_diag_set(d, path, 0, 0,
					   "%s would overwrite '%s', an input of this run; give the output another name",
					   what, b->inputs[i].name);
	return 0;
}

/* Opens a recipients file: the first time as the run asks (the encoding
 * and delimiter found or checked), later as that first read found it. */
static int open_rows(const struct lm_batch *b, const struct lm_batch_csv *c,
		     struct lm_csv_reader *r, struct lm_diag *d)
{
	lm_csv_reader_release(r);
	if (c->enc != LM_INPUT_AUTO) {
		r->trusted = 1;
		r->delim = c->delim;
		return lm_csv_reader_open_sheet(r, c->name, c->fd, c->enc, c->sheet, 0, d);
	}
	r->delim = b->delim;
	return lm_csv_reader_open_sheet(r, c->name, c->fd, b->encoding, c->sheet, 0, d);
}

int lm_where_parse(struct lm_where *w, const char *text, struct lm_diag *d)
{
	memset(w, 0, sizeof(*w));
	w->text = text;
	const char *eq = strchr(text, '=');
	if (!eq)
		return lm_diag_setk(d, LM_KIND_USAGE, NULL, 0, 0,
				    "--where '%s' needs COLUMN=VALUE or COLUMN!=VALUE", text);
	const char *end = eq;
	if (end > text && end[-1] == '!') {
		w->negate = 1;
		end--;
	}
	while (end > text && end[-1] == ' ')
		end--;
	while (*text == ' ')
		text++;
	if (end <= text)
		return lm_diag_setk(d, LM_KIND_USAGE, NULL, 0, 0,
				    "--where '%s' names no column before the '='", w->text);
	w->column = lm_xstrndup(text, (size_t)(end - text));
	const char *v = eq + 1;
	while (*v == ' ')
		v++;
	size_t n = strlen(v);
	while (n && v[n - 1] == ' ')
		n--;
	w->value = lm_xstrndup(v, n);
	return 0;
}

void lm_where_release(struct lm_where *w)
{
	free(w->column);
	free(w->value);
	memset(w, 0, sizeof(*w));
}

/* The columns of a file, for a message: "URN, EstablishmentName, ...". */
static void list_columns(const struct lm_csv_reader *r, struct lm_buf *out)
{
	for (size_t k = 0; k < r->ncols; k++) {
		if (out->len > 600) {
			lm_buf_adds(out, ", ...");
			break;
		}
		lm_buf_addf(out, "%s%s", k ? ", " : "", r->header[k]);
	}
}

/* Finds each --where column in the file's header. */
static int resolve_where(const struct lm_batch *b, struct lm_batch_csv *c,
			 const struct lm_csv_reader *r, struct lm_diag *d)
{
	c->where_col = lm_xcalloc(b->nwhere + 1, sizeof(*c->where_col));
	c->left_out = lm_xcalloc(b->nwhere + 1, sizeof(*c->left_out));
	for (size_t k = 0; k < b->nwhere; k++) {
		c->where_col[k] = lm_csv_reader_column(r, b->where[k].column);
		if (c->where_col[k] >= 0)
			continue;
		struct lm_buf cols = LM_BUF_INIT;
		list_columns(r, &cols);
		lm_diag_set(d, r->path, 1, 1, "--where '%s': the file has no column '%s'; its columns are %s",
			    b->where[k].text, b->where[k].column, cols.ptr);
		lm_buf_release(&cols);
		return -1;
	}
	return 0;
}

/* -1 when the row the reader holds passes every --where condition, else
 * the first that fails. */
static int where_fails(const struct lm_batch *b, const struct lm_batch_csv *c,
		       const struct lm_csv_reader *r)
{
	for (size_t k = 0; k < b->nwhere; k++) {
		const char *cell = r->cells[c->where_col[k]].text;
		int same = !strcasecmp(cell, b->where[k].value);
		if (same == b->where[k].negate)
			return (int)k;
	}
	return -1;
}

static int check_copies(const struct lm_csv_reader *r, int col, struct lm_diag *d)
{
	unsigned n;
	if (col < 0)
		return 0;
	const struct lm_csv_cell *cell = &r->cells[col];
	if (lm_recipient_copies(cell->text, cell->len, &n))
		return lm_diag_set(d, r->path, cell->line, cell->col,
				   "copies '%s' must be a whole number from 1 to 1000", cell->text);
	return 0;
}

/* Reads the whole file once: a broken row or a bad `copies` stops the run
 * before anything else, the rows are counted, and their characters noted
 * for the font subsets. */
static int scan_recipients(struct lm_batch *b, struct lm_batch_csv *c, struct lm_diag *d)
{
	struct lm_csv_reader r;
	lm_csv_reader_init(&r);
	int rc = open_rows(b, c, &r, d);
	if (!rc) {
		free(c->shown);
		c->shown = lm_xstrdup(r.path);
		c->enc = r.enc;
		c->delim = r.delim;
		c->guessed = r.guessed;
		if (r.guessed)
			lm_csv_guess_warning(c->name, r.guess_line, r.guess_col, r.guess_byte, &c->guess);
		rc = resolve_where(b, c, &r, d);
	}
	if (!rc) {
		int copies = lm_csv_reader_column(&r, "copies");
		if (lm_csv_reader_column(&r, "language") >= 0)
			b->languages = 1;
		for (size_t k = 0; k < r.ncols; k++)
			lm_cpset_add_utf8(&b->chars, r.header[k], r.header_cells[k].len);
		while ((rc = lm_csv_reader_next(&r, d)) == 1) {
			int fails = where_fails(b, c, &r);
			if (fails >= 0) {
				c->left_out[fails]++;
				continue;
			}
			c->nrows++;
			if (check_copies(&r, copies, d)) {
				rc = -1;
				break;
			}
			for (size_t k = 0; k < r.ncols; k++)
				lm_cpset_add_utf8(&b->chars, r.cells[k].text, r.cells[k].len);
		}
		c->nall = r.nrows;
	}
	lm_csv_reader_release(&r);
	return rc;
}

/* Opens a recipients file: a regular file as it is; a pipe (-r <(cmd), a
 * FIFO) copied first, as standard input is, since the file is read more
 * than once; anything else (a folder, a device) refused, naming it.
 * Returns the descriptor, or -1 with d filled (errno as open left it). */
static int open_recipients(const char *path, struct lm_diag *d)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0) {
		int e = errno;
		lm_diag_setk(d, lm_diag_errno_kind(e), path, 0, 0,
			     "cannot open '%s': %s; check the name and that the file may be read", path,
			     strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st)) {
		lm_diag_setk(d, LM_KIND_SYSTEM, path, 0, 0, "cannot read '%s': %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (S_ISREG(st.st_mode))
		return fd;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		int copy = -1;
		int rc = lm_spool(fd, path, &copy, d);
		close(fd);
		return rc ? -1 : copy;
	}
	close(fd);
	lm_diag_set(d, path, 0, 0, "the recipients file '%s' is %s, not a file; give the name of a saved file",
		    path, lm_file_type_name(st.st_mode));
	errno = EINVAL;
	return -1;
}

/* The index of the recipients file at `path` in b->csvs, opened and read
 * once however many areas share it; -1 with d filled. */
static int load_recipients(struct lm_batch *b, const char *path, struct lm_diag *d)
{
	for (size_t i = 0; i < b->ncsvs; i++) {
		if (strcmp(b->csvs[i].path, path))
			continue;
		if (b->csvs[i].fd >= 0)
			return (int)i;
		if (d)
			*d = b->csvs[i].error; /* the same fault, for each area sharing it */
		return -1;
	}
	LM_ALLOC_GROW(b->csvs, b->ncsvs + 1, b->csvs_alloc);
	struct lm_batch_csv *c = &b->csvs[b->ncsvs++]; /* released with the batch either way */
	memset(c, 0, sizeof(*c));
	c->path = lm_xstrdup(path);
	int rc = 0;
	if (!strcmp(path, "-")) {
		c->name = lm_xstrdup("<stdin>");
		rc = lm_spool(0, c->name, &c->fd, d);
	} else {
		c->name = lm_xstrdup(path);
		c->fd = open_recipients(c->name, d);
		const char *hash = strrchr(path, '#');
		if (c->fd < 0 && errno == ENOENT && hash && hash[1]) {
			/* FILE#SHEET: a sheet of a workbook */
			free(c->name);
			c->name = lm_xstrndup(path, (size_t)(hash - path));
			c->sheet = lm_xstrdup(hash + 1);
			c->fd = open_recipients(c->name, d);
		}
		if (c->fd < 0)
			rc = -1;
	}
	if (!c->sheet && b->sheet)
		c->sheet = lm_xstrdup(b->sheet);
	if (!rc) {
		lm_batch_add_input(b, NULL, c->fd, c->name);
		rc = scan_recipients(b, c, d);
	}
	if (rc && d)
		c->error = *d;
	if (rc && c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	return rc ? -1 : (int)(c - b->csvs);
}

/* A recipient row as a map, built when a letter needs it, in the arena of
 * that letter.  Only the current row is kept, so memory does not grow
 * with the file. */
static struct lm_value *row_map(const struct lm_job *job, struct lm_arena *a)
{
	return lm_recipient_row_map(a, job->rec, job->row + 1);
}

/* The job's recipient, its address composed as the letter's `address:` says. */
static int build_recipient(struct lm_batch *b, const struct lm_job *job, struct lm_arena *a,
			   int large, struct lm_recipient *rec, struct lm_diag *d)
{
	if (lm_recipient_build(rec, row_map(job, a), large, d))
		return -1;
	return lm_recipient_compose_address(rec, lm_value_get(b->letter.fm, "address"),
					    lm_value_get(b->areas[job->area].area.ctx, "area"), a, d);
}

int lm_batch_add_area(struct lm_batch *b, const char *dir, const char *recipients,
		      struct lm_diag *d)
{
	/* the memo keys on the areas' addresses, which growing may move */
	lm_frame_memo_clear(b->opts.memo);
	LM_ALLOC_GROW(b->areas, b->nareas + 1, b->areas_alloc);
	struct lm_batch_area *ba = &b->areas[b->nareas];
	memset(ba, 0, sizeof(*ba));
	ba->csv = -1;
	lm_area_init(&ba->area);
	lm_assets_init(&ba->assets);
	lm_body_images_init(&ba->images);
	for (size_t i = 0; i < b->nareas; i++)
		if (!strcmp(b->areas[i].area.dir, dir))
			return lm_diag_set(d, dir, 0, 0, "area '%s' is named twice", dir);
	if (lm_area_load_as(&ba->area, b->arena, dir, (int)b->encoding, d) ||
	    lm_assets_load(&ba->assets, &ba->area, d) ||
	    lm_body_images_load(&ba->images, &b->body, dir, &ba->assets, d))
		goto fail;
	static const char *const files[] = { "area.csv", "contacts.csv", "signatories.csv",
					     "area.xlsx", "contacts.xlsx", "signatories.xlsx",
					     "area.ods", "contacts.ods", "signatories.ods" };
	struct lm_buf p = LM_BUF_INIT;
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		lm_buf_reset(&p);
		lm_buf_addf(&p, "%s/%s", dir, files[i]);
		lm_batch_add_input(b, p.ptr, -1, NULL);
	}
	lm_buf_release(&p);
	for (size_t i = 0; i < ba->images.nall; i++)
		lm_batch_add_input(b, ba->images.all[i].path, -1, NULL);
	if (recipients) {
		ba->csv = load_recipients(b, recipients, d);
		if (ba->csv < 0)
			goto fail;
		ba->nrows = b->csvs[ba->csv].nrows;
	}
	b->nareas++;
	return 0;
fail:
	/* the batch goes on without it: check reports every area's faults */
	lm_area_release(&ba->area);
	lm_assets_release(&ba->assets);
	lm_body_images_release(&ba->images);
	return -1;
}

/* ---- jobs ---- */

void lm_cursor_init(struct lm_cursor *c, struct lm_batch *b)
{
	memset(c, 0, sizeof(*c));
	c->b = b;
	lm_csv_reader_init(&c->reader);
	c->reader_csv = -1;
	lm_buf_init(&c->path);
	c->want_path = b->pattern != NULL;
}

void lm_cursor_release(struct lm_cursor *c)
{
	lm_csv_reader_release(&c->reader);
	lm_buf_release(&c->path);
	c->reader_csv = -1;
}

static struct lm_value *job_context(struct lm_batch *b, const struct lm_job *job,
				    struct lm_arena *a)
{
	const struct lm_batch_area *ba = &b->areas[job->area];
	struct lm_value *ctx = lm_value_map(a);
	lm_value_set(a, ctx, "area", lm_value_get(ba->area.ctx, "area"));
	if (job->rec)
		lm_value_set(a, ctx, "recipient", row_map(job, a));
	return ctx;
}

size_t lm_batch_job_area(const struct lm_batch *b, size_t j)
{
	size_t lo = 0, hi = b->nareas;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->areas[mid].first <= j)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int lm_cursor_seek(struct lm_cursor *c, size_t j, struct lm_diag *d)
{
	struct lm_batch *b = c->b;
	size_t a = lm_batch_job_area(b, j);
	struct lm_batch_area *ba = &b->areas[a];
	struct lm_job *job = &c->job;
	memset(job, 0, sizeof(*job));
	job->index = j;
	job->area = a;
	job->row = -1;
	job->copies = 1;
	if (ba->csv >= 0) {
		size_t row = j - ba->first;
		struct lm_csv_reader *r = &c->reader;
		/* a file shared by areas is read again from the top for each */
		const struct lm_batch_csv *csv = &b->csvs[ba->csv];
		if (c->reader_csv != ba->csv || c->kept > row) {
			c->reader_csv = -1;
			if (open_rows(b, csv, r, d))
				return -1;
			c->reader_csv = ba->csv;
			c->kept = 0;
		}
		while (c->kept <= row) {
			int rc = lm_csv_reader_next(r, d);
			if (rc <= 0)
				/* it was read whole when the run began */
				return rc ? -1 : lm_diag_set(d, r->path, r->line, 1,
					"the file ends here, but it had %zu rows when the run began: it was "
					"changed during the run; run again once it is saved", csv->nall);
			if (where_fails(b, csv, r) < 0)
				c->kept++;
		}
		job->row = (long)r->nrows - 1;
		job->line = r->row_line;
		job->rec = r;
		int col = lm_csv_reader_column(r, "copies");
		/* checked when the file was first read */
		if (col >= 0 && lm_recipient_copies(r->cells[col].text, r->cells[col].len, &job->copies))
			job->copies = 1;
	}
	if (b->pattern && c->want_path) {
		struct lm_arena *scratch = lm_arena_new();
		lm_buf_reset(&c->path);
		int rc = lm_template_render_string("-o", 1, 1, b->pattern, job_context(b, job, scratch),
						   LM_ESCAPE_FILENAME, &c->path, d);
		lm_arena_free(scratch);
		if (rc)
			return -1;
		if (!c->path.len)
			return lm_diag_set(d, "-o", 1, 1, "the output path is empty");
		job->path = c->path.ptr;
	}
	return 0;
}

void lm_batch_set_bad(struct lm_batch *b, size_t j)
{
	b->bad[(j - b->first) / 8] |= (unsigned char)(1u << ((j - b->first) % 8));
}

int lm_batch_is_bad(const struct lm_batch *b, size_t j)
{
	return b->bad[(j - b->first) / 8] >> ((j - b->first) % 8) & 1;
}

/* A hash of the folded path (fold_path): names one file if they match. */
static unsigned long long path_hash(const char *s, struct lm_buf *scratch)
{
	fold_path(s, scratch);
	unsigned long long h = 0xcbf29ce484222325ULL;
	for (s = scratch->ptr; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
	return x < y ? -1 : x > y;
}

/* A job whose path shares its hash with another's, kept to compare them. */
struct twin {
	char *path, *file;
	size_t index;
	int line;
};

static int cmp_twin(const void *a, const void *b)
{
	const struct twin *x = a, *y = b;
	struct lm_buf fx = LM_BUF_INIT, fy = LM_BUF_INIT;
	fold_path(x->path, &fx);
	fold_path(y->path, &fy);
	int c = strcmp(fx.ptr, fy.ptr);
	lm_buf_release(&fx);
	lm_buf_release(&fy);
	return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

/* Two letters, one file: found before anything is written.  The first
 * pass keeps 8 bytes a letter (a hash of its path); only letters whose
 * hashes meet are read again, and their paths compared. */
static int find_collisions(struct lm_batch *b, struct lm_diag *d)
{
	struct lm_cursor c;
	struct lm_buf scratch = LM_BUF_INIT;
	size_t nout = 0;
	while (b->outputs && b->outputs[nout])
		nout++;
	size_t nh = b->njobs + nout;
	unsigned long long *h = lm_xmalloc((nh ? nh : 1) * sizeof(*h));
	struct twin *twins = NULL;
	size_t ndup = 0, ntwins = 0, atwins = 0;
	int rc = 0;
	lm_cursor_init(&c, b);
	for (size_t j = 0; j < b->njobs && !rc; j++) {
		rc = lm_cursor_seek(&c, j, d);
		/* a path to an input or a device stops the run before anything is written */
		if (!rc && (rc = lm_batch_check_output(b, c.job.path, "-o", d)) && !d->line && c.job.line) {
			const struct lm_batch_area *ba = &b->areas[c.job.area];
			char why[sizeof(d->msg)];
			snprintf(why, sizeof(why), "%s", d->msg);
			lm_diag_set(d, ba->csv >= 0 ? b->csvs[ba->csv].name : ba->area.dir, c.job.line, 1,
				    "this letter's output '%s': %s", c.job.path, why);
		}
		if (!rc)
			h[j] = path_hash(c.job.path, &scratch);
	}
	for (size_t k = 0; k < nout; k++)
		h[b->njobs + k] = path_hash(b->outputs[k], &scratch);
	if (rc)
		goto out;
	qsort(h, nh, sizeof(*h), cmp_u64);
	for (size_t j = 1; j < nh; j++)
		if (h[j] == h[j - 1] && (!ndup || h[ndup - 1] != h[j]))
			h[ndup++] = h[j];
	for (size_t k = 0; k < nout && ndup; k++) {
		unsigned long long x = path_hash(b->outputs[k], &scratch);
		if (!bsearch(&x, h, ndup, sizeof(*h), cmp_u64))
			continue;
		LM_ALLOC_GROW(twins, ntwins + 1, atwins);
		twins[ntwins++] = (struct twin){ lm_xstrdup(b->outputs[k]), NULL, k, 0 };
	}
	for (size_t j = 0; j < b->njobs && ndup && !rc; j++) {
		rc = lm_cursor_seek(&c, j, d);
		unsigned long long x = rc ? 0 : path_hash(c.job.path, &scratch);
		if (rc || !bsearch(&x, h, ndup, sizeof(*h), cmp_u64))
			continue;
		const struct lm_batch_area *ba = &b->areas[c.job.area];
		LM_ALLOC_GROW(twins, ntwins + 1, atwins);
		twins[ntwins++] = (struct twin){ lm_xstrdup(c.job.path),
			lm_xstrdup(ba->csv >= 0 ? b->csvs[ba->csv].name : ba->area.dir), nout + j, c.job.line };
	}
	/* the other outputs (index < nout) sort first among equals */
	if (ntwins > 1)
		qsort(twins, ntwins, sizeof(*twins), cmp_twin);
	for (size_t k = 1; k < ntwins && !rc; k++) {
		const struct twin *x = &twins[k - 1], *y = &twins[k];
		if (!lm_same_output(x->path, y->path))
			continue;
		char also[2200] = "";
		if (strcmp(x->path, y->path))
			snprintf(also, sizeof(also), " and '%s', one file on a Windows share or a Mac disk, which ignore case",
				 x->path);
		if (!x->file)
			rc = lm_diag_set(d, y->file, y->line, y->line ? 1 : 0,
					 "this letter would be written to '%s'%s, which is also the file another output of the run (--manifest) goes to; give that option another name",
					 y->path, also);
		else
			rc = lm_diag_set(d, y->file, y->line, y->line ? 1 : 0,
					 "this letter and the one for %s%s%.0d would both be written to '%s'%s; put a placeholder that tells them apart into -o, e.g. {{area.id}} or {{recipient.urn}}",
					 x->file, x->line ? ":" : "", x->line, y->path, also);
	}
out:
	for (size_t k = 0; k < ntwins; k++) {
		free(twins[k].path);
		free(twins[k].file);
	}
	free(twins);
	free(h);
	lm_buf_release(&scratch);
	lm_cursor_release(&c);
	return rc;
}

int lm_batch_plan(struct lm_batch *b, const char *pattern, size_t shard_k, size_t shard_n,
		  struct lm_diag *d)
{
	b->njobs = 0;
	for (size_t a = 0; a < b->nareas; a++) {
		struct lm_batch_area *ba = &b->areas[a];
		if (ba->csv >= 0 && !ba->nrows && b->csvs[ba->csv].nall)
			return lm_diag_set(d, b->csvs[ba->csv].name, 1, 1,
					   "--where leaves out every one of the %zu rows of the recipients file; "
					   "there is no letter to write (check the column's values)",
					   b->csvs[ba->csv].nall);
		if (ba->csv >= 0 && !ba->nrows)
			return lm_diag_set(d, b->csvs[ba->csv].name, 1, 1,
					   "the recipients file has a header row but no recipients; there is no letter to write");
		ba->first = b->njobs;
		b->njobs += ba->csv >= 0 ? ba->nrows : 1;
	}
	free(b->pattern);
	b->pattern = pattern ? lm_xstrdup(pattern) : NULL;
	if (pattern && find_collisions(b, d))
		return -1;
	if (!shard_n || shard_k < 1 || shard_k > shard_n)
		return lm_diag_set(d, NULL, 0, 0, "--shard %zu/%zu: K must be from 1 to N", shard_k, shard_n);
	b->first = (shard_k - 1) * b->njobs / shard_n;
	b->end = shard_k * b->njobs / shard_n;
	free(b->bad);
	b->bad = lm_xcalloc((b->end - b->first) / 8 + 1, 1);
	return 0;
}

/* ---- what a whole recipients file says ---- */

/* 1 when `text` names recipient column `col` in a placeholder:
 * {{recipient.NAME}}, {{#recipient.NAME}}…, as names.h compares names. */
static int names_column(const char *text, const char *col)
{
	for (const char *p = strstr(text, "{{"); p; p = strstr(p + 2, "{{")) {
		const char *q = p + 2;
		const char *end = strstr(q, "}}");
		if (!end)
			break;
		while (q < end && strchr("#^/ ", *q))
			q++;
		if ((size_t)(end - q) < 10 || strncmp(q, "recipient.", 10))
			continue;
		q += 10;
		const char *e = q;
		while (e < end && *e != '.' && *e != '}')
			e++;
		while (e > q && e[-1] == ' ')
			e--;
		if (lm_name_eq_n(col, q, (size_t)(e - q)))
			return 1;
	}
	return 0;
}

struct sources {
	struct lm_buf text; /* the letter, its partials and -o, one after another */
};

static void add_partial(void *ctx, const char *path)
{
	struct sources *s = ctx;
	struct lm_buf b = LM_BUF_INIT;
	if (!lm_read_file(path, &b, NULL))
		lm_buf_add(&s->text, b.ptr, b.len);
	lm_buf_addc(&s->text, '\n');
	lm_buf_release(&b);
}

/* How a recipients file's rows fare, seen over a validating pass. */
struct file_tally {
	size_t rows, with_address;
	unsigned long long first_hash;
	int differ;             /* two rows give different letters */
	int seen;
};

/* A hash of what the letter prints from this row: the values of the
 * columns it names, and the address. */
static unsigned long long row_hash(const struct lm_recipient *rec, const unsigned char *used)
{
	unsigned long long h = 0xcbf29ce484222325ULL;
	const struct lm_value *row = rec->row;
	for (size_t k = 0; row && k < row->n; k++) {
		if (!used[k] || row->items[k]->kind != LM_VALUE_STRING)
			continue;
		for (const char *s = row->items[k]->str; *s; s++)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
		h = (h ^ 0x1F) * 0x100000001b3ULL;
	}
	for (size_t i = 0; i < rec->naddress; i++) {
		for (const char *s = rec->address[i]->str; *s; s++)
			h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
		h = (h ^ 0x1E) * 0x100000001b3ULL;
	}
	return h;
}

/* A name for a column as a placeholder would spell it: "County (name)"
 * -> county_name, "EstablishmentName" -> establishment_name. */
static void snake(const char *s, struct lm_buf *out)
{
	size_t start = out->len;
	int prev_lower = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z') {
			if (prev_lower)
				lm_buf_addc(out, '_');
			lm_buf_addc(out, (char)(c + 32));
			prev_lower = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
			lm_buf_addc(out, (char)c);
			prev_lower = 1;
		} else if (out->len > start && out->ptr[out->len - 1] != '_') {
			lm_buf_addc(out, '_');
			prev_lower = 0;
		}
	}
	while (out->len > start && out->ptr[out->len - 1] == '_')
		out->ptr[--out->len] = '\0';
}

/* The columns of a file that look like parts of an address, as the
 * `address:` lines that would print them (postcode last). */
static void suggest_address(const struct lm_csv_reader *r, struct lm_buf *out)
{
	static const char *const parts[] = { "street", "address", "locality", "town", "city",
					     "county", "line", "road", "village", "district" };
	int pc = -1, n = 0;
	lm_buf_adds(out, "address: [");
	for (size_t k = 0; k < r->ncols; k++) {
		char key[128];
		lm_name_key(r->header[k], key, sizeof(key));
		size_t kl = strlen(key);
		int take = 0;
		if (strstr(key, "postcode") || strstr(key, "zip")) {
			if (pc < 0)
				pc = (int)k;
			continue;
		}
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && !take; i++)
			take = strstr(key, parts[i]) != NULL;
		/* the school's or family's name, not a status "(name)" */
		if (!take && kl >= 4 && !strcmp(key + kl - 4, "name") && !strchr(r->header[k], '(') &&
		    !n)
			take = 1;
		if (!take)
			continue;
		lm_buf_addf(out, "%s\"{{recipient.", n++ ? ", " : "");
		snake(r->header[k], out);
		lm_buf_adds(out, "}}\"");
	}
	if (pc >= 0) {
		lm_buf_addf(out, "%s\"{{recipient.", n++ ? ", " : "");
		snake(r->header[pc], out);
		lm_buf_adds(out, "}}\"");
	}
	lm_buf_adds(out, "]");
	if (!n) {
		out->len = 0;
		out->ptr[0] = '\0';
	}
}

static void add_file_finding(struct lm_findings *f, enum lm_severity sev, const char *file,
			     int line, int col, const char *msg)
{
	struct lm_diag d;
	lm_diag_clear(&d);
	d.severity = sev;
	snprintf(d.file, sizeof(d.file), "%s", file);
	d.line = line;
	d.col = col;
	snprintf(d.msg, sizeof(d.msg), "%s", msg);
	lm_findings_add(f, &d);
}

/* Findings about recipients file `ci` as a whole, after its rows were
 * checked: no address anywhere (an error for every letter of it), every
 * letter the same, columns the letter never uses. */
static int file_findings(struct lm_batch *b, size_t ci, const struct file_tally *t,
			 const char *sources, struct lm_findings *f, struct lm_diag *d)
{
	struct lm_batch_csv *c = &b->csvs[ci];
	struct lm_csv_reader r;
	lm_csv_reader_init(&r);
	if (open_rows(b, c, &r, d)) {
		lm_csv_reader_release(&r);
		return -1;
	}
	const struct lm_value *spec = lm_value_get(b->letter.fm, "address");
	int bad = 0;
	struct lm_buf m = LM_BUF_INIT;
	if (t->rows && !t->with_address && !lm_address_none(spec)) {
		lm_buf_adds(&m, "the letter prints an address in the envelope window, but no row of this "
			   "file gives one; its columns are ");
		list_columns(&r, &m);
		struct lm_buf s = LM_BUF_INIT;
		suggest_address(&r, &s);
		if (spec)
			lm_buf_adds(&m, "; check the letter's address: lines");
		else
			lm_buf_adds(&m, "; by default the address is the columns address_line_1 to "
				   "address_line_7 and postcode");
		if (s.len)
			lm_buf_addf(&m, "; to print these columns, put into the letter's front matter: %s",
				    s.ptr);
		lm_buf_adds(&m, "; for letters handed out with no envelope write address: none");
		lm_buf_release(&s);
		add_file_finding(f, LM_ERROR, c->shown ? c->shown : c->name, 1, 1, m.ptr);
		bad = 1;
	}
	if (t->rows > 1 && !t->differ) {
		lm_buf_reset(&m);
		lm_buf_addf(&m, "every one of the %zu letters for this file comes out the same: the letter "
			   "prints no recipient column whose value differs between rows; name one with "
			   "{{recipient.COLUMN}}", t->rows);
		add_file_finding(f, LM_WARNING, c->shown ? c->shown : c->name, 1, 1, m.ptr);
	}
	for (size_t k = 0; k < r.ncols; k++) {
		const char *col = r.header[k];
		/* -o names columns too, though they change no letter */
		if (k == 0 || names_column(sources, col) || (b->pattern && names_column(b->pattern, col)) ||
		    lm_name_eq(col, "copies") ||
		    lm_name_eq(col, "large_print") || lm_name_eq(col, "language"))
			continue;
		int used = 0;
		for (size_t w = 0; w < b->nwhere && !used; w++)
			used = (int)k == c->where_col[w];
		if (!spec && !used) {
			char key[32];
			used = lm_name_eq(col, "postcode");
			for (int i = 1; i <= LM_ADDRESS_COLUMNS && !used; i++) {
				snprintf(key, sizeof(key), "address_line_%d", i);
				used = lm_name_eq(col, key);
			}
		}
		if (used)
			continue;
		lm_buf_reset(&m);
		lm_buf_addf(&m, "column '%s' is not used by the letter (nothing names "
			   "{{recipient.", col);
		snake(col, &m);
		lm_buf_adds(&m, "}}); if it should be printed, name it");
		add_file_finding(f, LM_WARNING, c->shown ? c->shown : c->name, r.header_cells[k].line, r.header_cells[k].col,
				 m.ptr);
	}
	lm_buf_release(&m);
	lm_csv_reader_release(&r);
	return bad;
}

/* The languages of `job`: a `language` cell that is no language, or a
 * translation that did not load, is an error (returns 1); a language with
 * no translation a warning, once a language (the letter goes in the
 * letter's own); each translation used is compared with the original once
 * an area (lm_translation_compare). */
static int check_language(struct lm_batch *b, const struct lm_job *job,
			  const struct lm_recipient *rec, size_t *compared,
			  char (*warned)[LM_LANG_TAG_MAX], size_t *nwarned, size_t maxwarned,
			  struct lm_findings *f)
{
	const char *req = b->lang;
	const struct lm_value *cell = NULL;
	if (rec && rec->language)
		req = rec->language->str, cell = rec->language;
	const struct lm_letter *parts[LM_LANG_MAX_PARTS];
	size_t n;
	const char *doc;
	char missing[LM_LANG_TAG_MAX];
	struct lm_diag d;
	lm_diag_clear(&d);
	if (pick_parts(b, req, cell, parts, &n, &doc, missing, &d)) {
		lm_findings_add(f, &d);
		return 1;
	}
	if (missing[0]) {
		size_t k = 0;
		while (k < *nwarned && strcasecmp(warned[k], missing))
			k++;
		if (k == *nwarned && k < maxwarned) {
			memcpy(warned[(*nwarned)++], missing, LM_LANG_TAG_MAX);
			lm_diag_set(&d, cell ? cell->file : NULL, cell ? cell->line : 0, cell ? cell->col : 0,
				    "there is no '%s' translation of %s: the letters asking for '%s' are written in '%s' (the letter's own language) until one is written beside it",
				    missing, b->letter.path, req, lm_letter_lang(&b->letter));
			d.severity = LM_WARNING;
			lm_findings_add(f, &d);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (parts[i] == &b->letter)
			continue;
		for (size_t t = 0; t < b->translations.n; t++)
			if (&b->translations.v[t].letter == parts[i] && compared[t] != job->area + 1) {
				compared[t] = job->area + 1;
				lm_translation_compare(&b->letter, parts[i], b->areas[job->area].area.ctx, f);
			}
	}
	return 0;
}

int lm_batch_validate(struct lm_batch *b, const struct lm_check_opts *o, struct lm_findings *f,
		      struct lm_diag *d)
{
	struct lm_cursor c;
	int rc = 0, area_bad = 0;
	size_t area = (size_t)-1;
	struct file_tally *tally = lm_xcalloc(b->ncsvs + 1, sizeof(*tally));
	unsigned char *used = NULL;
	int used_csv = -1;
	struct sources src = { LM_BUF_INIT };
	lm_buf_adds(&src.text, b->letter.src ? b->letter.src : "");
	lm_buf_addc(&src.text, '\n');
	lm_template_partials(b->letter.body, add_partial, &src);
	/* {{recipient._row}} tells every letter apart */
	int uses_row = names_column(src.text.ptr, "_row");
	lm_cursor_init(&c, b);
	c.want_path = 0;
	/* the letter's own findings (its Markdown), once; an error in them
	 * is an error in every letter */
	for (size_t k = 0; k < b->body.nfindings; k++)
		lm_findings_add(f, &b->body.findings[k]);
	for (size_t j = b->first; j < b->end && b->body.errors; j++)
		lm_batch_set_bad(b, j);
	/* the area each translation was last compared for, plus one */
	size_t *compared = lm_xcalloc(b->translations.n + 1, sizeof(*compared));
	char (*warned)[LM_LANG_TAG_MAX] = lm_xcalloc(b->translations.n + 8, sizeof(*warned));
	size_t nwarned = 0;
	for (size_t j = b->first; j < b->end && !rc; j++) {
		if ((rc = lm_cursor_seek(&c, j, d)))
			break;
		if (c.job.area != area) {
			area = c.job.area;
			size_t before = f->errors;
			const struct lm_area *ar = &b->areas[area].area;
			for (int k = 0; k < ar->nnotes; k++)
				lm_findings_add(f, &ar->notes[k]);
			lm_check_area(ar->ctx, o, f);
			area_bad = f->errors > before;
		}
		int lang_bad = 0;
		/* checked on its own: a row shared by several areas reports
		 * once but fails each of its letters */
		struct lm_findings mine;
		lm_findings_init(&mine);
		if (c.job.rec) {
			int ci = b->areas[area].csv;
			struct file_tally *t = &tally[ci];
			if (!t->seen && b->csvs[ci].guessed)
				lm_findings_add(f, &b->csvs[ci].guess);
			if (used_csv != ci) {
				/* which of its columns the letter prints */
				free(used);
				used = lm_xcalloc(c.job.rec->ncols + 1, 1);
				for (size_t k = 0; k < c.job.rec->ncols; k++)
					used[k] = (unsigned char)names_column(src.text.ptr, c.job.rec->header[k]);
				used_csv = ci;
			}
			struct lm_arena *scratch = lm_arena_new();
			struct lm_recipient rec;
			struct lm_diag why;
			lm_diag_clear(&why);
			/* a bad `copies` stopped the run when the file was read */
			if (build_recipient(b, &c.job, scratch, 0, &rec, &why)) {
				lm_findings_add(&mine, &why);
			} else {
				lm_check_recipient(&rec, o, &mine);
				lang_bad = check_language(b, &c.job, &rec, compared, warned, &nwarned,
							  b->translations.n + 8, &mine);
				/* the row map holds `_row` last, after the columns */
				unsigned long long h = row_hash(&rec, used) ^ (area * 0x9E3779B97F4A7C15ULL) ^
						       (unsigned long long)rec.large_print;
				/* letters in different languages differ */
				for (const char *q = rec.language ? rec.language->str : ""; *q; q++)
					h = (h ^ (unsigned char)*q) * 0x100000001b3ULL;
				if (!t->seen)
					t->first_hash = h;
				else if (h != t->first_hash || uses_row)
					t->differ = 1;
				t->with_address += rec.naddress > 0;
			}
			t->seen = 1;
			t->rows++;
			lm_arena_free(scratch);
		} else {
			lang_bad = check_language(b, &c.job, NULL, compared, warned, &nwarned,
						  b->translations.n + 8, &mine);
		}
		if (lang_bad)
			lm_batch_set_bad(b, j);
		if (area_bad || mine.errors)
			lm_batch_set_bad(b, j);
		for (size_t k = 0; k < mine.n; k++)
			lm_findings_add(f, &mine.v[k]);
		lm_findings_release(&mine);
	}
	free(compared);
	free(warned);
	lm_cursor_release(&c);
	for (size_t ci = 0; ci < b->ncsvs && !rc; ci++) {
		if (!tally[ci].seen)
			continue;
		int bad = file_findings(b, ci, &tally[ci], src.text.ptr, f, d);
		if (bad < 0)
			rc = -1;
		else if (bad)
			for (size_t j = b->first; j < b->end; j++)
				if (b->areas[lm_batch_job_area(b, j)].csv == (int)ci)
					lm_batch_set_bad(b, j);
	}
	free(used);
	free(tally);
	lm_buf_release(&src.text);
	return rc;
}

/* Adds numeric character references (&#8217; &#x2019;) a template spells out. */
static void add_references(struct lm_cpset *cps, const char *s, size_t len)
{
	for (size_t i = 0; i + 3 < len; i++) {
		if (s[i] != '&' || s[i + 1] != '#')
			continue;
		int hex = s[i + 2] == 'x' || s[i + 2] == 'X';
		unsigned long cp = strtoul(s + i + 2 + hex, NULL, hex ? 16 : 10);
		if (cp && cp < 0x110000)
			lm_cpset_add(cps, (uint32_t)cp);
	}
}

static int add_source(struct lm_cpset *cps, const char *path, const char *what, struct lm_diag *d)
{
	struct lm_buf buf = LM_BUF_INIT;
	int rc = lm_read_file_as(path, LM_CAP_TEXT, what, &buf, d);
	if (!rc) {
		lm_cpset_add_utf8(cps, buf.ptr, buf.len);
		add_references(cps, buf.ptr, buf.len);
	}
	lm_buf_release(&buf);
	return rc;
}

static void add_values(struct lm_cpset *cps, const struct lm_value *v)
{
	if (!v)
		return;
	if (v->kind == LM_VALUE_STRING) {
		lm_cpset_add_utf8(cps, v->str, v->len);
		return;
	}
	for (size_t i = 0; i < v->n; i++)
		add_values(cps, v->items[i]);
}

/* The characters of each partial the letter uses (not every file in the
 * partials folder: an unused one may be anything, even a FIFO). */
struct partial_chars {
	struct lm_cpset *cps;
	struct lm_diag *d;
	int rc;
};

static void add_partial_chars(void *ctx, const char *path)
{
	struct partial_chars *pc = ctx;
	if (!pc->rc)
		pc->rc = add_source(pc->cps, path, "partial", pc->d);
}

int lm_batch_prepare_fonts(struct lm_batch *b, struct lm_diag *d)
{
	struct lm_cpset cps;
	lm_cpset_init(&cps);
	/* what the program itself prints: ASCII (page numbers, dates, labels),
	 * list markers, and what Markdown entities can turn into */
	lm_cpset_add_base(&cps);
	int rc = add_source(&cps, b->letter.path, "letter", d);
	struct partial_chars pc = { &cps, d, 0 };
	if (!rc) {
		lm_template_partials(b->letter.body, add_partial_chars, &pc);
		rc = pc.rc;
	}
	/* the translations' characters only when the run may print one (--lang,
	 * or a `language` column): an English run does not pay for them */
	for (size_t i = 0; i < b->translations.n && !rc && (b->lang || b->languages); i++) {
		struct lm_translation *tr = &b->translations.v[i];
		if (!tr->ok)
			continue;
		rc = add_source(&cps, tr->path, "letter", d);
		if (!rc) {
			lm_template_partials(tr->letter.body, add_partial_chars, &pc);
			rc = pc.rc;
		}
	}
	/* the area's values as loaded (decoded from Windows-1252 if need be),
	 * not the bytes of its files */
	for (size_t a = 0; a < b->nareas && !rc; a++)
		add_values(&cps, b->areas[a].area.ctx);
	/* the recipients' characters, noted when their files were read */
	lm_cpset_add_set(&cps, &b->chars);
	/* the signer's name, drawn in a visible signature box */
	if (b->signer) {
		const char *name = b->sign.name ? b->sign.name : lm_signer_name(b->signer);
		lm_cpset_add_utf8(&cps, name, strlen(name));
	}
	if (!rc)
		rc = lm_embed_prepare(&b->embed, &b->fonts, &cps, d);
	if (!rc)
		b->fonts.embed = &b->embed;
	lm_cpset_release(&cps);
	return rc;
}

static void report_finding(void *ctx, const struct lm_diag *d)
{
	lm_findings_add(ctx, d);
}

static int layout_job_report(struct lm_batch *b, const struct lm_job *job, struct lm_layout *lay,
			     struct lm_pdf_meta *meta, struct lm_findings *f, struct lm_diag *d)
{
	struct lm_batch_area *ba = &b->areas[job->area];
	struct lm_frame_opts o = b->opts;
	struct lm_recipient rec;
	lm_layout_init(lay, 0, 0);
	o.recipient = NULL;
	const char *req = b->lang;
	const struct lm_value *cell = NULL;
	if (job->rec) {
		if (build_recipient(b, job, lay->arena, b->opts.large_print, &rec, d))
			return -1;
		o.recipient = &rec;
		o.large_print = rec.large_print;
		if (rec.language)
			req = rec.language->str, cell = rec.language;
	}
	const struct lm_letter *parts[LM_LANG_MAX_PARTS];
	size_t nparts;
	char missing[LM_LANG_TAG_MAX];
	if (pick_parts(b, req, cell, parts, &nparts, &o.doc_lang, missing, d))
		return -1;
	o.signature_box = b->signer && b->sign.visible;
	if (f) {
		o.report = report_finding;
		o.report_ctx = f;
	}
	o.image = lm_body_image_lookup;
	o.image_ctx = &ba->images;
	return lm_frame_layout_parts(parts, nparts, &ba->area, &ba->assets, &o, &b->fonts, lay, meta, d);
}

static int layout_job(struct lm_batch *b, const struct lm_job *job, struct lm_layout *lay,
		      struct lm_pdf_meta *meta, struct lm_diag *d)
{
	return layout_job_report(b, job, lay, meta, NULL, d);
}

int lm_batch_layout(struct lm_batch *b, const struct lm_job *job, struct lm_layout *lay,
		    struct lm_diag *d)
{
	struct lm_pdf_meta meta = { 0 };
	return layout_job(b, job, lay, &meta, d);
}

int lm_batch_check(struct lm_batch *b, const struct lm_job *job, struct lm_findings *f,
		   struct lm_diag *d)
{
	struct lm_layout lay;
	struct lm_pdf_meta meta = { 0 };
	int rc = layout_job_report(b, job, &lay, &meta, f, d);
	lm_layout_release(&lay);
	return rc;
}

/* Signs the finished `pdf` when the run signs, with the area's
 * partnership (every area's, for a print file: `ba` NULL) as the reason. */
static int sign_pdf(struct lm_batch *b, const struct lm_batch_area *ba, struct lm_pdf *pdf,
		    const char *path, struct lm_diag *d)
{
	if (!b->signer)
		return 0;
	struct lm_sign_info info = b->sign;
	struct lm_buf reason = LM_BUF_INIT;
	/* a print file of several areas is issued by each of their partnerships */
	lm_buf_adds(&reason, "Issued by ");
	size_t first = reason.len;
	for (size_t a = 0; a < b->nareas; a++) {
		if (ba && &b->areas[a] != ba)
			continue;
		const char *p = lm_value_str(lm_value_get(b->areas[a].area.ctx, "area"), "partnership", "");
		if (!*p || strstr(reason.ptr + first, p))
			continue;
		lm_buf_addf(&reason, "%s%s", reason.len > first ? "; " : "", p);
	}
	info.reason = reason.ptr;
	int rc = lm_sign_pdf(b->signer, &pdf->target, &info, d);
	if (rc && d && !d->file[0])
		snprintf(d->file, sizeof(d->file), "%s", path);
	lm_buf_release(&reason);
	return rc;
}

/* The signature field a file of this run is made with, if it signs. */
static const struct lm_pdf_sig *pdf_sig(const struct lm_batch *b, struct lm_pdf_sig *sig)
{
	if (!b->signer)
		return NULL;
	sig->name = b->sign.name ? b->sign.name : lm_signer_name(b->signer);
	sig->signing_time = b->sign.signing_time;
	sig->visible = b->sign.visible;
	return sig;
}

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

/* What a written (or found) file came to. */
static void note_file(const struct lm_batch *b, const struct lm_buf *bytes, size_t pages,
		      struct lm_result *r)
{
	r->bytes = bytes->len;
	r->pages = pages;
	if (b->digests)
		sha256(bytes->ptr, bytes->len, r->sha256);
}

/* Finishes `pdf`, signs it when the run signs (for area `ba`, or every
 * area when NULL), notes it in `r` and writes it: to `path` atomically, or
 * whole under the temporary name `stage` (moved into place later).
 * Returns 0, or -1 with d filled and no file written. */
static int write_pdf(struct lm_batch *b, struct lm_pdf *pdf, const struct lm_batch_area *ba,
		     const char *path, const char *stage, struct lm_result *r, struct lm_diag *d)
{
	if (lm_pdf_finish(pdf, d) || sign_pdf(b, ba, pdf, path, d))
		return -1;
	if (stage) {
		size_t len;
		const char *bytes = lm_pdf_bytes(pdf, &len);
		struct lm_atomic a;
		if (lm_atomic_open_as(&a, path, stage, d) || lm_atomic_write(&a, bytes, len, d) ||
		    lm_atomic_keep(&a, d))
			return -1;
	} else if (lm_pdf_save(pdf, path, d)) {
		return -1;
	}
	r->bytes = lm_pdfw_tell(&pdf->w);
	r->pages = pdf->npages;
	if (b->digests)
		lm_pdfw_sha256(&pdf->w, r->sha256);
	return 0;
}

/* The findings of one letter, handed to the report with the letter. */
struct letter_findings {
	const struct lm_batch_report *report;
	const struct lm_job *job;
};

static void letter_finding(void *ctx, const struct lm_diag *d)
{
	struct letter_findings *lf = ctx;
	if (lf->report && lf->report->finding)
		lf->report->finding(lf->report->ctx, lf->job, d);
}

/* Lays `job` out into `lay`, every finding of it reported.  Returns 0, or
 * 1 + the worst kind of its errors. */
static int layout_checked(struct lm_batch *b, const struct lm_job *job, const struct lm_batch_report *report,
			  struct lm_layout *lay, struct lm_pdf_meta *meta)
{
	struct letter_findings lf = { report, job };
	struct lm_findings f;
	struct lm_diag d;
	lm_findings_init(&f);
	f.sink = letter_finding;
	f.sink_ctx = &lf;
	lm_diag_clear(&d);
	int rc = layout_job_report(b, job, lay, meta, &f, &d);
	if (rc) {
		enum lm_diag_kind kind = d.msg[0] ? d.kind : LM_KIND_INPUT;
		if (f.errors && f.worst > kind)
			kind = f.worst;
		if (d.msg[0])
			letter_finding(&lf, &d);
		rc = 1 + (int)kind;
	}
	lm_findings_release(&f);
	return rc;
}

int lm_batch_write(struct lm_batch *b, const struct lm_job *job, int skip_existing, const char *stage,
		   const struct lm_batch_report *report, struct lm_result *r, struct lm_diag *d)
{
	const struct lm_batch_area *ba = &b->areas[job->area];
	struct lm_layout lay;
	struct lm_pdf_meta meta = { 0 };
	struct lm_pdf_sig sig;
	struct lm_pdf pdf;
	struct stat st;
	int rc;
	memset(r, 0, sizeof(*r));
	lm_diag_clear(d);
	/* laid out (and so checked) even when it was written before: a
	 * resumed run with a wrong row still writes nothing */
	if ((rc = layout_checked(b, job, report, &lay, &meta))) {
		lm_layout_release(&lay);
		return rc;
	}
	if (skip_existing && !lstat(job->path, &st) && S_ISREG(st.st_mode)) {
		struct lm_buf bytes = LM_BUF_INIT;
		rc = lm_read_file(job->path, &bytes, d);
		/* only a whole PDF counts as done: a 0-byte or cut-off file
		 * (a full disk, a copy that failed) is written again */
		size_t pages = 0;
		int whole = !rc && !lm_pdfr_check_whole(bytes.ptr, bytes.len, &pages, NULL);
		if (whole) {
			r->skipped = 1;
			note_file(b, &bytes, pages, r);
		}
		lm_buf_release(&bytes);
		if (rc || whole) {
			lm_layout_release(&lay);
			return rc ? 1 + (int)d->kind : 0;
		}
	}
	meta.sign = pdf_sig(b, &sig);
	lm_pdf_begin(&pdf, &b->fonts, &meta, d);
	rc = lm_pdf_add(&pdf, &lay, ba->images.all, ba->images.nall, d) ||
	     write_pdf(b, &pdf, ba, job->path, stage, r, d) ? 1 + (int)d->kind : 0;
	lm_pdf_release(&pdf);
	lm_layout_release(&lay);
	return rc;
}

int lm_batch_combine(struct lm_batch *b, const char *path, int duplex, const struct lm_batch_report *report,
		     struct lm_result *r, struct lm_diag *d)
{
	struct lm_pdf pdf;
	int rc = -1, have_pdf = 0;
	struct lm_cursor cur;
	lm_cursor_init(&cur, b);
	memset(r, 0, sizeof(*r));
	for (size_t j = b->first; j < b->end; j++) {
		struct lm_layout lay;
		struct lm_pdf_meta meta = { 0 };
		if (lm_cursor_seek(&cur, j, d))
			goto out;
		const struct lm_job *job = &cur.job;
		int bad = layout_checked(b, job, report, &lay, &meta);
		if (bad) {
			/* the others are still laid out, so one run finds every
			 * fault; the print file is not finished */
			r->failed++;
			if ((enum lm_diag_kind)(bad - 1) > r->worst)
				r->worst = (enum lm_diag_kind)(bad - 1);
		}
		/* the print file takes the first letter's title and author */
		if (!have_pdf && !r->failed) {
			struct lm_pdf_sig sig;
			meta.sign = pdf_sig(b, &sig);
			if (lm_pdf_begin_file(&pdf, &b->fonts, &meta, path, d)) {
				lm_layout_release(&lay);
				goto out;
			}
			have_pdf = 1;
			pdf.share_pages = 1;
		}
		const struct lm_batch_area *ba = &b->areas[job->area];
		for (unsigned c = 0; c < job->copies && !r->failed; c++) {
			/* a blank back after the last letter would only carry the
			 * visible signature, if any, away from the letter */
			int last = j + 1 == b->end && c + 1 == job->copies;
			if (lm_pdf_add(&pdf, &lay, ba->images.all, ba->images.nall, d) ||
			    (duplex && lay.npages % 2 && !last &&
			     lm_pdf_blank_page(&pdf, lay.page_w, lay.page_h, d))) {
				lm_layout_release(&lay);
				goto out;
			}
		}
		lm_layout_release(&lay);
		if (report && report->progress)
			report->progress(report->ctx, j - b->first + 1, b->end - b->first);
	}
	if (r->failed) {
		rc = 1;
		goto out;
	}
	if (!have_pdf) {
		lm_diag_set(d, path, 0, 0, "no letters to write");
		goto out;
	}
	rc = write_pdf(b, &pdf, NULL, path, NULL, r, d);
out:
	if (have_pdf)
		lm_pdf_release(&pdf);
	lm_cursor_release(&cur);
	return rc;
}

int lm_batch_only(struct lm_batch *b, long row, const char *key, struct lm_diag *d)
{
	struct lm_cursor c;
	lm_cursor_init(&c, b);
	c.want_path = 0;
	size_t found = 0, pick = 0, nrows = 0;
	int rc = 0;
	const char *col = NULL;
	struct lm_buf areas = LM_BUF_INIT;
	for (size_t j = 0; j < b->njobs && !rc; j++) {
		if ((rc = lm_cursor_seek(&c, j, d)))
			break;
		const struct lm_job *job = &c.job;
		if (job->row < 0)
			continue;
		if ((size_t)job->row + 1 > nrows)
			nrows = (size_t)job->row + 1;
		if (!col && job->rec->ncols)
			col = lm_arena_strdup(b->arena, job->rec->header[0]);
		if ((row && job->row + 1 != row) || (key && strcmp(lm_batch_job_key(job), key)))
			continue;
		if (found++)
			lm_buf_adds(&areas, ", ");
		lm_buf_adds(&areas, b->areas[job->area].area.id);
		pick = j;
	}
	lm_cursor_release(&c);
	if (!rc && !nrows)
		rc = lm_diag_set(d, NULL, 0, 0, "--row and --only pick a recipient: give a recipients file (-r)");
	else if (!rc && !found && key)
		rc = lm_diag_set(d, NULL, 0, 0, "no recipient%s%.0ld has '%s' in the first column ('%s')",
				 row ? " in row " : "", row, key, col ? col : "");
	else if (!rc && !found)
		rc = lm_diag_set(d, NULL, 0, 0, "there is no recipient row %ld: the recipients file%s %zu row%s",
				 row, b->ncsvs > 1 ? "s have at most" : " has", nrows, nrows == 1 ? "" : "s");
	else if (!rc && found > 1)
		rc = lm_diag_set(d, NULL, 0, 0, "%zu letters match (in areas %s); give the one --area to make",
				 found, areas.ptr);
	lm_buf_release(&areas);
	if (rc)
		return -1;
	b->first = pick;
	b->end = pick + 1;
	free(b->bad);
	b->bad = lm_xcalloc(1, 1);
	return 0;
}

const char *lm_batch_job_key(const struct lm_job *job)
{
	if (!job->rec || !job->rec->ncols)
		return "";
	return job->rec->cells[0].text;
}

void lm_batch_where_report(const struct lm_batch *b, void (*fn)(void *ctx, const char *file, const char *text),
			   void *ctx)
{
	struct lm_buf out = LM_BUF_INIT;
	for (size_t i = 0; i < b->ncsvs; i++) {
		const struct lm_batch_csv *c = &b->csvs[i];
		if (!b->nwhere || !c->where_col || c->nrows == c->nall)
			continue;
		lm_buf_reset(&out);
		lm_buf_addf(&out, "%zu of %zu row%s left out:", c->nall - c->nrows, c->nall,
			    c->nall == 1 ? "" : "s");
		int first = 1;
		for (size_t k = 0; k < b->nwhere; k++) {
			if (!c->left_out[k])
				continue;
			lm_buf_addf(&out, "%s %zu where '%s' %s '%s'", first ? "" : ";", c->left_out[k],
				    b->where[k].column, b->where[k].negate ? "is" : "is not", b->where[k].value);
			first = 0;
		}
		fn(ctx, c->name, out.ptr);
	}
	lm_buf_release(&out);
}
