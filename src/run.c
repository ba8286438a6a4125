#include "run.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "pool.h"

/* The serials of the temporary names letters wait under start past those
 * lm_atomic_open tries (0-99), so the two never meet. */
#define STAGE_SERIAL 100

struct run {
	const struct lm_run_opts *o;
	const struct lm_run_callbacks *cb;
	struct lm_run_result *res;
	struct lm_batch *b;
	enum lm_run_phase phase;
	struct lm_pool pool;       /* the pass running */
	struct lm_cursor cursor;   /* the pass's (each worker's copy its own) */
	struct lm_buf diags;       /* a letter's findings, packed for its record */
	uint32_t ndiags;
	char *stage_dir;           /* where letters wait to be moved into place */
	pid_t pid;                 /* this run's, in their temporary names */
	struct lm_buf stage;       /* a temporary name */
	int moving;                /* letters are being moved into place */
};

/* What one letter's work came to, as a worker hands it back: this head,
 * then path_len + key_len bytes, then ndiags findings, each a `packed`
 * head and its file and message. */
struct record {
	int32_t failed;            /* 0, or 1 + the kind of its worst error */
	uint32_t path_len, key_len, ndiags;
	struct lm_result result;
};

struct packed {
	int32_t severity, kind, line, col;
	uint32_t file_len, msg_len;
};

static void pack_diag(struct run *r, const struct lm_diag *d)
{
	struct packed p = { (int32_t)d->severity, (int32_t)d->kind, d->line, d->col,
			    (uint32_t)strlen(d->file), (uint32_t)strlen(d->msg) };
	lm_buf_add(&r->diags, &p, sizeof(p));
	lm_buf_add(&r->diags, d->file, p.file_len);
	lm_buf_add(&r->diags, d->msg, p.msg_len);
	r->ndiags++;
}

/* Unpacks the finding at `*at` into d and moves past it. */
static void unpack_diag(const char **at, struct lm_diag *d)
{
	struct packed p;
	memcpy(&p, *at, sizeof(p));
	*at += sizeof(p);
	lm_diag_clear(d);
	d->severity = (enum lm_severity)p.severity;
	d->kind = (enum lm_diag_kind)p.kind;
	d->line = p.line;
	d->col = p.col;
	memcpy(d->file, *at, p.file_len < sizeof(d->file) ? p.file_len : sizeof(d->file) - 1);
	*at += p.file_len;
	memcpy(d->msg, *at, p.msg_len < sizeof(d->msg) ? p.msg_len : sizeof(d->msg) - 1);
	*at += p.msg_len;
}

static void letter_finding(void *ctx, const struct lm_job *job, const struct lm_diag *d)
{
	(void)job;
	pack_diag(ctx, d);
}

static void check_finding(void *ctx, const struct lm_diag *d)
{
	pack_diag(ctx, d);
}

char *lm_run_folder_of(const char *pattern)
{
	const char *ph = strstr(pattern, "{{");
	size_t n = ph ? (size_t)(ph - pattern) : strlen(pattern);
	while (n && pattern[n - 1] != '/')
		n--;
	while (n > 1 && pattern[n - 1] == '/')
		n--;
	if (!n)
		return lm_xstrdup(".");
	return lm_xstrndup(pattern, n);
}

/* The temporary name letter `j` waits under until the run is known to be
 * right: in the output folder (one file system with every output, so a
 * rename moves it), named for this run's process. */
static void stage_name(struct run *r, size_t j)
{
	char name[64];
	lm_temp_name(name, sizeof(name), "", (long)r->pid, (unsigned)(STAGE_SERIAL + j));
	lm_buf_reset(&r->stage);
	lm_buf_addf(&r->stage, "%s/%s", r->stage_dir, name);
}

/* Removes the temporary files of the letters the run does not keep. */
static void remove_staged(struct run *r)
{
	size_t first, end;
	lm_batch_slice(r->b, &first, &end);
	for (size_t j = first; j < end; j++) {
		stage_name(r, j);
		unlink(r->stage.ptr);
	}
}

/* The pool's task: does job `j` and appends its record to `out`.  In the
 * checking phase every finding of the letter, not just the first; in the
 * writing phase the letter laid out (and so checked) and written under its
 * temporary name.  Returns 1 when the letter failed. */
