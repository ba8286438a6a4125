#include "sign.h"

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

/* The reason of the newest OpenSSL error, and the queue cleared. */
static const char *ossl_reason(char *buf, size_t n)
{
	unsigned long e, last = 0;
	while ((e = ERR_get_error()))
		last = e;
	const char *r = last ? ERR_reason_error_string(last) : NULL;
	snprintf(buf, n, "%s", r ? r : "unknown OpenSSL error");
	return buf;
}

static int read_all(const char *path, struct lm_buf *b, const char *what, struct lm_diag *d)
{
	if (!lm_read_file(path, b, NULL))
		return 0;
	int err = errno;
	lm_buf_release(b);
	return lm_diag_setk(d, lm_diag_errno_kind(err), path, 0, 0, "cannot read the %s: %s; check the path",
			    what, strerror(err));
}

/* The subject's common name as UTF-8, or the whole subject if it has none. */
static void cert_cn(X509 *cert, char *out, size_t n)
{
	out[0] = '\0';
	X509_NAME *nm = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1);
	if (i >= 0) {
		unsigned char *u = NULL;
		int len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, i)));
		if (len >= 0) {
			snprintf(out, n, "%.*s", len, (const char *)u);
			OPENSSL_free(u);
			return;
		}
	}
	X509_NAME_oneline(nm, out, (int)n);
	ERR_clear_error();
}

static void format_day(long long t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm))
		strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(out, n, "%lld", t);
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
	snprintf(err, errn, "%s failed: %s", step, ossl_reason(why, sizeof(why)));
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
	cert_cn(cert, s->name, sizeof(s->name));
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
			    ossl_reason(why, sizeof(why)));
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
	format_day(signing_time, when, sizeof(when));
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
/* reading PDF syntax                                                   */

struct span {
	const char *p;
	size_t n;
};

static int is_ws(int c)
{
	return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static int is_delim(int c)
{
	return c && strchr("()<>[]{}/%", c) != NULL;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e) {
		if (is_ws((unsigned char)*p)) {
			p++;
		} else if (*p == '%') {
			while (p < e && *p != '\n' && *p != '\r')
				p++;
		} else {
			break;
		}
	}
	return p;
}

static const char *skip_regular(const char *p, const char *e)
{
	while (p < e && !is_ws((unsigned char)*p) && !is_delim((unsigned char)*p))
		p++;
	return p;
}

