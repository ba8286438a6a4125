/* The signing key a run signs with: loaded once, before anything else,
 * with its password from a variable or a file, never the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../buf.h"
#include "../fileio.h"
#include "cli.h"

/* The key's password (where other users of the machine cannot read it).
 * *out is malloc'd or NULL. */
static int sign_password(const char *cmd, const char *env, const char *file, char **out)
{
	*out = NULL;
	if (env) {
		const char *v = getenv(env);
		if (!v) {
			fprintf(stderr, "lettermerge %s: --sign-pass-env: variable '%s' is not set\n", cmd, env);
			return -1;
		}
		*out = lm_xstrdup(v);
	} else if (file) {
		struct lm_buf b = LM_BUF_INIT;
		struct lm_diag d;
		if (lm_read_file_as(file, LM_CAP_SMALL, "password file", &b, &d)) {
			cli_print_diag(&d);
			lm_buf_release(&b);
			return -1;
		}
		b.len = strcspn(b.ptr, "\r\n");
		b.ptr[b.len] = '\0';
		/* Notepad saves UTF-8 with a byte-order mark: not part of the password */
		size_t bom = b.len >= 3 && !memcmp(b.ptr, "\xEF\xBB\xBF", 3) ? 3 : 0;
		*out = lm_xstrdup(b.ptr + bom);
		lm_buf_release(&b);
	}
	return 0;
}

/* Seconds since the epoch the signatures claim: SOURCE_DATE_EPOCH (a
 * reproducible run), else now.  Never the letter's printed --date: a
 * letter dated 2015 is signed today, with today's certificate. */
static long long signing_time(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (sde && *sde)
		return strtoll(sde, NULL, 10);
	return (long long)time(NULL);
}

int cli_load_signer(const char *cmd, const struct cli_sign_opts *so, struct lm_signer **out, long long *when)
{
	struct lm_diag d;
	char *pass;
	*out = NULL;
	if (sign_password(cmd, so->pass_env, so->pass_file, &pass))
		return LM_EXIT_DATA;
	int bad = so->cert ? lm_signer_load_pem(out, so->key, so->cert, so->chain, pass, &d)
			   : lm_signer_load_p12(out, so->key, pass, &d);
	if (pass) {
		memset(pass, 0, strlen(pass));
		free(pass);
	}
	*when = signing_time();
	/* an expired certificate must stop the run, not its 1,000th letter */
	if (bad || lm_signer_check_time(*out, *when, &d)) {
		cli_print_diag(&d);
		return cli_exit_for(d.kind);
	}
	return 0;
}
