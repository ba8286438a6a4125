#include "sign.h"
#include "x509util.h"

#include "fileio.h"
#include "utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

struct lm_signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain; /* without the signer's own certificate */
	char *cert_path;       /* for messages */
	char name[256];        /* subject common name, UTF-8 */
	size_t contents_cap;   /* bytes reserved in /Contents for the CMS */
};

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static int read_all(const char *path, struct lm_buf *b, const char *what, struct lm_diag *d)
{
	if (!lm_read_file_as(path, LM_CAP_SMALL, what, b, NULL))
		return 0;
	int err = errno;
	lm_buf_release(b);
	return lm_diag_setk(d, lm_diag_errno_kind(err), path, 0, 0, "cannot read the %s: %s; check the path",
			    what, strerror(err));
}

static void asn1_day(const ASN1_TIME *a, char *out, size_t n)
{
	struct tm tm;
	if (ASN1_TIME_to_tm(a, &tm))
		strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(out, n, "(unreadable date)");
}

/* ------------------------------------------------------------------ */
/* CMS                                                                  */

struct der_part {
	unsigned char *p;
	int n;
	X509_ATTRIBUTE *attr;
};

static int der_cmp(const void *a, const void *b)
{
	const struct der_part *x = a, *y = b;
	int m = x->n < y->n ? x->n : y->n;
	int c = memcmp(x->p, y->p, (size_t)m);
	return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* DER of the signed attributes as the SET OF that is signed (RFC 5652
 * 5.4): each attribute encoded, sorted, wrapped in a SET header.  The
 * attributes are put in that order in `si` too: OpenSSL writes a SET OF
 * sorted but checks a signature over the order in memory. */
static unsigned char *encode_signed_attrs(CMS_SignerInfo *si, size_t *len)
{
	int n = CMS_signed_get_attr_count(si);
	if (n <= 0)
		return NULL;
	struct der_part *parts = lm_xcalloc((size_t)n, sizeof(*parts));
	size_t total = 0;
	unsigned char *out = NULL;
	int i, ok = 1;
	for (i = 0; i < n; i++) {
		parts[i].attr = CMS_signed_delete_attr(si, 0);
		parts[i].n = parts[i].attr ? i2d_X509_ATTRIBUTE(parts[i].attr, &parts[i].p) : -1;
		if (parts[i].n <= 0)
			ok = 0;
		else
			total += (size_t)parts[i].n;
	}
	if (ok)
		qsort(parts, (size_t)n, sizeof(*parts), der_cmp);
	for (i = 0; i < n; i++)
		if (parts[i].attr && !CMS_signed_add1_attr(si, parts[i].attr))
			ok = 0;
	if (!ok)
		goto done;
	unsigned char hdr[6];
	size_t h = 0;
	hdr[h++] = 0x31;
	if (total < 0x80) {
		hdr[h++] = (unsigned char)total;
	} else {
		unsigned char lb[4];
		int k = 0;
		for (size_t t = total; t; t >>= 8)
			lb[k++] = (unsigned char)(t & 0xFF);
		hdr[h++] = (unsigned char)(0x80 | k);
		while (k)
			hdr[h++] = lb[--k];
	}
	out = lm_xmalloc(h + total);
	memcpy(out, hdr, h);
	*len = h;
	for (i = 0; i < n; i++) {
		memcpy(out + *len, parts[i].p, (size_t)parts[i].n);
		*len += (size_t)parts[i].n;
	}
done:
	for (i = 0; i < n; i++) {
		OPENSSL_free(parts[i].p);
		X509_ATTRIBUTE_free(parts[i].attr);
	}
	free(parts);
	return out;
}

/* A detached CMS SignedData over content whose SHA-256 is `md`: signed
 * attributes content-type, message-digest and ESS signing-certificate-v2,
 * and no signing-time (PAdES baseline forbids it; /M carries the time).
 * OpenSSL's CMS_final always adds signing-time, so the attributes are
 * signed here directly.  Returns the DER (OPENSSL_free it) or NULL with
 * `err` filled. */
static unsigned char *make_cms(const struct lm_signer *s, const unsigned char *md, size_t mdlen,
			       int *derlen, char *err, size_t errn)
{
	unsigned char *der = NULL, *attrs = NULL, *sig = NULL;
	size_t alen = 0, siglen = 0;
	EVP_MD_CTX *mctx = NULL;
	const char *step = "creating the signature";
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY);
	if (!cms || !CMS_set_detached(cms, 1))
		goto fail;
	step = "adding the signer";
	CMS_SignerInfo *si = CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(),
					     CMS_BINARY | CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP);
	if (!si)
		goto fail;
	step = "adding the certificate chain";
	for (int i = 0; i < sk_X509_num(s->chain); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(s->chain, i)))
			goto fail;
	step = "adding the signed attributes";
	if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
					 OBJ_nid2obj(NID_pkcs7_data), -1) ||
	    !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md,
					 (int)mdlen))
		goto fail;
	attrs = encode_signed_attrs(si, &alen);
	if (!attrs)
		goto fail;
	step = "signing";
	mctx = EVP_MD_CTX_new();
	if (!mctx || EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, s->key) <= 0 ||
	    EVP_DigestSign(mctx, NULL, &siglen, attrs, alen) <= 0)
		goto fail;
	sig = lm_xmalloc(siglen);
	if (EVP_DigestSign(mctx, sig, &siglen, attrs, alen) <= 0 ||
	    !ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)siglen))
		goto fail;
	/* the attributes were encoded by hand: make sure OpenSSL agrees */
	step = "checking the new signature";
	if (CMS_SignerInfo_verify(si) != 1)
		goto fail;
	step = "encoding the signature";
	*derlen = i2d_CMS_ContentInfo(cms, &der);
	if (*derlen <= 0) {
		der = NULL;
		goto fail;
	}
	goto out;
