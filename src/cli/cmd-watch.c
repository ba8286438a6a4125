/* lettermerge watch: a live preview.  Builds one letter, then builds it
 * again whenever a file it is made from changes (inotify), so a PDF viewer
 * that reloads on change shows every edit.
 *
 * Each build starts from nothing (fonts, letter, area, recipients read
 * afresh), so what is previewed is exactly what `build` would write; a
 * letter builds in tens of milliseconds, well inside the second an author
 * waits.  A build that fails prints its findings and leaves the last good
 * PDF in place (it is written to a temporary file and renamed).  SIGINT and
 * SIGTERM are blocked while a build runs and taken only while waiting, so
 * a stop never interrupts a write. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "../batch.h"
#include "../buf.h"
#include "../lang.h"
#include "cli.h"

enum {
	OPT_AREA, OPT_RECIPIENTS, OPT_ROW, OPT_ONLY, OPT_OUTPUT, OPT_DATE, OPT_FONTS, OPT_ENCODING, OPT_STALE,
	OPT_LARGE_PRINT, OPT_QUIET, OPT_LANG,
};

static const struct cli_option options[] = {
	[OPT_AREA] = { "area", 'a', "DIR", "the area folder, e.g. areas/liverpool", 0 },
	[OPT_RECIPIENTS] = { "recipients", 'r', "FILE", "a recipients CSV: preview the letter of one of its rows", 0 },
	[OPT_ROW] = { "row", 0, "N", "with --recipients: the row to preview, 1 the first after the header (default 1), as build --row", 0 },
	[OPT_ONLY] = { "only", 0, "KEY", "with --recipients: preview the recipient whose first column is KEY, as build --only", 0 },
	[OPT_OUTPUT] = { "output", 'o', "PREVIEW.pdf", "the PDF to write and keep up to date", 0 },
	[OPT_DATE] = { "date", 'd', "YYYY-MM-DD", "the letter's date (default: $SOURCE_DATE_EPOCH, else today)", 0 },
	[OPT_FONTS] = { "fonts", 0, "DIR", "folder of the Liberation Sans TTF files (default: fonts/)", 0 },
	[OPT_ENCODING] = { "input-encoding", 0, "ENC", "CSV files are utf-8 (default) or windows-1252 (Excel's plain CSV)", 0 },
	[OPT_STALE] = { "stale-after", 0, "DAYS", "warn about 'verified' dates older than this (default 365)", 0 },
	[OPT_LARGE_PRINT] = { "large-print", 0, NULL, "preview the large-print edition", 0 },
	[OPT_QUIET] = { "quiet", 'q', NULL, "print errors only, no warnings or progress", 0 },
	[OPT_LANG] = { "lang", 0, "TAG", "preview the translation NAME.TAG.md (cy), or a bilingual letter (cy+en), as build --lang", 0 },
	{ NULL, 0, NULL, NULL, 0 },
};

static const char synopsis[] =
	"lettermerge watch LETTER --area DIR [--recipients FILE [--row N | --only KEY]] -o PREVIEW.pdf [options]";
static const char about[] =
	"Builds the letter for one area (and one recipient row) into PREVIEW.pdf, then\n"
	"builds it again within a second whenever the letter, a partial, an area file,\n"
	"the recipients file or an image changes.  Findings are printed as each build\n"
	"finds them; a build with errors leaves the last good PDF as it was, and watching\n"
	"goes on.  Open PREVIEW.pdf in a viewer that reloads on change (Evince, Okular,\n"
	"SumatraPDF).  Stop with Ctrl-C (SIGINT) or SIGTERM: exit status 0.";

struct watch {
	const char *letter, *area, *recipients, *output;
	const char *lang;             /* --lang, or NULL */
	size_t row;                   /* 1-based; 0 for any (then --only, or row 1) */
	const char *only;             /* --only KEY, or NULL */
	struct lm_date date;
	int stale_days;
	enum lm_input_encoding enc;
	int large_print, quiet;
	const char *fonts;
	int ifd;                      /* inotify */
	const char *out_base;         /* the output's file name: its events are ours */
	struct lm_buf dirs;           /* folders watched, NUL-separated */
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void note(const struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(const struct watch *w, const char *fmt, ...)
{
	if (w->quiet)
		return;
	time_t now = time(NULL);
	struct tm tm;
	char at[16];
	localtime_r(&now, &tm);
	strftime(at, sizeof(at), "%H:%M:%S", &tm);
	fprintf(stderr, "watch %s: ", at);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Watches folder `dir` (once) for files written, renamed into it or
 * removed: editors and spreadsheet programs save by either. */
static void watch_dir(struct watch *w, const char *dir)
{
	for (size_t i = 0; i < w->dirs.len; i += strlen(w->dirs.ptr + i) + 1)
		if (!strcmp(w->dirs.ptr + i, dir))
			return;
	if (inotify_add_watch(w->ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE |
					   IN_MOVED_FROM | IN_ONLYDIR) < 0)
		return; /* not there (yet): a partials folder a letter does without */
	lm_buf_add(&w->dirs, dir, strlen(dir) + 1);
}

static void watch_dir_of(struct watch *w, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct lm_buf dir = LM_BUF_INIT;
	if (slash)
		lm_buf_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
	else
		lm_buf_adds(&dir, ".");
	watch_dir(w, dir.ptr);
	lm_buf_release(&dir);
}

/* The folders a build read from: the letter's and its partials', the
 * area's, the recipients file's, and every folder an image came from. */
static void watch_inputs(struct watch *w, const struct lm_batch *b)
{
	watch_dir_of(w, w->letter);
	struct lm_buf p = LM_BUF_INIT;
	const char *slash = strrchr(w->letter, '/');
	if (slash)
		lm_buf_add(&p, w->letter, (size_t)(slash - w->letter) + 1);
	lm_buf_adds(&p, "partials");
	watch_dir(w, p.ptr);
	lm_buf_release(&p);
	watch_dir(w, w->area);
	if (w->recipients)
		watch_dir_of(w, w->recipients);
	for (size_t a = 0; a < lm_batch_nareas(b); a++)
		for (size_t i = 0; i < lm_batch_area_images(b, a)->nall; i++)
			watch_dir_of(w, lm_batch_area_images(b, a)->all[i].path);
}

/* One build.  Returns 0 when the PDF was written. */
static int build_once(struct watch *w)
{
	struct lm_batch_opts bo = { .encoding = w->enc, .date = w->date, .large_print = w->large_print };
	struct lm_batch *b = lm_batch_new(&bo);
	struct lm_diag d;
	size_t first, end;
	struct lm_findings f;
	int rc = -1;
	lm_diag_clear(&d);
	lm_findings_init(&f);
	f.sink = cli_print_finding;
	f.sink_ctx = &w->quiet;
	/* a missing translation is an error of this build: writing the file
	 * brings the preview */
	if (lm_batch_load(b, w->fonts, w->letter, &d) ||
	    (w->lang && lm_batch_set_lang(b, w->lang, &d)) ||
	    lm_batch_add_area(b, w->area, w->recipients, &d) || lm_batch_plan(b, NULL, 1, 1, &d))
		goto fail;
	/* one letter: the recipient asked for (as build --row / --only pick it) */
	if (w->recipients && lm_batch_only(b, (long)w->row, w->only, &d))
		goto fail;
	/* never over the letter, an area file, an image or the recipients */
	if (lm_batch_check_output(b, w->output, "-o", &d))
		goto fail;
	struct lm_check_opts co = { .today = w->date, .stale_days = w->stale_days };
	if (lm_batch_validate(b, &co, &f, &d))
		goto fail;
	struct lm_cursor c;
	lm_cursor_init(&c, b);
	lm_batch_slice(b, &first, &end);
	int bad = lm_cursor_seek(&c, first, &d);
	if (bad)
		f.errors++, cli_print_diag(&d);
	else if (lm_batch_check(b, &c.job, &f, &d) && d.msg[0])
		lm_findings_add(&f, &d);
	lm_cursor_release(&c);
	if (f.errors || lm_batch_is_bad(b, first)) {
		note(w, "%s not written: fix the errors above; watching for changes", w->output);
		goto out;
	}
	struct lm_result res;
	if (lm_batch_prepare_fonts(b, &d) ||
	    lm_batch_combine(b, w->output, 0, NULL, &res, &d))
		goto fail;
	note(w, "wrote %s (%zu page%s)", w->output, res.pages, res.pages == 1 ? "" : "s");
	rc = 0;
	goto out;
fail:
	cli_print_diag(&d);
	note(w, "%s not written; watching for changes", w->output);
out:
	watch_inputs(w, b);
	lm_findings_release(&f);
	lm_batch_free(b);
	return rc;
}

/* 1 when the events in buf[0..n) name a file we read, not the preview. */
static int relevant(const struct watch *w, const char *buf, ssize_t n)
{
	size_t base = strlen(w->out_base);
	for (ssize_t i = 0; i < n;) {
		const struct inotify_event *ev = (const struct inotify_event *)(buf + i);
		i += (ssize_t)(sizeof(*ev) + ev->len);
		if (ev->mask & IN_Q_OVERFLOW)
			return 1;
		if (!ev->len || !ev->name[0] || ev->mask & IN_ISDIR)
			continue;
		const char *name = ev->name;
		/* our own PDF and its temporary file; editors' lock and swap files */
		if (!strncmp(name, w->out_base, base) && (!name[base] || !strncmp(name + base, ".tmp", 4)))
			continue;
		if (name[0] == '.' || name[0] == '#' || name[strlen(name) - 1] == '~')
			continue;
		return 1;
	}
	return 0;
}

/* Waits for a change.  Returns 1 for a change, 0 for a stop, -1 on error. */
static int wait_change(struct watch *w, const sigset_t *waiting)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	for (;;) {
		struct pollfd pfd = { .fd = w->ifd, .events = POLLIN };
		/* after a change, wait until the files have been quiet for 150 ms:
		 * a spreadsheet save is several writes and renames */
		struct timespec quiet = { 0, 150 * 1000 * 1000 };
		int n = ppoll(&pfd, 1, changed ? &quiet : NULL, waiting);
		if (stop_signal)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 1; /* quiet again after a change */
		ssize_t got = read(w->ifd, buf, sizeof(buf));
		if (got < 0 && errno != EINTR && errno != EAGAIN)
			return -1;
		if (got > 0 && relevant(w, buf, got))
			changed = 1;
	}
}

/* The command, once its command line is parsed into `parsed`. */
static int run(int argc, char **argv, const struct cli_parsed *parsed)
{
	struct cli_parsed o = *parsed; /* a copy of the pointers: released by cmd_watch */
	(void)argc;
	(void)argv;
	int early = cli_letter_and_area("watch", synopsis, about, options, &o, OPT_AREA, OPT_LANG,
					LM_LANG_MAX_PARTS);
	if (early >= 0)
		return early;
	if (!o.value[OPT_OUTPUT] || !*o.value[OPT_OUTPUT])
		return cli_usage_error("watch", synopsis, "-o PREVIEW.pdf is needed: the PDF to keep up to date");
	if ((o.value[OPT_ROW] || o.value[OPT_ONLY]) && !o.value[OPT_RECIPIENTS])
		return cli_usage_error("watch", synopsis, "--row and --only pick a recipient: give --recipients FILE");
	if (o.value[OPT_RECIPIENTS] && !strcmp(o.value[OPT_RECIPIENTS], "-"))
		return cli_usage_error("watch", synopsis, "--recipients must be a file to watch, not standard input");
	struct watch w = { .letter = o.args[0], .area = o.value[OPT_AREA],
			   .recipients = o.value[OPT_RECIPIENTS], .output = o.value[OPT_OUTPUT],
			   .lang = o.value[OPT_LANG],
			   .large_print = !!o.value[OPT_LARGE_PRINT], .quiet = !!o.value[OPT_QUIET],
			   .fonts = cli_fonts_dir(o.value[OPT_FONTS]), .dirs = LM_BUF_INIT };
	if (w.recipients) {
		w.only = o.value[OPT_ONLY];
		w.row = w.only ? 0 : 1;
		if (o.value[OPT_ROW]) {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(o.value[OPT_ROW], &end, 10);
			if (*end || !*o.value[OPT_ROW] || o.value[OPT_ROW][0] == '-' || errno || !n ||
			    n > SIZE_MAX / 2)
				return cli_usage_error("watch", synopsis,
						       "--row N: N is a recipient row, counting data rows from 1");
			w.row = (size_t)n;
		}
	}
	if (cli_pick_date("watch", o.value[OPT_DATE], &w.date) ||
	    cli_stale_days("watch", o.value[OPT_STALE], &w.stale_days) ||
	    cli_encoding("watch", o.value[OPT_ENCODING], &w.enc))
		return LM_EXIT_USAGE;
	const char *slash = strrchr(w.output, '/');
	w.out_base = slash ? slash + 1 : w.output;

	w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w.ifd < 0) {
		fprintf(stderr, "lettermerge watch: cannot watch files (inotify): %s\n", strerror(errno));
		return LM_EXIT_SYSTEM;
	}
	/* signals only while waiting: a build, and its write, always finish */
	sigset_t block, waiting;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waiting);
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGTERM);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	int rc = LM_EXIT_OK;
	build_once(&w);
	note(&w, "watching %s; Ctrl-C stops", w.letter);
	for (;;) {
		int r = wait_change(&w, &waiting);
		if (r < 0) {
			fprintf(stderr, "lettermerge watch: waiting for changes failed: %s\n", strerror(errno));
			rc = LM_EXIT_SYSTEM;
			break;
		}
		if (!r)
			break;
		build_once(&w);
	}
	if (stop_signal)
		note(&w, "stopped (%s)", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	close(w.ifd);
	lm_buf_release(&w.dirs);
	return rc;
}

int cmd_watch(int argc, char **argv)
{
	struct cli_parsed o;
	int rc = cli_parse("watch", argc, argv, options, &o) ? LM_EXIT_USAGE : run(argc, argv, &o);
	cli_parsed_release(&o);
	return rc;
}
