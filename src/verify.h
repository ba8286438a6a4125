/* verify.h - checks every signature of a signed PDF, and what changed after it.
 *
 * A school or parent trusts a letter because it is signed; that trust is
 * only right if (1) each signature is sound: its /ByteRange starts at 0,
 * covers its revision of the file exactly except its own /Contents, the
 * digest and the CMS signature match and the signer's certificate chains
 * to the authority's CA at the signing time; and (2) nothing added to the
 * file after a signature changes what a reader sees: the pages (content,
 * resources, annotations), the page tree, the catalog (tags, actions,
 * metadata, the form) and the document information.  Only later
 * signatures and their fields may be added.  Files are read through
 * pdfr.h, so updates saved by other tools (cross-reference streams, object
 * streams) are compared like ours, not refused as damaged.
 *
 * Like every core module this one never prints or exits.
 */
#ifndef LM_VERIFY_H
#define LM_VERIFY_H

#include <stddef.h>

#include "diag.h"

enum lm_verify_status {
	LM_VERIFY_VALID = 0,
	LM_VERIFY_NO_SIGNATURE, /* no signed signature field */
	LM_VERIFY_MALFORMED,    /* the file or a signature cannot be read */
	LM_VERIFY_NOT_COVERED,  /* bytes outside every signed byte range */
	LM_VERIFY_TAMPERED,     /* a digest or signature does not match */
	LM_VERIFY_UNTRUSTED,    /* a certificate does not chain to the CA file */
	LM_VERIFY_CA_ERROR,     /* the CA file cannot be read */
	LM_VERIFY_CHANGED,      /* what a reader sees changed after a signature */
};

/* The signatures listed in a result (a file may hold more; all are checked). */
#define LM_VERIFY_LISTED 8

struct lm_verify_sig {
	char signer[256];       /* common name of the signing certificate, UTF-8 */
	char name[256];         /* /Name of the signature dictionary, UTF-8 */
	long long signing_time; /* from /M (else the CMS signing-time), 0 if unknown */
	size_t revision;        /* 0: the original file, 1: the first update... */
};

struct lm_verify_result {
	enum lm_verify_status status;
	/* the signature a failure is about, else the last one */
	char signer[256];
	char name[256];
	long long signing_time;
	int nsignatures;        /* signature fields found */
	size_t covered;         /* bytes the last signature covers, hole included */
	struct lm_verify_sig sig[LM_VERIFY_LISTED]; /* in signing order */
};

/* The authority's CA certificates, loaded once for any number of files. */
struct lm_trust;
/* Loads the PEM certificates in `ca_path`.  Returns 0, or -1 with d filled
 * (d->file the CA file). */
int lm_trust_load(struct lm_trust **t, const char *ca_path, struct lm_diag *d);
void lm_trust_free(struct lm_trust *t);

/* Checks every signature of the PDF in pdf[len] against `t`, then that
 * nothing after each changed what a reader sees.  Fills `r` (status set on
 * failure too).  Returns 0 if valid, else -1 with d filled (d->file empty:
 * the message is about the PDF). */
int lm_verify_pdf_trust(const char *pdf, size_t len, const struct lm_trust *t,
			struct lm_verify_result *r, struct lm_diag *d);

/* The same, loading the CA file `trust_ca_path` for this one call. */
int lm_verify_pdf(const char *pdf, size_t len, const char *trust_ca_path,
		  struct lm_verify_result *r, struct lm_diag *d);

#endif
