#include "batch.h"

#include "buf.h"
#include "fileio.h"
#include "pdf.h"
#include "template.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void lm_batch_init(struct lm_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->arena = lm_arena_new();
	lm_fonts_init(&b->fonts);
	lm_letter_init(&b->letter);
	lm_embed_init(&b->embed);
}

void lm_batch_release(struct lm_batch *b)
{
	for (size_t i = 0; i < b->nareas; i++) {
		lm_area_release(&b->areas[i].area);
		lm_assets_release(&b->areas[i].assets);
	}
	free(b->areas);
	for (size_t i = 0; i < b->ncsvs; i++) {
		free(b->csvs[i].path);
		lm_csv_release(&b->csvs[i].csv);
	}
	free(b->csvs);
	for (size_t i = 0; i < b->njobs; i++)
		free(b->jobs[i].path);
	free(b->jobs);
	lm_embed_release(&b->embed);
	lm_letter_release(&b->letter);
	lm_fonts_release(&b->fonts);
	lm_arena_free(b->arena);
	memset(b, 0, sizeof(*b));
}

int lm_batch_load(struct lm_batch *b, const char *fonts_dir, const char *letter_path,
		  struct lm_diag *d)
{
	if (lm_fonts_load(&b->fonts, fonts_dir, d))
		return -1;
	return lm_letter_load(&b->letter, letter_path, d);
}

static const struct lm_csv *load_recipients(struct lm_batch *b, const char *path, struct lm_diag *d)
{
	for (size_t i = 0; i < b->ncsvs; i++)
		if (!strcmp(b->csvs[i].path, path))
			return &b->csvs[i].csv;
	LM_ALLOC_GROW(b->csvs, b->ncsvs + 1, b->csvs_alloc);
	struct lm_batch_csv *c = &b->csvs[b->ncsvs];
	c->path = lm_xstrdup(path);
	lm_csv_init(&c->csv);
	int rc;
	if (!strcmp(path, "-")) {
		struct lm_buf in = LM_BUF_INIT;
		rc = lm_read_file("/dev/stdin", &in, d);
		if (!rc)
			rc = lm_csv_parse(&c->csv, "<stdin>", in.ptr, in.len, d);
		lm_buf_release(&in);
	} else {
		rc = lm_csv_load_as(&c->csv, path, b->encoding, d);
	}
	b->ncsvs++; /* released with the batch either way */
	return rc ? NULL : &c->csv;
}

/* A recipient row as a map, built when a letter needs it, in the arena of
 * that letter: every column by its header name, each value remembering its
 * cell, and `_row`, the row's number among the data rows.  Only the parsed
 * CSV is kept for the run, so memory grows with the file, not with maps. */
static struct lm_value *row_map(const struct lm_batch_area *ba, size_t r, struct lm_arena *a)
{
	const struct lm_csv *csv = ba->recipients;
	struct lm_value *m = lm_value_map(a);
	lm_value_set_origin(m, csv->path, csv->row_line[r], 1);
	for (size_t c = 0; c < csv->ncols; c++) {
		const struct lm_csv_cell *cell = lm_csv_get(csv, r, c);
		struct lm_value *v = lm_value_string(a, cell->text, cell->len);
		lm_value_set_origin(v, csv->path, cell->line, cell->col);
		lm_value_set(a, m, csv->header[c], v);
	}
	char num[32];
	snprintf(num, sizeof(num), "%zu", r + 1);
	lm_value_set(a, m, "_row", lm_value_strz(a, num));
	return m;
}

static int check_copies(const struct lm_csv *csv, struct lm_diag *d)
{
	int col = lm_csv_column(csv, "copies");
	for (size_t r = 0; col >= 0 && r < csv->nrows; r++) {
		const struct lm_csv_cell *cell = lm_csv_get(csv, r, (size_t)col);
		char *end;
		long n = cell->len ? strtol(cell->text, &end, 10) : 1;
		if (cell->len && (*end || n < 1 || n > 1000))
			return lm_diag_set(d, csv->path, cell->line, cell->col,
					   "copies '%s' must be a whole number from 1 to 1000", cell->text);
	}
	return 0;
}

