#include "verify.h"
#include "x509util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "pdfr.h"

#define MAX_FIELD_DEPTH 32 /* nested form fields */
#define MAX_WALK_DEPTH 200 /* objects inside objects, when comparing revisions */

struct lm_trust {
	X509_STORE *store;
	char *path;
};

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

/* "D:YYYYMMDDHHmmSS+HH'mm'" (parts from MM on optional) to seconds. */
static int parse_pdf_date(const struct lm_pobj *v, long long *out)
{
	char s[64];
	if (!v || v->kind != LM_PK_STRING || v->n >= sizeof(s))
		return -1;
	memcpy(s, v->s, v->n);
	s[v->n] = '\0';
	const char *p = s;
	if (!strncmp(p, "D:", 2))
		p += 2;
	int f[6] = { 0, 1, 1, 0, 0, 0 }, widths[6] = { 4, 2, 2, 2, 2, 2 };
	for (int i = 0; i < 6; i++) {
		if (!(*p >= '0' && *p <= '9')) {
			if (i == 0)
				return -1;
			break;
		}
		int val = 0;
		for (int k = 0; k < widths[i]; k++, p++) {
			if (*p < '0' || *p > '9')
				return -1;
			val = val * 10 + (*p - '0');
		}
		f[i] = val;
	}
	struct tm tm = { 0 };
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	long long t = (long long)timegm(&tm);
	if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, hh = 0, mm = 0;
		if (sscanf(p + 1, "%2d'%2d", &hh, &mm) < 1)
			return -1;
		t -= sign * (hh * 3600LL + mm * 60LL);
	}
	*out = t;
	return 0;
}

/* The signed bytes for CMS_verify, behind a null filter: given a memory BIO
 * directly, OpenSSL 3.0 copies it and leaks the copy when the CMS is bad. */
static BIO *content_bio(const char *content, size_t n)
{
	BIO *mem = BIO_new_mem_buf(content, (int)n), *f = mem ? BIO_new(BIO_f_null()) : NULL;
	if (!f) {
		BIO_free(mem);
		return NULL;
	}
	return BIO_push(f, mem);
}

/* ------------------------------------------------------------------ */
/* trust                                                                */

int lm_trust_load(struct lm_trust **out, const char *ca_path, struct lm_diag *d)
{
	char why[256];
	*out = NULL;
	X509_STORE *store = X509_STORE_new();
	if (!store || X509_STORE_load_file(store, ca_path) != 1) {
		X509_STORE_free(store);
		FILE *fp = fopen(ca_path, "rb");
		if (!fp)
			lm_diag_setk(d, lm_diag_errno_kind(errno), ca_path, 0, 0,
				     "cannot read the CA file: %s; check the path", strerror(errno));
		else
			lm_diag_set(d, ca_path, 0, 0, "no CA certificate found in the file (%s); give "
				    "the authority's CA certificate as PEM", lm_ossl_reason(why, sizeof(why)));
		if (fp)
			fclose(fp);
		ERR_clear_error();
		return -1;
	}
	X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
	struct lm_trust *t = lm_xcalloc(1, sizeof(*t));
	t->store = store;
	t->path = lm_xstrdup(ca_path);
	*out = t;
	return 0;
}

void lm_trust_free(struct lm_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	free(t->path);
	free(t);
}

/* ------------------------------------------------------------------ */
/* finding the signatures                                               */

struct sig {
	long long num;          /* the signature dictionary's object number */
	size_t found;           /* the first revision it is in */
	struct lm_pobj *dict;
	long long br[4];
	int br_ok;
	size_t rev;             /* the revision it signs */
	char label[256];        /* who, for messages: /Name, else the certificate */
	struct lm_verify_sig info;
};

struct sigs {
	struct sig *v;
	size_t n, alloc;
	struct lm_numset fields; /* fields walked in this revision */
	struct lm_numset dicts;  /* signature dictionaries found in any revision */
};

/* 1 if `field` (or the field it belongs to) is a signature field. */
static int is_sig_field(struct lm_pdfr *r, size_t rev, const struct lm_pobj *field)
{
	const struct lm_pobj *f = field;
	struct lm_pobj *hold = NULL;
	int res = 0;
	for (int depth = 0; f && depth < MAX_FIELD_DEPTH; depth++) {
		const struct lm_pobj *ft = lm_pobj_get(f, "FT");
		if (ft) {
			res = lm_pobj_is_name(ft, "Sig");
			break;
		}
		struct lm_pobj *next = NULL;
		const struct lm_pobj *parent = lm_pdfr_deref(r, rev, lm_pobj_get(f, "Parent"), &next, NULL);
		lm_pobj_free(hold);
		hold = next;
		f = parent && parent->kind == LM_PK_DICT ? parent : NULL;
	}
	lm_pobj_free(hold);
	return res;
}