fail: {
	char why[256];
	snprintf(err, errn, "%s failed: %s", step, lm_ossl_reason(why, sizeof(why)));
	OPENSSL_free(der);
	der = NULL;
}
out:
	free(sig);
	free(attrs);
	EVP_MD_CTX_free(mctx);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return der;
}

/* ------------------------------------------------------------------ */
/* loading the key                                                      */

/* Takes ownership of key, cert, chain; checks them; sizes the placeholder. */
static int signer_finish(struct lm_signer **out, EVP_PKEY *key, X509 *cert,
			 STACK_OF(X509) *chain, const char *key_path, const char *cert_path,
			 struct lm_diag *d)
{
	struct lm_signer *s = lm_xcalloc(1, sizeof(*s));
	s->key = key;
	s->cert = cert;
	s->chain = sk_X509_new_null();
	s->cert_path = lm_xstrdup(cert_path);
	lm_cert_cn(cert, s->name, sizeof(s->name));
	/* the chain without the signer itself or duplicates: CMS refuses to
	 * add a certificate twice */
	for (int i = 0; chain && i < sk_X509_num(chain); i++) {
		X509 *c = sk_X509_value(chain, i);
		int dup = !X509_cmp(c, cert);
		for (int j = 0; !dup && j < sk_X509_num(s->chain); j++)
			dup = !X509_cmp(c, sk_X509_value(s->chain, j));
		if (!dup && X509_up_ref(c))
			sk_X509_push(s->chain, c);
	}
	sk_X509_pop_free(chain, X509_free);

	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		lm_diag_set(d, key_path, 0, 0,
			    "the key and the certificate '%s' do not match: this is not the private key "
			    "of \"%s\"; give the key the certificate was issued for",
			    cert_path, s->name);
		goto fail;
	}
	uint32_t ku = X509_get_key_usage(cert);
	if (ku != UINT32_MAX && !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
		lm_diag_set(d, cert_path, 0, 0,
			    "the certificate \"%s\" is not for signing (its key usage lacks "
			    "digitalSignature and nonRepudiation); ask the authority for a signing certificate",
			    s->name);
		goto fail;
	}
	/* a trial signature: checks the key can sign and measures the CMS
	 * (RSA: exactly; ECDSA: within two bytes) to size /Contents */
	unsigned char zero[32] = { 0 };
	char err[512];
	int n = 0;
	unsigned char *der = make_cms(s, zero, sizeof(zero), &n, err, sizeof(err));
	if (!der) {
		lm_diag_set(d, key_path, 0, 0, "cannot sign with this key: %s", err);
		goto fail;
	}
	OPENSSL_free(der);
	s->contents_cap = ((size_t)n + 64 + 255) & ~(size_t)255;
	*out = s;
	return 0;
