/* lettermerge build: letters for one or many areas and recipients, as PDFs. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../batch.h"
#include "../buf.h"
#include "../fileio.h"
#include "../pool.h"
#include "cli.h"
#include "outputs.h"

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
	"out and checked before the first file is written: a wrong input writes nothing.";

/* The key's password: from a variable or a file, never the command line
 * (where other users of the machine could read it).  *out is malloc'd or NULL. */
static int sign_password(const struct cli_parsed *o, char **out)
{
	*out = NULL;
	if (o->value[OPT_SIGN_PASS_ENV]) {
		const char *v = getenv(o->value[OPT_SIGN_PASS_ENV]);
		if (!v) {
			fprintf(stderr, "lettermerge build: --sign-pass-env: variable '%s' is not set\n",
				o->value[OPT_SIGN_PASS_ENV]);
			return -1;
		}
		*out = lm_xstrdup(v);
	} else if (o->value[OPT_SIGN_PASS_FILE]) {
		struct lm_buf b = LM_BUF_INIT;
		struct lm_diag d;
		if (lm_read_file_as(o->value[OPT_SIGN_PASS_FILE], LM_CAP_SMALL, "password file", &b, &d)) {
			cli_print_diag(&d);
			lm_buf_release(&b);
			return -1;
		}
		b.len = strcspn(b.ptr, "\r\n");
		b.ptr[b.len] = '\0';
		/* Notepad saves UTF-8 with a byte-order mark: not part of the password */
		size_t bom = b.len >= 3 && !memcmp(b.ptr, "\xEF\xBB\xBF", 3) ? 3 : 0;
		*out = lm_xstrdup(b.ptr + bom);
		lm_buf_release(&b);
	}
	return 0;
}

/* Seconds since the epoch the signatures claim: SOURCE_DATE_EPOCH (a
 * reproducible run), else now.  Never the letter's printed --date: a
 * letter dated 2015 is signed today, with today's certificate. */
static long long signing_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde)
		return strtoll(sde, NULL, 10);
	return (long long)time(NULL);
}

/* ---- running jobs ---- */

enum mode { MODE_CHECK, MODE_WRITE };

/* A manifest: one JSON line a file, written as the results come in order. */
struct manifest {
	struct lm_atomic file;
	struct lm_buf pending;
	int open, failed;
	int to_stdout;          /* --manifest -: lines go to standard output as they come */
	enum lm_diag_kind kind; /* of the failure */
};

/* Writes `len` bytes of the manifest (to its file or standard output). */
static int manifest_put(struct manifest *m, const void *data, size_t len, struct lm_diag *d)
{
	if (!m->to_stdout)
		return lm_atomic_write(&m->file, data, len, d);
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout))
		return lm_diag_setk(d, LM_KIND_SYSTEM, "<stdout>", 0, 0, "cannot write the manifest: %s",
				    strerror(errno));
	return 0;
}

struct run {
	struct lm_batch *b;
	enum mode mode;
	int skip_existing;
	int quiet, tty;
	struct timespec start;
	size_t done, total;
	size_t failed;             /* letters with errors, of any phase */
	enum lm_diag_kind worst;   /* the highest kind of their errors */
	char *last_sys;            /* the last system failure's message (after the path), malloc'd */
	size_t repeats;            /* letters that failed with it again, not printed */
	size_t written, skipped, pages, bytes;
	struct manifest *manifest; /* NULL, or open for the write phase */
	unsigned long long *seen;  /* hashes of the finding lines printed; owned */
	size_t nseen, aseen;
	int keep_going;
	struct lm_pool pool;       /* the pass running */
	struct lm_cursor cursor;   /* the pass's (each worker's copy its own) */
	struct lm_buf lines;       /* a letter's findings, as record text */
	const char *stage_dir;     /* where letters wait to be moved into place */
	pid_t pid;                 /* this run's, in their temporary names */
	struct lm_buf stage;       /* a temporary name */
	int moving;                /* letters are being moved into place (signals held) */
};

/* The serials of the temporary names letters wait under start past those
 * lm_atomic_open tries (0-99), so the two never meet. */
#define STAGE_SERIAL 100

static double elapsed(const struct run *r)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - r->start.tv_sec) + (double)(now.tv_nsec - r->start.tv_nsec) / 1e9;
}

