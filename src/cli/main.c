/* lettermerge - mail-merge letters from a template and an area's CSV files. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../suggest.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "build", cmd_build, "write letters as PDFs for areas and recipients" },
	{ "check", cmd_check, "check a letter and its areas' data; write nothing" },
	{ "fields", cmd_fields, "list the names a letter can use, with an area's values" },
	{ "verify", cmd_verify, "check the signatures of signed PDF letters" },
	{ "watch", cmd_watch, "preview a letter: build it again whenever its files change" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: lettermerge COMMAND [OPTIONS]\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(fp, "  %-10s %s\n", c->name, c->summary);
	fprintf(fp, "\n'lettermerge help COMMAND' (or 'lettermerge COMMAND --help') describes a command.\n"
		    "  --version  print the version\n  --help     show this help\n");
	fputs(cli_exit_help, fp);
}

static const struct command *find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(name, c->name))
			return c;
	return NULL;
}

/* "biuld": the command nearest to what was typed. */
static int unknown(const char *name)
{
	struct lm_suggest sg;
	lm_suggest_init(&sg, name);
	for (const struct command *c = commands; c->name; c++)
		lm_suggest_add(&sg, c->name);
	if (sg.best)
		fprintf(stderr, "lettermerge: unknown command '%s'; did you mean '%s'? (see 'lettermerge --help')\n",
			name, sg.best);
	else
		fprintf(stderr, "lettermerge: unknown command '%s'; see 'lettermerge --help'\n", name);
	return LM_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* Each letter allocates and frees a few megabytes (libharu's objects,
	 * layouts, buffers).  glibc would hand that back to the kernel after
	 * every letter and fault it in again for the next: most of a run's
	 * time went to brk and page faults.  Keep it. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
	mallopt(M_MMAP_THRESHOLD, 32 << 20);

	if (argc < 2) {
		usage(stderr);
		return LM_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc < 3)) {
		usage(stdout);
		return LM_EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		/* "lettermerge help build" is "lettermerge build --help" */
		const struct command *c = find(argv[2]);
		if (!c)
			return unknown(argv[2]);
		char *args[] = { argv[2], "--help", NULL };
		return c->fn(2, args);
	}
	if (!strcmp(argv[1], "--version")) {
		printf("lettermerge %s\n", LM_VERSION);
		return LM_EXIT_OK;
	}
	const struct command *c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	return c->fn(argc - 1, argv + 1);
}