fail:
	lm_signer_free(s);
	return -1;
}

int lm_signer_load_p12(struct lm_signer **out, const char *path, const char *password,
		       struct lm_diag *d)
{
	*out = NULL;
	struct lm_buf data = LM_BUF_INIT;
	if (read_all(path, &data, "PKCS#12 key bundle", d))
		return -1;
	const unsigned char *p = (const unsigned char *)data.ptr;
	PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)data.len);
	lm_buf_release(&data);
	if (!p12) {
		ERR_clear_error();
		return lm_diag_set(d, path, 0, 0,
				   "not a PKCS#12 key bundle (.p12/.pfx); give the authority's bundle, or "
				   "PEM key and certificate files");
	}
	const char *pass = password ? password : "";
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	int rc = -1;
	if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, pass, -1)) {
		if (!*pass && PKCS12_verify_mac(p12, NULL, 0)) {
			pass = NULL;
		} else {
			lm_diag_set(d, path, 0, 0,
				    "wrong password for the PKCS#12 key bundle; check the password file "
				    "or environment variable");
			goto out;
		}
	}
	if (!PKCS12_parse(p12, pass, &key, &cert, &ca)) {
		char why[256];
		lm_diag_set(d, path, 0, 0,
			    "cannot open the PKCS#12 key bundle: %s; a bundle exported by old software "
			    "may need converting with 'openssl pkcs12 -legacy'",
			    lm_ossl_reason(why, sizeof(why)));
		goto out;
	}
	if (!key || !cert) {
		lm_diag_set(d, path, 0, 0, "the PKCS#12 key bundle holds no %s; export the key "
			    "together with its certificate", key ? "certificate" : "private key");
		EVP_PKEY_free(key);
		X509_free(cert);
		sk_X509_pop_free(ca, X509_free);
		goto out;
	}
	rc = signer_finish(out, key, cert, ca, path, path, d);
out:
	PKCS12_free(p12);
	ERR_clear_error();
	return rc;
}

struct pass_ctx {
	const char *pass;
	int asked;
};

/* Never prompts: a mail merge runs unattended. */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	struct pass_ctx *pc = u;
	if (!pc)
		return -1;
	pc->asked = 1;
	if (!pc->pass)
		return -1;
	size_t n = strlen(pc->pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pc->pass, n);
	return (int)n;
}

/* All certificates in a PEM file, in order. */
static int read_certs(const char *path, const char *what, STACK_OF(X509) *out, struct lm_diag *d)
{
	struct lm_buf data = LM_BUF_INIT;
	if (read_all(path, &data, what, d))
		return -1;
	BIO *bio = BIO_new_mem_buf(data.ptr, (int)data.len);
	int n = 0;
	X509 *c;
	while (bio && (c = PEM_read_bio_X509(bio, NULL, pass_cb, NULL)) != NULL) {
		sk_X509_push(out, c);
		n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!n) {
		/* one DER certificate */
		const unsigned char *p = (const unsigned char *)data.ptr;
		c = d2i_X509(NULL, &p, (long)data.len);
		ERR_clear_error();
		if (c) {
			sk_X509_push(out, c);
			n++;
		}
	}
	lm_buf_release(&data);
	if (!n)
		return lm_diag_set(d, path, 0, 0,
				   "no certificate found in the %s; give a PEM file "
				   "('-----BEGIN CERTIFICATE-----')", what);
	return 0;
}

