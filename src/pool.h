/* pool.h - a run's tasks done by worker processes, their results handed
 * back in order.
 *
 * As git's run_processes_parallel() owns its children behind callbacks,
 * the pool owns its workers: the caller says what one task is (`work`)
 * and what to do with its result (`take`), and the pool does the rest.
 *
 * The contract:
 * - Tasks first .. end-1 are dealt round-robin: worker w does first+w,
 *   first+w+jobs, ...  A task `skip` refuses is neither done nor taken.
 * - A worker is a fork of the caller.  For each of its tasks it calls
 *   `work`, which appends the task's result (any bytes) to a buffer and
 *   returns 0, or 1 when the task failed.  The result goes to a file of
 *   the worker's own in $TMPDIR (else /tmp), and one byte down a pipe, so
 *   the caller hears of each task as it is done (`progress`, any order).
 * - When every worker has exited, `take` is called in the caller once a
 *   task, in task order, with its result: what the caller reports does not
 *   depend on the number of workers, and one result is held at a time.
 * - With jobs 1 the tasks run in the caller's process, the same way.
 * - `work` runs in the worker: what it changes in memory is lost when the
 *   worker exits (_exit: no atexit handlers, no stdio buffers of the
 *   caller flushed; the pool flushes stdio before it forks).  A worker
 *   dies with the caller (PR_SET_PDEATHSIG).
 * - The pool never prints.  It fails (-1, d filled, kind SYSTEM or BUG,
 *   `take` not called) when it cannot make its files or pipe, cannot
 *   fork, or a worker dies or loses results.  A worker that cannot write
 *   its results exits 3; one killed by SIGKILL (the kernel's out-of-memory
 *   killer) is a system failure too; any other death is a bug.
 */
#ifndef LM_POOL_H
#define LM_POOL_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "diag.h"

struct lm_pool {
	size_t first, end;  /* the tasks */
	unsigned jobs;      /* worker processes, 1 (this process) to 256 */
	void *ctx;          /* passed to every callback */
	/* 1: the task is not done or taken (may be NULL: none skipped) */
	int (*skip)(void *ctx, size_t task);
	/* does `task` (in a worker), appending its result to `out`; 0 done, 1 failed */
	int (*work)(void *ctx, size_t task, struct lm_buf *out);
	/* in the caller, as tasks are done: how many (skipped ones count as
	 * done) and how many of them failed (may be NULL) */
	void (*progress)(void *ctx, size_t done, size_t failed);
	/* in the caller, once every worker is done: each task's result in order */
	void (*take)(void *ctx, size_t task, int failed, const char *data, size_t len);
	/* told the workers' process ids once started, and n 0 when they are
	 * gone (in the caller) or in the worker itself (may be NULL): a
	 * signal handler stops them */
	void (*workers)(void *ctx, const pid_t *pids, size_t n);
	/* out: tasks done and failed */
	size_t done, failed;
};

/* Runs the pool.  Returns 0, or -1 with d filled. */
int lm_pool_run(struct lm_pool *p, struct lm_diag *d);

#endif