static void find_sigs(struct lm_pdfr *r, size_t rev, const struct lm_pobj *fields, int inherited,
		      int depth, struct sigs *s)
{
	struct lm_pobj *harr = NULL;
	const struct lm_pobj *arr = lm_pdfr_deref(r, rev, fields, &harr, NULL);
	if (depth > MAX_FIELD_DEPTH || !arr || arr->kind != LM_PK_ARRAY) {
		lm_pobj_free(harr);
		return;
	}
	for (size_t i = 0; i < arr->nkids; i++) {
		const struct lm_pobj *el = arr->kids[i];
		if (el->kind == LM_PK_REF && !lm_numset_add(&s->fields, el->i))
			continue;
		struct lm_pobj *hf = NULL;
		const struct lm_pobj *field = lm_pdfr_deref(r, rev, el, &hf, NULL);
		if (!field || field->kind != LM_PK_DICT) {
			lm_pobj_free(hf);
			continue;
		}
		int is_sig = inherited;
		const struct lm_pobj *ft = lm_pobj_get(field, "FT");
		if (ft)
			is_sig = lm_pobj_is_name(ft, "Sig");
		const struct lm_pobj *kids = lm_pobj_get(field, "Kids");
		if (kids)
			find_sigs(r, rev, kids, is_sig, depth + 1, s);
		const struct lm_pobj *v = lm_pobj_get(field, "V");
		if (is_sig && v && v->kind == LM_PK_REF && lm_numset_add(&s->dicts, v->i)) {
			struct lm_pobj *sd = NULL;
			if (!lm_pdfr_get(r, rev, v->i, &sd, NULL) && sd->kind == LM_PK_DICT) {
				LM_ALLOC_GROW(s->v, s->n + 1, s->alloc);
				struct sig *g = &s->v[s->n++];
				memset(g, 0, sizeof(*g));
				g->num = v->i;
				g->found = rev;
				g->dict = sd;
				sd = NULL;
			}
			lm_pobj_free(sd);
		}
		lm_pobj_free(hf);
	}
	lm_pobj_free(harr);
}

static int sig_cmp(const void *a, const void *b)
{
	const struct sig *x = a, *y = b;
	long long ex = x->br_ok ? x->br[2] + x->br[3] : -1, ey = y->br_ok ? y->br[2] + y->br[3] : -1;
	return (ex > ey) - (ex < ey);
}

/* ------------------------------------------------------------------ */
/* one signature: byte range, digest, signature, chain                  */

static int check_one(struct lm_pdfr *r, const char *pdf, size_t len, const struct lm_trust *t,
		     struct sig *g, struct lm_verify_result *res, struct lm_diag *d)
{
	const struct lm_pobj *sig = g->dict, *v;
	unsigned char *der = NULL;
	char *content = NULL;
	CMS_ContentInfo *cms = NULL;
	BIO *bio = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *certs = NULL, *signers = NULL;
	int rc = -1;
	char why[256];
	const char *who = g->label;

	res->status = LM_VERIFY_MALFORMED;
	if (!g->br_ok)
		return lm_diag_set(d, NULL, 0, 0, "the signature of %s has no valid /ByteRange", who);
	const struct lm_pobj *contents = lm_pobj_get(sig, "Contents");
	struct lm_pdfr_loc loc = lm_pdfr_locate(r, g->found, g->num);
	if (!contents || contents->kind != LM_PK_STRING || loc.where != LM_PDFR_AT ||
	    contents->in_objstm || contents->end - contents->pos < 2 || pdf[contents->pos] != '<')
		return lm_diag_set(d, NULL, 0, 0, "the signature of %s has no /Contents hex string in "
				   "the file", who);
	long long *br = g->br;
	size_t hole_a = contents->pos, hole_b = contents->end;
	res->covered = (br[2] >= 0 && br[3] >= 0) ? (size_t)(br[2] + br[3]) : 0;
	if (br[0] != 0 || br[1] < 0 || br[2] < br[1] || br[3] < 0 ||
	    (unsigned long long)br[2] + (unsigned long long)br[3] > len) {
		return lm_diag_set(d, NULL, 0, 0, "the signature's /ByteRange [%lld %lld %lld %lld] does "
				   "not fit the file (%zu bytes); the file is damaged or was altered",
				   br[0], br[1], br[2], br[3], len);
	}
	if ((size_t)br[1] != hole_a || (size_t)br[2] != hole_b) {
		res->status = LM_VERIFY_NOT_COVERED;
		return lm_diag_set(d, NULL, 0, 0, "the signature's /ByteRange leaves out bytes %lld to "
				   "%lld, not exactly the signature value (%zu to %zu); do not trust this "
				   "file", br[1], br[2], hole_a, hole_b);
	}
	/* the revision it signs: the byte range ends where a revision ends */
	size_t end = (size_t)(br[2] + br[3]), nrev = lm_pdfr_nrevisions(r);
	int found = 0;
	for (size_t k = nrev; k-- > 0 && !found;) {
		const struct lm_pdfr_rev *rv = lm_pdfr_revision(r, k);
		if (rv->end == end || rv->eof_pos == end) {
			g->rev = k;
			found = 1;
		}
	}
	if (!found) {
		res->status = LM_VERIFY_NOT_COVERED;
		return lm_diag_set(d, NULL, 0, 0, "the signature of %s covers %zu bytes, which is not "
				   "where a version of the file ends; do not trust this file", who, end);
	}
	g->info.revision = g->rev;

