#include "batch.h"

#include "buf.h"
#include "fileio.h"
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
#include <sys/stat.h>
#include <unistd.h>

void lm_batch_init(struct lm_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->arena = lm_arena_new();
	lm_fonts_init(&b->fonts);
	lm_letter_init(&b->letter);
	lm_body_init(&b->body);
	lm_embed_init(&b->embed);
	lm_cpset_init(&b->chars);
}

void lm_batch_release(struct lm_batch *b)
{
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
		if (b->csvs[i].fd >= 0)
			close(b->csvs[i].fd);
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
	lm_fonts_release(&b->fonts);
	lm_arena_free(b->arena);
	memset(b, 0, sizeof(*b));
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

/* Every regular file in `dir`: the fonts, the partials a letter may use. */
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

int lm_batch_load(struct lm_batch *b, const char *fonts_dir, const char *letter_path,
		  struct lm_diag *d)
{
	if (lm_fonts_load(&b->fonts, fonts_dir, d))
		return -1;
	add_inputs_in(b, fonts_dir);
	if (lm_letter_load(&b->letter, letter_path, d))
		return -1;
	lm_batch_add_input(b, letter_path, -1, NULL);
	struct lm_buf partials = LM_BUF_INIT;
	const char *slash = strrchr(letter_path, '/');
	if (slash)
		lm_buf_add(&partials, letter_path, (size_t)(slash - letter_path) + 1);
	lm_buf_adds(&partials, "partials");
	add_inputs_in(b, partials.ptr);
	lm_buf_release(&partials);
	return lm_body_scan(&b->body, &b->letter, d);
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

static int open_rows(const struct lm_batch *b, const struct lm_batch_csv *c,
		     struct lm_csv_reader *r, struct lm_diag *d)
{
	lm_csv_reader_release(r);
	return lm_csv_reader_open_sheet(r, c->name, c->fd, b->encoding, c->sheet, 0, d);
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
		int copies = lm_csv_reader_column(&r, "copies");
		for (size_t k = 0; k < r.ncols; k++)
			lm_cpset_add_utf8(&b->chars, r.header[k], r.header_cells[k].len);
		while ((rc = lm_csv_reader_next(&r, d)) == 1) {
			if (check_copies(&r, copies, d)) {
				rc = -1;
				break;
			}
			for (size_t k = 0; k < r.ncols; k++)
				lm_cpset_add_utf8(&b->chars, r.cells[k].text, r.cells[k].len);
		}
		c->nrows = r.nrows;
	}
	lm_csv_reader_release(&r);
	return rc;
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
		c->fd = open(path, O_RDONLY | O_CLOEXEC);
		const char *hash = strrchr(path, '#');
		if (c->fd < 0 && errno == ENOENT && hash && hash[1]) {
			/* FILE#SHEET: a sheet of a workbook */
			free(c->name);
			c->name = lm_xstrndup(path, (size_t)(hash - path));
			c->sheet = lm_xstrdup(hash + 1);
			c->fd = open(c->name, O_RDONLY | O_CLOEXEC);
		}
		if (c->fd < 0)
			rc = lm_diag_setk(d, lm_diag_errno_kind(errno), c->name, 0, 0,
					  "cannot open '%s': %s; check the name and that the file may be read",
					  c->name, strerror(errno));
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

int lm_batch_add_area(struct lm_batch *b, const char *dir, const char *recipients,
		      struct lm_diag *d)
{
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
		if (c->reader_csv != ba->csv || r->nrows > row) {
			c->reader_csv = -1;
			if (open_rows(b, &b->csvs[ba->csv], r, d))
				return -1;
			c->reader_csv = ba->csv;
		}
		while (r->nrows <= row) {
			int rc = lm_csv_reader_next(r, d);
			if (rc <= 0)
				/* it was read whole when the run began */
				return rc ? -1 : lm_diag_set(d, r->path, r->line, 1,
					"the file ends here, but it had %zu rows when the run began: it was "
					"changed during the run; run again once it is saved", b->csvs[ba->csv].nrows);
		}
		job->row = (long)row;
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

int lm_batch_validate(struct lm_batch *b, const struct lm_check_opts *o, struct lm_findings *f,
		      struct lm_diag *d)
{
	struct lm_cursor c;
	int rc = 0, area_bad = 0;
	size_t area = (size_t)-1;
	lm_cursor_init(&c, b);
	c.want_path = 0;
	/* the letter's own findings (its Markdown), once; an error in them
	 * is an error in every letter */
	for (size_t k = 0; k < b->body.nfindings; k++)
		lm_findings_add(f, &b->body.findings[k]);
	for (size_t j = b->first; j < b->end && b->body.errors; j++)
		lm_batch_set_bad(b, j);
	for (size_t j = b->first; j < b->end && !rc; j++) {
		if ((rc = lm_cursor_seek(&c, j, d)))
			break;
		if (c.job.area != area) {
			area = c.job.area;
			size_t before = f->errors;
			lm_check_area(b->areas[area].area.ctx, o, f);
			area_bad = f->errors > before;
		}
		/* checked on its own: a row shared by several areas reports
		 * once but fails each of its letters */
		struct lm_findings mine;
		lm_findings_init(&mine);
		if (c.job.rec) {
			struct lm_arena *scratch = lm_arena_new();
			struct lm_recipient rec;
			struct lm_diag ignored;
			/* a bad `copies` stopped the run when the file was read */
			lm_recipient_build(&rec, row_map(&c.job, scratch), 0, &ignored);
			lm_check_recipient(&rec, o, &mine);
			lm_arena_free(scratch);
		}
		if (area_bad || mine.errors)
			lm_batch_set_bad(b, j);
		for (size_t k = 0; k < mine.n; k++)
			lm_findings_add(f, &mine.v[k]);
		lm_findings_release(&mine);
	}
	lm_cursor_release(&c);
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

static int add_source(struct lm_cpset *cps, const char *path, struct lm_diag *d)
{
	struct lm_buf buf = LM_BUF_INIT;
	int rc = lm_read_file(path, &buf, d);
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

static int add_folder(struct lm_cpset *cps, const char *dir, const char *suffix, struct lm_diag *d)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return 0;
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(dp))) {
		size_t n = strlen(e->d_name), sl = strlen(suffix);
		if (e->d_name[0] == '.' || n < sl || strcmp(e->d_name + n - sl, suffix))
			continue;
		struct lm_buf p = LM_BUF_INIT;
		lm_buf_addf(&p, "%s/%s", dir, e->d_name);
		rc = add_source(cps, p.ptr, d);
		lm_buf_release(&p);
	}
	closedir(dp);
	return rc;
}

int lm_batch_prepare_fonts(struct lm_batch *b, struct lm_diag *d)
{
	struct lm_cpset cps;
	lm_cpset_init(&cps);
	/* what the program itself prints: ASCII (page numbers, dates, labels),
	 * list markers, and what Markdown entities can turn into */
	lm_cpset_add_base(&cps);
	int rc = add_source(&cps, b->letter.path, d);
	struct lm_buf partials = LM_BUF_INIT;
	const char *slash = strrchr(b->letter.path, '/');
	if (slash)
		lm_buf_add(&partials, b->letter.path, (size_t)(slash - b->letter.path) + 1);
	lm_buf_adds(&partials, "partials");
	if (!rc)
		rc = add_folder(&cps, partials.ptr, ".md", d);
	lm_buf_release(&partials);
	/* the area's values as loaded (decoded from Windows-1252 if need be),
	 * not the bytes of its files */
	for (size_t a = 0; a < b->nareas && !rc; a++)
		add_values(&cps, b->areas[a].area.ctx);
	/* the recipients' characters, noted when their files were read */
	lm_cpset_add_set(&cps, &b->chars);
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
	if (job->rec) {
		if (lm_recipient_build(&rec, row_map(job, lay->arena), b->opts.large_print, d))
			return -1;
		o.recipient = &rec;
		o.large_print = rec.large_print;
	}
	o.signature_box = b->signer && b->sign.visible;
	if (f) {
		o.report = report_finding;
		o.report_ctx = f;
	}
	o.image = lm_body_image_lookup;
	o.image_ctx = &ba->images;
	return lm_frame_layout(&b->letter, &ba->area, &ba->assets, &o, &b->fonts, lay, meta, d);
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

/* Signs `bytes` in place when the run signs, with the area's partnership
 * as the reason and the box the layout kept free when it is visible. */
static int sign_bytes(struct lm_batch *b, const struct lm_batch_area *ba, const struct lm_layout *lay,
		      struct lm_buf *bytes, const char *path, struct lm_diag *d)
{
	if (!b->signer)
		return 0;
	struct lm_sign_info info = b->sign;
	struct lm_buf reason = LM_BUF_INIT, out = LM_BUF_INIT;
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
	if (info.visible)
		memcpy(info.rect, lay->sign_rect, sizeof(info.rect));
	int rc = lm_sign_pdf(b->signer, bytes->ptr, bytes->len, &info, &out, d);
	if (rc && d && !d->file[0])
		snprintf(d->file, sizeof(d->file), "%s", path);
	if (!rc) {
		lm_buf_release(bytes);
		*bytes = out;
	}
	lm_buf_release(&reason);
	return rc;
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
 * area when NULL), writes it to `path` atomically and notes it in `r`.
 * Returns 0, or -1 with d filled and no file written. */
static int write_pdf(struct lm_batch *b, struct lm_pdf *pdf, const struct lm_batch_area *ba,
		     const struct lm_layout *lay, const char *path, struct lm_result *r,
		     struct lm_diag *d)
{
	struct lm_buf bytes = LM_BUF_INIT;
	int rc = lm_pdf_finish(pdf, &bytes, d) || sign_bytes(b, ba, lay, &bytes, path, d) ||
		 lm_write_atomic(path, bytes.ptr, bytes.len, d) ? -1 : 0;
	if (!rc)
		note_file(b, &bytes, pdf->npages, r);
	lm_buf_release(&bytes);
	return rc;
}

int lm_batch_write(struct lm_batch *b, const struct lm_job *job, int skip_existing,
		   struct lm_result *r, struct lm_diag *d)
{
	const struct lm_batch_area *ba = &b->areas[job->area];
	struct lm_layout lay;
	struct lm_pdf_meta meta = { 0 };
	struct lm_pdf pdf;
	struct stat st;
	int rc = -1;
	memset(r, 0, sizeof(*r));
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
		if (rc || whole)
			return rc;
		rc = -1;
	}
	if (!layout_job(b, job, &lay, &meta, d) && !lm_pdf_begin(&pdf, &b->fonts, &meta, d)) {
		rc = lm_pdf_add(&pdf, &lay, ba->images.all, ba->images.nall, d) ||
		     write_pdf(b, &pdf, ba, &lay, job->path, r, d) ? -1 : 0;
		lm_pdf_release(&pdf);
	}
	lm_layout_release(&lay);
	return rc;
}

int lm_batch_combine(struct lm_batch *b, const char *path, int duplex, lm_progress_fn progress,
		     void *ctx, struct lm_result *r, struct lm_diag *d)
{
	struct lm_pdf pdf;
	int rc = -1, have_pdf = 0;
	double sign_rect[4] = { 0 };
	struct lm_cursor cur;
	lm_cursor_init(&cur, b);
	memset(r, 0, sizeof(*r));
	for (size_t j = b->first; j < b->end; j++) {
		struct lm_layout lay;
		struct lm_pdf_meta meta = { 0 };
		if (lm_cursor_seek(&cur, j, d))
			goto out;
		const struct lm_job *job = &cur.job;
		if (layout_job(b, job, &lay, &meta, d)) {
			lm_layout_release(&lay);
			goto out;
		}
		/* the print file takes the first letter's title and author */
		if (!have_pdf) {
			if (lm_pdf_begin(&pdf, &b->fonts, &meta, d)) {
				lm_layout_release(&lay);
				goto out;
			}
			have_pdf = 1;
			pdf.share_pages = 1;
		}
		const struct lm_batch_area *ba = &b->areas[job->area];
		for (unsigned c = 0; c < job->copies; c++) {
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
		memcpy(sign_rect, lay.sign_rect, sizeof(sign_rect));
		lm_layout_release(&lay);
		if (progress)
			progress(ctx, j - b->first + 1, b->end - b->first);
	}
	if (!have_pdf) {
		lm_diag_set(d, path, 0, 0, "no letters to write");
		goto out;
	}
	struct lm_layout last = { 0 };
	memcpy(last.sign_rect, sign_rect, sizeof(sign_rect));
	rc = write_pdf(b, &pdf, NULL, &last, path, r, d);
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