static int is_uint(const char *p, const char *e)
{
	if (p >= e || e - p > 18)
		return 0;
	for (; p < e; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

static long long to_ll(const char *p, const char *e)
{
	long long v = 0;
	int neg = 0;
	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < e && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	return neg ? -v : v;
}

/* The end of the object starting at (or after white space at) p. */
static const char *skip_value(const char *p, const char *e, int depth)
{
	p = skip_ws(p, e);
	if (p >= e || depth > 64)
		return NULL;
	switch (*p) {
	case '/':
		return skip_regular(p + 1, e);
	case '(': {
		int nest = 0;
		for (; p < e; p++) {
			if (*p == '\\') {
				p++;
				continue;
			}
			if (*p == '(')
				nest++;
			else if (*p == ')' && --nest == 0)
				return p + 1;
		}
		return NULL;
	}
	case '<':
		if (p + 1 < e && p[1] == '<') {
			p += 2;
			for (;;) {
				p = skip_ws(p, e);
				if (p + 1 < e && p[0] == '>' && p[1] == '>')
					return p + 2;
				if (p >= e || *p != '/')
					return NULL;
				p = skip_value(skip_regular(p + 1, e), e, depth + 1);
				if (!p)
					return NULL;
			}
		} else {
			const char *q = memchr(p, '>', (size_t)(e - p));
			return q ? q + 1 : NULL;
		}
	case '[':
		p++;
		for (;;) {
			p = skip_ws(p, e);
			if (p < e && *p == ']')
				return p + 1;
			p = skip_value(p, e, depth + 1);
			if (!p)
				return NULL;
		}
	case ')':
	case '>':
	case ']':
	case '{':
	case '}':
		return NULL;
	default: {
		const char *q = skip_regular(p, e);
		if (q == p)
			return NULL;
		/* an integer may start a reference "N G R" */
		if (is_uint(p, q)) {
			const char *r = skip_ws(q, e), *r2 = skip_regular(r, e);
			if (r2 > r && is_uint(r, r2)) {
				const char *r3 = skip_ws(r2, e);
				if (r3 < e && *r3 == 'R' &&
				    (r3 + 1 == e || is_ws((unsigned char)r3[1]) || is_delim((unsigned char)r3[1])))
					return r3 + 1;
			}
		}
		return q;
	}
	}
}

static int is_dict(struct span v)
{
	return v.n >= 4 && v.p[0] == '<' && v.p[1] == '<';
}

/* Walks the entries of a dictionary: *pos starts at v.p. */
static int dict_next(struct span v, const char **pos, struct span *key, struct span *val)
{
	const char *e = v.p + v.n, *p = *pos;
	if (p == v.p)
		p += 2;
	p = skip_ws(p, e);
	if (p >= e || *p != '/')
		return 0;
	key->p = p;
	p = skip_regular(p + 1, e);
	key->n = (size_t)(p - key->p);
	val->p = skip_ws(p, e);
	p = skip_value(val->p, e, 0);
	if (!p)
		return 0;
	val->n = (size_t)(p - val->p);
	*pos = p;
	return 1;
}

/* The value of /key (given without the slash) in dictionary v. */
static int dict_get(struct span v, const char *key, struct span *val)
{
	if (!is_dict(v))
		return -1;
	const char *pos = v.p;
	struct span k;
	size_t kl = strlen(key);
	while (dict_next(v, &pos, &k, val))
		if (k.n == kl + 1 && !memcmp(k.p + 1, key, kl))
			return 0;
	return -1;
}

static int span_is(struct span v, const char *s)
{
	return v.n == strlen(s) && !memcmp(v.p, s, v.n);
}

/* Walks the elements of an array: *pos starts at v.p. */
static int array_next(struct span v, const char **pos, struct span *elem)
{
	const char *e = v.p + v.n, *p = *pos;
	if (p == v.p) {
		if (!v.n || *p != '[')
			return 0;
		p++;
	}
	p = skip_ws(p, e);
	if (p >= e || *p == ']')
		return 0;
	elem->p = p;
	p = skip_value(p, e, 0);
	if (!p)
		return 0;
	elem->n = (size_t)(p - elem->p);
	*pos = p;
	return 1;
}

static int parse_ref(struct span v, long *num, int *gen)
{
	const char *e = v.p + v.n, *p = v.p, *q = skip_regular(p, e);
	if (!is_uint(p, q))
		return -1;
	const char *r = skip_ws(q, e), *r2 = skip_regular(r, e);
	if (!is_uint(r, r2))
		return -1;
	const char *r3 = skip_ws(r2, e);
	if (r3 >= e || *r3 != 'R' || r3 + 1 != e)
		return -1;
	*num = (long)to_ll(p, q);
	if (gen)
		*gen = (int)to_ll(r, r2);
	return 0;
}

static int parse_int(struct span v, long long *out)
{
	const char *p = v.p, *e = v.p + v.n;
	if (p < e && (*p == '-' || *p == '+'))
		p++;
	if (!is_uint(p, e))
		return -1;
	*out = to_ll(v.p, e);
	return 0;
}

struct pdfdoc {
	const char *p;
	size_t len;
	size_t *off;         /* by object number */
	unsigned char *state; /* 0 unknown, 1 in use, 2 free */
	size_t nobj, alloc;
	size_t startxref;
	long long size;      /* /Size of the newest trailer */
	struct span trailer; /* the newest trailer dictionary */
};

static void doc_release(struct pdfdoc *x)
{
	free(x->off);
	free(x->state);
}

static void doc_set(struct pdfdoc *x, size_t num, size_t off, int used)
{
	if (num >= x->nobj) {
		size_t old = x->alloc;
		LM_ALLOC_GROW(x->off, num + 1, x->alloc);
		x->state = lm_xrealloc(x->state, x->alloc);
		memset(x->state + old, 0, x->alloc - old);
		x->nobj = num + 1;
	}
	if (!x->state[num]) {
		x->state[num] = used ? 1 : 2;
		x->off[num] = off;
	}
}

static const char *memrmem(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (n < m)
		return NULL;
	for (size_t i = n - m + 1; i-- > 0;)
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

#define NOT_LIBHARU "; lettermerge signs and checks the PDF files it wrote itself"

/* Reads startxref, the xref tables (following /Prev) and the trailer. */
static int doc_open(struct pdfdoc *x, const char *pdf, size_t len, struct lm_diag *d)
{
	memset(x, 0, sizeof(*x));
	x->p = pdf;
	x->len = len;
	const char *e = pdf + len;
	if (len < 8 || memcmp(pdf, "%PDF-", 5))
		return lm_diag_set(d, NULL, 0, 0, "not a PDF file (no '%%PDF-' header)");
	size_t tail = len < 2048 ? len : 2048;
	const char *sx = memrmem(e - tail, tail, "startxref");
	if (!sx)
		return lm_diag_set(d, NULL, 0, 0, "the PDF has no 'startxref' near its end; the file "
				   "is truncated or damaged");
	const char *p = skip_ws(sx + 9, e), *q = skip_regular(p, e);
	if (!is_uint(p, q) || (size_t)to_ll(p, q) >= len)
		return lm_diag_set(d, NULL, 0, 0, "the PDF's 'startxref' offset is wrong; the file is "
				   "truncated or damaged");
	size_t off = (size_t)to_ll(p, q);
	x->startxref = off;
	for (int section = 0;; section++) {
		if (section > 256 || off >= len)
			return lm_diag_set(d, NULL, 0, 0, "the PDF's cross-reference chain is broken");
		p = skip_ws(pdf + off, e);
		if (e - p < 4 || memcmp(p, "xref", 4))
			return lm_diag_set(d, NULL, 0, 0, "the PDF uses a cross-reference stream or is "
					   "damaged (no 'xref' table at offset %zu)" NOT_LIBHARU, off);
		p += 4;
		for (;;) {
			p = skip_ws(p, e);
			if (e - p >= 7 && !memcmp(p, "trailer", 7))
				break;
			const char *a = p, *ae = skip_regular(a, e);
			const char *b = skip_ws(ae, e), *be = skip_regular(b, e);
			if (!is_uint(a, ae) || !is_uint(b, be))
				return lm_diag_set(d, NULL, 0, 0, "the PDF's cross-reference table is damaged");
			long long start = to_ll(a, ae), count = to_ll(b, be);
			if (start + count > 8000000 || count * 18 > e - be)
				return lm_diag_set(d, NULL, 0, 0, "the PDF's cross-reference table is damaged");
			p = be;
			for (long long i = 0; i < count; i++) {
				const char *o = skip_ws(p, e), *oe = skip_regular(o, e);
				const char *g = skip_ws(oe, e), *ge = skip_regular(g, e);
				const char *t = skip_ws(ge, e);
				if (!is_uint(o, oe) || !is_uint(g, ge) || t >= e || (*t != 'n' && *t != 'f'))
					return lm_diag_set(d, NULL, 0, 0,
							   "the PDF's cross-reference table is damaged");
				doc_set(x, (size_t)(start + i), (size_t)to_ll(o, oe), *t == 'n');
				p = t + 1;
			}
		}
		struct span tr = { p + 7, 0 };
		tr.p = skip_ws(tr.p, e);
		const char *te = skip_value(tr.p, e, 0);
		if (!te || *tr.p != '<')
			return lm_diag_set(d, NULL, 0, 0, "the PDF's trailer is damaged");
		tr.n = (size_t)(te - tr.p);
		struct span v;
		if (section == 0) {
			x->trailer = tr;
			if (dict_get(tr, "Size", &v) || parse_int(v, &x->size) || x->size <= 0 ||
			    x->size > 8000000)
				return lm_diag_set(d, NULL, 0, 0, "the PDF's trailer has no valid /Size");
		}
		long long prev;
		if (dict_get(tr, "Prev", &v))
			break;
		if (parse_int(v, &prev) || prev < 0 || (size_t)prev == off)
			return lm_diag_set(d, NULL, 0, 0, "the PDF's trailer has a wrong /Prev");
		off = (size_t)prev;
	}
	return 0;
}

/* The value of object `num` (for a stream, its dictionary). */
static int doc_obj(const struct pdfdoc *x, long num, struct span *out, int *gen)
{
	if (num <= 0 || (size_t)num >= x->nobj || x->state[num] != 1 || x->off[num] >= x->len)
		return -1;
	const char *e = x->p + x->len, *p = x->p + x->off[num];
	const char *q = skip_regular(p, e);
	if (!is_uint(p, q) || to_ll(p, q) != num)
		return -1;
	const char *g = skip_ws(q, e), *ge = skip_regular(g, e);
	if (!is_uint(g, ge))
		return -1;
	const char *o = skip_ws(ge, e);
	if (e - o < 3 || memcmp(o, "obj", 3))
		return -1;
	out->p = skip_ws(o + 3, e);
	const char *ve = skip_value(out->p, e, 0);
	if (!ve)
		return -1;
	out->n = (size_t)(ve - out->p);
	if (gen)
		*gen = (int)to_ll(g, ge);
	return 0;
}

/* v itself, or the object it refers to. */
static int doc_resolve(const struct pdfdoc *x, struct span v, struct span *out)
{
	long num;
	for (int i = 0; i < 8; i++) {
		if (parse_ref(v, &num, NULL)) {
			*out = v;
			return 0;
		}
		if (doc_obj(x, num, &v, NULL))
			return -1;
	}
	return -1;
}

struct pages {
	long *num;
	size_t n, alloc;
	size_t visits;
};

static int collect_pages(const struct pdfdoc *x, long num, int depth, struct pages *pg)
{
	struct span node, v, kids, kid;
	if (depth > 64 || ++pg->visits > 2000000 || doc_obj(x, num, &node, NULL) || !is_dict(node))
		return -1;
	int is_pages = !dict_get(node, "Type", &v) && span_is(v, "/Pages");
	if (!dict_get(node, "Kids", &kids) || is_pages) {
		if (dict_get(node, "Kids", &kids) || doc_resolve(x, kids, &kids))
			return -1;
		const char *pos = kids.p;
		while (array_next(kids, &pos, &kid)) {
			long k;
			if (parse_ref(kid, &k, NULL) || collect_pages(x, k, depth + 1, pg))
				return -1;
		}
		return 0;
	}
	LM_ALLOC_GROW(pg->num, pg->n + 1, pg->alloc);
	pg->num[pg->n++] = num;
	return 0;
}

/* ------------------------------------------------------------------ */
/* writing                                                              */

/* A PDF text string: literal if printable ASCII, else UTF-16BE with BOM. */
static int add_text_string(struct lm_buf *b, const char *s)
{
	int ascii = 1;
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if (*u < 0x20 || *u > 0x7e)
			ascii = 0;
	if (ascii) {
		lm_buf_addc(b, '(');
		for (const char *c = s; *c; c++) {
			if (*c == '(' || *c == ')' || *c == '\\')
				lm_buf_addc(b, '\\');
			lm_buf_addc(b, *c);
		}
		lm_buf_addc(b, ')');
		return 0;
	}
	lm_buf_adds(b, "<FEFF");
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		int n = lm_utf8_decode(s + i, len - i, &cp);
		if (!n)
			return -1;
		i += (size_t)n;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			lm_buf_addf(b, "%04X%04X", (unsigned)(0xD800 + (cp >> 10)), (unsigned)(0xDC00 + (cp & 0x3FF)));
		} else {
			lm_buf_addf(b, "%04X", (unsigned)cp);
		}
	}
	lm_buf_addc(b, '>');
	return 0;
}

/* Helvetica advance widths (AFM, 1/1000 em) for ASCII 32..126. */
static const unsigned short helv_w[95] = {
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
};

/* UTF-8 to WinAnsiEncoding bytes for a standard-14 font ('?' if none). */
static void to_winansi(const char *s, struct lm_buf *out)
{
	static const struct {
		unsigned cp;
		unsigned char b;
	} extra[] = {
		{ 0x20AC, 0x80 }, { 0x2026, 0x85 }, { 0x2018, 0x91 }, { 0x2019, 0x92 },
		{ 0x201C, 0x93 }, { 0x201D, 0x94 }, { 0x2022, 0x95 }, { 0x2013, 0x96 },
		{ 0x2014, 0x97 },
	};
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		uint32_t cp = '?';
		int n = lm_utf8_decode(s + i, len - i, &cp);
		i += n ? (size_t)n : 1;
		unsigned char b = '?';
		if ((cp >= 0x20 && cp < 0x7F) || (cp >= 0xA0 && cp <= 0xFF))
			b = (unsigned char)cp;
		for (size_t k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
			if (extra[k].cp == cp)
				b = extra[k].b;
		lm_buf_addc(out, (char)b);
	}
}

static double helv_width(const struct lm_buf *t)
{
	double w = 0;
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->ptr[i];
		w += c >= 32 && c < 127 ? helv_w[c - 32] : 556;
	}
	return w / 1000.0;
}

