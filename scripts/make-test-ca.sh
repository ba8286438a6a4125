#!/usr/bin/env bash
# make-test-ca.sh OUTDIR - a throw-away certificate authority and signing
# certificates, for the signing tests and for trying `--sign-key`.
#
# NOT for real letters: anyone can run this script, so a signature made with
# these keys proves nothing.  PDF readers show it as "not trusted" because
# ca.pem is not in their trust list; an authority signs with the certificate
# its own CA (or a commercial one on the Adobe/EU trust lists) issued.
#
# Writes into OUTDIR:
#   ca.pem ca.key             the test CA (valid 2014-01-01 .. 2044-01-01)
#   signer.key signer.pem     "Liverpool Safeguarding Partnership (TEST)",
#                             RSA 2048, keyUsage digitalSignature +
#                             nonRepudiation, valid 2015-01-01 .. 2035-01-01
#   signer-enc.key            signer.key encrypted with the password
#   signer.p12 signer.pass    PKCS#12 bundle (key, certificate, CA) and its
#                             password (no trailing newline)
#   expired.pem               a certificate for signer.key valid only
#                             2010-01-01 .. 2012-01-01
#   mismatched.pem            a certificate for another key (other.key)
#   other-ca.pem              an unrelated CA, to test "not trusted"
#   today.pem today.p12       a certificate for signer.key valid from the
#                             moment the script runs, for two years (a
#                             letter dated years ago is still signed now)
#   ec.key ec.pem ec.p12      an ECDSA P-256 signer, valid 2015 .. 2035
#
# The dates are fixed (openssl ca -startdate/-enddate), so a letter dated
# anywhere from 2015 to 2034 signs and verifies; keys are new every run.
set -euo pipefail
out=${1:?usage: scripts/make-test-ca.sh OUTDIR}
mkdir -p "$out"
cd "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/lettermerge-ca.XXXXXX")
trap 'rm -rf "$work"' EXIT

printf '%s' 'lettermerge-test-password' >signer.pass
chmod 600 signer.pass

mkdir "$work/new"
: >"$work/index.txt"
echo 1000 >"$work/serial"
cat >"$work/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $work/index.txt
new_certs_dir = $work/new
serial = $work/serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
countryName = optional
organizationName = optional
commonName = supplied
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_signer ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF

ossl() { openssl "$@" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }; }
newkey() { ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; chmod 600 "$1"; }
# issue SUBJECT KEY START END EXTENSIONS OUT [CA]
issue() {
	ossl req -new -config "$work/ca.cnf" -key "$2" -subj "$1" -out "$work/req.csr"
	if [ "${7:-}" = self ]; then
		ossl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$2" -in "$work/req.csr" \
			-startdate "$3" -enddate "$4" -extensions "$5" -notext -out "$6"
	else
		ossl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile ca.key -in "$work/req.csr" \
			-startdate "$3" -enddate "$4" -extensions "$5" -notext -out "$6"
	fi
}

newkey ca.key
issue "/C=GB/O=lettermerge/CN=lettermerge Test CA (NOT FOR REAL LETTERS)" ca.key \
	140101000000Z 440101000000Z v3_ca ca.pem self

newkey signer.key
issue "/C=GB/O=Liverpool Safeguarding Partnership/CN=Liverpool Safeguarding Partnership (TEST)" \
	signer.key 150101000000Z 350101000000Z v3_signer signer.pem
ossl pkey -in signer.key -aes256 -passout file:signer.pass -out signer-enc.key
chmod 600 signer-enc.key
ossl pkcs12 -export -inkey signer.key -in signer.pem -certfile ca.pem \
	-name "Liverpool Safeguarding Partnership (TEST)" -passout file:signer.pass -out signer.p12

issue "/C=GB/O=Liverpool Safeguarding Partnership/CN=Liverpool Safeguarding Partnership (TEST, EXPIRED)" \
	signer.key 100101000000Z 120101000000Z v3_signer expired.pem

newkey other.key
issue "/C=GB/O=Liverpool Safeguarding Partnership/CN=Liverpool Safeguarding Partnership (TEST, OTHER KEY)" \
	other.key 150101000000Z 350101000000Z v3_signer mismatched.pem

start=$(date -u +%y%m%d%H%M%SZ)
end=$(date -u -d '+2 years' +%y%m%d%H%M%SZ)
issue "/C=GB/O=Liverpool Safeguarding Partnership/CN=Liverpool Safeguarding Partnership (TEST, TODAY)" \
	signer.key "$start" "$end" v3_signer today.pem
ossl pkcs12 -export -inkey signer.key -in today.pem -certfile ca.pem \
	-name "Liverpool Safeguarding Partnership (TEST, TODAY)" -passout file:signer.pass -out today.p12

ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
chmod 600 ec.key
issue "/C=GB/O=Liverpool Safeguarding Partnership/CN=Liverpool Safeguarding Partnership (TEST, ECDSA)" \
	ec.key 150101000000Z 350101000000Z v3_signer ec.pem
ossl pkcs12 -export -inkey ec.key -in ec.pem -certfile ca.pem \
	-name "Liverpool Safeguarding Partnership (TEST, ECDSA)" -passout file:signer.pass -out ec.p12

# an unrelated CA with the same name: its certificate must not be trusted
newkey "$work/other-ca.key"
(
	cd "$work"
	sed -i "s|^serial = .*|serial = $work/serial|" ca.cnf
	ossl req -new -config ca.cnf -key other-ca.key \
		-subj "/C=GB/O=lettermerge/CN=lettermerge Test CA (NOT FOR REAL LETTERS)" -out other.csr
	ossl ca -batch -config ca.cnf -selfsign -keyfile other-ca.key -in other.csr \
		-startdate 140101000000Z -enddate 440101000000Z -extensions v3_ca -notext -out other-ca.pem
)
cp "$work/other-ca.pem" other-ca.pem
echo "test CA written to $out (password in $out/signer.pass)"