static void progress(void *ctx, size_t done, size_t total)
{
	struct run *r = ctx;
	if (r->quiet || !r->tty)
		return;
	double t = elapsed(r);
	double rate = t > 0 ? (double)done / t : 0;
	int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : width;
	fprintf(stderr, "\r%s [%.*s%*s] %zu/%zu  %.0f letters/s  %.0f s left ",
		r->mode == MODE_CHECK ? "checking" : "writing ", fill,
		"##############################", width - fill, "", done, total, rate,
		rate > 0 ? (double)(total - done) / rate : 0.0);
	if (done == total)
		fputc('\n', stderr);
}

static void json_string(struct lm_buf *out, const char *s)
{
	lm_buf_addc(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			lm_buf_addf(out, "\\%c", c);
		else if (c < 0x20)
			lm_buf_addf(out, "\\u%04x", c);
		else
			lm_buf_addc(out, (char)c);
	}
	lm_buf_addc(out, '"');
}

static void manifest_line(struct manifest *m, const char *path, const char *area, const char *key,
			  size_t letters, const struct lm_result *res)
{
	struct lm_buf *o = &m->pending;
	lm_buf_adds(o, "{\"path\":");
	json_string(o, path);
	lm_buf_adds(o, ",\"area\":");
	json_string(o, area);
	lm_buf_adds(o, ",\"recipient\":");
	json_string(o, key);
	lm_buf_addf(o, ",\"letters\":%zu,\"pages\":%zu,\"bytes\":%zu,\"sha256\":\"", letters, res->pages,
		    res->bytes);
	for (int i = 0; i < 32; i++)
		lm_buf_addf(o, "%02x", res->sha256[i]);
	lm_buf_addf(o, "\",\"skipped\":%s}\n", res->skipped ? "true" : "false");
	if (o->len >= 65536 && !m->failed) {
		struct lm_diag d;
		if (manifest_put(m, o->ptr, o->len, &d)) {
			cli_print_diag(&d);
			m->failed = 1;
			m->kind = d.kind;
			m->open = 0;
		}
		lm_buf_reset(o);
	}
}

static int manifest_open(struct manifest *m, const char *path)
{
	struct lm_diag d;
	memset(m, 0, sizeof(*m));
	lm_buf_init(&m->pending);
	m->file.fd = -1;
	if (!strcmp(path, "-")) {
		m->to_stdout = m->open = 1;
		return 0;
	}
	if (lm_atomic_open(&m->file, path, &d)) {
		cli_print_diag(&d);
		m->kind = d.kind;
		return -1;
	}
	m->open = 1;
	return 0;
}

/* Returns 0 with the manifest in place, or -1 with nothing left behind. */
static int manifest_close(struct manifest *m, int keep)
{
	struct lm_diag d;
	int rc = m->failed ? -1 : 0;
	if (m->open && keep && !m->failed) {
		rc = manifest_put(m, m->pending.ptr, m->pending.len, &d);
		if (!rc && !m->to_stdout)
			rc = lm_atomic_commit(&m->file, &d);
		if (rc) {
			cli_print_diag(&d);
			m->kind = d.kind;
		}
	} else if (m->open && !m->to_stdout) {
		lm_atomic_abort(&m->file);
	}
	m->open = 0;
	lm_buf_release(&m->pending);
	return rc;
}

/* What one letter's work came to, as a worker hands it back: this head,
 * then path_len + key_len + err_len bytes of text. */
struct record {
	int32_t failed;            /* 0, or 1 + the error's kind */
	uint32_t path_len, key_len, err_len;
	struct lm_result result;
};

/* Collects one letter's findings as lines for its record: a severity
 * mark (E or W), then the message, the area named when the run has several
 * and the message does not name it. */
static void finding_line(const struct lm_batch *b, size_t area, const struct lm_diag *d, struct lm_buf *out)
{
	struct lm_diag c = *d;
	const struct lm_batch_area *ba = &b->areas[area];
	if (b->nareas > 1)
		cli_name_area(&c, ba->area.id, ba->area.dir);
	char line[2400];
	lm_diag_format(&c, line, sizeof(line));
	lm_buf_addc(out, d->severity == LM_WARNING ? 'W' : 'E');
	lm_buf_adds(out, line);
	lm_buf_addc(out, '\n');
}

static void job_finding(void *ctx, const struct lm_job *job, const struct lm_diag *d)
{
	struct run *r = ctx;
	finding_line(r->b, job->area, d, &r->lines);
}