static void add_content_string(struct lm_buf *b, const struct lm_buf *t)
{
	lm_buf_addc(b, '(');
	for (size_t i = 0; i < t->len; i++) {
		unsigned char c = (unsigned char)t->ptr[i];
		if (c == '(' || c == ')' || c == '\\')
			lm_buf_addf(b, "\\%c", c);
		else if (c < 32 || c > 126)
			lm_buf_addf(b, "\\%03o", c);
		else
			lm_buf_addc(b, (char)c);
	}
	lm_buf_addc(b, ')');
}

/* The appearance content: a thin box and two lines of Helvetica. */
static void appearance(struct lm_buf *cs, double w, double h, const char *name, long long t)
{
	struct lm_buf l1 = LM_BUF_INIT, l2 = LM_BUF_INIT, u = LM_BUF_INIT;
	lm_buf_adds(&u, "Digitally signed by ");
	lm_buf_adds(&u, name);
	to_winansi(u.ptr, &l1);
	char when[64];
	format_day(t, when, sizeof(when));
	lm_buf_reset(&u);
	lm_buf_addf(&u, "Date: %s", when);
	to_winansi(u.ptr, &l2);
	double pad = w > 12 ? 3 : w / 4;
	double wmax = helv_width(&l1) > helv_width(&l2) ? helv_width(&l1) : helv_width(&l2);
	double fs = h * 0.32;
	if (wmax > 0 && (w - 2 * pad) / wmax < fs)
		fs = (w - 2 * pad) / wmax;
	if (fs > 10)
		fs = 10;
	if (fs < 1)
		fs = 1;
	double lead = fs * 1.25;
	double base1 = (h + 2 * lead) / 2 - fs * 0.95;
	lm_buf_addf(cs, "q 0.6 w 0.25 0.25 0.25 RG 0.3 0.3 %.2f %.2f re S\n", w - 0.6, h - 0.6);
	lm_buf_addf(cs, "BT /Helv %.2f Tf 0.1 0.1 0.1 rg %.2f %.2f Td ", fs, pad, base1);
	add_content_string(cs, &l1);
	lm_buf_addf(cs, " Tj 0 %.2f Td ", -lead);
	add_content_string(cs, &l2);
	lm_buf_adds(cs, " Tj ET Q\n");
	lm_buf_release(&l1);
	lm_buf_release(&l2);
	lm_buf_release(&u);
}

