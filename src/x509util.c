#include "x509util.h"

#include <stdio.h>
#include <time.h>

#include <openssl/err.h>

const char *lm_ossl_reason(char *buf, size_t n)
{
	unsigned long e, last = 0;
	while ((e = ERR_get_error()))
		last = e;
	const char *r = last ? ERR_reason_error_string(last) : NULL;
	snprintf(buf, n, "%s", r ? r : "unknown OpenSSL error");
	return buf;
}

void lm_cert_cn(X509 *cert, char *out, size_t n)
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

void lm_format_utc(long long t, char *out, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm))
		strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
	else
		snprintf(out, n, "%lld", t);
}
