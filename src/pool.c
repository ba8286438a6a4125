#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* One task's result in a worker's file: this head, then `len` bytes. */
struct record {
	uint64_t task;
	uint32_t failed;
	uint32_t len;
};

/* A results file in $TMPDIR (tmpfile() would always use /tmp, which may be
 * small or shared), unlinked at once so nothing is left behind. */
static FILE *results_file(unsigned jobs, struct lm_diag *d)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	struct lm_buf path = LM_BUF_INIT;
	lm_buf_addf(&path, "%s/lettermerge-results-XXXXXX", dir);
	int fd = mkstemp(path.ptr);
	FILE *fp = NULL;
	if (fd >= 0) {
		unlink(path.ptr);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		if (!(fp = fdopen(fd, "w+b")))
			close(fd);
	}
	if (!fp) {
		int e = errno;
		if (e == EMFILE || e == ENFILE)
			lm_diag_setk(d, LM_KIND_SYSTEM, NULL, 0, 0,
				     "too many open files for %u workers (the limit, ulimit -n, is low): run with fewer --jobs, or raise the limit",
				     jobs);
		else
			lm_diag_setk(d, LM_KIND_SYSTEM, NULL, 0, 0,
				     "cannot make a temporary file in %s: %s (set TMPDIR to a writable folder)", dir,
				     strerror(e));
	}
	lm_buf_release(&path);
	return fp;
}

/* Does every `step`-th task from `from` into `fp`; with tick >= 0 (a
 * worker) a byte down it for each, else the pool's counts kept here.
 * Returns 0, or -1 when the results could not be written. */
static int do_tasks(struct lm_pool *p, size_t from, size_t step, FILE *fp, int tick)
{
	struct lm_buf out = LM_BUF_INIT;
	int rc = 0;
	for (size_t t = from; t < p->end && !rc; t += step) {
		if (p->skip && p->skip(p->ctx, t))
			continue;
		lm_buf_reset(&out);
		char failed = p->work(p->ctx, t, &out) != 0;
		struct record h = { t, (uint32_t)failed, (uint32_t)out.len };
		if (fwrite(&h, sizeof(h), 1, fp) != 1 || fwrite(out.ptr, 1, out.len, fp) != out.len)
			rc = -1;
		if (tick >= 0) {
			if (write(tick, &failed, 1) != 1)
				rc = -1;
		} else {
			p->done++;
			p->failed += (size_t)failed;
			if (p->progress)
				p->progress(p->ctx, p->done, p->failed);
		}
	}
	lm_buf_release(&out);
	if (fflush(fp))
		rc = -1;
	return rc;
}

/* Hands every task's result to `take`, in task order. */
static int replay(struct lm_pool *p, FILE **files, size_t jobs, struct lm_diag *d)
{
	struct lm_buf data = LM_BUF_INIT;
	int rc = 0;
	for (size_t w = 0; w < jobs; w++)
		rewind(files[w]);
	for (size_t t = p->first; t < p->end && !rc; t++) {
		if (p->skip && p->skip(p->ctx, t))
			continue;
		FILE *fp = files[(t - p->first) % jobs];
		struct record h;
		lm_buf_reset(&data);
		int whole = fread(&h, sizeof(h), 1, fp) == 1 && h.task == t;
		if (whole) {
			lm_buf_grow(&data, h.len);
			whole = fread(data.ptr, 1, h.len, fp) == h.len;
			data.len = h.len;
			data.ptr[data.len] = '\0';
		}
		if (!whole) {
			rc = lm_diag_setk(d, LM_KIND_SYSTEM, NULL, 0, 0,
					  "a worker's results end before letter %zu (is $TMPDIR full?); run again", t + 1);
			break;
		}
		if (p->take)
			p->take(p->ctx, t, (int)h.failed, data.ptr, data.len);
	}
	lm_buf_release(&data);
	return rc;
}