static int do_job(void *ctx, size_t j, struct lm_buf *out)
{
	struct run *r = ctx;
	struct lm_cursor *c = &r->cursor;
	struct lm_diag d;
	struct record rec;
	struct lm_findings f;
	lm_findings_init(&f);
	f.sink = check_finding;
	f.sink_ctx = r;
	lm_diag_clear(&d);
	memset(&rec, 0, sizeof(rec));
	lm_buf_reset(&r->diags);
	r->ndiags = 0;
	int rc = lm_cursor_seek(c, j, &d) ? 1 + (int)d.kind : 0;
	if (!rc && r->phase == LM_RUN_CHECKING && lm_batch_check(r->b, &c->job, &f, &d)) {
		enum lm_diag_kind kind = d.msg[0] ? d.kind : LM_KIND_INPUT;
		if (f.errors && f.worst > kind)
			kind = f.worst;
		rc = 1 + (int)kind;
	} else if (!rc && r->phase == LM_RUN_WRITING) {
		struct lm_batch_report rep = { r, letter_finding, NULL };
		stage_name(r, j);
		unlink(r->stage.ptr); /* a killed run's, whose process id this one has */
		rc = lm_batch_write(r->b, &c->job, r->o->skip_existing, r->stage.ptr, &rep, &rec.result, &d);
	}
	if (rc && d.msg[0])
		pack_diag(r, &d);
	rec.failed = rc;
	const char *path = !rc && c->job.path ? c->job.path : "";
	const char *key = rc ? "" : lm_batch_job_key(&c->job);
	rec.path_len = (uint32_t)strlen(path);
	rec.key_len = (uint32_t)strlen(key);
	rec.ndiags = r->ndiags;
	lm_buf_add(out, &rec, sizeof(rec));
	lm_buf_add(out, path, rec.path_len);
	lm_buf_add(out, key, rec.key_len);
	lm_buf_add(out, r->diags.ptr, r->diags.len);
	lm_findings_release(&f);
	return rc != 0;
}

/* The area to name in a letter's findings: when the run has several. */
static const struct lm_area *naming(const struct run *r, size_t j)
{
	if (lm_batch_nareas(r->b) < 2)
		return NULL;
	return lm_batch_area(r->b, lm_batch_job_area(r->b, j));
}

static void count_failure(struct run *r, size_t j, enum lm_diag_kind kind)
{
	lm_batch_set_bad(r->b, j);
	r->res->failed++;
	if (kind > r->res->worst)
		r->res->worst = kind;
}

/* Takes one record, in job order: its findings reported; when the run
 * keeps what it wrote, the letter moved into place and reported done. */
static void take(void *ctx, size_t j, int failed, const char *data, size_t len)
{
	struct run *r = ctx;
	struct lm_run_result *res = r->res;
	struct record rec;
	(void)failed;
	(void)len;
	memcpy(&rec, data, sizeof(rec));
	const char *at = data + sizeof(rec);
	char *path = lm_xstrndup(at, rec.path_len);
	char *key = lm_xstrndup(at + rec.path_len, rec.key_len);
	at += rec.path_len + rec.key_len;
	for (uint32_t k = 0; k < rec.ndiags; k++) {
		struct lm_diag d;
		unpack_diag(&at, &d);
		if (r->cb->finding)
			r->cb->finding(r->cb->ctx, &d, naming(r, j), 1);
	}
	if (rec.failed) {
		count_failure(r, j, (enum lm_diag_kind)(rec.failed - 1));
		goto out;
	}
	/* nothing is kept of a run with a wrong letter (unless keep_going) */
	if (r->phase != LM_RUN_WRITING || (r->pool.failed && !r->o->keep_going))
		goto out;
	if (!r->moving) {
		r->moving = 1;
		if (r->cb->staging)
			r->cb->staging(r->cb->ctx, r->stage_dir, 1);
	}
	if (!rec.result.skipped) {
		struct lm_diag d;
		stage_name(r, j);
		if (lm_move_into_place(r->stage.ptr, path, &d)) {
			unlink(r->stage.ptr);
			if (r->cb->finding)
				r->cb->finding(r->cb->ctx, &d, naming(r, j), 1);
			count_failure(r, j, d.kind);
			goto out;
		}
	}
	/* pages and bytes of what this run wrote; files left as they were
	 * are counted apart (the manifest still lists them) */
	if (rec.result.skipped) {
		res->skipped++;
	} else {
		res->written++;
		res->pages += rec.result.pages;
		res->bytes += rec.result.bytes;
	}
	if (r->cb->file_done) {
		struct lm_run_file f = { path, lm_batch_area(r->b, lm_batch_job_area(r->b, j))->id, key, 1,
					 &rec.result };
		r->cb->file_done(r->cb->ctx, &f);
	}
out:
	free(path);
	free(key);
}

static int skip_job(void *ctx, size_t j)
{
	struct run *r = ctx;
	return lm_batch_is_bad(r->b, j);
}

