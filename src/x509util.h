/* x509util.h - what signing (sign.c) and checking (verify.c) both say of
 * OpenSSL's errors, certificates and times, written once. */
#ifndef LM_X509UTIL_H
#define LM_X509UTIL_H

#include <stddef.h>

#include <openssl/x509.h>

/* The reason of OpenSSL's last queued error (the queue is emptied) into
 * buf; returns buf. */
const char *lm_ossl_reason(char *buf, size_t n);
/* The subject's common name as UTF-8, or the whole subject if it has none. */
void lm_cert_cn(X509 *cert, char *out, size_t n);
/* Seconds since the epoch as "YYYY-MM-DD HH:MM:SS UTC" (the number itself
 * when the calendar cannot hold it). */
void lm_format_utc(long long t, char *out, size_t n);

#endif
