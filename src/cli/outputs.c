#include "outputs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../buf.h"
#include "../fileio.h"
#include "../run.h"
#include "cli.h"

/* The folders this run made for its outputs, to remove again (when still
 * empty) if it writes nothing there. */
static char *made[64];
static size_t nmade;

/* mkdir -p, noting what it made */
static int make_folder(const char *dir)
{
	char *p = lm_xstrdup(dir);
	int rc = 0;
	for (char *s = p + 1;; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		if (!mkdir(p, 0777)) {
			if (nmade < sizeof(made) / sizeof(*made))
				made[nmade++] = lm_xstrdup(p);
		} else if (errno != EEXIST) {
			rc = -1;
		}
		*s = c;
		if (!c || rc)
			break;
	}
	free(p);
	return rc;
}

/* The lock files this process holds, by identity: closing a second
 * descriptor of one of them would drop its POSIX locks. */
static struct { dev_t dev; ino_t ino; int fd; char *path; } held[8];
static size_t nheld;

/* What process `pid` runs, from /proc, for the message ("" if unknown). */
static void command_of(pid_t pid, char *out, size_t n)
{
	char path[64];
	out[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return;
	size_t got = fread(out, 1, n - 1, fp);
	fclose(fp);
	out[got] = '\0';
	while (got && (unsigned char)out[got - 1] < 0x20)
		out[--got] = '\0';
	for (size_t i = 0; i < got; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = ' ';
}

/* Takes the record lock on the lock file `path`; 1 when it was removed
 * (by a run that finished) between our open and our lock: try again. */
static int lock_once(const char *dir, const char *path, size_t first, size_t end, int *rc)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
	struct stat st, now;
	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "%s: error: cannot lock the output folder (%s): %s\n", dir, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		*rc = LM_EXIT_SYSTEM;
		return 0;
	}
	size_t h;
	for (h = 0; h < nheld; h++)
		if (held[h].dev == st.st_dev && held[h].ino == st.st_ino)
			break;
	if (h < nheld) {
		close(fd);
		fd = held[h].fd;
	}
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = (off_t)first,
			    .l_len = (off_t)(end > first ? end - first : 1) };
	if (fcntl(fd, F_SETLK, &fl)) {
		int e = errno;
		struct flock who = fl;
		char cmd[512] = "";
		if ((e == EACCES || e == EAGAIN) && !fcntl(fd, F_GETLK, &who) && who.l_type != F_UNLCK) {
			command_of(who.l_pid, cmd, sizeof(cmd));
			fprintf(stderr, "%s: error: another run is writing these letters into this folder "
				"(process %ld%s%s%s); wait for it to finish, or write somewhere else\n",
				dir, (long)who.l_pid, cmd[0] ? ": '" : "", cmd, cmd[0] ? "'" : "");
		} else {
			fprintf(stderr, "%s: error: cannot lock the output folder (%s): %s\n", dir, path,
				strerror(e));
		}
		if (h == nheld)
			close(fd);
		*rc = LM_EXIT_SYSTEM;
		return 0;
	}
	if (h == nheld && (stat(path, &now) || now.st_dev != st.st_dev || now.st_ino != st.st_ino)) {
		close(fd);
		return 1;
	}
	if (h == nheld && nheld < sizeof(held) / sizeof(*held)) {
		held[nheld].dev = st.st_dev;
		held[nheld].ino = st.st_ino;
		held[nheld].path = lm_xstrdup(path);
		held[nheld++].fd = fd;
	}
	*rc = 0;
	return 0;
}

int out_lock(const char *dir, size_t first, size_t end)
{
	struct lm_buf path = LM_BUF_INIT;
	lm_buf_addf(&path, "%s/.lettermerge.lock", dir);
	int rc = LM_EXIT_SYSTEM;
	if (make_folder(dir))
		fprintf(stderr, "%s: error: cannot create the output folder: %s\n", dir, strerror(errno));
	else
		for (int tries = 0; tries < 100 && lock_once(dir, path.ptr, first, end, &rc); tries++)
			;
	lm_buf_release(&path);
	return rc;
}

void out_unlock(void)
{
	for (size_t i = 0; i < nheld; i++) {
		/* removed only when no other run (a shard) holds a part of it;
		 * one that opened it meanwhile sees it gone and makes a new one */
		struct flock all = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
		if (!fcntl(held[i].fd, F_SETLK, &all))
			unlink(held[i].path);
		close(held[i].fd);
		free(held[i].path);
	}
	nheld = 0;
	/* deepest first; a folder with letters in it stays */
	while (nmade) {
		rmdir(made[--nmade]);
		free(made[nmade]);
	}
}

/* The pid in a temporary name of ours, or 0. */
static long temp_pid(const char *base)
{
	if (!lm_is_temp_name(base))
		return 0;
	return strtol(base + strlen(LM_TEMP_PREFIX), NULL, 10);
}