static void check_finding(void *ctx, const struct lm_diag *d)
{
	struct run *r = ctx;
	finding_line(r->b, r->cursor.job.area, d, &r->lines);
}

/* The temporary name letter `j` is written under until the run is known
 * to be right: in the output folder, named for this run's process. */
static void stage_name(const struct run *r, size_t j, struct lm_buf *out)
{
	char name[64];
	lm_temp_name(name, sizeof(name), "", (long)r->pid, (unsigned)(STAGE_SERIAL + j));
	lm_buf_reset(out);
	lm_buf_addf(out, "%s/%s", r->stage_dir, name);
}

/* The pool's task: does job `j` and appends its record to `out`: in the
 * checking phase, every finding of the letter, not just the first; in
 * the writing phase, the letter laid out (and so checked) and written
 * under its temporary name.  Returns 1 when the letter failed. */
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
	lm_buf_reset(&r->lines);
	int rc = lm_cursor_seek(c, j, &d) ? 1 + (int)d.kind : 0;
	if (!rc && r->mode == MODE_CHECK && lm_batch_check(r->b, &c->job, &f, &d)) {
		enum lm_diag_kind kind = d.msg[0] ? d.kind : LM_KIND_INPUT;
		if (f.errors && f.worst > kind)
			kind = f.worst;
		rc = 1 + (int)kind;
	} else if (!rc && r->mode == MODE_WRITE) {
		struct lm_batch_report rep = { r, job_finding, NULL };
		stage_name(r, j, &r->stage);
		unlink(r->stage.ptr); /* a killed run's, whose process id this one has */
		rc = lm_batch_write(r->b, &c->job, r->skip_existing, r->stage.ptr, &rep, &rec.result, &d);
	}
	if (rc && d.msg[0])
		finding_line(r->b, lm_batch_job_area(r->b, j), &d, &r->lines);
	rec.failed = rc;
	if (r->lines.len)
		r->lines.ptr[--r->lines.len] = '\0'; /* the last line end */
	const char *path = !rc && c->job.path ? c->job.path : "";
	const char *key = rc ? "" : lm_batch_job_key(&c->job);
	rec.path_len = (uint32_t)strlen(path);
	rec.key_len = (uint32_t)strlen(key);
	rec.err_len = (uint32_t)r->lines.len;
	lm_buf_add(out, &rec, sizeof(rec));
	lm_buf_add(out, path, rec.path_len);
	lm_buf_add(out, key, rec.key_len);
	lm_buf_add(out, r->lines.ptr, rec.err_len);
	lm_findings_release(&f);
	return rc != 0;
}

/* Prints a record's findings, each once a run (the same fault in a
 * thousand letters is one line); warnings not with --quiet. */
static void print_findings(struct run *r, const char *lines)
{
	while (*lines) {
		size_t n = strcspn(lines, "\n");
		unsigned long long h = 0xcbf29ce484222325ULL;
		for (size_t i = 0; i < n; i++)
			h = (h ^ (unsigned char)lines[i]) * 0x100000001b3ULL;
		if (!h)
			h = 1;
		/* an open-addressed set of the lines printed */
		if (2 * (r->nseen + 1) > r->aseen) {
			size_t a = r->aseen ? 2 * r->aseen : 64;
			unsigned long long *t = lm_xcalloc(a, sizeof(*t));
			for (size_t i = 0; i < r->aseen; i++)
				if (r->seen[i])
					for (size_t k = r->seen[i] % a;; k = (k + 1) % a)
						if (!t[k]) {
							t[k] = r->seen[i];
							break;
						}
			free(r->seen);
			r->seen = t;
			r->aseen = a;
		}
		size_t k = h % r->aseen;
		while (r->seen[k] && r->seen[k] != h)
			k = (k + 1) % r->aseen;
		if (!r->seen[k]) {
			r->seen[k] = h;
			r->nseen++;
			if (lines[0] == 'E' || !r->quiet)
				fprintf(stderr, "%.*s\n", (int)n - 1, lines + 1);
		}
		lines += n + (lines[n] == '\n');
	}
}

/* A letter of the print file: its findings printed as they come. */
static void combine_finding(void *ctx, const struct lm_job *job, const struct lm_diag *d)
{
	struct run *r = ctx;
	lm_buf_reset(&r->lines);
	finding_line(r->b, job->area, d, &r->lines);
	print_findings(r, r->lines.ptr);
}

