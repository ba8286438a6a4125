#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_parse(const char *cmd, int argc, char **argv, const struct cli_option *opts,
	      struct cli_parsed *out)
{
	memset(out, 0, sizeof(*out));
	int only_args = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (only_args || a[0] != '-' || !a[1]) {
			if (out->nargs == CLI_MAX_ARGS) {
				fprintf(stderr, "lettermerge %s: too many arguments\n", cmd);
				return -1;
			}
			out->args[out->nargs++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_args = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			out->help = 1;
			continue;
		}
		int k = -1;
		const char *inline_val = NULL;
		for (int j = 0; opts[j].name; j++) {
			if (a[1] == '-') {
				size_t n = strlen(opts[j].name);
				if (!strncmp(a + 2, opts[j].name, n) && (a[2 + n] == '\0' || a[2 + n] == '=')) {
					k = j;
					if (a[2 + n] == '=')
						inline_val = a + 3 + n;
					break;
				}
			} else if (opts[j].short_name && a[1] == opts[j].short_name) {
				k = j;
				if (a[2])
					inline_val = a + 2;
				break;
			}
		}
		if (k < 0) {
			fprintf(stderr, "lettermerge %s: unknown option '%s'; see 'lettermerge %s --help'\n",
				cmd, a, cmd);
			return -1;
		}
		if (!opts[k].arg) {
			if (inline_val) {
				fprintf(stderr, "lettermerge %s: option '--%s' takes no value\n", cmd, opts[k].name);
				return -1;
			}
			out->value[k] = "";
		} else if (inline_val) {
			out->value[k] = inline_val;
		} else if (i + 1 < argc) {
			out->value[k] = argv[++i];
		} else {
			fprintf(stderr, "lettermerge %s: option '--%s' needs a value (%s)\n", cmd,
				opts[k].name, opts[k].arg);
			return -1;
		}
		if (opts[k].repeat) {
			if (out->nlist[k] == CLI_MAX_ARGS) {
				fprintf(stderr, "lettermerge %s: '--%s' given too often\n", cmd, opts[k].name);
				return -1;
			}
			out->list[k][out->nlist[k]++] = out->value[k];
		}
	}
	return 0;
}

void cli_usage(FILE *fp, const char *synopsis, const char *about, const struct cli_option *opts)
{
	fprintf(fp, "usage: %s\n\n%s\n\noptions:\n", synopsis, about);
	for (int j = 0; opts[j].name; j++) {
		char left[64];
		if (opts[j].short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", opts[j].short_name, opts[j].name,
				 opts[j].arg ? " " : "", opts[j].arg ? opts[j].arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", opts[j].name, opts[j].arg ? " " : "",
				 opts[j].arg ? opts[j].arg : "");
		fprintf(fp, "  %-30s %s%s\n", left, opts[j].help, opts[j].repeat ? " (repeatable)" : "");
	}
	fprintf(fp, "  %-30s %s\n", "-h, --help", "show this help");
	fprintf(fp, "\nexit status: 0 all written; 1 an input is wrong (each message names file:line:column;\n"
		    "nothing is written for a failing letter); 2 the command line is wrong\n");
}

void cli_print_diag(const struct lm_diag *d)
{
	char line[2200];
	lm_diag_format(d, line, sizeof(line));
	fprintf(stderr, "%s\n", line);
}

const char *cli_fonts_dir(const char *opt)
{
	if (opt)
		return opt;
	const char *env = getenv("LETTERMERGE_FONTS");
	if (env && *env)
		return env;
	if (!access("fonts/LiberationSans-Regular.ttf", R_OK))
		return "fonts";
	return LM_FONTS_DIR;
}
