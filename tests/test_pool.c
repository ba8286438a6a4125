/* test_pool.c - tasks in worker processes, results in order (pool.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool.h"

/* What a test's callbacks see. */
struct seen {
	pid_t parent;
	size_t skip_every;    /* skip tasks divisible by this (0: none) */
	size_t fail_every;    /* fail tasks divisible by this (0: none) */
	size_t die_at;        /* the task whose worker dies (SIZE_MAX: none) */
	int die_how;          /* 0 SIGTERM (a bug), 1 exit 3, 2 SIGKILL */
	struct lm_buf taken;  /* "task:failed:data;" as take saw them */
	size_t ntaken, last_done, progress_calls;
	int out_of_order, worker_count_told, workers_gone;
};

static int skip_task(void *ctx, size_t t)
{
	struct seen *s = ctx;
	return s->skip_every && t % s->skip_every == 0;
}

static int work(void *ctx, size_t t, struct lm_buf *out)
{
	struct seen *s = ctx;
	if (t == s->die_at) {
		if (s->die_how == 0)
			raise(SIGTERM); /* not SIGABRT: cmocka catches some signals */
		if (s->die_how == 1)
			_exit(3);
		raise(SIGKILL);
	}
	/* where it ran, so the test can tell workers from the caller */
	lm_buf_addf(out, "task %zu in %s", t, getpid() == s->parent ? "caller" : "worker");
	return s->fail_every && t % s->fail_every == 0;
}

static void progress(void *ctx, size_t done, size_t failed)
{
	struct seen *s = ctx;
	(void)failed;
	if (done < s->last_done)
		s->out_of_order = 1;
	s->last_done = done;
	s->progress_calls++;
}

static void take(void *ctx, size_t t, int failed, const char *data, size_t len)
{
	struct seen *s = ctx;
	assert_int_equal(strlen(data), len);
	lm_buf_addf(&s->taken, "%zu:%d:%s;", t, failed, data);
	s->ntaken++;
}

static void workers(void *ctx, const pid_t *pids, size_t n)
{
	struct seen *s = ctx;
	if (getpid() != s->parent)
		return; /* in a worker: its copy of `s` is its own */
	if (n) {
		assert_non_null(pids);
		s->worker_count_told = (int)n;
	} else {
		s->workers_gone = 1;
	}
}

static void setup(struct seen *s, struct lm_pool *p, unsigned jobs, size_t first, size_t end)
{
	memset(s, 0, sizeof(*s));
	s->parent = getpid();
	s->die_at = SIZE_MAX;
	lm_buf_init(&s->taken);
	memset(p, 0, sizeof(*p));
	p->first = first;
	p->end = end;
	p->jobs = jobs;
	p->ctx = s;
	p->skip = skip_task;
	p->work = work;
	p->progress = progress;
	p->take = take;
	p->workers = workers;
}

/* The results a run of tasks [3, 40) gives with `jobs` workers. */
static char *results(unsigned jobs, size_t *failed, size_t *done)
{
	struct seen s;
	struct lm_pool p;
	struct lm_diag d;
	setup(&s, &p, jobs, 3, 40);
	s.skip_every = 7;
	s.fail_every = 5;
	assert_int_equal(lm_pool_run(&p, &d), 0);
	assert_false(s.out_of_order);
	assert_int_equal(s.last_done, 37);
	*failed = p.failed;
	*done = p.done;
	if (jobs > 1) {
		assert_int_equal(s.worker_count_told, jobs < 37 ? jobs : 37); /* no more workers than tasks */
		assert_true(s.workers_gone);
		assert_non_null(strstr(s.taken.ptr, "in worker"));
		assert_null(strstr(s.taken.ptr, "in caller"));
	} else {
		assert_int_equal(s.worker_count_told, 0);
		assert_null(strstr(s.taken.ptr, "in worker"));
	}
	/* the place is no part of the result compared */
	char *r = lm_buf_detach(&s.taken, NULL);
	for (char *q; (q = strstr(r, " in worker")) || (q = strstr(r, " in caller"));)
		memmove(q, q + 10, strlen(q + 10) + 1);
	return r;
}

