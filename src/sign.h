/* sign.h - PAdES baseline B-B signatures for the PDF files we write.
 *
 * A letter claiming to come from the police or a council can be forged; a
 * signed PDF lets a school or parent check in any reader that it came from
 * the authority and was not changed.  pdf.c makes a file to be signed with
 * an unsigned signature field (a widget on the last page, in the AcroForm,
 * tagged as a Form); signing appends exactly one incremental update in the
 * file's own syntax (pdfw.h): the /Sig dictionary (/SubFilter
 * /ETSI.CAdES.detached), the widget again with /V pointing at it, and a
 * cross-reference stream with /Prev.  Nothing is read back: the writer
 * hands over what the update needs (struct lm_sign_target), and the digest
 * of the bytes already written is carried on from the writer's own.
 *
 * The CMS is a detached SignedData over the /ByteRange (the whole file but
 * the /Contents hex string), SHA-256, with the ESS signing-certificate-v2
 * attribute.  As PAdES baseline requires, it carries no CMS signing-time
 * attribute: the claimed signing time is the /M entry of the signature
 * dictionary.  With an RSA key (PKCS#1 v1.5) the output is therefore a pure
 * function of the input, the key and `lm_sign_info`; with an ECDSA key only
 * the signature value inside /Contents differs from run to run.
 *
 * Like every core module this one never prints or exits: failures fill a
 * `struct lm_diag` and return -1.  Messages about the PDF itself leave
 * d->file empty (the caller knows the file's name); messages about the key,
 * certificate or CA files name them in d->file.
 */
#ifndef LM_SIGN_H
#define LM_SIGN_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"
#include "pdfw.h"

/* A private key, its certificate and the chain to include; opaque.  Load
 * it once per run and sign any number of files with it. */
struct lm_signer;

/* Loads a PKCS#12 bundle (.p12/.pfx) holding the key, its certificate and
 * (optionally) the issuing chain.  `password` may be NULL for none.  The
 * certificate must match the key and allow signing (keyUsage
 * digitalSignature or nonRepudiation when the extension is present).
 * Returns 0 with *s set, or -1 with d filled and *s NULL. */
int lm_signer_load_p12(struct lm_signer **s, const char *path, const char *password,
		       struct lm_diag *d);
/* The same from PEM files: the key (encrypted or not; `password` may be
 * NULL), the certificate (further certificates in that file are taken as
 * chain) and an optional chain file. */
int lm_signer_load_pem(struct lm_signer **s, const char *key_path, const char *cert_path,
		       const char *chain_path, const char *password, struct lm_diag *d);
void lm_signer_free(struct lm_signer *s);

/* The common name of the signing certificate (never NULL). */
const char *lm_signer_name(const struct lm_signer *s);
/* Checks the certificate is valid at `signing_time` (seconds since the
 * epoch, UTC).  lm_sign_pdf checks this too; call it once after loading so
 * that an expired certificate stops a run before anything is written. */
int lm_signer_check_time(const struct lm_signer *s, long long signing_time, struct lm_diag *d);

struct lm_sign_info {
	const char *name;       /* /Name, UTF-8; NULL: the certificate's common name */
	const char *reason;     /* /Reason, UTF-8, e.g. "Issued by ..."; NULL: none */
	const char *location;   /* /Location, UTF-8; NULL: none */
	long long signing_time; /* seconds since the epoch: /M and the verification time */
	int visible;            /* 0: an invisible field; 1: a box on the last page (pdf.c draws it) */
};

/* What the writer of a finished, unsigned file hands the signer. */
struct lm_sign_target {
	struct lm_pdfw *w;       /* the writer, after lm_pdfw_finish */
	unsigned root, info;     /* the catalog and information dictionary */
	unsigned widget;         /* the signature field's widget, written without /V */
	const char *widget_body; /* its dictionary without the closing ">>"; NULL: no field */
};

/* Appends the signature as an incremental update to the file `t->w`
 * writes.  Returns 0, or -1 with d filled (nothing appended). */
int lm_sign_pdf(const struct lm_signer *s, const struct lm_sign_target *t,
		const struct lm_sign_info *info, struct lm_diag *d);

#endif