int lm_signer_load_pem(struct lm_signer **out, const char *key_path, const char *cert_path,
		       const char *chain_path, const char *password, struct lm_diag *d)
{
	*out = NULL;
	struct lm_buf data = LM_BUF_INIT;
	if (read_all(key_path, &data, "private key", d))
		return -1;
	struct pass_ctx pc = { password, 0 };
	BIO *bio = BIO_new_mem_buf(data.ptr, (int)data.len);
	EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, pass_cb, &pc) : NULL;
	BIO_free(bio);
	if (!key && !pc.asked) {
		const unsigned char *p = (const unsigned char *)data.ptr;
		key = d2i_AutoPrivateKey(NULL, &p, (long)data.len);
	}
	lm_buf_release(&data);
	ERR_clear_error();
	if (!key) {
		if (pc.asked && !password)
			return lm_diag_set(d, key_path, 0, 0,
					   "the private key is encrypted; give its password");
		if (pc.asked)
			return lm_diag_set(d, key_path, 0, 0,
					   "wrong password for the private key; check the password "
					   "file or environment variable");
		return lm_diag_set(d, key_path, 0, 0,
				   "not a private key; give a PEM file ('-----BEGIN PRIVATE KEY-----')");
	}
	STACK_OF(X509) *certs = sk_X509_new_null();
	if (read_certs(cert_path, "certificate", certs, d) ||
	    (chain_path && read_certs(chain_path, "certificate chain", certs, d))) {
		sk_X509_pop_free(certs, X509_free);
		EVP_PKEY_free(key);
		return -1;
	}
	X509 *cert = sk_X509_shift(certs);
	return signer_finish(out, key, cert, certs, key_path, cert_path, d);
}

void lm_signer_free(struct lm_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	free(s->cert_path);
	free(s);
}

const char *lm_signer_name(const struct lm_signer *s)
{
	return s->name;
}

int lm_signer_check_time(const struct lm_signer *s, long long signing_time, struct lm_diag *d)
{
	time_t t = (time_t)signing_time;
	char when[64], lim[64];
	lm_format_utc(signing_time, when, sizeof(when));
	if (X509_cmp_time(X509_get0_notBefore(s->cert), &t) > 0) {
		asn1_day(X509_get0_notBefore(s->cert), lim, sizeof(lim));
		return lm_diag_set(d, s->cert_path, 0, 0,
				   "the certificate \"%s\" is not valid before %s, but the signing time is %s; "
				   "sign with a later date or use the authority's current certificate",
				   s->name, lim, when);
	}
	if (X509_cmp_time(X509_get0_notAfter(s->cert), &t) < 0) {
		asn1_day(X509_get0_notAfter(s->cert), lim, sizeof(lim));
		return lm_diag_set(d, s->cert_path, 0, 0,
				   "the certificate \"%s\" expired on %s, before the signing time %s; "
				   "renew it with the certificate authority",
				   s->name, lim, when);
	}
	ERR_clear_error();
	return 0;
}

/* ------------------------------------------------------------------ */
/* writing                                                              */

static void hex_encode(char *dst, const unsigned char *src, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = hx[src[i] >> 4];
		dst[2 * i + 1] = hx[src[i] & 15];
	}
}

