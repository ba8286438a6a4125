/* sign-file - test helper: signs an existing PDF with src/sign.c, and runs
 * `lettermerge verify` (src/cli/cmd-verify.c) before it is wired into the
 * real binary.  Used by tests/sign/run.sh; not installed.
 *
 *   sign-file [--p12 FILE | --key FILE --cert FILE [--chain FILE]]
 *             [--pass-file FILE] [--time EPOCH] [--name N] [--reason R]
 *             [--location L] [--visible X1,Y1,X2,Y2] [--repeat N] IN.pdf OUT.pdf
 *   sign-file verify --trust CA.pem FILE.pdf...
 *
 * --repeat N signs N times (keeping the last result) and prints the time
 * per signature to stderr.  Exit status: 0 signed, 1 error, 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "sign.h"
#include "cli/cli.h"

int cmd_verify(int argc, char **argv);

static int slurp(const char *path, struct lm_buf *b)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		lm_buf_add(b, chunk, n);
	int err = ferror(fp);
	fclose(fp);
	return err ? -1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: sign-file [--p12 FILE | --key FILE --cert FILE [--chain FILE]]\n"
			"                 [--pass-file FILE] [--time EPOCH] [--name N] [--reason R]\n"
			"                 [--location L] [--visible X1,Y1,X2,Y2] [--repeat N] IN.pdf OUT.pdf\n"
			"       sign-file verify --trust CA.pem FILE.pdf...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "verify"))
		return cmd_verify(argc - 1, argv + 1);
	const char *p12 = NULL, *key = NULL, *cert = NULL, *chain = NULL, *pass_file = NULL;
	const char *in = NULL, *outp = NULL;
	struct lm_sign_info info = { 0 };
	info.signing_time = 1426550400; /* 2015-03-17 */
	long repeat = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;
		if (!strcmp(a, "--p12"))
			p12 = val;
		else if (!strcmp(a, "--key"))
			key = val;
		else if (!strcmp(a, "--cert"))
			cert = val;
		else if (!strcmp(a, "--chain"))
			chain = val;
		else if (!strcmp(a, "--pass-file"))
			pass_file = val;
		else if (!strcmp(a, "--time"))
			info.signing_time = val ? strtoll(val, NULL, 10) : 0;
		else if (!strcmp(a, "--name"))
			info.name = val;
		else if (!strcmp(a, "--reason"))
			info.reason = val;
		else if (!strcmp(a, "--location"))
			info.location = val;
		else if (!strcmp(a, "--repeat"))
			repeat = val ? strtol(val, NULL, 10) : 0;
		else if (!strcmp(a, "--visible")) {
			info.visible = 1;
			if (!val || sscanf(val, "%lf,%lf,%lf,%lf", &info.rect[0], &info.rect[1],
					   &info.rect[2], &info.rect[3]) != 4)
				return usage();
		} else {
			takes = 0;
			if (a[0] == '-' && a[1])
				return usage();
			if (!in)
				in = a;
			else if (!outp)
				outp = a;
			else
				return usage();
		}
		if (takes) {
			if (!val)
				return usage();
			i++;
		}
	}
	if (!in || !outp || repeat < 1 || (!p12 && (!key || !cert)))
		return usage();

	struct lm_diag d;
	lm_diag_clear(&d);
	struct lm_buf pass = LM_BUF_INIT, pdf = LM_BUF_INIT, out = LM_BUF_INIT, tmp = LM_BUF_INIT;
	struct lm_signer *s = NULL;
	int rc = 1;
	if (pass_file) {
		if (slurp(pass_file, &pass)) {
			fprintf(stderr, "%s: error: cannot read the password file: %s\n", pass_file,
				strerror(errno));
			goto done;
		}
		while (pass.len && (pass.ptr[pass.len - 1] == '\n' || pass.ptr[pass.len - 1] == '\r'))
			pass.ptr[--pass.len] = '\0';
	}
	const char *pw = pass_file ? pass.ptr : NULL;
	if (p12 ? lm_signer_load_p12(&s, p12, pw, &d) : lm_signer_load_pem(&s, key, cert, chain, pw, &d))
		goto diag;
	if (lm_signer_check_time(s, info.signing_time, &d))
		goto diag;
	if (slurp(in, &pdf)) {
		fprintf(stderr, "%s: error: cannot read: %s\n", in, strerror(errno));
		goto done;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < repeat; i++) {
		lm_buf_reset(&out);
		if (lm_sign_pdf(s, pdf.ptr, pdf.len, &info, &out, &d)) {
			if (!d.file[0])
				snprintf(d.file, sizeof(d.file), "%s", in);
			goto diag;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (repeat > 1) {
		double ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
		fprintf(stderr, "signed %ld times: %.3f ms per signature (%zu -> %zu bytes, +%zu)\n",
			repeat, ms / (double)repeat, pdf.len, out.len, out.len - pdf.len);
	}
	/* atomically: a temporary file beside the target, then rename */
	lm_buf_addf(&tmp, "%s.tmp-%ld", outp, (long)getpid());
	FILE *fp = fopen(tmp.ptr, "wb");
	if (!fp || fwrite(out.ptr, 1, out.len, fp) != out.len || fclose(fp) || rename(tmp.ptr, outp)) {
		fprintf(stderr, "%s: error: cannot write: %s\n", outp, strerror(errno));
		unlink(tmp.ptr);
		goto done;
	}
	rc = 0;
	goto done;
diag:
	cli_print_diag(&d);
done:
	lm_signer_free(s);
	lm_buf_release(&pass);
	lm_buf_release(&pdf);
	lm_buf_release(&out);
	lm_buf_release(&tmp);
	return rc;
}