/* Counts a failed letter; 1 when its error is a system failure said
 * before (a read-only or full destination fails every letter alike:
 * said once, then counted). */
static int count_failure(struct run *r, enum lm_diag_kind kind, const char *err)
{
	r->failed++;
	if (kind > r->worst)
		r->worst = kind;
	const char *why = strstr(err, ": error: ");
	if (kind == LM_KIND_SYSTEM && why && !strchr(why, '\n')) {
		if (r->last_sys && !strcmp(r->last_sys, why)) {
			r->repeats++;
			return 1;
		}
		free(r->last_sys);
		r->last_sys = lm_xstrdup(why);
	}
	return 0;
}

/* Takes one record, in job order: errors printed as they come (so a
 * million bad rows cost no memory); when the run keeps what it wrote,
 * the letter moved into place, counted and put in the manifest. */
static void take(void *ctx, size_t j, int failed, const char *data, size_t len)
{
	struct run *r = ctx;
	struct lm_batch *b = r->b;
	struct record rec;
	(void)failed;
	(void)len;
	memcpy(&rec, data, sizeof(rec));
	const char *text = data + sizeof(rec);
	lm_buf_reset(&r->lines);
	lm_buf_add(&r->lines, text, rec.path_len);
	char *path = lm_xstrdup(r->lines.ptr);
	lm_buf_reset(&r->lines);
	lm_buf_add(&r->lines, text + rec.path_len, rec.key_len);
	char *key = lm_xstrdup(r->lines.ptr);
	lm_buf_reset(&r->lines);
	lm_buf_add(&r->lines, text + rec.path_len + rec.key_len, rec.err_len);
	if (rec.failed) {
		lm_batch_set_bad(b, j);
		if (!count_failure(r, (enum lm_diag_kind)(rec.failed - 1), r->lines.ptr))
			print_findings(r, r->lines.ptr);
		goto out;
	}
	print_findings(r, r->lines.ptr);
	/* nothing is kept of a run with a wrong letter (unless --keep-going) */
	if (r->mode != MODE_WRITE || (r->pool.failed && !r->keep_going))
		goto out;
	if (!r->moving) {
		/* the moves into place are not cut short: a signal waits
		 * until every letter is in place */
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGHUP);
		sigprocmask(SIG_BLOCK, &stop, NULL);
		r->moving = 1;
	}
	if (!rec.result.skipped) {
		struct lm_diag d;
		stage_name(r, j, &r->stage);
		if (lm_move_into_place(r->stage.ptr, path, &d)) {
			unlink(r->stage.ptr);
			lm_batch_set_bad(b, j);
			lm_buf_reset(&r->lines);
			finding_line(b, lm_batch_job_area(b, j), &d, &r->lines);
			if (!count_failure(r, d.kind, r->lines.ptr))
				print_findings(r, r->lines.ptr);
			goto out;
		}
	}
	/* pages and bytes of what this run wrote; files left as they were
	 * are counted apart (the manifest still lists them) */
	if (rec.result.skipped) {
		r->skipped++;
	} else {
		r->written++;
		r->pages += rec.result.pages;
		r->bytes += rec.result.bytes;
	}
	if (r->manifest && r->manifest->open)
		manifest_line(r->manifest, path, b->areas[lm_batch_job_area(b, j)].area.id, key, 1, &rec.result);
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
	progress(r, done, r->total);
}

static void pool_workers(void *ctx, const pid_t *pids, size_t n)
{
	(void)ctx;
	out_workers(pids, n);
}

/* Removes the temporary files of letters the run does not keep. */
static void remove_staged(struct run *r)
{
	for (size_t j = r->b->first; j < r->b->end; j++) {
		stage_name(r, j, &r->stage);
		unlink(r->stage.ptr);
	}
}

/* Runs `mode` over every job not failed yet, in `jobs` worker processes
 * (pool.h): errors, counts and the manifest come out in the same order
 * however many workers ran.  Returns 0, or the exit status when the run
 * itself failed (a worker could not be started, died, or lost its results). */
