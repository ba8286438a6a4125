/* lettermerge verify: checks the signatures of signed letters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../buf.h"
#include "../fileio.h"
#include "../sign.h"
#include "cli.h"

enum { OPT_TRUST };

static const struct cli_option options[] = {
	[OPT_TRUST] = { "trust", 't', "CA.pem", "the authority's CA certificate(s), PEM (required)" },
	{ NULL, 0, NULL, NULL },
};

static const char synopsis[] = "lettermerge verify --trust CA.pem FILE.pdf...";
static const char about[] =
	"Checks the signature of each signed PDF: it covers the whole file but the\n"
	"signature value, the document was not changed after signing, and the signer's\n"
	"certificate chains up to a certificate in CA.pem at the signing time.\n"
	"Prints one line per file: 'FILE: valid, signed by NAME on DATE' or\n"
	"'FILE: error: ...'.  Exit status 1 when any file is not valid.";


int cmd_verify(int argc, char **argv)
{
	struct cli_parsed o;
	if (cli_parse("verify", argc, argv, options, &o))
		return LM_EXIT_USAGE;
	if (o.help) {
		cli_usage(stdout, synopsis, about, options);
		return LM_EXIT_OK;
	}
	if (o.nargs < 1 || !o.value[OPT_TRUST] || !*o.value[OPT_TRUST])
		return cli_usage_error("verify", synopsis,
				       o.nargs < 1 ? "give at least one FILE.pdf" : "--trust is required");
	const char *trust = o.value[OPT_TRUST];
	int rc = LM_EXIT_OK;
	struct lm_buf pdf = LM_BUF_INIT;
	for (int i = 0; i < o.nargs; i++) {
		const char *path = o.args[i];
		struct lm_diag d;
		struct lm_verify_result r;
		lm_diag_clear(&d);
		lm_buf_reset(&pdf);
		if (lm_read_file(path, &pdf, &d)) {
			printf("%s: error: %s\n", path, d.msg);
			if (cli_exit_for(d.kind) > rc)
				rc = cli_exit_for(d.kind);
			continue;
		}
		if (lm_verify_pdf(pdf.ptr, pdf.len, trust, &r, &d)) {
			if (d.file[0])
				printf("%s: error: %s: %s\n", path, d.file, d.msg);
			else
				printf("%s: error: %s\n", path, d.msg);
			if (cli_exit_for(d.kind) > rc)
				rc = cli_exit_for(d.kind);
			continue;
		}
		char when[64] = "an unknown date";
		time_t t = (time_t)r.signing_time;
		struct tm tm;
		if (r.signing_time && gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		printf("%s: valid, signed by %s on %s\n", path, r.signer, when);
	}
	lm_buf_release(&pdf);
	fflush(stdout);
	return rc;
}