int lm_batch_add_area(struct lm_batch *b, const char *dir, const char *recipients,
		      struct lm_diag *d)
{
	LM_ALLOC_GROW(b->areas, b->nareas + 1, b->areas_alloc);
	struct lm_batch_area *ba = &b->areas[b->nareas];
	memset(ba, 0, sizeof(*ba));
	lm_area_init(&ba->area);
	lm_assets_init(&ba->assets);
	for (size_t i = 0; i < b->nareas; i++)
		if (!strcmp(b->areas[i].area.dir, dir))
			return lm_diag_set(d, dir, 0, 0, "area '%s' is named twice", dir);
	if (lm_area_load_as(&ba->area, b->arena, dir, (int)b->encoding, d) ||
	    lm_assets_load(&ba->assets, &ba->area, d))
		goto fail;
	if (recipients) {
		ba->recipients = load_recipients(b, recipients, d);
		if (!ba->recipients || check_copies(ba->recipients, d))
			goto fail;
		ba->nrows = ba->recipients->nrows;
	}
	b->nareas++;
	return 0;
fail:
	/* the batch goes on without it: check reports every area's faults */
	lm_area_release(&ba->area);
	lm_assets_release(&ba->assets);
	return -1;
}

static struct lm_value *job_context(struct lm_batch *b, const struct lm_job *job)
{
	const struct lm_batch_area *ba = &b->areas[job->area];
	struct lm_value *ctx = lm_value_map(b->arena);
	lm_value_set(b->arena, ctx, "area", lm_value_get(ba->area.ctx, "area"));
	if (job->row >= 0)
		lm_value_set(b->arena, ctx, "recipient", row_map(ba, (size_t)job->row, b->arena));
	return ctx;
}

static int cmp_path(const void *a, const void *b)
{
	const struct lm_job *const *x = a, *const *y = b;
	return strcmp((*x)->path, (*y)->path);
}

static void where(const struct lm_batch *b, const struct lm_job *job, const char **file, int *line)
{
	const struct lm_batch_area *ba = &b->areas[job->area];
	*file = ba->recipients ? ba->recipients->path : ba->area.dir;
	*line = job->row >= 0 ? ba->recipients->row_line[job->row] : 0;
}

int lm_batch_plan(struct lm_batch *b, const char *pattern, size_t shard_k, size_t shard_n,
		  struct lm_diag *d)
{
	for (size_t a = 0; a < b->nareas; a++) {
		struct lm_batch_area *ba = &b->areas[a];
		if (ba->recipients && !ba->nrows)
			return lm_diag_set(d, ba->recipients->path, 1, 1,
					   "the recipients file has a header row but no recipients; there is no letter to write");
		size_t n = ba->recipients ? ba->nrows : 1;
		for (size_t r = 0; r < n; r++) {
			LM_ALLOC_GROW(b->jobs, b->njobs + 1, b->jobs_alloc);
			struct lm_job *job = &b->jobs[b->njobs++];
			memset(job, 0, sizeof(*job));
			job->area = a;
			job->row = ba->recipients ? (long)r : -1;
			job->copies = 1;
			int col = job->row >= 0 ? lm_csv_column(ba->recipients, "copies") : -1;
			if (col >= 0) {
				const struct lm_csv_cell *c = lm_csv_get(ba->recipients, r, (size_t)col);
				if (c->len)
					job->copies = (unsigned)strtoul(c->text, NULL, 10);
			}
		}
	}
	if (pattern) {
		/* a scratch arena for the path contexts: they are not needed later */
		struct lm_buf path = LM_BUF_INIT;
		struct lm_arena *saved = b->arena;
		int rc = 0;
		for (size_t j = 0; j < b->njobs && !rc; j++) {
			/* one scratch arena a letter: memory stays flat however many */
			b->arena = lm_arena_new();
			lm_buf_reset(&path);
			rc = lm_template_render_string("-o", 1, 1, pattern, job_context(b, &b->jobs[j]),
						       LM_ESCAPE_FILENAME, &path, d);
			if (!rc && !path.len)
				rc = lm_diag_set(d, "-o", 1, 1, "the output path is empty");
			b->jobs[j].path = lm_xstrdup(path.ptr);
			lm_arena_free(b->arena);
		}
		b->arena = saved;
		lm_buf_release(&path);
		if (rc)
			return -1;
		/* two letters, one file: found before anything is written */
		struct lm_job **order = lm_xmalloc(b->njobs * sizeof(*order));
		for (size_t j = 0; j < b->njobs; j++)
			order[j] = &b->jobs[j];
		qsort(order, b->njobs, sizeof(*order), cmp_path);
		for (size_t j = 1; j < b->njobs && !rc; j++) {
			if (strcmp(order[j - 1]->path, order[j]->path))
				continue;
			struct lm_job *x = order[j - 1] < order[j] ? order[j - 1] : order[j];
			struct lm_job *y = order[j - 1] < order[j] ? order[j] : order[j - 1];
			const char *fx, *fy;
			int lx, ly;
			where(b, x, &fx, &lx);
			where(b, y, &fy, &ly);
			rc = lm_diag_set(d, fy, ly, ly ? 1 : 0,
					 "this letter and the one for %s%s%d would both be written to '%s'; put a placeholder that tells them apart into -o, e.g. {{area.id}} or {{recipient.urn}}",
					 fx, lx ? ":" : "", lx, y->path);
		}
		free(order);
		if (rc)
			return -1;
	}
	if (!shard_n || shard_k < 1 || shard_k > shard_n)
		return lm_diag_set(d, NULL, 0, 0, "--shard %zu/%zu: K must be from 1 to N", shard_k, shard_n);
	b->first = (shard_k - 1) * b->njobs / shard_n;
	b->end = shard_k * b->njobs / shard_n;
	return 0;
}

