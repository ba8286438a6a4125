/* lettermerge verify: checks the signatures of signed letters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../buf.h"
#include "../fileio.h"
#include "../verify.h"
#include "cli.h"

enum { OPT_TRUST };

static const struct cli_option options[] = {
	[OPT_TRUST] = { "trust", 't', "CA.pem", "the authority's CA certificate(s), PEM (required)" },
	{ NULL, 0, NULL, NULL },
};

static const char synopsis[] = "lettermerge verify --trust CA.pem FILE.pdf...";
static const char about[] =
	"Checks every signature of each signed PDF: it covers its version of the file\n"
	"but the signature value, the digest and signature match, and the signer's\n"
	"certificate chains up to a certificate in CA.pem at the signing time; then\n"
	"that nothing added after a signature changes what a reader sees (pages,\n"
	"annotations, tags, document details), but later signatures.\n"
	"Prints one line per file: 'FILE: valid, signed by NAME on DATE' or\n"
	"'FILE: error: ...'.  Exit status 1 when any file is not valid.";


/* The command, once its command line is parsed into `parsed`. */
static int run(int argc, char **argv, const struct cli_parsed *parsed)
{
	struct cli_parsed o = *parsed; /* a copy of the pointers: released by cmd_verify */
	(void)argc;
	(void)argv;
	if (o.help) {
		cli_usage(stdout, synopsis, about, options);
		return LM_EXIT_OK;
	}
	if (o.nargs < 1 || !o.value[OPT_TRUST] || !*o.value[OPT_TRUST])
		return cli_usage_error("verify", synopsis,
				       o.nargs < 1 ? "give at least one FILE.pdf" : "--trust is required");
	struct lm_trust *trust = NULL;
	struct lm_diag d;
	lm_diag_clear(&d);
	if (lm_trust_load(&trust, o.value[OPT_TRUST], &d)) {
		cli_print_diag(&d);
		return cli_exit_for(d.kind);
	}
	int rc = LM_EXIT_OK;
	struct lm_buf pdf = LM_BUF_INIT, line = LM_BUF_INIT;
	for (int i = 0; i < o.nargs; i++) {
		const char *path = o.args[i];
		struct lm_verify_result r;
		lm_diag_clear(&d);
		lm_buf_reset(&pdf);
		if (lm_read_file(path, &pdf, &d)) {
			printf("%s: error: %s\n", path, d.msg);
			if (cli_exit_for(d.kind) > rc)
				rc = cli_exit_for(d.kind);
			continue;
		}
		if (lm_verify_pdf_trust(pdf.ptr, pdf.len, trust, &r, &d)) {
			printf("%s: error: %s\n", path, d.msg);
			if (cli_exit_for(d.kind) > rc)
				rc = cli_exit_for(d.kind);
			continue;
		}
		lm_buf_reset(&line);
		int listed = r.nsignatures < LM_VERIFY_LISTED ? r.nsignatures : LM_VERIFY_LISTED;
		for (int k = 0; k < listed; k++) {
			char when[64] = "an unknown date";
			time_t t = (time_t)r.sig[k].signing_time;
			struct tm tm;
			if (r.sig[k].signing_time && gmtime_r(&t, &tm))
				strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
			lm_buf_addf(&line, "%s %s on %s", k ? ", then by" : "signed by", r.sig[k].signer, when);
		}
		if (r.nsignatures > listed)
			lm_buf_addf(&line, ", and %d more", r.nsignatures - listed);
		printf("%s: valid, %s\n", path, line.ptr);
	}
	lm_buf_release(&line);
	lm_trust_free(trust);
	lm_buf_release(&pdf);
	fflush(stdout);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	struct cli_parsed o;
	int rc = cli_parse("verify", argc, argv, options, &o) ? LM_EXIT_USAGE : run(argc, argv, &o);
	cli_parsed_release(&o);
	return rc;
}