static size_t remove_stale(const char *dir, int depth)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return 0;
	size_t n = 0;
	struct dirent *e;
	struct lm_buf p = LM_BUF_INIT;
	while ((e = readdir(dp))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		lm_buf_reset(&p);
		lm_buf_addf(&p, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p.ptr, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 8)
				n += remove_stale(p.ptr, depth + 1);
			continue;
		}
		long pid = temp_pid(e->d_name);
		/* a temporary file of a run still going (another shard) is not stale */
		if (S_ISREG(st.st_mode) && pid > 0 && pid != (long)getpid() &&
		    kill((pid_t)pid, 0) && errno == ESRCH && !unlink(p.ptr))
			n++;
	}
	lm_buf_release(&p);
	closedir(dp);
	return n;
}

size_t out_remove_stale_temps(const char *dir)
{
	return remove_stale(dir, 0);
}

/* ---- signals ---- */

#define SLOTS 4
static char folders[SLOTS][4096];
static volatile sig_atomic_t folder_set[SLOTS];
static const pid_t *workers;
static volatile sig_atomic_t nworkers;

void out_temp_folder(int slot, const char *path_in_dir)
{
	folder_set[slot] = 0;
	if (!path_in_dir)
		return;
	const char *slash = strrchr(path_in_dir, '/');
	size_t n = slash ? (size_t)(slash - path_in_dir) + 1 : 0;
	if (n >= sizeof(folders[slot]))
		return;
	memcpy(folders[slot], path_in_dir, n);
	folders[slot][n] = '\0';
	folder_set[slot] = 1;
}

static char stage[4096];
static volatile sig_atomic_t stage_set;

void out_stage_folder(const char *dir)
{
	stage_set = 0;
	if (!dir || strlen(dir) >= sizeof(stage))
		return;
	memcpy(stage, dir, strlen(dir) + 1);
	stage_set = 1;
}

void out_workers(const pid_t *pids, size_t n)
{
	nworkers = 0;
	workers = pids;
	nworkers = (sig_atomic_t)n;
}

/* Appends the decimal digits of `v` at `p`; returns the end. */
static char *put_num(char *p, unsigned long v)
{
	char tmp[24];
	int k = 0;
	do
		tmp[k++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (k)
		*p++ = tmp[--k];
	return p;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* Removes every file in `dir` whose name starts with `prefix`, reading the
 * folder with the getdents64 system call (opendir allocates, which a
 * signal handler must not).  A folder read while entries go may skip
 * some: read again until a pass finds none. */
static void remove_prefixed(const char *dir, const char *prefix, size_t np)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	static char buf[16384] __attribute__((aligned(8)));
	for (int pass = 0; pass < 8; pass++) {
		int removed = 0;
		long n;
		lseek(fd, 0, SEEK_SET);
		while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			for (long off = 0; off < n;) {
				/* struct linux_dirent64: ino, off, reclen, type, name */
				unsigned short reclen;
				memcpy(&reclen, buf + off + 16, sizeof(reclen));
				const char *name = buf + off + 19;
				if (!strncmp(name, prefix, np) && !unlinkat(fd, name, 0))
					removed = 1;
				off += reclen;
			}
		}
		if (!removed)
			break;
	}
	close(fd);
}

/* Only async-signal-safe calls: kill, waitpid, unlink, getpid, signal,
 * raise, open, getdents64. */
static void on_signal(int sig)
{
	int saved = errno;
	for (sig_atomic_t w = 0; w < nworkers; w++)
		if (workers[w] > 0)
			kill(workers[w], SIGTERM);
	for (sig_atomic_t w = 0; w < nworkers; w++)
		if (workers[w] > 0)
			while (waitpid(workers[w], NULL, 0) < 0 && errno == EINTR)
				;
	unsigned long pid = (unsigned long)getpid();
	if (stage_set) {
		char prefix[64];
		char *p = put_str(prefix, LM_TEMP_PREFIX);
		p = put_num(p, pid);
		*p++ = '-';
		*p = '\0';
		remove_prefixed(stage, prefix, (size_t)(p - prefix));
	}
	for (int s = 0; s < SLOTS; s++) {
		if (!folder_set[s])
			continue;
		char path[4096 + 64];
		for (unsigned long attempt = 0; attempt < 100; attempt++) {
			char *p = put_str(path, folders[s]);
			p = put_str(p, LM_TEMP_PREFIX);
			p = put_num(p, pid);
			*p++ = '-';
			p = put_num(p, attempt);
			p = put_str(p, LM_TEMP_SUFFIX);
			*p = '\0';
			unlink(path);
		}
	}
	errno = saved;
	signal(sig, SIG_DFL);
	raise(sig);
}

void out_catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int out_prepare(const char *out, const char *manifest, size_t first, size_t end, int resume)
{
	out_catch_signals();
	char *dirs[2] = { lm_run_folder_of(out), NULL };
	if (manifest && strcmp(manifest, "-"))
		dirs[1] = lm_run_folder_of(manifest);
	int rc = 0;
	for (int i = 0; i < 2 && !rc; i++) {
		if (!dirs[i] || (i && !strcmp(dirs[0], dirs[1])))
			continue;
		rc = out_lock(dirs[i], first, end);
		if (!rc && resume)
			out_remove_stale_temps(dirs[i]);
	}
	free(dirs[0]);
	free(dirs[1]);
	return rc;
}

void out_hold_signals(int hold)
{
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &stop, NULL);
}
