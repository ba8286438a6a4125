/* batch.h - many letters in one run: areas × recipients → PDF files.
 *
 * A batch loads the fonts, the letter and every area once, plans one job per
 * letter (area, recipient row, output path), and writes each job as its own
 * file or all of them into one print file.  Planning finds every output-path
 * collision before anything is written; checking lays every letter out
 * without writing, so a run with a bad row writes nothing.
 *
 * Jobs are independent: the CLI may hand disjoint sets of them to several
 * worker processes, and the bytes of each file do not depend on which.
 */
#ifndef LM_BATCH_H
#define LM_BATCH_H

#include <stddef.h>

#include "area.h"
#include "check.h"
#include "csv.h"
#include "diag.h"
#include "font.h"
#include "letter.h"
#include "sign.h"
#include "subset.h"

struct lm_batch_area {
	struct lm_area area;
	struct lm_assets assets;
	const struct lm_csv *recipients; /* borrowed from the batch, or NULL */
	size_t nrows;                    /* recipient rows */
};

struct lm_job {
	size_t area;
	long row;          /* recipient row, -1 for a letter without recipients */
	char *path;        /* output file, owned; NULL in a combined run */
	unsigned copies;   /* the `copies` column, 1 by default */
};

struct lm_batch_csv {
	char *path;        /* as given, owned */
	struct lm_csv csv;
};

struct lm_batch {
	struct lm_arena *arena;
	struct lm_fonts fonts;
	struct lm_letter letter;
	struct lm_embed embed;          /* font subsets for every file of the run */
	struct lm_letter_opts opts;     /* the date */
	struct lm_batch_area *areas;    /* owned */
	size_t nareas, areas_alloc;
	struct lm_batch_csv *csvs;      /* recipient files, each loaded once; owned */
	size_t ncsvs, csvs_alloc;
	struct lm_job *jobs;            /* owned */
	size_t njobs, jobs_alloc;
	size_t first, end;              /* this run's slice of jobs (--shard) */
	enum lm_input_encoding encoding; /* of every CSV file the run reads */
	int digests;                    /* fill lm_result.sha256 (for a manifest) */
	const struct lm_signer *signer; /* sign every file with it, or NULL; borrowed */
	struct lm_sign_info sign;       /* name, signing time, visible; reason per area */
};

/* The outcome of writing one file. */
struct lm_result {
	size_t pages;
	size_t bytes;
	unsigned char sha256[32];       /* when b->digests is set */
	int skipped;                    /* --skip-existing found it written */
};

void lm_batch_init(struct lm_batch *b);
void lm_batch_release(struct lm_batch *b);

/* Loads the fonts and the letter.  Returns 0, or -1 with d filled. */
int lm_batch_load(struct lm_batch *b, const char *fonts_dir, const char *letter_path,
		  struct lm_diag *d);
/* Adds an area and, if `recipients` is not NULL, the recipients file for
 * it ("-" is standard input; a file shared by several areas is read once).
 * Returns 0, or -1 with d filled and the batch as it was before. */
int lm_batch_add_area(struct lm_batch *b, const char *dir, const char *recipients,
		      struct lm_diag *d);
/* Makes the jobs: one a recipient row (or one an area), with the output
 * path expanded from `pattern` (placeholders allowed, values made safe for
 * file names; NULL in a combined run).  Two jobs with one path is an error.
 * Then keeps the K-th of N equal slices (1-based; 1/1 for all).
 * Returns 0, or -1 with d filled. */
int lm_batch_plan(struct lm_batch *b, const char *pattern, size_t shard_k, size_t shard_n,
		  struct lm_diag *d);
/* Checks the facts of every area and recipient row of the run (check.h)
 * into `f`.  Sets bad[j - b->first] for each job of this run's slice whose
 * area or row has an error (bad holds b->end - b->first entries). */
void lm_batch_validate(struct lm_batch *b, const struct lm_check_opts *o, struct lm_findings *f,
		       unsigned char *bad);
/* Subsets the fonts to every character the inputs hold.  Returns 0, or -1. */
int lm_batch_prepare_fonts(struct lm_batch *b, struct lm_diag *d);

/* Lays job `j` out without writing, to find its errors.  Returns 0 or -1.
 * With `f` not NULL every missing value of the body is added to it (and d
 * is left empty when those were all). */
int lm_batch_check(struct lm_batch *b, size_t j, struct lm_findings *f, struct lm_diag *d);
/* Lays job `j` out into `lay` (initialised here; the caller releases it).
 * Returns 0 or -1 with d filled. */
int lm_batch_layout(struct lm_batch *b, size_t j, struct lm_layout *lay, struct lm_diag *d);
/* Writes job `j` to its own file.  With `skip_existing`, an existing file
 * is left alone (r->skipped set, its size and digest read).  Returns 0, or
 * -1 with d filled and no file written. */
int lm_batch_write(struct lm_batch *b, size_t j, int skip_existing, struct lm_result *r,
		   struct lm_diag *d);

/* Called after each letter of a combined file, with the count done. */
typedef void (*lm_progress_fn)(void *ctx, size_t done, size_t total);

/* Writes this run's jobs into one print file, each letter `copies` times;
 * with `duplex`, a letter with an odd page count gets a blank back page so
 * the next starts on a front side.  Returns 0, or -1 with d filled. */
int lm_batch_combine(struct lm_batch *b, const char *path, int duplex, lm_progress_fn progress,
		     void *ctx, struct lm_result *r, struct lm_diag *d);

/* The recipient key of job `j` for the manifest: the value of the first
 * column, or "" when the job has no recipient. */
const char *lm_batch_job_key(const struct lm_batch *b, size_t j);

#endif