static void test_in_order_whatever_the_workers(void **state)
{
	(void)state;
	size_t failed1, done1;
	char *one = results(1, &failed1, &done1);
	/* tasks 3..39 less 7, 14, 21, 28, 35; failed: 5, 10, 15, 20, 25, 30 */
	assert_non_null(strstr(one, "3:0:task 3;4:0:task 4;5:1:task 5;6:0:task 6;8:0:task 8;"));
	assert_null(strstr(one, ";7:"));
	assert_null(strstr(one, ";14:"));
	assert_non_null(strstr(one, "36:0:task 36;37:0:task 37;38:0:task 38;39:0:task 39;"));
	assert_int_equal(failed1, 6);
	assert_int_equal(done1, 37);
	static const unsigned jobs[] = { 2, 3, 8, 256 };
	for (size_t i = 0; i < sizeof(jobs) / sizeof(*jobs); i++) {
		size_t failed, done;
		char *many = results(jobs[i], &failed, &done);
		assert_string_equal(many, one);
		assert_int_equal(failed, failed1);
		assert_int_equal(done, done1);
		free(many);
	}
	free(one);
}

static void test_no_tasks(void **state)
{
	(void)state;
	struct seen s;
	struct lm_pool p;
	struct lm_diag d;
	setup(&s, &p, 4, 5, 5);
	assert_int_equal(lm_pool_run(&p, &d), 0);
	assert_int_equal(s.ntaken, 0);
	lm_buf_release(&s.taken);
}

/* A worker's death fails the run, and nothing is taken. */
static void test_a_worker_dies(void **state)
{
	(void)state;
	static const enum lm_diag_kind kinds[] = { LM_KIND_BUG, LM_KIND_SYSTEM, LM_KIND_SYSTEM };
	static const char *const how[] = { "signal 15", "exit 3", "signal 9" };
	for (int k = 0; k < 3; k++) {
		struct seen s;
		struct lm_pool p;
		struct lm_diag d;
		setup(&s, &p, 3, 0, 30);
		s.die_at = 17;
		s.die_how = k;
		lm_diag_clear(&d);
		assert_int_equal(lm_pool_run(&p, &d), -1);
		assert_int_equal(d.kind, kinds[k]);
		assert_non_null(strstr(d.msg, "worker 2 died"));
		assert_non_null(strstr(d.msg, how[k]));
		assert_int_equal(s.ntaken, 0);
		assert_true(s.workers_gone);
		lm_buf_release(&s.taken);
	}
}

/* Results go to $TMPDIR, and leave nothing there. */
static void test_tmpdir(void **state)
{
	(void)state;
	char dir[] = "/tmp/lm-pool-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *old = getenv("TMPDIR");
	char *saved = old ? strdup(old) : NULL;
	struct seen s;
	struct lm_pool p;
	struct lm_diag d;

	char missing[sizeof(dir) + 8];
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	setenv("TMPDIR", missing, 1);
	setup(&s, &p, 2, 0, 4);
	lm_diag_clear(&d);
	assert_int_equal(lm_pool_run(&p, &d), -1);
	assert_int_equal(d.kind, LM_KIND_SYSTEM);
	assert_non_null(strstr(d.msg, "cannot make a temporary file in"));
	assert_non_null(strstr(d.msg, missing));
	assert_int_equal(s.ntaken, 0);
	lm_buf_release(&s.taken);

	setenv("TMPDIR", dir, 1);
	setup(&s, &p, 2, 0, 4);
	assert_int_equal(lm_pool_run(&p, &d), 0);
	assert_int_equal(s.ntaken, 4);
	lm_buf_release(&s.taken);
	DIR *dp = opendir(dir);
	assert_non_null(dp);
	struct dirent *e;
	int others = 0;
	while ((e = readdir(dp)))
		others += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	assert_int_equal(others, 0);
	rmdir(dir);
	if (saved)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_order_whatever_the_workers),
		cmocka_unit_test(test_no_tasks),
		cmocka_unit_test(test_a_worker_dies),
		cmocka_unit_test(test_tmpdir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
