/* batch.h - many letters in one run: areas × recipients → PDF files.
 *
 * A batch loads the fonts, the letter and every area once, and numbers the
 * letters of the run (its jobs): area by area, one a recipient row, or one
 * an area without recipients.  Jobs are not kept: a cursor (struct
 * lm_cursor) reads them in order, each recipients file a row at a time, so
 * a run over a million rows holds one row, not the file.  Planning finds
 * every output-path collision before anything is written (from 8 bytes a
 * letter); checking lays every letter out without writing, so a run with a
 * bad row writes nothing.
 *
 * Jobs are independent: the CLI may hand disjoint sets of them to several
 * worker processes (each with its own cursor), and the bytes of each file
 * do not depend on which.
 */
#ifndef LM_BATCH_H
#define LM_BATCH_H

#include <stddef.h>

#include "area.h"
#include "body.h"
#include "buf.h"
#include "check.h"
#include "csv.h"
#include "diag.h"
#include "font.h"
#include "frame.h"
#include "layout.h"
#include "letter.h"
#include "sign.h"
#include "subset.h"
#include "translation.h"
#include "date.h"

/* --where COLUMN=VALUE or COLUMN!=VALUE: which rows of a recipients file
 * the run keeps (all must hold).  The column is named as names.h says;
 * the value is compared ignoring ASCII case and the spaces around it. */
struct lm_where {
	char *column, *value; /* owned */
	int negate;           /* != */
	const char *text;     /* as given, borrowed */
};
/* Parses `text` into w.  Returns 0, or -1 with a reason in d (release w
 * either way). */
int lm_where_parse(struct lm_where *w, const char *text, struct lm_diag *d);
void lm_where_release(struct lm_where *w);

/* How a batch reads and writes, given when it is made (pointers borrowed). */
struct lm_batch_opts {
	enum lm_input_encoding encoding; /* --input-encoding (AUTO: found per file, see csv.h) */
	char delim;                     /* --delimiter, or 0: found per file */
	const struct lm_where *where;   /* --where conditions */
	size_t nwhere;
	const char *sheet;              /* recipients workbooks: the sheet (--sheet), or NULL */
	struct lm_date date;            /* the letters' date */
	int large_print, duplex;
	int digests;                    /* fill lm_result.sha256 (for a manifest) */
	const struct lm_signer *signer; /* sign every file with it, or NULL */
	long long signing_time;
	int sign_visible;
	const char *const *outputs;     /* other outputs of the run (manifest), NULL-ended, or NULL */
};

/* A batch: what it holds is its own (batch.c). */
struct lm_batch;

struct lm_batch *lm_batch_new(const struct lm_batch_opts *o);
void lm_batch_free(struct lm_batch *b);

/* Its areas (those that loaded), in order; the first job of each. */
size_t lm_batch_nareas(const struct lm_batch *b);
const struct lm_area *lm_batch_area(const struct lm_batch *b, size_t i);
size_t lm_batch_area_first(const struct lm_batch *b, size_t i);
/* The images area `i`'s letters show (their paths, for a watcher). */
const struct lm_body_images *lm_batch_area_images(const struct lm_batch *b, size_t i);
/* This run's slice of jobs, [*first, *end). */
void lm_batch_slice(const struct lm_batch *b, size_t *first, size_t *end);
/* Tells `fn` what --where left out of each recipients file (nothing for
 * a file it left whole). */
void lm_batch_where_report(const struct lm_batch *b, void (*fn)(void *ctx, const char *file, const char *text),
			   void *ctx);

/* One letter of the run, as a cursor has read it. */
struct lm_job {
	size_t index;      /* in the run, 0 .. njobs-1 */
	size_t area;
	long row;          /* recipient row, -1 for a letter without recipients */
	int line;          /* where the row starts in its file, 0 without */
	const char *path;  /* output file (the cursor's); NULL in a combined run */
	unsigned copies;   /* the `copies` column, 1 by default */
	const struct lm_csv_reader *rec; /* the row's cells; NULL without */
};

/* Reads the jobs of a batch in order.  Seeking forward reads on; seeking
 * back starts the file again. */
struct lm_cursor {
	struct lm_batch *b;
	struct lm_csv_reader reader;
	int reader_csv;    /* which file the reader has open, -1 none */
	struct lm_job job;
	struct lm_buf path;
	int want_path;     /* expand job.path (set when the run has a pattern;
			      a pass that writes nothing may clear it) */
	size_t kept;       /* rows the reader has passed that --where keeps */
};

void lm_cursor_init(struct lm_cursor *c, struct lm_batch *b);
/* Makes c->job job `j`.  Returns 0, or -1 with d filled (a read error). */
int lm_cursor_seek(struct lm_cursor *c, size_t j, struct lm_diag *d);
void lm_cursor_release(struct lm_cursor *c);

/* The area of job `j`. */
size_t lm_batch_job_area(const struct lm_batch *b, size_t j);

/* Marks job `j` (of this run's slice) as having errors, or asks whether it has. */
void lm_batch_set_bad(struct lm_batch *b, size_t j);
int lm_batch_is_bad(const struct lm_batch *b, size_t j);

/* The outcome of writing one file. */
struct lm_result {
	size_t pages;
	size_t bytes;
	unsigned char sha256[32];       /* when b->digests is set */
	int skipped;                    /* --skip-existing found it written */
	size_t failed;                  /* a print file: letters with errors (not written) */
	enum lm_diag_kind worst;        /* ... the worst kind of their errors */
};