	/* the CMS */
	const unsigned char *dp = (const unsigned char *)contents->s;
	cms = d2i_CMS_ContentInfo(NULL, &dp, (long)contents->n);
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		lm_diag_set(d, NULL, 0, 0, "the signature value is not a CMS SignedData (%s)",
			    lm_ossl_reason(why, sizeof(why)));
		goto done;
	}
	v = lm_pobj_get(sig, "SubFilter");
	if (v && !lm_pobj_is_name(v, "ETSI.CAdES.detached") && !lm_pobj_is_name(v, "adbe.pkcs7.detached")) {
		lm_diag_set(d, NULL, 0, 0, "the signature's /SubFilter /%s is not supported; only "
			    "detached CMS signatures are", v->kind == LM_PK_NAME ? v->s : "?");
		goto done;
	}
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		lm_diag_set(d, NULL, 0, 0, "the signature has %d signers; expected one",
			    sk_CMS_SignerInfo_num(sis));
		goto done;
	}
	if (!g->info.signing_time) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
		int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
		ASN1_TYPE *at = i >= 0 ? X509_ATTRIBUTE_get0_type(CMS_signed_get_attr(si, i), 0) : NULL;
		struct tm tm;
		if (at && (at->type == V_ASN1_UTCTIME || at->type == V_ASN1_GENERALIZEDTIME) &&
		    ASN1_TIME_to_tm((ASN1_TIME *)at->value.ptr, &tm))
			g->info.signing_time = (long long)timegm(&tm);
	}

	/* digest and signature value, no certificate checks yet */
	size_t nc = (size_t)br[1] + (size_t)br[3];
	content = lm_xmalloc(nc + 1);
	memcpy(content, pdf, (size_t)br[1]);
	memcpy(content + br[1], pdf + br[2], (size_t)br[3]);
	bio = content_bio(content, nc);
	if (!bio || CMS_verify(cms, NULL, NULL, bio, NULL, CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		unsigned long e = ERR_peek_last_error();
		int reason = ERR_GET_LIB(e) == ERR_LIB_CMS ? ERR_GET_REASON(e) : 0;
		if (reason == CMS_R_CONTENT_VERIFY_ERROR || reason == CMS_R_VERIFICATION_FAILURE) {
			res->status = LM_VERIFY_TAMPERED;
			lm_diag_set(d, NULL, 0, 0, "the document was changed after it was signed: %s; do "
				    "not use it: ask the sender for a fresh copy",
				    reason == CMS_R_CONTENT_VERIFY_ERROR
					    ? "its digest does not match the signature"
					    : "the signed attributes do not match the signature");
		} else {
			lm_diag_set(d, NULL, 0, 0, "the signature cannot be checked: %s",
				    lm_ossl_reason(why, sizeof(why)));
		}
		goto done;
	}
	signers = CMS_get0_signers(cms);
	X509 *signer = signers ? sk_X509_value(signers, 0) : NULL;
	if (!signer) {
		lm_diag_set(d, NULL, 0, 0, "the signature does not include the signer's certificate");
		goto done;
	}
	lm_cert_cn(signer, g->info.signer, sizeof(g->info.signer));
	if (!g->label[0])
		snprintf(g->label, sizeof(g->label), "%s", g->info.signer);

	/* the certificate chain, at the signing time */
	long long vt = g->info.signing_time ? g->info.signing_time : (long long)time(NULL);
	certs = CMS_get1_certs(cms);
	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, t->store, signer, certs)) {
		lm_diag_set(d, NULL, 0, 0, "cannot check the certificate: %s", lm_ossl_reason(why, sizeof(why)));
		goto done;
	}
	X509_STORE_CTX_set_time(ctx, 0, (time_t)vt);
	if (X509_verify_cert(ctx) != 1) {
		int e = X509_STORE_CTX_get_error(ctx);
		char when[64];
		lm_format_utc(vt, when, sizeof(when));
		const char *plain = "";
		switch (e) {
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_CERT_SIGNATURE_FAILURE:
			plain = "it was not issued by an authority in that file ";
			break;
		case X509_V_ERR_CERT_HAS_EXPIRED:
			plain = "a certificate in its chain had expired ";
			break;
		case X509_V_ERR_CERT_NOT_YET_VALID:
			plain = "a certificate in its chain was not yet valid ";
			break;
		}
		res->status = LM_VERIFY_UNTRUSTED;
		lm_diag_set(d, NULL, 0, 0, "the signer's certificate \"%s\" is not trusted by '%s' at the "
			    "signing time %s: %s(%s); check you have the authority's CA file",
			    g->info.signer, t->path, when, plain, X509_verify_cert_error_string(e));
		goto done;
	}

	/* the ESS signing-certificate attribute names this certificate */
	BIO_free_all(bio);
	bio = content_bio(content, nc);
	/* OpenSSL checks it while building the chain again, with the store's
	 * time: set to this signature's (a store is used by one thread) */
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(t->store), (time_t)vt);
	if (!bio || CMS_verify(cms, NULL, t->store, bio, NULL, CMS_BINARY | CMS_CADES) != 1) {
		res->status = LM_VERIFY_UNTRUSTED;
		lm_diag_set(d, NULL, 0, 0, "the signature does not verify: %s",
			    lm_ossl_reason(why, sizeof(why)));
		goto done;
	}
	rc = 0;
done:
	sk_X509_free(signers);
	sk_X509_pop_free(certs, X509_free);
	X509_STORE_CTX_free(ctx);
	BIO_free_all(bio);
	CMS_ContentInfo_free(cms);
	free(content);
	free(der);
	ERR_clear_error();
	return rc;
}

/* ------------------------------------------------------------------ */
/* what changed between two revisions                                   */

struct differ {
	struct lm_pdfr *r;
	size_t ra, rb;         /* when signed, now */
	struct lm_numset seen; /* objects (by their number now) compared or being compared */
	struct lm_numset later_sigs; /* signature dictionaries signed after ra */
	const char *label;     /* what the part being compared is, for the message */
	char what[256];        /* the first change found */
	struct lm_diag *d;
	int depth;
};