/* Copies the entries of dictionary v except those named in skip[]. */
static void copy_entries(struct lm_buf *b, struct span v, const char *const *skip)
{
	const char *pos = v.p;
	struct span k, val;
	while (dict_next(v, &pos, &k, &val)) {
		int drop = 0;
		for (int i = 0; skip[i]; i++)
			if (k.n == strlen(skip[i]) + 1 && !memcmp(k.p + 1, skip[i], k.n - 1))
				drop = 1;
		if (drop)
			continue;
		lm_buf_add(b, k.p, k.n);
		lm_buf_addc(b, ' ');
		lm_buf_add(b, val.p, val.n);
		lm_buf_addc(b, '\n');
	}
}

/* Copies the elements of an array (given directly or by reference). */
static int copy_elements(const struct pdfdoc *x, struct lm_buf *b, struct span arr, size_t *count)
{
	struct span a, el;
	if (doc_resolve(x, arr, &a) || !a.n || a.p[0] != '[')
		return -1;
	const char *pos = a.p;
	while (array_next(a, &pos, &el)) {
		lm_buf_add(b, el.p, el.n);
		lm_buf_addc(b, ' ');
		if (count)
			(*count)++;
	}
	return 0;
}

struct xref_ent {
	long num;
	int gen;
	size_t off;
};