void lm_batch_validate(struct lm_batch *b, const struct lm_check_opts *o, struct lm_findings *f,
		       unsigned char *bad)
{
	for (size_t a = 0; a < b->nareas; a++) {
		struct lm_batch_area *ba = &b->areas[a];
		size_t before = f->errors;
		lm_check_area(ba->area.ctx, o, f);
		int area_bad = f->errors > before;
		for (size_t j = b->first; j < b->end; j++) {
			const struct lm_job *job = &b->jobs[j];
			if (job->area != a)
				continue;
			/* checked on its own: a row shared by several areas
			 * reports once but fails each of its letters */
			struct lm_findings mine;
			lm_findings_init(&mine);
			if (job->row >= 0) {
				struct lm_arena *scratch = lm_arena_new();
				lm_check_recipient(row_map(ba, (size_t)job->row, scratch), o, &mine);
				lm_arena_free(scratch);
			}
			if (area_bad || mine.errors)
				bad[j - b->first] = 1;
			for (size_t k = 0; k < mine.n; k++)
				lm_findings_add(f, &mine.v[k]);
			lm_findings_release(&mine);
		}
	}
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
	for (size_t i = 0; i < b->ncsvs && !rc; i++) {
		/* recipients may come from stdin: take their parsed cells */
		const struct lm_csv *csv = &b->csvs[i].csv;
		for (size_t c = 0; c < csv->ncols; c++)
			lm_cpset_add_utf8(&cps, csv->header[c], strlen(csv->header[c]));
		for (size_t k = 0; k < csv->nrows * csv->ncols; k++)
			lm_cpset_add_utf8(&cps, csv->cells[k].text, csv->cells[k].len);
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

static int layout_job_report(struct lm_batch *b, size_t j, struct lm_layout *lay,
			     struct lm_pdf_meta *meta, struct lm_findings *f, struct lm_diag *d);

static int layout_job(struct lm_batch *b, size_t j, struct lm_layout *lay, struct lm_pdf_meta *meta,
		      struct lm_diag *d)
{
	return layout_job_report(b, j, lay, meta, NULL, d);
}

static int layout_job_report(struct lm_batch *b, size_t j, struct lm_layout *lay,
			     struct lm_pdf_meta *meta, struct lm_findings *f, struct lm_diag *d)
{
	const struct lm_job *job = &b->jobs[j];
	struct lm_batch_area *ba = &b->areas[job->area];
	struct lm_letter_opts o = b->opts;
	lm_layout_init(lay, 0, 0);
	o.recipient = job->row >= 0 ? row_map(ba, (size_t)job->row, lay->arena) : NULL;
	o.signature_box = b->signer && b->sign.visible;
	o.large_print = lm_letter_wants_large_print(o.recipient, b->opts.large_print);
	if (f) {
		o.report = report_finding;
		o.report_ctx = f;
	}
	return lm_letter_layout(&b->letter, &ba->area, &ba->assets, &o, &b->fonts, lay, meta, d);
}

int lm_batch_layout(struct lm_batch *b, size_t j, struct lm_layout *lay, struct lm_diag *d)
{
	struct lm_pdf_meta meta = { 0 };
	return layout_job(b, j, lay, &meta, d);
}

int lm_batch_check(struct lm_batch *b, size_t j, struct lm_findings *f, struct lm_diag *d)
{
	struct lm_layout lay;
	struct lm_pdf_meta meta = { 0 };
	int rc = layout_job_report(b, j, &lay, &meta, f, d);
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

/* Pages of a PDF we wrote: the /Count of its page tree (an incremental
 * update, as signing adds, repeats page objects but not the count). */
static size_t count_pages(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i + 12 <= len; i++) {
		if (s[i] != '/' || memcmp(s + i, "/Type /Pages", 12))
			continue;
		for (size_t k = i; k + 7 < len && k < i + 65536 && s[k] != '>'; k++) {
			if (!memcmp(s + k, "/Count ", 7)) {
				size_t c = (size_t)strtoul(s + k + 7, NULL, 10);
				if (c > n)
					n = c;
				break;
			}
		}
	}
	return n;
}

int lm_batch_write(struct lm_batch *b, size_t j, int skip_existing, struct lm_result *r,
		   struct lm_diag *d)
{
	const struct lm_job *job = &b->jobs[j];
	struct lm_layout lay;
	struct lm_pdf_meta meta = { 0 };
	struct lm_pdf pdf;
	struct lm_buf bytes = LM_BUF_INIT;
	int rc = -1, have_pdf = 0;
	memset(r, 0, sizeof(*r));
	lm_layout_init(&lay, 0, 0);
	struct stat st;
	if (skip_existing && !stat(job->path, &st)) {
		if (lm_read_file(job->path, &bytes, d))
			goto out;
		r->skipped = 1;
	} else {
		lm_layout_release(&lay);
		if (layout_job(b, j, &lay, &meta, d) || lm_pdf_begin(&pdf, &b->fonts, &meta, d))
			goto out;
		have_pdf = 1;
		if (lm_pdf_add(&pdf, &lay, b->areas[job->area].assets.images,
			       b->areas[job->area].assets.n, d) ||
		    lm_pdf_finish(&pdf, &bytes, d) ||
		    sign_bytes(b, &b->areas[job->area], &lay, &bytes, job->path, d) ||
		    lm_write_atomic(job->path, bytes.ptr, bytes.len, d))
			goto out;
	}
	r->bytes = bytes.len;
	r->pages = count_pages(bytes.ptr, bytes.len);
	if (b->digests)
		sha256(bytes.ptr, bytes.len, r->sha256);
	rc = 0;
out:
	if (have_pdf)
		lm_pdf_release(&pdf);
	lm_layout_release(&lay);
	lm_buf_release(&bytes);
	return rc;
}

int lm_batch_combine(struct lm_batch *b, const char *path, int duplex, lm_progress_fn progress,
		     void *ctx, struct lm_result *r, struct lm_diag *d)
{
	struct lm_pdf pdf;
	struct lm_buf bytes = LM_BUF_INIT;
	int rc = -1, have_pdf = 0;
	double sign_rect[4] = { 0 };
	memset(r, 0, sizeof(*r));
	for (size_t j = b->first; j < b->end; j++) {
		struct lm_layout lay;
		struct lm_pdf_meta meta = { 0 };
		if (layout_job(b, j, &lay, &meta, d)) {
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
		const struct lm_batch_area *ba = &b->areas[b->jobs[j].area];
		for (unsigned c = 0; c < b->jobs[j].copies; c++) {
			/* a blank back after the last letter would only carry the
			 * visible signature, if any, away from the letter */
			int last = j + 1 == b->end && c + 1 == b->jobs[j].copies;
			if (lm_pdf_add(&pdf, &lay, ba->assets.images, ba->assets.n, d) ||
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
	if (lm_pdf_finish(&pdf, &bytes, d) ||
	    sign_bytes(b, NULL, &last, &bytes, path, d) ||
	    lm_write_atomic(path, bytes.ptr, bytes.len, d))
		goto out;
	r->bytes = bytes.len;
	r->pages = pdf.npages;
	if (b->digests)
		sha256(bytes.ptr, bytes.len, r->sha256);
	rc = 0;
out:
	if (have_pdf)
		lm_pdf_release(&pdf);
	lm_buf_release(&bytes);
	return rc;
}

const char *lm_batch_job_key(const struct lm_batch *b, size_t j)
{
	const struct lm_job *job = &b->jobs[j];
	const struct lm_batch_area *ba = &b->areas[job->area];
	if (job->row < 0 || !ba->recipients->ncols)
		return "";
	return lm_csv_get(ba->recipients, (size_t)job->row, 0)->text;
}