int lm_pool_run(struct lm_pool *p, struct lm_diag *d)
{
	size_t n = p->end > p->first ? p->end - p->first : 0;
	size_t jobs = p->jobs ? p->jobs : 1;
	if (jobs > n)
		jobs = n ? n : 1;
	p->done = p->failed = 0;
	for (size_t t = p->first; t < p->end && p->skip; t++)
		p->done += (size_t)(p->skip(p->ctx, t) != 0);
	FILE **files = lm_xcalloc(jobs, sizeof(*files));
	pid_t *pids = lm_xcalloc(jobs, sizeof(*pids));
	size_t started = 0;
	int rc = 0, fds[2] = { -1, -1 };
	for (size_t w = 0; w < jobs && !rc; w++)
		if (!(files[w] = results_file(p->jobs, d)))
			rc = -1;
	if (rc)
		goto out;
	if (jobs == 1) {
		if (do_tasks(p, p->first, 1, files[0], -1))
			rc = lm_diag_setk(d, LM_KIND_SYSTEM, NULL, 0, 0,
					  "cannot write the letters' results to $TMPDIR: %s", strerror(errno));
		else
			rc = replay(p, files, 1, d);
		goto out;
	}
	if (pipe(fds)) {
		int e = errno;
		rc = lm_diag_setk(d, LM_KIND_SYSTEM, NULL, 0, 0, "cannot start workers: %s%s", strerror(e),
				  e == EMFILE || e == ENFILE ? "; run with fewer --jobs, or raise ulimit -n" : "");
		goto out;
	}
	fflush(NULL);
	pid_t parent = getpid();
	for (size_t w = 0; w < jobs; w++, started++) {
		pids[w] = fork();
		if (pids[w] < 0) {
			rc = lm_diag_setk(d, LM_KIND_SYSTEM, NULL, 0, 0, "cannot start workers: %s",
					  strerror(errno));
			break;
		}
		if (pids[w] == 0) {
			/* a worker dies with the run: a killed run must not go
			 * on writing letters behind the user's back */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(3);
			if (p->workers)
				p->workers(p->ctx, NULL, 0);
			close(fds[0]);
			/* the worker's own file; the arrays are the caller's */
			FILE *mine = files[w];
			free(files);
			free(pids);
			_exit(do_tasks(p, p->first + w, jobs, mine, fds[1]) ? 3 : 0);
		}
	}
	close(fds[1]);
	if (p->workers)
		p->workers(p->ctx, pids, started);
	char tick[4096];
	for (;;) {
		ssize_t got = read(fds[0], tick, sizeof(tick));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		for (ssize_t i = 0; i < got; i++)
			p->failed += (size_t)(tick[i] != 0);
		p->done += (size_t)got;
		if (p->progress)
			p->progress(p->ctx, p->done, p->failed);
	}
	close(fds[0]);
	for (size_t w = 0; w < started; w++) {
		int status;
		while (waitpid(pids[w], &status, 0) < 0 && errno == EINTR)
			;
		if ((!WIFEXITED(status) || WEXITSTATUS(status)) && !rc) {
			/* exit 3: it could not write its results; SIGKILL: the
			 * machine ran out of memory; any other death is ours */
			int sys = WIFEXITED(status) ? WEXITSTATUS(status) == 3 : WTERMSIG(status) == SIGKILL;
			rc = lm_diag_setk(d, sys ? LM_KIND_SYSTEM : LM_KIND_BUG, NULL, 0, 0, "worker %zu died (%s %d)",
					  w, WIFSIGNALED(status) ? "signal" : "exit",
					  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
	if (p->workers)
		p->workers(p->ctx, NULL, 0);
	if (!rc)
		rc = replay(p, files, jobs, d);
out:
	for (size_t w = 0; w < jobs; w++)
		if (files[w])
			fclose(files[w]);
	free(files);
	free(pids);
	return rc ? -1 : 0;
}