static void pool_progress(void *ctx, size_t done, size_t failed)
{
	struct run *r = ctx;
	(void)failed;
	if (r->cb->progress)
		r->cb->progress(r->cb->ctx, r->phase, done, r->res->letters);
}

static void pool_workers(void *ctx, const pid_t *pids, size_t n)
{
	struct run *r = ctx;
	if (r->cb->workers)
		r->cb->workers(r->cb->ctx, pids, n);
}

/* One pass over every letter not failed yet, in worker processes:
 * findings, counts and files come out in letter order however many
 * workers ran.  Returns 0, or -1 with the run failed (res->error). */
static int pass(struct run *r, enum lm_run_phase phase)
{
	size_t first, end;
	lm_batch_slice(r->b, &first, &end);
	r->phase = phase;
	lm_cursor_init(&r->cursor, r->b);
	r->cursor.want_path = phase == LM_RUN_WRITING;
	r->pool = (struct lm_pool){ .first = first, .end = end, .jobs = r->o->jobs, .ctx = r, .skip = skip_job,
				    .work = do_job, .progress = pool_progress, .take = take,
				    .workers = pool_workers };
	int rc = lm_pool_run(&r->pool, &r->res->error);
	lm_cursor_release(&r->cursor);
	if (rc)
		r->res->outcome = LM_RUN_WORKERS_FAILED;
	return rc;
}

static void validate_finding(void *ctx, const struct lm_diag *d)
{
	struct run *r = ctx;
	if (r->cb->finding)
		r->cb->finding(r->cb->ctx, d, NULL, 0);
}

static void combine_finding(void *ctx, const struct lm_job *job, const struct lm_diag *d)
{
	struct run *r = ctx;
	if (r->cb->finding)
		r->cb->finding(r->cb->ctx, d, naming(r, job->index), 1);
}

static void combine_progress(void *ctx, size_t done, size_t total)
{
	struct run *r = ctx;
	if (r->cb->progress)
		r->cb->progress(r->cb->ctx, LM_RUN_WRITING, done, total);
}

/* Loads the letter and every area: a broken area is reported and the
 * others still read, so one run finds every fault.  Returns 0, or -1
 * with res->error filled. */
static int load(struct run *r)
{
	const struct lm_run_opts *o = r->o;
	struct lm_run_result *res = r->res;
	if (lm_batch_load(r->b, o->fonts_dir, o->letter, &res->error) ||
	    (o->lang && lm_batch_set_lang(r->b, o->lang, &res->error)))
		return -1;
	struct lm_diag last;
	lm_diag_clear(&last);
	for (size_t i = 0; i < o->nareas; i++) {
		struct lm_diag d;
		lm_diag_clear(&d);
		if (!lm_batch_add_area(r->b, o->areas[i], o->recipients ? o->recipients[i] : NULL, &d))
			continue;
		/* a recipients file shared by the areas fails once */
		if ((strcmp(d.file, last.file) || d.line != last.line || strcmp(d.msg, last.msg)) && r->cb->finding)
			r->cb->finding(r->cb->ctx, &d, NULL, 0);
		last = d;
		res->broken++;
		if (d.kind > res->broken_kind)
			res->broken_kind = d.kind;
	}
	return 0;
}

/* The print file: each letter laid out once, checked as it is added. */
static int write_print_file(struct run *r)
{
	const struct lm_run_opts *o = r->o;
	struct lm_run_result *res = r->res;
	struct lm_result combined = { 0 };
	struct lm_batch_report rep = { r, combine_finding, combine_progress };
	int c = lm_batch_combine(r->b, o->combine, o->duplex, &rep, &combined, &res->error);
	if (c < 0) {
		res->outcome = LM_RUN_FAILED;
		return 1;
	}
	if (c > 0) {
		res->failed = combined.failed;
		res->worst = combined.worst;
		res->outcome = o->keep_going ? LM_RUN_PRINT_REFUSED : LM_RUN_LETTERS_FAILED;
		return 1;
	}
	res->written = res->letters;
	res->pages = combined.pages;
	res->bytes = combined.bytes;
	res->outcome = LM_RUN_WRITTEN;
	if (r->cb->file_done) {
		const char *area = lm_batch_nareas(r->b) == 1 ? lm_batch_area(r->b, 0)->id : "";
		struct lm_run_file f = { o->combine, area, "", res->letters, &combined };
		r->cb->file_done(r->cb->ctx, &f);
	}
	return 0;
}

/* A file a letter: they wait in the output folder until every one is
 * known to be right, then are moved into place in letter order. */
