/* target_pdfr.c - one input through the PDF reader (src/pdfr.c): the
 * cross-reference sections and revisions, every object at every revision
 * (object streams included), stream decoding, the page tree, and the
 * object parser on the raw bytes.  See targets.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "pdfr.h"
#include "targets.h"
#include "verify.h"

#define REQUIRE(cond)                                                               \
	do {                                                                        \
		if (!(cond))                                                        \
			abort();                                                    \
	} while (0)

/* Objects looked at per revision: enough to reach what a fuzzed file
 * holds, bounded so that a huge /Size does not make a slow input. */
#define MAX_OBJECTS 4096

int lm_fuzz_pdfr(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct lm_diag d;
	lm_diag_clear(&d);

	/* the object parser alone, object after object */
	size_t pos = 0;
	for (int i = 0; i < 64 && pos < size; i++) {
		size_t before = pos;
		struct lm_pobj *o = lm_pdfr_parse_object(s, size, &pos, &d);
		if (!o) {
			REQUIRE(d.msg[0]);
			break;
		}
		REQUIRE(pos > before && pos <= size && o->end <= size);
		lm_pobj_free(o);
	}

	struct lm_pdfr *r = NULL;
	if (lm_pdfr_open(&r, s, size, &d)) {
		REQUIRE(d.msg[0] && !r);
	} else {
		size_t nrev = lm_pdfr_nrevisions(r);
		REQUIRE(nrev >= 1);
		struct lm_buf buf = LM_BUF_INIT;
		for (size_t k = 0; k < nrev; k++) {
			const struct lm_pdfr_rev *rv = lm_pdfr_revision(r, k);
			REQUIRE(rv && rv->trailer && rv->end <= size && rv->eof_pos <= rv->end);
			for (long long num = 0; num < MAX_OBJECTS; num++) {
				struct lm_pdfr_loc loc = lm_pdfr_locate(r, k, num);
				if (loc.where == LM_PDFR_ABSENT)
					continue;
				REQUIRE(loc.rev <= k);
				struct lm_pobj *o = NULL;
				lm_diag_clear(&d);
				int rc = lm_pdfr_get(r, k, num, &o, &d);
				REQUIRE(rc == 0 ? o != NULL : o == NULL);
				REQUIRE(rc != -1 || d.msg[0]);
				if (o && o->kind == LM_PK_STREAM) {
					REQUIRE(o->data >= s && o->data + o->data_len <= s + size);
					lm_buf_reset(&buf);
					lm_pdfr_stream(r, k, o, &buf, &d);
				}
				if (o) {
					char text[64];
					lm_pobj_text(lm_pobj_get(o, "Title"), text, sizeof(text));
					struct lm_pobj *hold = NULL;
					lm_pdfr_deref(r, k, lm_pobj_get(o, "Parent"), &hold, &d);
					lm_pobj_free(hold);
				}
				lm_pobj_free(o);
			}
			long long *pages = NULL;
			size_t npages = 0;
			if (!lm_pdfr_pages(r, k, &pages, &npages, &d))
				REQUIRE(npages == 0 || pages);
			free(pages);
		}
		lm_buf_release(&buf);
		lm_pdfr_free(r);
	}
	size_t n = 0;
	lm_pdfr_check_whole(s, size, &n, NULL);
	return 0;
}

/* The CA of the seeds in fuzz/corpus/verify/ (made once by
 * scripts/make-test-ca.sh; its keys were thrown away).  Signed seeds keep
 * their signatures valid while the fuzzer changes the updates after them,
 * which is where verify's comparison of revisions reads hostile bytes. */
