/* run.h - one build run: the letter and its areas in, PDF files out.
 *
 * The run owns its phases, in order: load (fonts, letter, every area and
 * recipients file), plan (number the letters, find output collisions,
 * take this shard's slice), validate (the facts of every area and row),
 * prepare the font subsets, then write: one print file, or a file a
 * letter done by a worker pool (pool.h).  Each letter is laid out once:
 * checked as it is written.  What it finds and does it reports through
 * callbacks, in the same order whatever the number of workers; it never
 * prints or exits.
 *
 * The abort rule.  A letter's errors never stop the run: every letter is
 * still checked, so one run finds every fault, and then nothing is kept
 * (unless keep_going: the good letters are; never a print file with
 * letters missing).  Letters wait under temporary names in the output
 * folder until every one is known to be right, and are moved into place
 * only then.  The run itself stops at the first failure that is not a
 * letter's (an input that cannot be read, the system, a worker), or when
 * `writing` refuses; what it wrote is then removed.
 */
#ifndef LM_RUN_H
#define LM_RUN_H

#include <stddef.h>
#include <sys/types.h>

#include "area.h"
#include "batch.h"
#include "check.h"
#include "csv.h"
#include "date.h"
#include "diag.h"
#include "sign.h"

struct lm_run_opts {
	/* what is read */
	const char *fonts_dir;
	const char *letter;            /* letters/NAME.md */
	const char *lang;              /* --lang ("cy", "cy+en"), or NULL */
	const char *const *areas;      /* area folders, nareas of them */
	const char *const *recipients; /* each area's recipients file ("-": stdin), or NULL; NULL: none has */
	size_t nareas;
	const char *const *inputs;     /* other files the run reads (a key, a password file), NULL-ended */
	enum lm_input_encoding encoding;
	char delim;
	const struct lm_where *where;
	size_t nwhere;
	const char *sheet;
	struct lm_check_opts check;    /* today (the letters' date too), stale days */
	int large_print;
	/* signing: every file, by signer (NULL: none) */
	const struct lm_signer *signer;
	long long signing_time;
	int sign_visible;
	/* what is written: a file a letter (pattern), or one print file */
	const char *pattern;
	const char *combine;
	int duplex;
	const char *manifest;          /* its file (not "-"): no letter may be written there; else NULL */
	int digests;                   /* sha256 of each file (for the manifest) */
	int skip_existing, keep_going;
	size_t shard_k, shard_n;       /* the K-th of N slices; 1/1 for all */
	long only_row;                 /* --row N (0: any) ... */
	const char *only_key;          /* ... --only KEY (NULL: any): one letter */
	int only;                      /* set when either is given */
	unsigned jobs;                 /* worker processes, 1 to 256 */
};

enum lm_run_phase { LM_RUN_CHECKING, LM_RUN_WRITING };

/* A file the run wrote (or, with skip_existing, found written). */
struct lm_run_file {
	const char *path;
	const char *area;              /* its area's id ("" for a print file of several) */
	const char *key;               /* its recipient's (the first column), or "" */
	size_t letters;
	const struct lm_result *result;
};

struct lm_run_callbacks {
	void *ctx;
	/* a finding: of a letter (letter 1: the same one is found in many
	 * letters, so say each once a run; `area` set when the run has several
	 * areas), or of the run's inputs (letter 0) */
	void (*finding)(void *ctx, const struct lm_diag *d, const struct lm_area *area, int letter);
	/* what --where left out of recipients file `file` */
	void (*note)(void *ctx, const char *file, const char *text);
	void (*progress)(void *ctx, enum lm_run_phase phase, size_t done, size_t total);
	/* about to write letters [first, end) of the run: 0 goes on, anything
	 * else stops the run (returned in lm_run_result.stop) */
	int (*writing)(void *ctx, size_t first, size_t end);
	/* letters wait under temporary names of this process in `dir` (NULL:
	 * no more); moving 1: they are being moved into place */
	void (*staging)(void *ctx, const char *dir, int moving);
	/* worker processes started (n 0: gone) */
	void (*workers)(void *ctx, const pid_t *pids, size_t n);
	/* a file in place, in letter order */
	void (*file_done)(void *ctx, const struct lm_run_file *f);
};

enum lm_run_outcome {
	LM_RUN_WRITTEN,        /* the files are in place (with keep_going, some letters may have failed) */
	LM_RUN_NO_AREAS,       /* not one area could be read */
	LM_RUN_EMPTY_SHARD,    /* this shard has no letters */
	LM_RUN_AREAS_BROKEN,   /* areas could not be read: nothing written */
	LM_RUN_LETTERS_FAILED, /* letters have errors: nothing written */
	LM_RUN_PRINT_REFUSED,  /* keep_going, but a print file cannot leave letters out: nothing written */
	LM_RUN_STOPPED,        /* `writing` refused: stop */
	LM_RUN_FAILED,         /* the run failed: error */
	LM_RUN_WORKERS_FAILED, /* the worker pool failed: error */
};

struct lm_run_result {
	enum lm_run_outcome outcome;
	size_t letters;                 /* of this run's slice */
	size_t written, skipped, failed, pages, bytes;
	enum lm_diag_kind worst;        /* the worst kind of the letters' errors */
	size_t areas, broken;           /* areas asked for, and those that could not be read */
	enum lm_diag_kind broken_kind;
	size_t shard_k, shard_n;
	int stop;                       /* what `writing` returned */
	struct lm_diag error;           /* LM_RUN_FAILED, LM_RUN_WORKERS_FAILED */
};

/* Runs the build.  Returns 0 when the files are in place and no letter
 * failed, else 1 (see res->outcome). */
int lm_run(const struct lm_run_opts *o, const struct lm_run_callbacks *cb, struct lm_run_result *res);

/* The folder every output of `pattern` goes in: the pattern up to the
 * last '/' before its first placeholder ("." when none).  malloc'd. */
char *lm_run_folder_of(const char *pattern);

#endif