static int run_jobs(struct run *r, enum mode mode, long jobs)
{
	struct lm_batch *b = r->b;
	struct lm_diag d;
	r->mode = mode;
	r->total = b->end - b->first;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	lm_cursor_init(&r->cursor, b);
	r->cursor.want_path = mode == MODE_WRITE;
	r->pool = (struct lm_pool){ .first = b->first, .end = b->end, .jobs = (unsigned)jobs, .ctx = r,
				    .skip = skip_job, .work = do_job, .progress = pool_progress,
				    .take = take, .workers = pool_workers };
	int rc = lm_pool_run(&r->pool, &d);
	lm_cursor_release(&r->cursor);
	if (rc) {
		fprintf(stderr, "lettermerge build: %s\n", d.msg);
		return cli_exit_for(d.kind);
	}
	return 0;
}

/* Locks the folders the run writes into (the outputs', the manifest's)
 * for its letters; on a resume, removes what killed runs left there.
 * Returns 0 or the exit status. */
static int lock_outputs(const struct cli_parsed *o, const char *pattern, const struct lm_batch *b)
{
	char *dirs[2] = { out_folder_of(pattern ? pattern : o->value[OPT_COMBINE]), NULL };
	const char *m = o->value[OPT_MANIFEST];
	if (m && strcmp(m, "-"))
		dirs[1] = out_folder_of(m);
	int rc = 0;
	for (int i = 0; i < 2 && !rc; i++) {
		if (!dirs[i] || (i && !strcmp(dirs[0], dirs[1])))
			continue;
		rc = out_lock(dirs[i], b->first, b->end);
		if (!rc && o->value[OPT_SKIP_EXISTING])
			out_remove_stale_temps(dirs[i]);
	}
	free(dirs[0]);
	free(dirs[1]);
	return rc;
}