static int valid_utf8(const char *s)
{
	for (size_t i = 0, n = strlen(s); i < n;) {
		uint32_t cp;
		int k = lm_utf8_decode(s + i, n - i, &cp);
		if (!k)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

#define BYTERANGE_WIDTH 64

int lm_sign_pdf(const struct lm_signer *s, const struct lm_sign_target *t,
		const struct lm_sign_info *info, struct lm_diag *d)
{
	struct lm_pdfw *w = t->w;
	struct lm_buf sig = LM_BUF_INIT, wid = LM_BUF_INIT;
	unsigned char *der = NULL;
	int rc = -1;

	if (lm_signer_check_time(s, info->signing_time, d))
		return -1;
	if (!w || !t->widget_body || !t->widget || !t->root)
		return lm_diag_setk(d, LM_KIND_BUG, NULL, 0, 0, "the PDF was made without a signature field; this is a bug in lettermerge");
	const char *name = info->name && *info->name ? info->name : s->name;
	if (!valid_utf8(name) || (info->reason && !valid_utf8(info->reason)) ||
	    (info->location && !valid_utf8(info->location)))
		return lm_diag_set(d, NULL, 0, 0, "the signer name, reason or location is not valid UTF-8");
	char mdate[40];
	{
		time_t tt = (time_t)info->signing_time;
		struct tm tm;
		if (!gmtime_r(&tt, &tm))
			return lm_diag_set(d, NULL, 0, 0, "the signing time %lld is out of range",
					   info->signing_time);
		strftime(mdate, sizeof(mdate), "D:%Y%m%d%H%M%S+00'00'", &tm);
	}
	size_t cap = s->contents_cap;

	/* the signature dictionary, with room for the byte range and the CMS */
	lm_buf_adds(&sig, "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached/ByteRange[");
	size_t br_at = sig.len;
	for (int i = 0; i < BYTERANGE_WIDTH; i++)
		lm_buf_addc(&sig, ' ');
	lm_buf_adds(&sig, "]/Contents");
	size_t contents_at = sig.len;
	lm_buf_addc(&sig, '<');
	lm_buf_grow(&sig, 2 * cap + 1);
	memset(sig.ptr + sig.len, '0', 2 * cap);
	sig.len += 2 * cap;
	sig.ptr[sig.len] = '\0';
	lm_buf_addc(&sig, '>');
	lm_buf_addf(&sig, "/M(%s)/Name", mdate);
	lm_pdfw_text(&sig, name);
	if (info->reason && *info->reason) {
		lm_buf_adds(&sig, "/Reason");
		lm_pdfw_text(&sig, info->reason);
	}
	if (info->location && *info->location) {
		lm_buf_adds(&sig, "/Location");
		lm_pdfw_text(&sig, info->location);
	}
	lm_buf_adds(&sig, ">>");

	/* the update: the signature, the field with its value, the cross-reference stream */
	lm_pdfw_update_begin(w);
	unsigned sig_num = lm_pdfw_reserve(w);
	size_t at = lm_pdfw_direct(w, sig_num, sig.ptr, sig.len);
	lm_buf_adds(&wid, t->widget_body);
	lm_buf_adds(&wid, "/V ");
	lm_pdfw_ref(&wid, sig_num);
	lm_buf_adds(&wid, ">>");
	lm_pdfw_obj(w, t->widget, wid.ptr, wid.len);
	if (lm_pdfw_update_finish(w, t->root, t->info, d))
		goto done;

	/* the byte range: everything but the /Contents hex string */
	size_t total = lm_pdfw_tell(w), hole_a = at + contents_at, hole_b = hole_a + 2 * cap + 2;
	char br[BYTERANGE_WIDTH + 1];
	int n = snprintf(br, sizeof(br), "0 %zu %zu %zu", hole_a, hole_b, total - hole_b);
	char *brp = lm_pdfw_at(w, at + br_at), *hexp = lm_pdfw_at(w, hole_a + 1);
	if (n < 0 || n > BYTERANGE_WIDTH || !brp || !hexp) {
		lm_diag_set(d, NULL, 0, 0, "the PDF is too large to sign");
		goto done;
	}
	memcpy(brp, br, (size_t)n);
	unsigned char md[32];
	if (lm_pdfw_digest_except(w, hole_a, hole_b, md)) {
		char why[256];
		lm_diag_set(d, NULL, 0, 0, "cannot compute the document digest: %s", lm_ossl_reason(why, sizeof(why)));
		goto done;
	}
	char err[512];
	int derlen = 0;
	der = make_cms(s, md, 32, &derlen, err, sizeof(err));
	if (!der) {
		lm_diag_set(d, s->cert_path, 0, 0, "cannot sign: %s", err);
		goto done;
	}
	if ((size_t)derlen > cap) {
		lm_diag_setk(d, LM_KIND_BUG, s->cert_path, 0, 0, "the signature (%d bytes) is larger than the space "
			    "reserved for it (%zu bytes); this is a bug in lettermerge", derlen, cap);
		goto done;
	}
	hex_encode(hexp, der, (size_t)derlen);
	rc = 0;
done:
	lm_pdfw_unhold(w);
	OPENSSL_free(der);
	lm_buf_release(&sig);
	lm_buf_release(&wid);
	ERR_clear_error();
	return rc;
}