static int xref_cmp(const void *a, const void *b)
{
	const struct xref_ent *x = a, *y = b;
	return (x->num > y->num) - (x->num < y->num);
}

static void hex_encode(char *dst, const unsigned char *src, size_t n)
{
	static const char hx[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = hx[src[i] >> 4];
		dst[2 * i + 1] = hx[src[i] & 15];
	}
}

#define BYTERANGE_WIDTH 64

int lm_sign_pdf(const struct lm_signer *s, const char *pdf, size_t len,
		const struct lm_sign_info *info, struct lm_buf *out, struct lm_diag *d)
{
	struct pdfdoc x;
	struct pages pg = { 0 };
	struct lm_buf up = LM_BUF_INIT; /* the incremental update */
	struct lm_buf cs = LM_BUF_INIT;
	unsigned char *der = NULL;
	EVP_MD_CTX *mdctx = NULL;
	int rc = -1;

	if (lm_signer_check_time(s, info->signing_time, d))
		return -1;
	if (doc_open(&x, pdf, len, d))
		goto done;
	struct span v, root, catalog, page, annots, acro;
	long root_num, page_num;
	int root_gen, page_gen;
	if (!dict_get(x.trailer, "Encrypt", &v)) {
		lm_diag_set(d, NULL, 0, 0, "the PDF is encrypted; sign the unencrypted file");
		goto done;
	}
	if (dict_get(x.trailer, "Root", &root) || parse_ref(root, &root_num, &root_gen) ||
	    doc_obj(&x, root_num, &catalog, &root_gen) || !is_dict(catalog)) {
		lm_diag_set(d, NULL, 0, 0, "the PDF's catalog (/Root) cannot be read" NOT_LIBHARU);
		goto done;
	}
	long pages_num;
	if (dict_get(catalog, "Pages", &v) || parse_ref(v, &pages_num, NULL) ||
	    collect_pages(&x, pages_num, 0, &pg) || !pg.n) {
		lm_diag_set(d, NULL, 0, 0, "the PDF's page tree cannot be read" NOT_LIBHARU);
		goto done;
	}
	page_num = info->visible ? pg.num[pg.n - 1] : pg.num[0];
	if (doc_obj(&x, page_num, &page, &page_gen) || !is_dict(page)) {
		lm_diag_set(d, NULL, 0, 0, "page object %ld cannot be read", page_num);
		goto done;
	}
	double w = info->rect[2] - info->rect[0], h = info->rect[3] - info->rect[1];
	if (info->visible && !(w >= 1 && h >= 1)) {
		lm_diag_set(d, NULL, 0, 0, "the visible signature box [%g %g %g %g] is empty; give "
			    "x1 y1 x2 y2 with x2 > x1 and y2 > y1", info->rect[0], info->rect[1],
			    info->rect[2], info->rect[3]);
		goto done;
	}

	/* number the new objects after the existing ones */
	long next = (long)(x.size > (long long)x.nobj ? x.size : (long long)x.nobj);
	long sig_num = next++, wid_num = next++, ap_num = 0, font_num = 0;
	if (info->visible) {
		ap_num = next++;
		font_num = next++;
	}
	struct xref_ent ents[6];
	int nent = 0;
	const char *name = info->name && *info->name ? info->name : s->name;
	size_t cap = s->contents_cap;

	if (len && pdf[len - 1] != '\n' && pdf[len - 1] != '\r')
		lm_buf_addc(&up, '\n');

	/* the signature dictionary */
	size_t br_pos, contents_pos;
	ents[nent++] = (struct xref_ent){ sig_num, 0, len + up.len };
	lm_buf_addf(&up, "%ld 0 obj\n<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n"
		    "/SubFilter /ETSI.CAdES.detached\n/ByteRange [", sig_num);
	br_pos = len + up.len;
	for (int i = 0; i < BYTERANGE_WIDTH; i++)
		lm_buf_addc(&up, ' ');
	lm_buf_adds(&up, "]\n/Contents ");
	contents_pos = len + up.len;
	lm_buf_addc(&up, '<');
	lm_buf_grow(&up, 2 * cap + 1);
	memset(up.ptr + up.len, '0', 2 * cap);
	up.len += 2 * cap;
	up.ptr[up.len] = '\0';
	lm_buf_addc(&up, '>');
	char mdate[40];
	{
		time_t tt = (time_t)info->signing_time;
		struct tm tm;
		if (!gmtime_r(&tt, &tm)) {
			lm_diag_set(d, NULL, 0, 0, "the signing time %lld is out of range",
				    info->signing_time);
			goto done;
		}
		strftime(mdate, sizeof(mdate), "D:%Y%m%d%H%M%S+00'00'", &tm);
	}
	lm_buf_addf(&up, "\n/M (%s)\n/Name ", mdate);
	int bad = add_text_string(&up, name);
	if (info->reason && *info->reason) {
		lm_buf_adds(&up, "\n/Reason ");
		bad |= add_text_string(&up, info->reason);
	}
	if (info->location && *info->location) {
		lm_buf_adds(&up, "\n/Location ");
		bad |= add_text_string(&up, info->location);
	}
	if (bad) {
		lm_diag_set(d, NULL, 0, 0, "the signer name, reason or location is not valid UTF-8");
		goto done;
	}
	lm_buf_adds(&up, "\n>>\nendobj\n");

	/* the field and its widget, merged into one object */
	size_t nfields = 0;
	struct lm_buf fields = LM_BUF_INIT;
	struct span old_acro = { NULL, 0 }, old_fields;
	if (!dict_get(catalog, "AcroForm", &acro) && !doc_resolve(&x, acro, &old_acro) &&
	    is_dict(old_acro) && !dict_get(old_acro, "Fields", &old_fields) &&
	    copy_elements(&x, &fields, old_fields, &nfields)) {
		lm_buf_release(&fields);
		lm_diag_set(d, NULL, 0, 0, "the PDF's form fields (/AcroForm /Fields) cannot be read");
		goto done;
	}
	ents[nent++] = (struct xref_ent){ wid_num, 0, len + up.len };
	lm_buf_addf(&up, "%ld 0 obj\n<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n"
		    "/T (Signature%zu)\n/V %ld 0 R\n/F 132\n/P %ld %d R\n", wid_num, nfields + 1,
		    sig_num, page_num, page_gen);
	if (info->visible)
		lm_buf_addf(&up, "/Rect [ %.4f %.4f %.4f %.4f ]\n/AP << /N %ld 0 R >>\n", info->rect[0],
			    info->rect[1], info->rect[2], info->rect[3], ap_num);
	else
		lm_buf_adds(&up, "/Rect [ 0 0 0 0 ]\n");
	lm_buf_adds(&up, ">>\nendobj\n");

	if (info->visible) {
		appearance(&cs, w, h, name, info->signing_time);
		ents[nent++] = (struct xref_ent){ ap_num, 0, len + up.len };
		lm_buf_addf(&up, "%ld 0 obj\n<<\n/Type /XObject\n/Subtype /Form\n/BBox [ 0 0 %.4f %.4f ]\n"
			    "/Resources << /Font << /Helv %ld 0 R >> /ProcSet [ /PDF /Text ] >>\n"
			    "/Length %zu\n>>\nstream\n", ap_num, w, h, font_num, cs.len);
		lm_buf_add(&up, cs.ptr, cs.len);
		lm_buf_adds(&up, "endstream\nendobj\n");
		ents[nent++] = (struct xref_ent){ font_num, 0, len + up.len };
		lm_buf_addf(&up, "%ld 0 obj\n<<\n/Type /Font\n/Subtype /Type1\n/BaseFont /Helvetica\n"
			    "/Encoding /WinAnsiEncoding\n>>\nendobj\n", font_num);
	}

	/* the page, with the widget added to its annotations */
	static const char *const page_skip[] = { "Annots", NULL };
	ents[nent++] = (struct xref_ent){ page_num, page_gen, len + up.len };
	lm_buf_addf(&up, "%ld %d obj\n<<\n", page_num, page_gen);
	copy_entries(&up, page, page_skip);
	lm_buf_adds(&up, "/Annots [ ");
	if (!dict_get(page, "Annots", &annots) && copy_elements(&x, &up, annots, NULL)) {
		lm_buf_release(&fields);
		lm_diag_set(d, NULL, 0, 0, "the annotations of page object %ld cannot be read", page_num);
		goto done;
	}
	lm_buf_addf(&up, "%ld 0 R ]\n>>\nendobj\n", wid_num);

	/* the catalog, with the field in its form */
	static const char *const cat_skip[] = { "AcroForm", NULL };
	static const char *const acro_skip[] = { "Fields", "SigFlags", NULL };
	ents[nent++] = (struct xref_ent){ root_num, root_gen, len + up.len };
	lm_buf_addf(&up, "%ld %d obj\n<<\n", root_num, root_gen);
	copy_entries(&up, catalog, cat_skip);
	if (dict_get(catalog, "Extensions", &v))
		lm_buf_adds(&up, "/Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> >>\n");
	if (dict_get(catalog, "Version", &v))
		lm_buf_adds(&up, "/Version /1.7\n");
	lm_buf_adds(&up, "/AcroForm <<\n");
	if (old_acro.n)
		copy_entries(&up, old_acro, acro_skip);
	lm_buf_addf(&up, "/Fields [ %s%ld 0 R ]\n/SigFlags 3\n>>\n>>\nendobj\n", fields.ptr, wid_num);
	lm_buf_release(&fields);

	/* the cross-reference section and trailer */
	qsort(ents, (size_t)nent, sizeof(ents[0]), xref_cmp);
	size_t xref_off = len + up.len;
	lm_buf_adds(&up, "xref\n0 1\n0000000000 65535 f\r\n");
	for (int i = 0; i < nent;) {
		int j = i + 1;
		while (j < nent && ents[j].num == ents[j - 1].num + 1)
			j++;
		lm_buf_addf(&up, "%ld %d\n", ents[i].num, j - i);
		for (; i < j; i++)
			lm_buf_addf(&up, "%010zu %05d n\r\n", ents[i].off, ents[i].gen);
	}
	lm_buf_addf(&up, "trailer\n<<\n/Size %ld\n/Root %ld %d R\n", next, root_num, root_gen);
	if (!dict_get(x.trailer, "Info", &v)) {
		lm_buf_adds(&up, "/Info ");
		lm_buf_add(&up, v.p, v.n);
		lm_buf_addc(&up, '\n');
	}
	if (!dict_get(x.trailer, "ID", &v)) {
		lm_buf_adds(&up, "/ID ");
		lm_buf_add(&up, v.p, v.n);
		lm_buf_addc(&up, '\n');
	}
	lm_buf_addf(&up, "/Prev %zu\n>>\nstartxref\n%zu\n%%%%EOF\n", x.startxref, xref_off);

	/* the byte range: everything but the /Contents hex string */
	size_t total = len + up.len;
	size_t hole_end = contents_pos + 2 * cap + 2;
	char br[BYTERANGE_WIDTH + 1];
	int n = snprintf(br, sizeof(br), "0 %zu %zu %zu", contents_pos, hole_end, total - hole_end);
	if (n < 0 || n > BYTERANGE_WIDTH) {
		lm_diag_set(d, NULL, 0, 0, "the PDF is too large to sign");
		goto done;
	}
	memcpy(up.ptr + (br_pos - len), br, (size_t)n);

	/* the digest of those bytes, computed from the two pieces in place */
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	mdctx = EVP_MD_CTX_new();
	const char *up0 = up.ptr - len; /* file offsets into `up` */
	if (!mdctx || !EVP_DigestInit_ex(mdctx, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(mdctx, pdf, len) ||
	    !EVP_DigestUpdate(mdctx, up0 + len, contents_pos - len) ||
	    !EVP_DigestUpdate(mdctx, up0 + hole_end, total - hole_end) ||
	    !EVP_DigestFinal_ex(mdctx, md, &mdlen)) {
		char why[256];
		lm_diag_set(d, NULL, 0, 0, "cannot compute the document digest: %s",
			    ossl_reason(why, sizeof(why)));
		goto done;
	}
	char err[512];
	int derlen = 0;
	der = make_cms(s, md, mdlen, &derlen, err, sizeof(err));
	if (!der) {
		lm_diag_set(d, s->cert_path, 0, 0, "cannot sign: %s", err);
		goto done;
	}
	if ((size_t)derlen > cap) {
		lm_diag_setk(d, LM_KIND_BUG, s->cert_path, 0, 0, "the signature (%d bytes) is larger than the space "
			    "reserved for it (%zu bytes); this is a bug in lettermerge", derlen, cap);
		goto done;
	}
	hex_encode(up.ptr + (contents_pos + 1 - len), der, (size_t)derlen);

	lm_buf_grow(out, len + up.len);
	lm_buf_add(out, pdf, len);
	lm_buf_add(out, up.ptr, up.len);
	rc = 0;
done:
	OPENSSL_free(der);
	EVP_MD_CTX_free(mdctx);
	lm_buf_release(&up);
	lm_buf_release(&cs);
	free(pg.num);
	doc_release(&x);
	ERR_clear_error();
	return rc;
}