/* What --json prints. */
struct summary {
	size_t letters, written, skipped, failed, pages, bytes;
	double seconds;
};

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
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	if (o.value[OPT_JOBS]) {
		char *end;
		jobs = strtol(o.value[OPT_JOBS], &end, 10);
		if (*end || jobs < 1 || jobs > 256) {
			fprintf(stderr, "lettermerge build: --jobs '%s' must be a whole number from 1 to 256\n",
				o.value[OPT_JOBS]);
			return LM_EXIT_USAGE;
		}
	}
	if (jobs < 1)
		jobs = 1;
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
	size_t shard_k = 1, shard_n = 1;
	if (o.value[OPT_SHARD]) {
		char tail;
		if (sscanf(o.value[OPT_SHARD], "%zu/%zu%c", &shard_k, &shard_n, &tail) != 2 || shard_n < 1 ||
		    shard_k < 1 || shard_k > shard_n || shard_n > 1000000) {
			fprintf(stderr, "lettermerge build: --shard '%s' must be K/N with 1 <= K <= N <= 1000000\n",
				o.value[OPT_SHARD]);
			return LM_EXIT_USAGE;
		}
	}
	struct lm_batch b;
	lm_batch_init(&b);
	b.encoding = encoding;
	b.sheet = o.value[OPT_SHEET];
	b.delim = delim;
	b.where = where;
	b.nwhere = nwhere;
	b.opts.large_print = !!o.value[OPT_LARGE_PRINT];
	b.opts.duplex = !!o.value[OPT_DUPLEX];
	b.digests = !!o.value[OPT_MANIFEST];
	if (cli_pick_date("build", o.value[OPT_DATE], &b.opts.date)) {
		lm_batch_release(&b);
		cli_free_where(where, nwhere);
		return LM_EXIT_USAGE;
	}

	int rc = LM_EXIT_DATA, jrc;
	struct lm_diag d;
	struct run r = { .b = &b, .skip_existing = !!o.value[OPT_SKIP_EXISTING],
			 .quiet = !!o.value[OPT_QUIET], .tty = isatty(2),
			 .keep_going = !!o.value[OPT_KEEP_GOING] };
	lm_buf_init(&r.lines);
	lm_buf_init(&r.stage);
	char **areas = NULL;
	size_t nareas = 0;
	char *pattern = NULL;
	struct lm_signer *signer = NULL;
	struct summary sum = { 0 };
	struct manifest manifest = { 0 };
	lm_diag_clear(&d);

	if (o.value[OPT_SIGN_KEY]) {
		/* once per run, and before anything else: a wrong password or an
		 * expired certificate must stop the run, not its 1,000th letter */
		char *pass;
		if (sign_password(&o, &pass))
			goto done;
		int bad = o.value[OPT_SIGN_CERT]
				  ? lm_signer_load_pem(&signer, o.value[OPT_SIGN_KEY], o.value[OPT_SIGN_CERT],
						       o.value[OPT_SIGN_CHAIN], pass, &d)
				  : lm_signer_load_p12(&signer, o.value[OPT_SIGN_KEY], pass, &d);
		if (pass) {
			memset(pass, 0, strlen(pass));
			free(pass);
		}
		b.sign.signing_time = signing_time();
		if (bad || lm_signer_check_time(signer, b.sign.signing_time, &d))
			goto fail;
		b.signer = signer;
		b.sign.visible = !!o.value[OPT_SIGN_VISIBLE];
	}

	if (cli_pick_areas("build", &o, OPT_AREA, OPT_ALL_AREAS, OPT_AREAS_DIR, &areas, &nareas))
		goto done;
	if (lm_batch_load(&b, cli_fonts_dir(o.value[OPT_FONTS]), o.args[0], &d) ||
	    (o.value[OPT_LANG] && lm_batch_set_lang(&b, o.value[OPT_LANG], &d)))
		goto fail;
	/* a broken area is reported and the others still checked, so one run
	 * finds every fault; nothing is written while one is broken */
	struct lm_buf rec = LM_BUF_INIT;
	size_t broken = 0;
	enum lm_diag_kind broken_kind = LM_KIND_INPUT;
	char last[2400] = "";
	for (size_t i = 0; i < nareas; i++) {
		if (lm_batch_add_area(&b, areas[i],
				      cli_recipients_for(&o, OPT_RECIPIENTS, OPT_AREA_RECIPIENTS, areas[i], &rec),
				      &d)) {
			char line[2400];
			lm_diag_format(&d, line, sizeof(line));
			if (strcmp(line, last)) /* a shared recipients file fails once */
				fprintf(stderr, "%s\n", line);
			memcpy(last, line, sizeof(last));
			broken++;
			if (d.kind > broken_kind)
				broken_kind = d.kind;
		}
	}
	lm_buf_release(&rec);
	if (broken && !b.nareas) {
		rc = cli_exit_for(broken_kind);
		goto done;
	}
	/* no output may replace an input (or a device, a link, a folder) */
	static const int key_files[] = { OPT_SIGN_KEY, OPT_SIGN_CERT, OPT_SIGN_CHAIN, OPT_SIGN_PASS_FILE };
	for (size_t i = 0; i < sizeof(key_files) / sizeof(*key_files); i++)
		if (o.value[key_files[i]])
			lm_batch_add_input(&b, o.value[key_files[i]], -1, NULL);
	const char *other_outputs[2] = { NULL, NULL };
	if (o.value[OPT_MANIFEST] && strcmp(o.value[OPT_MANIFEST], "-")) {
		if (lm_batch_check_output(&b, o.value[OPT_MANIFEST], "--manifest", &d))
			goto fail;
		other_outputs[0] = o.value[OPT_MANIFEST];
		b.outputs = other_outputs;
	}
	if (o.value[OPT_COMBINE] && lm_batch_check_output(&b, o.value[OPT_COMBINE], "--combine", &d))
		goto fail;
	if (!o.value[OPT_COMBINE]) {
		if (o.value[OPT_OUTPUT]) {
			pattern = lm_xstrdup(o.value[OPT_OUTPUT]);
		} else {
			/* LETTER-AREA.pdf, with the row when there are recipients */
			const char *base = strrchr(o.args[0], '/');
			base = base ? base + 1 : o.args[0];
			size_t n = strlen(base);
			if (n > 3 && !strcmp(base + n - 3, ".md"))
				n -= 3;
			struct lm_buf p = LM_BUF_INIT;
			lm_buf_add(&p, base, n);
			lm_buf_adds(&p, "-{{area.id}}");
			if (o.value[OPT_RECIPIENTS] || o.value[OPT_AREA_RECIPIENTS])
				lm_buf_adds(&p, "-{{recipient._row}}");
			lm_buf_adds(&p, ".pdf");
			pattern = lm_buf_detach(&p, NULL);
		}
	}
	if (!r.quiet)
		cli_where_summary(&b);
	if (lm_batch_plan(&b, pattern, shard_k, shard_n, &d))
		goto fail;
	if ((only_row || o.value[OPT_ONLY]) && lm_batch_only(&b, only_row, o.value[OPT_ONLY], &d))
		goto fail;
	size_t n = b.end - b.first;
	sum.letters = n;
	if (!n) {
		/* a slice can be empty when there are fewer letters than shards */
		if (!r.quiet)
			fprintf(stderr, "lettermerge: no letters in shard %zu/%zu\n", shard_k, shard_n);
		if (o.value[OPT_MANIFEST] &&
		    (manifest_open(&manifest, o.value[OPT_MANIFEST]) || manifest_close(&manifest, 1))) {
			rc = cli_exit_for(manifest.kind);
			goto done;
		}
		rc = LM_EXIT_OK;
		goto done;
	}

	/* the facts first: a wrong phone number stops the run; findings are
	 * printed as they are found */
	struct lm_check_opts co = { .today = b.opts.date, .stale_days = stale_days };
	struct lm_findings findings;
	lm_findings_init(&findings);
	findings.sink = cli_print_finding;
	findings.sink_ctx = &r.quiet;
	int bad = lm_batch_validate(&b, &co, &findings, &d);
	r.worst = findings.worst;
	lm_findings_release(&findings);
	if (bad)
		goto fail;
	for (size_t j = b.first; j < b.end; j++)
		r.failed += (size_t)lm_batch_is_bad(&b, j);

	/* with a fault already found, the letters are only checked (every
	 * fault found in one run); else each is laid out once, checked and
	 * written as it is laid out, and kept only when all are right */
	int keep_going = r.keep_going;
	if ((broken || r.failed) && (!keep_going || o.value[OPT_COMBINE])) {
		if ((jrc = run_jobs(&r, MODE_CHECK, jobs))) {
			rc = jrc;
			goto done;
		}
		if (broken && !keep_going) {
			fprintf(stderr, "lettermerge build: %zu of %zu areas could not be read (see above)%s; nothing was "
				"written (--keep-going writes the other areas' letters)\n", broken, nareas,
				r.failed ? ", and some letters have errors" : "");
			rc = cli_exit_for(broken_kind > r.worst ? broken_kind : r.worst);
		} else if (!keep_going) {
			fprintf(stderr, "lettermerge build: %zu of %zu letter%s ha%s errors; nothing was written (--keep-going writes the others)\n",
				r.failed, n, n == 1 ? "" : "s", r.failed == 1 ? "s" : "ve");
			rc = cli_exit_for(r.worst);
		} else {
			/* a print file with letters missing is not what was asked for */
			fprintf(stderr, "lettermerge build: not writing '%s': %zu letters have errors\n",
				o.value[OPT_COMBINE], r.failed);
		}
		goto done;
	}
	if (lm_batch_prepare_fonts(&b, &d))
		goto fail;
	/* from here on files are written: one run at a time in a folder,
	 * and a stopped run leaves no temporary file behind */
	out_catch_signals();
	if ((jrc = lock_outputs(&o, pattern, &b)))  {
		rc = jrc;
		goto done;
	}
	if (o.value[OPT_MANIFEST]) {
		out_temp_folder(0, o.value[OPT_MANIFEST]);
		if (manifest_open(&manifest, o.value[OPT_MANIFEST])) {
			rc = cli_exit_for(manifest.kind);
			goto done;
		}
		r.manifest = &manifest;
	}
	if (o.value[OPT_COMBINE]) {
		struct lm_result combined = { 0 };
		struct lm_batch_report rep = { &r, combine_finding, progress };
		out_temp_folder(1, o.value[OPT_COMBINE]);
		r.mode = MODE_WRITE;
		clock_gettime(CLOCK_MONOTONIC, &r.start);
		int c = lm_batch_combine(&b, o.value[OPT_COMBINE], !!o.value[OPT_DUPLEX], &rep, &combined, &d);
		if (c < 0)
			goto fail;
		if (c > 0) {
			r.failed = combined.failed;
			r.worst = combined.worst;
			if (!keep_going) {
				fprintf(stderr, "lettermerge build: %zu of %zu letter%s ha%s errors; nothing was written (--keep-going writes the others)\n",
					r.failed, n, n == 1 ? "" : "s", r.failed == 1 ? "s" : "ve");
				rc = cli_exit_for(r.worst);
			} else {
				fprintf(stderr, "lettermerge build: not writing '%s': %zu letters have errors\n",
					o.value[OPT_COMBINE], r.failed);
			}
			goto done;
		}
		if (r.manifest)
			manifest_line(&manifest, o.value[OPT_COMBINE], b.nareas == 1 ? b.areas[0].area.id : "",
				      "", n, &combined);
		r.written = n, r.pages = combined.pages, r.bytes = combined.bytes;
	} else {
		/* letters wait in the output folder (one file system with
		 * every output) under names of this run, which a signal
		 * removes */
		char *stage_dir = out_folder_of(pattern);
		r.stage_dir = stage_dir;
		r.pid = getpid();
		out_stage_folder(stage_dir);
		size_t before = r.failed;
		jrc = run_jobs(&r, MODE_WRITE, jobs);
		if (jrc || (r.failed > before && !keep_going))
			remove_staged(&r);
		out_stage_folder(NULL);
		r.stage_dir = NULL;
		free(stage_dir);
		if (jrc) {
			rc = jrc;
			goto done;
		}
		if (r.repeats)
			fprintf(stderr, "lettermerge build: %zu more letter%s could not be written for the same reason\n",
				r.repeats, r.repeats == 1 ? "" : "s");
		r.repeats = 0;
		if (r.failed > before && !keep_going) {
			fprintf(stderr, "lettermerge build: %zu of %zu letter%s ha%s errors; nothing was written (--keep-going writes the others)\n",
				r.failed, n, n == 1 ? "" : "s", r.failed == 1 ? "s" : "ve");
			rc = cli_exit_for(r.worst);
			goto done;
		}
	}
	if (r.repeats)
		fprintf(stderr, "lettermerge build: %zu more letter%s could not be written for the same reason\n",
			r.repeats, r.repeats == 1 ? "" : "s");
	double secs = elapsed(&r);
	if (r.manifest) {
		r.manifest = NULL;
		if (manifest_close(&manifest, 1)) {
			rc = cli_exit_for(manifest.kind);
			goto done;
		}
	}
	if (!r.quiet) {
		fprintf(stderr, "lettermerge: %zu letter%s written%s%s (%zu pages, %zu bytes) in %.2f s", r.written,
			r.written == 1 ? "" : "s", o.value[OPT_COMBINE] ? " into " : "",
			o.value[OPT_COMBINE] ? o.value[OPT_COMBINE] : "", r.pages, r.bytes, secs);
		if (r.skipped)
			fprintf(stderr, "; %zu existing left as they were", r.skipped);
		if (r.failed)
			fprintf(stderr, "; %zu not written because of the errors above", r.failed);
		if (broken)
			fprintf(stderr, "; %zu area%s not read because of the errors above", broken,
				broken == 1 ? "" : "s");
		fputc('\n', stderr);
	}
	sum = (struct summary){ n, r.written, r.skipped, r.failed, r.pages, r.bytes, secs };
	rc = r.failed ? cli_exit_for(r.worst) : LM_EXIT_OK;
	if (broken && rc < cli_exit_for(broken_kind))
		rc = cli_exit_for(broken_kind);
	goto done;