static int write_files(struct run *r)
{
	struct lm_run_result *res = r->res;
	size_t before = res->failed;
	r->stage_dir = lm_run_folder_of(r->o->pattern);
	r->pid = getpid();
	if (r->cb->staging)
		r->cb->staging(r->cb->ctx, r->stage_dir, 0);
	int bad = pass(r, LM_RUN_WRITING);
	/* a letter failed before any was moved: none is kept (once moves
	 * began, only a move itself can fail, and the others stay) */
	int none = res->failed > before && !r->o->keep_going && !r->moving;
	if (bad || none)
		remove_staged(r);
	if (r->cb->staging)
		r->cb->staging(r->cb->ctx, NULL, 0);
	if (bad)
		return 1;
	if (none) {
		res->outcome = LM_RUN_LETTERS_FAILED;
		return 1;
	}
	res->outcome = LM_RUN_WRITTEN;
	return res->failed != 0;
}

int lm_run(const struct lm_run_opts *o, const struct lm_run_callbacks *cb, struct lm_run_result *res)
{
	const char *outputs[2] = { o->manifest, NULL };
	struct lm_batch_opts bo = { .encoding = o->encoding, .delim = o->delim, .where = o->where,
				    .nwhere = o->nwhere, .sheet = o->sheet, .date = o->check.today,
				    .large_print = o->large_print, .duplex = o->duplex, .digests = o->digests,
				    .signer = o->signer, .signing_time = o->signing_time,
				    .sign_visible = o->sign_visible, .outputs = outputs };
	struct run r = { .o = o, .cb = cb, .res = res, .b = lm_batch_new(&bo) };
	struct lm_batch *b = r.b;
	int rc = 1;
	memset(res, 0, sizeof(*res));
	lm_diag_clear(&res->error);
	res->areas = o->nareas;
	res->shard_k = o->shard_k;
	res->shard_n = o->shard_n;
	res->outcome = LM_RUN_FAILED;
	lm_buf_init(&r.diags);
	lm_buf_init(&r.stage);

	if (load(&r))
		goto out;
	if (res->broken && !lm_batch_nareas(b)) {
		res->outcome = LM_RUN_NO_AREAS;
		goto out;
	}
	/* no output may replace an input (or a device, a link, a folder) */
	for (size_t i = 0; o->inputs && o->inputs[i]; i++)
		lm_batch_add_input(b, o->inputs[i], -1, NULL);
	if ((o->manifest && lm_batch_check_output(b, o->manifest, "--manifest", &res->error)) ||
	    (o->combine && lm_batch_check_output(b, o->combine, "--combine", &res->error)))
		goto out;
	if (cb->note)
		lm_batch_where_report(b, cb->note, cb->ctx);
	if (lm_batch_plan(b, o->pattern, o->shard_k, o->shard_n, &res->error) ||
	    (o->only && lm_batch_only(b, o->only_row, o->only_key, &res->error)))
		goto out;
	size_t first, end;
	lm_batch_slice(b, &first, &end);
	res->letters = end - first;
	if (!res->letters) {
		/* a slice can be empty when there are fewer letters than shards */
		res->outcome = LM_RUN_EMPTY_SHARD;
		rc = 0;
		goto out;
	}

	/* the facts first: a wrong phone number stops the run */
	struct lm_findings findings;
	lm_findings_init(&findings);
	findings.sink = validate_finding;
	findings.sink_ctx = &r;
	int bad = lm_batch_validate(b, &o->check, &findings, &res->error);
	res->worst = findings.worst;
	lm_findings_release(&findings);
	if (bad)
		goto out;
	for (size_t j = first; j < end; j++)
		res->failed += (size_t)lm_batch_is_bad(b, j);

	/* with a fault found already, the letters are only checked (every
	 * fault found in one run): nothing is written */
	if ((res->broken || res->failed) && (!o->keep_going || o->combine)) {
		if (pass(&r, LM_RUN_CHECKING))
			goto out;
		res->outcome = res->broken && !o->keep_going ? LM_RUN_AREAS_BROKEN
				: !o->keep_going ? LM_RUN_LETTERS_FAILED : LM_RUN_PRINT_REFUSED;
		goto out;
	}
	if (lm_batch_prepare_fonts(b, &res->error))
		goto out;
	if (cb->writing && (res->stop = cb->writing(cb->ctx, first, end))) {
		res->outcome = LM_RUN_STOPPED;
		goto out;
	}
	rc = o->combine ? write_print_file(&r) : write_files(&r);
	if (!rc && res->broken)
		rc = 1;
out:
	free(r.stage_dir);
	lm_buf_release(&r.diags);
	lm_buf_release(&r.stage);
	lm_batch_free(b);
	return rc;
}