static const char seed_ca[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDjzCCAnegAwIBAgICEAAwDQYJKoZIhvcNAQELBQAwWDELMAkGA1UEBhMCR0Ix\n"
	"FDASBgNVBAoMC2xldHRlcm1lcmdlMTMwMQYDVQQDDCpsZXR0ZXJtZXJnZSBUZXN0\n"
	"IENBIChOT1QgRk9SIFJFQUwgTEVUVEVSUykwHhcNMTQwMTAxMDAwMDAwWhcNNDQw\n"
	"MTAxMDAwMDAwWjBYMQswCQYDVQQGEwJHQjEUMBIGA1UECgwLbGV0dGVybWVyZ2Ux\n"
	"MzAxBgNVBAMMKmxldHRlcm1lcmdlIFRlc3QgQ0EgKE5PVCBGT1IgUkVBTCBMRVRU\n"
	"RVJTKTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBALooiw3NydHg8i3w\n"
	"MjgscBGueOY8WQHxXD/THpVnvR3s7OFpY/SoQVvJIMO5naxlHBkGE1MJhC6l1GuB\n"
	"3nFhzPL500OVlM99L3kMZ3NL+lRKgqr7Rmxb6gnuRtY3yCGrsFIDYF6nvpuzxjvF\n"
	"gxffyW7zYnQt1/D1RoA0bsLig9VPHmR6P/x93aVyBwZKUY8yrMgIumwKL/QC7+A+\n"
	"VgADTVAMkHZSKXChWETcgrBfnRsBkTKLUhR/ikXh9QGWj9OuVyDuBeXWWS9sl9UV\n"
	"blOY8teHIwU6oge/jMwcG7YfhVYdNDE2zMqBX1YxeS+fqhmFuviTqdZtu3HALQrS\n"
	"EhJPo8ECAwEAAaNjMGEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYw\n"
	"HQYDVR0OBBYEFMM41i5mFAFqLGTKk8heo9uL+ahHMB8GA1UdIwQYMBaAFMM41i5m\n"
	"FAFqLGTKk8heo9uL+ahHMA0GCSqGSIb3DQEBCwUAA4IBAQAFtE5Cbh5mnMf+N9Zu\n"
	"ATa+wbSsESPTT21SuqY43nHKK97vEP4hd/XdP5QL2hWmpMoMyjoXGy1eJFp40Mr8\n"
	"lDf1DCALptfqzq+q8U2DZW0+cjxOG976v3iLnIRsVJ1fOXAklj9uaMTJA0WUinGo\n"
	"m7ylPQOl2D2GRDB79TYS1x3c199jtsi+JYDS7Xqx4KDwortWDjWj2f+NPE114yvD\n"
	"R0Q2u2x4Ff3z1eeDsh6Zg+hAsVANJmz2UJyCPK6IFoOqEM4Y+/flCYEK6hHAp5UD\n"
	"ze72O4/VbdbbdnAot+hAutKcyYVDiztduW3G9W7akCeGSJ/kfcpjKAmaG9pJTr/X\n"
	"SrvC\n"
	"-----END CERTIFICATE-----\n";

static struct lm_trust *seed_trust(void)
{
	static struct lm_trust *t;
	static int tried;
	if (!tried) {
		tried = 1;
		char path[] = "/tmp/lettermerge-fuzz-ca.XXXXXX";
		int fd = mkstemp(path);
		if (fd >= 0) {
			FILE *fp = fdopen(fd, "w");
			if (fp) {
				fputs(seed_ca, fp);
				fclose(fp);
				lm_trust_load(&t, path, NULL);
			} else {
				close(fd);
			}
			unlink(path);
		}
	}
	return t;
}

int lm_fuzz_verify(const uint8_t *data, size_t size)
{
	struct lm_trust *t = seed_trust();
	REQUIRE(t);
	struct lm_verify_result r;
	struct lm_diag d;
	lm_diag_clear(&d);
	int rc = lm_verify_pdf_trust((const char *)data, size, t, &r, &d);
	REQUIRE(rc == 0 ? r.status == LM_VERIFY_VALID && r.nsignatures > 0 : d.msg[0] != '\0');
	REQUIRE(r.status != LM_VERIFY_VALID || rc == 0);
	return 0;
}