fail:
	cli_print_diag(&d);
	rc = cli_exit_for(d.kind);
done:
	/* scripts get the summary whatever happened, with the exit status */
	if (o.value[OPT_JSON]) {
		/* the letters that failed, when some did; else (a run stopped
		 * before its letters) every letter not written */
		if (rc != LM_EXIT_OK && !sum.failed)
			sum.failed = r.failed ? r.failed : sum.letters ? sum.letters - r.written - r.skipped : 1;
		if (rc != LM_EXIT_OK && !sum.written)
			sum.written = r.written, sum.skipped = r.skipped;
		printf("{\"letters\":%zu,\"written\":%zu,\"skipped\":%zu,\"failed\":%zu,\"pages\":%zu,\"bytes\":%zu,\"seconds\":%.3f,\"exit\":%d}\n",
		       sum.letters, sum.written, sum.skipped, sum.failed, sum.pages, sum.bytes, sum.seconds, rc);
	}
	if (manifest.open)
		manifest_close(&manifest, 0);
	out_unlock();
	if (r.moving) {
		/* every letter in place: a signal held meanwhile acts now */
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGHUP);
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
	}
	lm_buf_release(&r.lines);
	lm_buf_release(&r.stage);
	free(r.last_sys);
	cli_free_areas(areas, nareas);
	free(pattern);
	cli_free_where(where, nwhere);
	free(r.seen);
	lm_batch_release(&b);
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