/* Loads the fonts and the letter.  Returns 0, or -1 with d filled. */
int lm_batch_load(struct lm_batch *b, const char *fonts_dir, const char *letter_path,
		  struct lm_diag *d);
/* Sets the run's language(s) (--lang: "cy", "cy+en"); every one must be
 * the letter's own or a translation that loaded.  Returns 0, or -1 with d
 * filled. */
int lm_batch_set_lang(struct lm_batch *b, const char *lang, struct lm_diag *d);

/* Adds an area and, if `recipients` is not NULL, the recipients file for
 * it ("-" is standard input; a file shared by several areas is read once;
 * a workbook's sheet may be named as FILE#SHEET, else b->sheet is read):
 * the whole file is read here, to find a broken row before anything else
 * and to count the rows.  Returns 0, or -1 with d filled and the batch as
 * it was before. */
int lm_batch_add_area(struct lm_batch *b, const char *dir, const char *recipients,
		      struct lm_diag *d);
/* Notes `path` (or open file `fd` when path is NULL; `name` for messages)
 * as an input of the run.  The batch notes the letter, its partials, the
 * fonts, each area's files and images and the recipients files itself;
 * the caller adds others (a signing key, a password file). */
void lm_batch_add_input(struct lm_batch *b, const char *path, int fd, const char *name);
/* 0 when `path` may be an output of the run: absent, or a regular file
 * that is no input of it.  Else -1 with d filled, `what` naming the
 * option that chose it ("-o", "--manifest"). */
int lm_batch_check_output(const struct lm_batch *b, const char *path, const char *what,
			  struct lm_diag *d);
/* 1 when two output paths name one file on a disk that ignores case (a
 * Windows share, a Mac disk): equal but for ASCII letter case. */
int lm_same_output(const char *a, const char *b);

/* Numbers the jobs: one a recipient row (or one an area), each with its
 * output path expanded from `pattern` (placeholders allowed, values made
 * safe for file names; NULL in a combined run).  Two jobs with one path
 * (ignoring case: schools open them on disks that ignore it), a job path
 * that is one of b->outputs, an input of the run or not a regular file is
 * an error.  Then keeps the K-th of N equal slices (1-based; 1/1 for all).
 * Returns 0, or -1 with d filled. */
int lm_batch_plan(struct lm_batch *b, const char *pattern, size_t shard_k, size_t shard_n,
		  struct lm_diag *d);
/* Keeps only the letter of recipient row `row` (1-based, as
 * {{recipient._row}} counts; 0 for any) whose key (first column) is `key`
 * (NULL for any): one job, in place of the plan's slice, its output path
 * the one the whole run gives it.  No such letter, or one in each of
 * several areas, is an error.  Returns 0, or -1 with d filled. */
int lm_batch_only(struct lm_batch *b, long row, const char *key, struct lm_diag *d);
/* Checks the facts of every area and recipient row of the run (check.h)
 * into `f`, and marks each job of the slice whose area or row has an
 * error.  Returns 0, or -1 with d filled (a read error). */
int lm_batch_validate(struct lm_batch *b, const struct lm_check_opts *o, struct lm_findings *f,
		      struct lm_diag *d);
/* Subsets the fonts to every character the inputs hold.  Returns 0, or -1. */
int lm_batch_prepare_fonts(struct lm_batch *b, struct lm_diag *d);

/* Lays `job` out without writing, to find its errors.  Returns 0 or -1.
 * With `f` not NULL every missing value of the body is added to it (and d
 * is left empty when those were all). */
int lm_batch_check(struct lm_batch *b, const struct lm_job *job, struct lm_findings *f,
		   struct lm_diag *d);
/* Lays `job` out into `lay` (initialised here; the caller releases it).
 * Returns 0 or -1 with d filled. */
int lm_batch_layout(struct lm_batch *b, const struct lm_job *job, struct lm_layout *lay,
		    struct lm_diag *d);

/* Where a pass that writes reports each letter's findings as it lays the
 * letter out (the letter itself is how the finding knows its area), and
 * how far it has got. */
struct lm_batch_report {
	void *ctx;
	void (*finding)(void *ctx, const struct lm_job *job, const struct lm_diag *d);
	void (*progress)(void *ctx, size_t done, size_t total);
};

/* Lays `job` out, its findings reported, and when it has no error writes
 * it to its own file: atomically in place, or, with `stage` not NULL,
 * whole under that temporary name for the caller to move into place
 * (lm_move_into_place) once every letter of the run is known to be right.
 * With `skip_existing`, an existing whole file is left alone (r->skipped
 * set, its size and digest read) once the letter is checked.  Returns 0,
 * or 1 + the kind of its worst error: then nothing is written, and d holds
 * the error when it was not one of the findings (a write failure). */
int lm_batch_write(struct lm_batch *b, const struct lm_job *job, int skip_existing, const char *stage,
		   const struct lm_batch_report *report, struct lm_result *r, struct lm_diag *d);

/* Writes this run's jobs into one print file, each letter `copies` times;
 * with `duplex`, a letter with an odd page count gets a blank back page so
 * the next starts on a front side.  Every letter is laid out once, its
 * findings reported.  Returns 0; 1 when letters have errors (counted in
 * r->failed, their worst kind r->worst; no file written); or -1 with d
 * filled. */
int lm_batch_combine(struct lm_batch *b, const char *path, int duplex, const struct lm_batch_report *report,
		     struct lm_result *r, struct lm_diag *d);

/* The recipient key of `job` for the manifest: the value of the first
 * column, or "" when the job has no recipient. */
const char *lm_batch_job_key(const struct lm_job *job);

#endif