static int changed(struct differ *D, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int changed(struct differ *D, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(D->what, sizeof(D->what), fmt, ap);
	va_end(ap);
	return 1;
}

static int label_changed(struct differ *D)
{
	return changed(D, "%s was changed", D->label);
}

/* Objects are compared in pairs (then, now): a pair met again is not
 * compared again, which also ends loops.  Numbers too large to pair are
 * compared every time (the depth bound ends those walks). */
static int pair_key(long long a, long long b, long long *key)
{
	if (a < 0 || b < 0 || a >= (1LL << 24) || b >= (1LL << 24))
		return 0;
	*key = a << 24 | b;
	return 1;
}

static int same(struct differ *D, const struct lm_pobj *a, const struct lm_pobj *b);

static int is_skipped(const char *key, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (!strcmp(key, *skip))
			return 1;
	return 0;
}

/* Dictionaries: the same keys (but `skip`) with the same values. */
static int same_dict(struct differ *D, const struct lm_pobj *a, const struct lm_pobj *b,
		     const char *const *skip)
{
	for (size_t i = 0; i + 1 < a->nkids; i += 2) {
		const char *k = a->kids[i]->s;
		if (is_skipped(k, skip))
			continue;
		const struct lm_pobj *vb = lm_pobj_get(b, k);
		const struct lm_pobj *va = lm_pobj_get(a, k); /* the first, if repeated */
		if (!vb && va->kind != LM_PK_NULL)
			return label_changed(D);
		int rc = vb ? same(D, va, vb) : 0;
		if (rc)
			return rc;
	}
	for (size_t i = 0; i + 1 < b->nkids; i += 2) {
		const char *k = b->kids[i]->s;
		if (!is_skipped(k, skip) && !lm_pobj_get(a, k) && b->kids[i + 1]->kind != LM_PK_NULL)
			return label_changed(D);
	}
	return 0;
}

static int same_stream(struct differ *D, const struct lm_pobj *a, const struct lm_pobj *b)
{
	static const char *const skip[] = { "Length", "Filter", "DecodeParms", NULL };
	int rc = same_dict(D, a, b, skip);
	if (rc)
		return rc;
	if (a->data == b->data && a->data_len == b->data_len)
		return 0; /* the very same bytes of the file */
	struct lm_buf da = LM_BUF_INIT, db = LM_BUF_INIT;
	struct lm_diag ignore;
	lm_diag_clear(&ignore);
	int ra = lm_pdfr_stream(D->r, D->ra, a, &da, &ignore);
	int rb = lm_pdfr_stream(D->r, D->rb, b, &db, &ignore);
	if (ra || rb) {
		/* not decodable here: the same only if the same encoded bytes and filters */
		const struct lm_pobj *fa = lm_pobj_get(a, "Filter"), *fb = lm_pobj_get(b, "Filter");
		rc = !(a->data_len == b->data_len && !memcmp(a->data, b->data, a->data_len) &&
		       ((!fa && !fb) || (fa && fb && !same(D, fa, fb))));
	} else {
		rc = !(da.len == db.len && !memcmp(da.ptr, db.ptr, da.len));
	}
	lm_buf_release(&da);
	lm_buf_release(&db);
	return rc ? label_changed(D) : 0;
}

static int same(struct differ *D, const struct lm_pobj *a, const struct lm_pobj *b)
{
	if (a->kind == LM_PK_REF || b->kind == LM_PK_REF) {
		long long key;
		if (a->kind == LM_PK_REF && b->kind == LM_PK_REF && pair_key(a->i, b->i, &key) &&
		    !lm_numset_add(&D->seen, key))
			return 0;
		if (D->depth >= MAX_WALK_DEPTH)
			return label_changed(D);
		struct lm_pobj *ha = NULL, *hb = NULL, null_obj;
		memset(&null_obj, 0, sizeof(null_obj));
		null_obj.kind = LM_PK_NULL;
		struct lm_diag da, db;
		lm_diag_clear(&da);
		lm_diag_clear(&db);
		const struct lm_pobj *xa = lm_pdfr_deref(D->r, D->ra, a, &ha, &da);
		const struct lm_pobj *xb = lm_pdfr_deref(D->r, D->rb, b, &hb, &db);
		int rc;
		if ((!xa && da.msg[0]) || (!xb && db.msg[0])) {
			*D->d = xa ? db : da;
			rc = -1;
		} else {
			D->depth++;
			rc = same(D, xa ? xa : &null_obj, xb ? xb : &null_obj);
			D->depth--;
		}
		lm_pobj_free(ha);
		lm_pobj_free(hb);
		return rc;
	}
	if ((a->kind == LM_PK_INT || a->kind == LM_PK_REAL) && (b->kind == LM_PK_INT || b->kind == LM_PK_REAL))
		return a->r == b->r ? 0 : label_changed(D);
	if (a->kind != b->kind)
		return label_changed(D);
	switch (a->kind) {
	case LM_PK_NULL:
		return 0;
	case LM_PK_BOOL:
		return a->i == b->i ? 0 : label_changed(D);
	case LM_PK_STRING:
	case LM_PK_NAME:
		return a->n == b->n && !memcmp(a->s, b->s, a->n) ? 0 : label_changed(D);
	case LM_PK_ARRAY:
		if (a->nkids != b->nkids)
			return label_changed(D);
		for (size_t i = 0; i < a->nkids; i++) {
			int rc = same(D, a->kids[i], b->kids[i]);
			if (rc)
				return rc;
		}
		return 0;
	case LM_PK_DICT:
		return same_dict(D, a, b, NULL);
	case LM_PK_STREAM:
		return same_stream(D, a, b);
	default:
		return label_changed(D);
	}
}

/* Page tree nodes read for inherited attributes: consecutive pages share
 * their parents, so a few kept make the walk linear. */
#define NODE_CACHE 8
struct node_cache {
	long long num[NODE_CACHE];
	struct lm_pobj *obj[NODE_CACHE];
	unsigned next;
};

static void node_cache_release(struct node_cache *c)
{
	for (int i = 0; i < NODE_CACHE; i++)
		lm_pobj_free(c->obj[i]);
	memset(c, 0, sizeof(*c));
}

static const struct lm_pobj *cached_node(struct lm_pdfr *r, size_t rev, long long num,
					 struct node_cache *c)
{
	for (int i = 0; i < NODE_CACHE; i++)
		if (c->obj[i] && c->num[i] == num)
			return c->obj[i];
	struct lm_pobj *o = NULL;
	if (lm_pdfr_get(r, rev, num, &o, NULL))
		return NULL;
	unsigned k = c->next++ % NODE_CACHE;
	lm_pobj_free(c->obj[k]);
	c->obj[k] = o;
	c->num[k] = num;
	return o;
}

/* A page attribute, inherited from the page tree when the page lacks it;
 * valid until the next call with the same cache. */
static const struct lm_pobj *page_attr(struct lm_pdfr *r, size_t rev, const struct lm_pobj *page,
				       const char *key, struct node_cache *c)
{
	const struct lm_pobj *node = page;
	for (int depth = 0; node && node->kind == LM_PK_DICT && depth < 64; depth++) {
		const struct lm_pobj *v = lm_pobj_get(node, key);
		if (v)
			return v;
		const struct lm_pobj *parent = lm_pobj_get(node, "Parent");
		if (!parent || parent->kind != LM_PK_REF)
			return NULL;
		node = cached_node(r, rev, parent->i, c);
	}
	return NULL;
}

static int same_opt(struct differ *D, const struct lm_pobj *a, const struct lm_pobj *b)
{
	static const struct lm_pobj null_obj = { .kind = LM_PK_NULL };
	return same(D, a ? a : &null_obj, b ? b : &null_obj);
}

/* An annotation added after the signature is allowed only if it is the
 * widget of a signature field (a later signature, or an empty one). */
static int allowed_new_annot(struct differ *D, const struct lm_pobj *ref, char *kind, size_t n)
{
	struct lm_pobj *h = NULL;
	const struct lm_pobj *an = lm_pdfr_deref(D->r, D->rb, ref, &h, NULL);
	snprintf(kind, n, "an annotation");
	int ok = 0;
	if (an && an->kind == LM_PK_DICT) {
		const struct lm_pobj *st = lm_pobj_get(an, "Subtype");
		if (st && st->kind == LM_PK_NAME) {
			if (!strcmp(st->s, "Link"))
				snprintf(kind, n, "a link");
			else if (!strcmp(st->s, "Widget"))
				snprintf(kind, n, "a form field");
			else if (strcmp(st->s, "Popup") && strcmp(st->s, "Text") && strcmp(st->s, "FreeText"))
				snprintf(kind, n, "a drawing or mark (/%s)", st->s);
			else
				snprintf(kind, n, "a comment");
		}
		ok = lm_pobj_is_name(st, "Widget") && is_sig_field(D->r, D->rb, an);
	}
	lm_pobj_free(h);
	return ok;
}

static int same_annots(struct differ *D, const struct lm_pobj *pa, const struct lm_pobj *pb, size_t page)
{
	static const struct lm_pobj empty = { .kind = LM_PK_ARRAY };
	struct lm_pobj *ha = NULL, *hb = NULL;
	const struct lm_pobj *a = lm_pdfr_deref(D->r, D->ra, lm_pobj_get(pa, "Annots"), &ha, NULL);
	const struct lm_pobj *b = lm_pdfr_deref(D->r, D->rb, lm_pobj_get(pb, "Annots"), &hb, NULL);
	if (!a || a->kind != LM_PK_ARRAY)
		a = &empty;
	if (!b || b->kind != LM_PK_ARRAY)
		b = &empty;
	int rc = 0;
	for (size_t i = 0; i < a->nkids && !rc; i++) {
		const struct lm_pobj *x = a->kids[i], *y = NULL;
		for (size_t j = 0; j < b->nkids && !y; j++)
			if (x->kind == LM_PK_REF && b->kids[j]->kind == LM_PK_REF && b->kids[j]->i == x->i)
				y = b->kids[j];
		if (!y && x->kind != LM_PK_REF && i < b->nkids)
			y = b->kids[i];
		if (!y)
			rc = changed(D, "an annotation was removed from page %zu", page);
		else
			rc = same(D, x, y);
	}
	for (size_t j = 0; j < b->nkids && !rc; j++) {
		const struct lm_pobj *y = b->kids[j];
		int old = 0;
		for (size_t i = 0; i < a->nkids && !old; i++)
			old = y->kind == LM_PK_REF && a->kids[i]->kind == LM_PK_REF && a->kids[i]->i == y->i;
		if (old || (y->kind != LM_PK_REF && j < a->nkids))
			continue;
		char kind[128];
		if (!allowed_new_annot(D, y, kind, sizeof(kind)))
			rc = changed(D, "%s was added to page %zu", kind, page);
	}
	lm_pobj_free(ha);
	lm_pobj_free(hb);
	return rc;
}

static int same_pages(struct differ *D)
{
	long long *na = NULL, *nb = NULL;
	size_t ca = 0, cb = 0;
	int rc = 0;
	if (lm_pdfr_pages(D->r, D->ra, &na, &ca, D->d) || lm_pdfr_pages(D->r, D->rb, &nb, &cb, D->d)) {
		free(na);
		free(nb);
		return -1;
	}
	if (ca != cb) {
		rc = changed(D, "pages were %s (%zu when signed, %zu now)", cb > ca ? "added" : "removed",
			     ca, cb);
		goto done;
	}
	/* pages get the rules below, wherever else they are referred to from */
	for (size_t i = 0; i < cb; i++) {
		long long key;
		if (pair_key(na[i], nb[i], &key))
			lm_numset_add(&D->seen, key);
	}
	static const char *const skip[] = { "Annots", "Parent", "Resources", "MediaBox", "CropBox",
					    "Rotate", NULL };
	static const char *const inherited[] = { "Resources", "MediaBox", "CropBox", "Rotate" };
	char label[64];
	struct node_cache nodes_a, nodes_b;
	memset(&nodes_a, 0, sizeof(nodes_a));
	memset(&nodes_b, 0, sizeof(nodes_b));
	for (size_t i = 0; i < cb && !rc; i++) {
		snprintf(label, sizeof(label), "page %zu", i + 1);
		D->label = label;
		struct lm_pobj *pa = NULL, *pb = NULL;
		if (lm_pdfr_get(D->r, D->ra, na[i], &pa, D->d) || lm_pdfr_get(D->r, D->rb, nb[i], &pb, D->d)) {
			lm_pobj_free(pa);
			lm_pobj_free(pb);
			rc = -1;
			break;
		}
		rc = same_dict(D, pa, pb, skip);
		for (size_t k = 0; k < sizeof(inherited) / sizeof(*inherited) && !rc; k++) {
			const struct lm_pobj *va = page_attr(D->r, D->ra, pa, inherited[k], &nodes_a);
			const struct lm_pobj *vb = page_attr(D->r, D->rb, pb, inherited[k], &nodes_b);
			rc = same_opt(D, va, vb);
		}
		if (!rc)
			rc = same_annots(D, pa, pb, i + 1);
		lm_pobj_free(pa);
		lm_pobj_free(pb);
	}
	node_cache_release(&nodes_a);
	node_cache_release(&nodes_b);
done:
	free(na);
	free(nb);
	return rc;
}

/* The form: fields there when signed unchanged; new ones only signatures. */
static int same_acroform(struct differ *D, const struct lm_pobj *cat_a, const struct lm_pobj *cat_b)
{
	static const struct lm_pobj empty = { .kind = LM_PK_ARRAY };
	struct lm_pobj *ha = NULL, *hb = NULL, *hfa = NULL, *hfb = NULL;
	const struct lm_pobj *a = lm_pdfr_deref(D->r, D->ra, lm_pobj_get(cat_a, "AcroForm"), &ha, NULL);
	const struct lm_pobj *b = lm_pdfr_deref(D->r, D->rb, lm_pobj_get(cat_b, "AcroForm"), &hb, NULL);
	int rc = 0;
	D->label = "the form";
	if (a && a->kind != LM_PK_DICT)
		a = NULL;
	if (b && b->kind != LM_PK_DICT)
		b = NULL;
	if (a && !b) {
		rc = changed(D, "the form was removed");
		goto done;
	}
	if (!b)
		goto done;
	/* other entries: the same, but /SigFlags; /DA and /DR may come with the first field */
	static const char *const skip_new[] = { "Fields", "SigFlags", "DA", "DR", NULL };
	static const char *const skip_old[] = { "Fields", "SigFlags", NULL };
	if (a) {
		rc = same_dict(D, a, b, skip_old);
		if (rc == 1 && !lm_pobj_get(a, "DA") && !lm_pobj_get(a, "DR")) {
			rc = same_dict(D, a, b, skip_new);
		}
	} else {
		for (size_t i = 0; i + 1 < b->nkids && !rc; i += 2)
			if (!is_skipped(b->kids[i]->s, skip_new))
				rc = label_changed(D);
	}
	if (rc)
		goto done;
	const struct lm_pobj *fa = a ? lm_pdfr_deref(D->r, D->ra, lm_pobj_get(a, "Fields"), &hfa, NULL) : NULL;
	const struct lm_pobj *fb = lm_pdfr_deref(D->r, D->rb, lm_pobj_get(b, "Fields"), &hfb, NULL);
	if (!fa || fa->kind != LM_PK_ARRAY)
		fa = &empty;
	if (!fb || fb->kind != LM_PK_ARRAY)
		fb = &empty;
	for (size_t i = 0; i < fa->nkids && !rc; i++) {
		const struct lm_pobj *x = fa->kids[i], *y = NULL;
		for (size_t j = 0; j < fb->nkids && !y; j++)
			if (x->kind == LM_PK_REF && fb->kids[j]->kind == LM_PK_REF && fb->kids[j]->i == x->i)
				y = fb->kids[j];
		rc = y ? same(D, x, y) : changed(D, "a form field was removed");
	}
	for (size_t j = 0; j < fb->nkids && !rc; j++) {
		const struct lm_pobj *y = fb->kids[j];
		int old = 0;
		for (size_t i = 0; i < fa->nkids && !old; i++)
			old = y->kind == LM_PK_REF && fa->kids[i]->kind == LM_PK_REF && fa->kids[i]->i == y->i;
		if (old)
			continue;
		struct lm_pobj *h = NULL;
		const struct lm_pobj *f = lm_pdfr_deref(D->r, D->rb, y, &h, NULL);
		if (!f || f->kind != LM_PK_DICT || !is_sig_field(D->r, D->rb, f))
			rc = changed(D, "a form field that is not a signature was added");
		else {
			const struct lm_pobj *v = lm_pobj_get(f, "V");
			if (v && (v->kind != LM_PK_REF || !lm_numset_has(&D->later_sigs, v->i)))
				rc = changed(D, "a signature field was added that holds no later signature");
		}
		lm_pobj_free(h);
	}
done:
	lm_pobj_free(ha);
	lm_pobj_free(hb);
	lm_pobj_free(hfa);
	lm_pobj_free(hfb);
	return rc;
}

static const char *catalog_label(const char *key)
{
	static const struct {
		const char *key, *label;
	} labels[] = {
		{ "StructTreeRoot", "the tag structure (what screen readers follow)" },
		{ "MarkInfo", "the tag structure (what screen readers follow)" },
		{ "Metadata", "the document's metadata (XMP)" },
		{ "Lang", "the document's language" },
		{ "Outlines", "the bookmark list" },
		{ "OpenAction", "an action run when the document opens" },
		{ "AA", "an action run when the document opens" },
		{ "Names", "the document's named destinations, files or scripts" },
		{ "ViewerPreferences", "how the document is shown" },
		{ "PageLayout", "how the document is shown" },
		{ "PageMode", "how the document is shown" },
		{ "OCProperties", "which layers are shown" },
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(*labels); i++)
		if (!strcmp(labels[i].key, key))
			return labels[i].label;
	return NULL;
}

/* 0: what a reader sees at revision rb is what it saw at ra; 1: D->what
 * says what changed; -1: the file cannot be read (D->d). */
static int compare_revisions(struct differ *D)
{
	const struct lm_pdfr_rev *A = lm_pdfr_revision(D->r, D->ra), *B = lm_pdfr_revision(D->r, D->rb);
	struct lm_pobj *ca = NULL, *cb = NULL;
	int rc = 0;
	const struct lm_pobj *ra = lm_pobj_get(A->trailer, "Root"), *rb = lm_pobj_get(B->trailer, "Root");
	if (!ra || !rb || ra->kind != LM_PK_REF || rb->kind != LM_PK_REF)
		return lm_diag_set(D->d, NULL, 0, 0, "the PDF is damaged: a trailer has no /Root");
	if (ra->i != rb->i)
		return changed(D, "the whole document was replaced");
	if (lm_pdfr_get(D->r, D->ra, ra->i, &ca, D->d) || lm_pdfr_get(D->r, D->rb, rb->i, &cb, D->d) ||
	    ca->kind != LM_PK_DICT || cb->kind != LM_PK_DICT) {
		rc = D->d->msg[0] ? -1 : lm_diag_set(D->d, NULL, 0, 0, "the PDF is damaged: its catalog "
						     "cannot be read");
		goto done;
	}
	long long key;
	if (pair_key(ra->i, rb->i, &key))
		lm_numset_add(&D->seen, key);
	rc = same_pages(D);
	if (!rc)
		rc = same_acroform(D, ca, cb);
	/* the rest of the catalog, key by key, named for the message */
	static const char *const skip[] = { "Pages", "AcroForm", "DSS", "Perms", "Extensions", NULL };
	char label[128];
	for (size_t pass = 0; pass < 2 && !rc; pass++) {
		const struct lm_pobj *x = pass ? cb : ca;
		for (size_t i = 0; i + 1 < x->nkids && !rc; i += 2) {
			const char *k = x->kids[i]->s;
			if (is_skipped(k, skip))
				continue;
			const char *l = catalog_label(k);
			if (!l) {
				snprintf(label, sizeof(label), "the document's catalog (/%s)", k);
				l = label;
			}
			D->label = l;
			rc = same_opt(D, lm_pobj_get(ca, k), lm_pobj_get(cb, k));
		}
	}
	if (!rc) {
		/* every saving tool stamps /ModDate and /Producer; no reader
		 * shows them as the document's */
		static const char *const stamps[] = { "ModDate", "Producer", NULL };
		D->label = "the document's title or other details (its /Info)";
		struct lm_pobj *ha = NULL, *hb = NULL;
		const struct lm_pobj *ia = lm_pdfr_deref(D->r, D->ra, lm_pobj_get(A->trailer, "Info"), &ha, NULL);
		const struct lm_pobj *ib = lm_pdfr_deref(D->r, D->rb, lm_pobj_get(B->trailer, "Info"), &hb, NULL);
		if (ia && ia->kind == LM_PK_DICT && ib && ib->kind == LM_PK_DICT)
			rc = same_dict(D, ia, ib, stamps);
		else
			rc = same_opt(D, ia, ib);
		lm_pobj_free(ha);
		lm_pobj_free(hb);
	}
	if (!rc) {
		D->label = "the document's encryption";
		rc = same_opt(D, lm_pobj_get(A->trailer, "Encrypt"), lm_pobj_get(B->trailer, "Encrypt"));
	}
done:
	lm_pobj_free(ca);
	lm_pobj_free(cb);
	return rc;
}

/* ------------------------------------------------------------------ */
/* the file                                                             */

static void copy_sig(struct lm_verify_result *r, const struct sig *g)
{
	snprintf(r->signer, sizeof(r->signer), "%s", g->info.signer);
	snprintf(r->name, sizeof(r->name), "%s", g->info.name);
	r->signing_time = g->info.signing_time;
}

int lm_verify_pdf_trust(const char *pdf, size_t len, const struct lm_trust *t,
			struct lm_verify_result *res, struct lm_diag *d)
{
	struct lm_pdfr *r = NULL;
	struct sigs s = { NULL, 0, 0, LM_NUMSET_INIT, LM_NUMSET_INIT };
	struct differ D;
	memset(&D, 0, sizeof(D));
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->status = LM_VERIFY_MALFORMED;
	if (lm_pdfr_open(&r, pdf, len, d))
		goto done;
	size_t last = lm_pdfr_nrevisions(r) - 1;
	/* signatures of every revision: one removed later must still be
	 * checked, so that its removal shows as a change */
	for (size_t k = 0; k <= last; k++) {
		const struct lm_pobj *root = lm_pobj_get(lm_pdfr_revision(r, k)->trailer, "Root");
		struct lm_pobj *cat = NULL;
		if (!root || root->kind != LM_PK_REF || lm_pdfr_get(r, k, root->i, &cat, d) ||
		    cat->kind != LM_PK_DICT) {
			lm_pobj_free(cat);
			lm_diag_set(d, NULL, 0, 0, "the PDF's catalog (/Root) cannot be read");
			goto done;
		}
		struct lm_pobj *hacro = NULL;
		const struct lm_pobj *acro = lm_pdfr_deref(r, k, lm_pobj_get(cat, "AcroForm"), &hacro, NULL);
		lm_numset_release(&s.fields);
		if (acro && acro->kind == LM_PK_DICT)
			find_sigs(r, k, lm_pobj_get(acro, "Fields"), 0, 0, &s);
		lm_pobj_free(hacro);
		lm_pobj_free(cat);
	}
	res->nsignatures = (int)s.n;
	if (!s.n) {
		res->status = LM_VERIFY_NO_SIGNATURE;
		lm_diag_set(d, NULL, 0, 0, "the PDF is not signed (it has no signature field); do not "
			    "trust it as coming from the authority");
		goto done;
	}
	for (size_t i = 0; i < s.n; i++) {
		struct sig *g = &s.v[i];
		struct lm_pobj *hb = NULL;
		const struct lm_pobj *brs = lm_pdfr_deref(r, g->found, lm_pobj_get(g->dict, "ByteRange"), &hb, NULL);
		if (brs && brs->kind == LM_PK_ARRAY && brs->nkids == 4) {
			g->br_ok = 1;
			for (int k = 0; k < 4; k++) {
				if (brs->kids[k]->kind != LM_PK_INT)
					g->br_ok = 0;
				else
					g->br[k] = brs->kids[k]->i;
			}
		}
		lm_pobj_free(hb);
		lm_pobj_text(lm_pobj_get(g->dict, "Name"), g->info.name, sizeof(g->info.name));
		snprintf(g->label, sizeof(g->label), "%s", g->info.name);
		parse_pdf_date(lm_pobj_get(g->dict, "M"), &g->info.signing_time);
	}
	if (s.n > 1)
		qsort(s.v, s.n, sizeof(*s.v), sig_cmp);

	/* each signature on its own */
	for (size_t i = 0; i < s.n; i++) {
		struct sig *g = &s.v[i];
		int bad = check_one(r, pdf, len, t, g, res, d);
		copy_sig(res, g);
		if (i < LM_VERIFY_LISTED)
			res->sig[i] = g->info;
		if (bad)
			goto done;
	}
	const struct sig *lastsig = &s.v[s.n - 1];
	const struct lm_pdfr_rev *newest = lm_pdfr_revision(r, last);
	if (lastsig->rev == last && len > newest->end) {
		res->status = LM_VERIFY_NOT_COVERED;
		lm_diag_set(d, NULL, 0, 0, "%zu bytes were added after the signature (it covers %zu of "
			    "%zu bytes); the additions are not signed: do not trust this file",
			    len - res->covered, res->covered, len);
		goto done;
	}

	/* then what each later revision changed */
	D.r = r;
	D.d = d;
	for (size_t i = 0; i < s.n; i++) {
		struct sig *g = &s.v[i];
		if (g->rev == last)
			continue;
		lm_numset_release(&D.seen);
		lm_numset_release(&D.later_sigs);
		for (size_t j = 0; j < s.n; j++)
			if (s.v[j].rev > g->rev)
				lm_numset_add(&D.later_sigs, s.v[j].num);
		D.ra = g->rev;
		D.rb = last;
		D.what[0] = '\0';
		int c = compare_revisions(&D);
		if (c < 0)
			goto done;
		if (c == 0)
			continue;
		copy_sig(res, g);
		res->status = LM_VERIFY_CHANGED;
		char tail[400];
		if (lastsig->rev == last && lastsig != g)
			snprintf(tail, sizeof(tail), "; then it was signed again by %s, which does not make "
				 "the change right", lastsig->label);
		else
			snprintf(tail, sizeof(tail), "; nobody signed the change");
		lm_diag_set(d, NULL, 0, 0, "%s after %s signed it%s: do not use this letter; ask the "
			    "sender for a fresh copy", D.what, g->label, tail);
		goto done;
	}
	res->status = LM_VERIFY_VALID;
	copy_sig(res, lastsig);
	rc = 0;
done:
	lm_numset_release(&D.seen);
	lm_numset_release(&D.later_sigs);
	for (size_t i = 0; i < s.n; i++)
		lm_pobj_free(s.v[i].dict);
	free(s.v);
	lm_numset_release(&s.fields);
	lm_numset_release(&s.dicts);
	lm_pdfr_free(r);
	return rc;
}

int lm_verify_pdf(const char *pdf, size_t len, const char *trust_ca_path,
		  struct lm_verify_result *r, struct lm_diag *d)
{
	struct lm_trust *t = NULL;
	if (lm_trust_load(&t, trust_ca_path, d)) {
		memset(r, 0, sizeof(*r));
		r->status = LM_VERIFY_CA_ERROR;
		return -1;
	}
	int rc = lm_verify_pdf_trust(pdf, len, t, r, d);
	lm_trust_free(t);
	return rc;
}
