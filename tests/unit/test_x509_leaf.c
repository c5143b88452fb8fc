/* End-entity certificates as ACM shows them (x509_leaf_details_get), the
 * ImportCertificate checks of spec acm.md §6.5 one by one, and the CSR of a
 * RequestCertificate key. */
#include <openssl/err.h>
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "x509/csr.h"
#include "x509/leaf.h"
#include "x509/pem.h"

/* A root, an intermediate and leaves under it, all valid at FX_NOW. */
struct pki {
	EVP_PKEY *root_key, *inter_key, *rsa_key, *ec_key;
	X509 *root, *inter, *rsa_leaf, *ec_leaf;
	char *root_pem, *inter_pem, *rsa_pem, *ec_pem;
};

/* clang-format off */
#define CA_EXTS                                                                                    \
	{"basicConstraints", "critical,CA:TRUE"}, {"keyUsage", "critical,keyCertSign,cRLSign"},    \
	    {"subjectKeyIdentifier", "hash"}
/* clang-format on */

static void pki_make(struct pki *p)
{
	memset(p, 0, sizeof(*p));
	p->root_key = fx_key(X509_KEY_EC_P256);
	p->inter_key = fx_key(X509_KEY_EC_P256);
	p->rsa_key = fx_key(X509_KEY_RSA_2048);
	p->ec_key = fx_key(X509_KEY_EC_P384);
	p->root = fx_cert(&(struct fx_cert_spec){
	    .key = p->root_key, .subject = "CN=Leaf Test Root,O=Root Org", .exts = {CA_EXTS}});
	p->inter =
	    fx_cert(&(struct fx_cert_spec){.key = p->inter_key,
					   .signer = p->root_key,
					   .issuer = p->root,
					   .subject = "CN=Leaf Test Inter,O=Inter Org",
					   .exts = {CA_EXTS, {"authorityKeyIdentifier", "keyid"}}});
	p->rsa_leaf = fx_cert(&(struct fx_cert_spec){
	    .key = p->rsa_key,
	    .signer = p->inter_key,
	    .issuer = p->inter,
	    .subject = "O=Example,CN=www.example.com", /* DER order; RFC 4514 reverses it */
	    .serial = 0x0fac,
	    .exts = {{"subjectAltName",
		      "DNS:www.example.com,DNS:api.example.com,IP:10.0.0.1,"
		      "DNS:API.example.com,email:a@example.com,DNS:b.example.com"},
		     {"keyUsage", "critical,digitalSignature,keyEncipherment"},
		     {"extendedKeyUsage", "serverAuth,clientAuth,1.2.3.4.5"},
		     {"authorityInfoAccess", "OCSP;URI:http://ocsp.example.com/x"},
		     {"authorityKeyIdentifier", "keyid"}}});
	p->ec_leaf =
	    fx_cert(&(struct fx_cert_spec){.key = p->ec_key,
					   .signer = p->inter_key,
					   .issuer = p->inter,
					   .subject = "CN=ec.example.com",
					   .md = EVP_sha384(),
					   .exts = {{"subjectAltName", "DNS:ec.example.com"},
						    {"keyUsage", "critical,digitalSignature"},
						    {"extendedKeyUsage", "serverAuth"}}});
	p->root_pem = x509_cert_to_pem(p->root);
	p->inter_pem = x509_cert_to_pem(p->inter);
	p->rsa_pem = x509_cert_to_pem(p->rsa_leaf);
	p->ec_pem = x509_cert_to_pem(p->ec_leaf);
}

static void pki_free(struct pki *p)
{
	free(p->root_pem);
	free(p->inter_pem);
	free(p->rsa_pem);
	free(p->ec_pem);
	X509_free(p->root);
	X509_free(p->inter);
	X509_free(p->rsa_leaf);
	X509_free(p->ec_leaf);
	EVP_PKEY_free(p->root_key);
	EVP_PKEY_free(p->inter_key);
	EVP_PKEY_free(p->rsa_key);
	EVP_PKEY_free(p->ec_key);
}

/* a followed by b (owned). */
static char *cat2(const char *a, const char *b)
{
	char *out = NULL;
	if (asprintf(&out, "%s%s", a, b) < 0)
		abort();
	return out;
}

/* pem with both BEGIN/END labels from replaced by to (owned). */
static char *relabel_pem(const char *pem, const char *from, const char *to)
{
	char *out = malloc(strlen(pem) + 2 * strlen(to) + 1), *o = out;
	for (const char *q = pem; *q != '\0';) {
		if (strncmp(q, from, strlen(from)) == 0) {
			o = stpcpy(o, to);
			q += strlen(from);
		} else {
			*o++ = *q++;
		}
	}
	*o = '\0';
	return out;
}

/* Runs the import check; the error queue must be empty afterwards. */
static int import_run(const void *cert, size_t cert_len, const char *key, const char *chain,
		      struct x509_import *im, struct cm_err *err)
{
	struct x509_import_input in = {
	    .cert = cert,
	    .cert_len = cert_len,
	    .key = (const unsigned char *)key,
	    .key_len = strlen(key),
	    .chain = (const unsigned char *)chain,
	    .chain_len = chain != NULL ? strlen(chain) : 0,
	};
	cm_err_clear(err);
	int rc = x509_import_check(&in, FX_NOW, im, err);
	if (ERR_peek_error() != 0) {
		fprintf(stderr, "  import left an OpenSSL error queued\n");
		rc = -2;
	}
	return rc;
}

/* The import fails as ValidationException with a message containing want. */
static bool import_fails(const char *cert, const char *key, const char *chain, const char *want)
{
	struct x509_import im;
	struct cm_err err;
	int rc = import_run(cert, strlen(cert), key, chain, &im, &err);
	bool ok = rc == -1 && err.code == CM_ERR_VALIDATION && strstr(err.msg, want) != NULL &&
		  im.cert == NULL && im.key == NULL;
	if (!ok)
		fprintf(stderr, "  want \"%s\", got rc %d code %d \"%s\"\n", want, rc, err.code,
			err.msg);
	x509_import_clear(&im);
	return ok;
}

static bool import_ok(const char *cert, const char *key, const char *chain, int chain_n)
{
	struct x509_import im;
	struct cm_err err;
	int rc = import_run(cert, strlen(cert), key, chain, &im, &err);
	bool ok = rc == 0 && im.cert != NULL && im.key != NULL &&
		  sk_X509_num(im.chain) == (chain_n < 0 ? -1 : chain_n) &&
		  im.details.domain_name != NULL;
	if (!ok)
		fprintf(stderr, "  import failed: rc %d \"%s\"\n", rc, err.msg);
	x509_import_clear(&im);
	return ok;
}

TEST(x509_leaf_enum_names)
{
	CHECK_STR_EQ(x509_eku_bit_name(0), "TLS_WEB_SERVER_AUTHENTICATION");
	CHECK_STR_EQ(x509_eku_bit_name(10), "NONE");
	CHECK_STR_EQ(x509_eku_bit_name(11), "CUSTOM");
	CHECK(x509_eku_bit_name(X509_EKU_BITS) == NULL);
	for (unsigned i = 0; i < X509_EKU_BITS; i++)
		CHECK(x509_eku_bit_from_name(x509_eku_bit_name(i)) == 1u << i);
	CHECK(x509_eku_bit_from_name("IPSEC_USER") == X509_EKU_IPSEC_USER);
	CHECK(x509_eku_bit_from_name("SERVER_AUTH") == 0);
	CHECK(x509_eku_bit_from_name(NULL) == 0);
	CHECK_STR_EQ(x509_ku_acm_name(5), "CERTIFICATE_SIGNING");
	CHECK(x509_ku_acm_name(9) == NULL);
	CHECK(x509_ku_from_acm_name("CRL_SIGNING") == X509_KU_CRL_SIGN);
	CHECK(x509_ku_from_acm_name("DECIPHER_ONLY") == X509_KU_DECIPHER_ONLY);
	CHECK(x509_ku_from_acm_name("ANY") == 0);
	CHECK(x509_ku_from_acm_name("DigitalSignature") == 0);
}

TEST(x509_leaf_details_rsa)
{
	struct pki p;
	struct x509_leaf_details d;
	struct cm_err err = {0};
	pki_make(&p);
	CHECK(x509_leaf_details_get(p.rsa_leaf, &d, &err) == 0);
	CHECK_STR_EQ(d.domain_name, "www.example.com");
	CHECK(d.n_names == 3);
	if (d.n_names == 3) {
		CHECK_STR_EQ(d.names[0], "www.example.com");
		CHECK_STR_EQ(d.names[1], "api.example.com");
		CHECK_STR_EQ(d.names[2], "b.example.com");
	}
	CHECK(d.has_ip_san);
	CHECK(d.key_usage == (X509_KU_DIGITAL_SIGNATURE | X509_KU_KEY_ENCIPHERMENT));
	CHECK(d.eku_bits == (X509_EKU_TLS_WEB_SERVER_AUTHENTICATION |
			     X509_EKU_TLS_WEB_CLIENT_AUTHENTICATION | X509_EKU_CUSTOM));
	CHECK(d.n_eku == 3);
	if (d.n_eku == 3) {
		CHECK_STR_EQ(d.eku[0].name, "TLS_WEB_SERVER_AUTHENTICATION");
		CHECK_STR_EQ(d.eku[0].oid, "1.3.6.1.5.5.7.3.1");
		CHECK_STR_EQ(d.eku[1].name, "TLS_WEB_CLIENT_AUTHENTICATION");
		CHECK_STR_EQ(d.eku[2].name, "CUSTOM");
		CHECK_STR_EQ(d.eku[2].oid, "1.2.3.4.5");
	}
	CHECK_STR_EQ(d.sig_alg, "SHA256WITHECDSA");
	CHECK_STR_EQ(d.issuer_short, "Inter Org");
	CHECK_STR_EQ(d.subject, "CN=www.example.com,O=Example");
	CHECK_STR_EQ(d.info.serial_colon, "0f:ac");
	CHECK_STR_EQ(d.key_alg, "RSA_2048");
	CHECK(d.ocsp_url_len == strlen("http://ocsp.example.com/x"));
	CHECK(d.info.not_before == FX_NOW - 3600 && d.info.not_after == FX_NOW + FX_YEAR);
	x509_leaf_details_clear(&d);
	x509_leaf_details_clear(&d); /* idempotent */
	CHECK(x509_leaf_details_get(p.ec_leaf, &d, &err) == 0);
	CHECK_STR_EQ(d.key_alg, "EC_secp384r1");
	CHECK_STR_EQ(d.sig_alg, "SHA384WITHECDSA");
	CHECK(d.n_names == 1 && !d.has_ip_san);
	x509_leaf_details_clear(&d);
	CHECK(x509_leaf_details_get(p.inter, &d, &err) == 0);
	CHECK(d.n_names == 0 && d.domain_name == NULL); /* "Leaf Test Inter" is no host name */
	CHECK(d.key_usage == (X509_KU_KEY_CERT_SIGN | X509_KU_CRL_SIGN));
	CHECK_STR_EQ(d.issuer_short, "Root Org");
	x509_leaf_details_clear(&d);
	pki_free(&p);
}

TEST(x509_leaf_details_names_and_algorithms)
{
	EVP_PKEY *rsa = fx_key_other(1024), *ec = fx_key(X509_KEY_EC_P521), *ed = fx_key_other(0);
	struct x509_leaf_details d;
	struct cm_err err = {0};
	/* CN is not a host name: DomainName is the first DNS SAN; no EKU at all. */
	X509 *a = fx_cert(&(struct fx_cert_spec){
	    .key = rsa,
	    .subject = "CN=My Server",
	    .md = EVP_sha384(),
	    .exts = {
		{"subjectAltName", "DNS:first.example,DNS:second.example,DNS:first.example"}}});
	/* A CN missing from the SANs comes first; anyExtendedKeyUsage; no O/CN issuer. */
	X509 *b = fx_cert(&(struct fx_cert_spec){
	    .key = ec,
	    .subject = "C=US,CN=*.wild.example",
	    .md = EVP_sha512(),
	    .exts = {{"subjectAltName", "DNS:other.example"},
		     {"extendedKeyUsage", "anyExtendedKeyUsage,codeSigning"}}});
	X509 *c = fx_cert(&(struct fx_cert_spec){
	    .key = ed, .subject = "C=US", .exts = {{"subjectAltName", "IP:192.0.2.1"}}});
	CHECK(x509_leaf_details_get(a, &d, &err) == 0);
	CHECK_STR_EQ(d.domain_name, "first.example");
	CHECK(d.n_names == 2);
	CHECK(d.eku_bits == X509_EKU_NONE && d.n_eku == 0 && d.key_usage == 0);
	CHECK_STR_EQ(d.sig_alg, "SHA384WITHRSA");
	CHECK_STR_EQ(d.key_alg, "RSA_1024");
	CHECK_STR_EQ(d.info.key_alg, "UNKNOWN"); /* the PCA enum has no RSA_1024 */
	CHECK_STR_EQ(d.issuer_short, "My Server");
	x509_leaf_details_clear(&d);
	CHECK(x509_leaf_details_get(b, &d, &err) == 0);
	CHECK_STR_EQ(d.domain_name, "*.wild.example");
	CHECK(d.n_names == 2 && strcmp(d.names[1], "other.example") == 0);
	CHECK(d.eku_bits == (X509_EKU_ANY | X509_EKU_CODE_SIGNING));
	CHECK(d.n_eku == 2 && strcmp(d.eku[0].name, "ANY") == 0 &&
	      strcmp(d.eku[0].oid, "2.5.29.37.0") == 0);
	CHECK_STR_EQ(d.sig_alg, "SHA512WITHECDSA");
	CHECK_STR_EQ(d.key_alg, "EC_secp521r1");
	CHECK_STR_EQ(d.issuer_short, "*.wild.example");
	CHECK_STR_EQ(d.subject, "CN=*.wild.example,C=US");
	x509_leaf_details_clear(&d);
	CHECK(x509_leaf_details_get(c, &d, &err) == 0);
	CHECK(d.n_names == 0 && d.domain_name == NULL && d.has_ip_san);
	CHECK_STR_EQ(d.sig_alg, "ED25519");
	CHECK_STR_EQ(d.key_alg, "");
	CHECK_STR_EQ(d.issuer_short, "");
	x509_leaf_details_clear(&d);
	X509_free(a);
	X509_free(b);
	X509_free(c);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(ed);
}

TEST(x509_leaf_import_ok)
{
	struct pki p;
	pki_make(&p);
	char *pkcs1 = fx_key_pem(p.rsa_key, FX_PEM_TRADITIONAL);
	char *pkcs8 = fx_key_pem(p.rsa_key, FX_PEM_PKCS8);
	char *sec1 = fx_key_pem(p.ec_key, FX_PEM_EC_PARAMS_SEC1);
	char *ec8 = fx_key_pem(p.ec_key, FX_PEM_PKCS8);
	char *chain = cat2(p.inter_pem, p.root_pem);
	char *spaced = cat2("\r\n  ", chain);
	CHECK(strncmp(pkcs1, "-----BEGIN RSA PRIVATE KEY-----", 31) == 0);
	CHECK(strncmp(sec1, "-----BEGIN EC PARAMETERS-----", 29) == 0);
	CHECK(import_ok(p.rsa_pem, pkcs1, chain, 2));
	CHECK(import_ok(p.rsa_pem, pkcs8, NULL, -1));
	CHECK(import_ok(p.rsa_pem, pkcs8, p.inter_pem, 1));
	CHECK(import_ok(p.ec_pem, sec1, spaced, 2));
	CHECK(import_ok(p.ec_pem, ec8, chain, 2));
	/* The parts come back parsed, with the details of the certificate. */
	struct x509_import im;
	struct cm_err err;
	CHECK(import_run(p.rsa_pem, strlen(p.rsa_pem), pkcs8, chain, &im, &err) == 0);
	CHECK(im.cert != NULL && X509_cmp(im.cert, p.rsa_leaf) == 0);
	CHECK(im.key != NULL && EVP_PKEY_eq(im.key, p.rsa_key) == 1);
	CHECK(sk_X509_num(im.chain) == 2 && X509_cmp(sk_X509_value(im.chain, 1), p.root) == 0);
	CHECK_STR_EQ(im.details.domain_name, "www.example.com");
	CHECK_STR_EQ(im.details.key_alg, "RSA_2048");
	x509_import_clear(&im);
	x509_import_clear(&im);
	free(spaced);
	free(chain);
	free(ec8);
	free(sec1);
	free(pkcs8);
	free(pkcs1);
	pki_free(&p);
}

TEST(x509_leaf_import_pem_checks)
{
	struct pki p;
	pki_make(&p);
	char *key = fx_key_pem(p.rsa_key, FX_PEM_PKCS8);
	char *ec_key = fx_key_pem(p.ec_key, FX_PEM_TRADITIONAL);
	size_t der_len = 0;
	unsigned char *der = x509_cert_to_der(p.rsa_leaf, &der_len);
	struct x509_import im;
	struct cm_err err;
	/* Step 2: DER, two certificates, a key in the certificate field, junk. */
	CHECK(import_run(der, der_len, key, NULL, &im, &err) == -1);
	CHECK(err.code == CM_ERR_VALIDATION && strstr(err.msg, "PEM-encoded") != NULL);
	char *two = cat2(p.rsa_pem, p.inter_pem);
	CHECK(import_fails(two, key, NULL, "contains more than one certificate"));
	CHECK(import_fails(key, key, NULL, "one PEM CERTIFICATE block"));
	char *junk = cat2(p.rsa_pem, "trailing words\n");
	CHECK(import_fails(junk, key, NULL, "not valid PEM"));
	char *lead = cat2("Subject: www\n", p.rsa_pem);
	CHECK(import_fails(lead, key, NULL, "not valid PEM"));
	char *with_key = cat2(p.rsa_pem, key);
	CHECK(import_fails(with_key, key, NULL, "one PEM CERTIFICATE block"));
	/* Step 3: encrypted (both forms), DER, two keys, a certificate as key. */
	char *enc8 = fx_key_pem(p.rsa_key, FX_PEM_PKCS8_ENCRYPTED);
	char *enc1 = fx_key_pem(p.rsa_key, FX_PEM_TRADITIONAL_ENCRYPTED);
	CHECK(strstr(enc1, "Proc-Type: 4,ENCRYPTED") != NULL);
	CHECK(import_fails(p.rsa_pem, enc8, NULL, "provide an unencrypted key"));
	CHECK(import_fails(p.rsa_pem, enc1, NULL, "provide an unencrypted key"));
	CHECK(import_fails(p.rsa_pem, "\x30\x82\x01\x00", NULL, "PEM-encoded"));
	char *two_keys = cat2(key, ec_key);
	CHECK(import_fails(p.rsa_pem, two_keys, NULL, "one private key"));
	CHECK(import_fails(p.rsa_pem, p.inter_pem, NULL, "PRIVATE KEY (PKCS#8)"));
	/* A body that is no key of the type its label names. */
	char *relabel = relabel_pem(ec_key, "EC PRIVATE KEY", "RSA PRIVATE KEY");
	CHECK(import_fails(p.rsa_pem, relabel, NULL, "cannot be decoded"));
	/* Step order: an encrypted key is reported before a v1 certificate. */
	EVP_PKEY *k1 = fx_key(X509_KEY_EC_P256);
	X509 *v1 = fx_cert(
	    &(struct fx_cert_spec){.key = k1, .subject = "CN=v1.example.com", .version = 1});
	char *v1_pem = x509_cert_to_pem(v1);
	char *k1_enc = fx_key_pem(k1, FX_PEM_PKCS8_ENCRYPTED);
	CHECK(import_fails(v1_pem, k1_enc, NULL, "unencrypted"));
	/* A failed import never shows key material. */
	CHECK(import_run((const unsigned char *)p.rsa_pem, strlen(p.rsa_pem), enc8, NULL, &im,
			 &err) == -1);
	CHECK(strstr(err.msg, "MII") == NULL && strstr(err.msg, "BEGIN") == NULL);
	free(k1_enc);
	free(v1_pem);
	X509_free(v1);
	EVP_PKEY_free(k1);
	free(relabel);
	free(two_keys);
	free(enc1);
	free(enc8);
	free(with_key);
	free(lead);
	free(junk);
	free(two);
	free(der);
	free(ec_key);
	free(key);
	pki_free(&p);
}

/* A self-signed certificate of spec and the PKCS#8 PEM of its key. */
static bool import_self_fails(struct fx_cert_spec spec, const char *want)
{
	X509 *cert = fx_cert(&spec);
	char *pem = x509_cert_to_pem(cert);
	char *key = fx_key_pem(spec.signer != NULL ? spec.signer : spec.key, FX_PEM_PKCS8);
	bool ok = import_fails(pem, key, NULL, want);
	free(key);
	free(pem);
	X509_free(cert);
	return ok;
}

TEST(x509_leaf_import_cert_checks)
{
	EVP_PKEY *ec = fx_key(X509_KEY_EC_P256), *other = fx_key(X509_KEY_EC_P256);
	EVP_PKEY *ed = fx_key_other(0), *rsa1536 = fx_key_other(1536);
	const char *san[2] = {"subjectAltName", "DNS:self.example.com"};
	/* Step 4: version, issuer, key type. */
	CHECK(import_self_fails(
	    (struct fx_cert_spec){.key = ec, .subject = "CN=v1.example.com", .version = 1},
	    "version 3"));
	CHECK(import_self_fails((struct fx_cert_spec){.key = ec, .exts = {{san[0], san[1]}}},
				"issuer"));
	CHECK(import_self_fails((struct fx_cert_spec){.key = ed,
						      .subject = "CN=ed.example.com",
						      .exts = {{san[0], san[1]}}},
				"public key is not supported"));
	CHECK(import_self_fails(
	    (struct fx_cert_spec){.key = rsa1536, .subject = "CN=rsa.example.com"},
	    "public key is not supported"));
	/* Step 5: the key of another certificate (the cert is signed by
	 * `other`, whose key the helper hands in). */
	CHECK(import_self_fails(
	    (struct fx_cert_spec){.key = ec, .signer = other, .subject = "CN=m.example.com"},
	    "does not match"));
	/* Step 5 comes before step 6: an expired certificate with the wrong key. */
	CHECK(import_self_fails((struct fx_cert_spec){.key = ec,
						      .signer = other,
						      .subject = "CN=m.example.com",
						      .not_before = FX_NOW - 2 * FX_YEAR,
						      .not_after = FX_NOW - FX_YEAR},
				"does not match"));
	/* Step 6. */
	CHECK(import_self_fails((struct fx_cert_spec){.key = ec,
						      .subject = "CN=old.example.com",
						      .not_before = FX_NOW - 2 * FX_YEAR,
						      .not_after = FX_NOW - 1},
				"The certificate has expired, is not valid."));
	CHECK(import_self_fails((struct fx_cert_spec){.key = ec,
						      .subject = "CN=new.example.com",
						      .not_before = FX_NOW + 60},
				"not yet valid"));
	/* Step 8: an OCSP URL of 1001 characters. */
	char aia[1100];
	snprintf(aia, sizeof(aia), "OCSP;URI:http://o.example/%0984d", 0);
	CHECK(strlen(aia) - strlen("OCSP;URI:") == 1001);
	CHECK(import_self_fails((struct fx_cert_spec){.key = ec,
						      .subject = "CN=ocsp.example.com",
						      .exts = {{"authorityInfoAccess", aia}}},
				"OCSP URL"));
	/* Step 9: no DNS name, no IP. */
	CHECK(import_self_fails((struct fx_cert_spec){.key = ec,
						      .subject = "CN=Just A Name,O=Example",
						      .exts = {{san[0], "email:a@example.com"}}},
				"at least one domain name or IP"));
	EVP_PKEY_free(rsa1536);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(other);
	EVP_PKEY_free(ec);
}

TEST(x509_leaf_import_edges_pass)
{
	EVP_PKEY *ec = fx_key(X509_KEY_EC_P256), *rsa1024 = fx_key_other(1024);
	char aia[1100];
	snprintf(aia, sizeof(aia), "OCSP;URI:http://o.example/%0983d", 0);
	CHECK(strlen(aia) - strlen("OCSP;URI:") == 1000);
	/* An OCSP URL of exactly 1000 characters; an IP address as the only name;
	 * RSA 1024; valid at the very first and last second. */
	X509 *c[4] = {
	    fx_cert(&(struct fx_cert_spec){.key = ec,
					   .subject = "CN=ocsp.example.com",
					   .exts = {{"authorityInfoAccess", aia}}}),
	    fx_cert(&(struct fx_cert_spec){
		.key = ec, .subject = "O=Example", .exts = {{"subjectAltName", "IP:192.0.2.7"}}}),
	    fx_cert(&(struct fx_cert_spec){
		.key = rsa1024, .subject = "CN=old.example.com", .not_before = FX_NOW}),
	    fx_cert(&(struct fx_cert_spec){
		.key = ec, .subject = "CN=edge.example.com", .not_after = FX_NOW}),
	};
	for (int i = 0; i < 4; i++) {
		char *pem = x509_cert_to_pem(c[i]);
		char *key = fx_key_pem(i == 2 ? rsa1024 : ec, FX_PEM_TRADITIONAL);
		struct x509_import im;
		struct cm_err err;
		CHECK(import_run(pem, strlen(pem), key, NULL, &im, &err) == 0);
		if (err.code != CM_OK)
			fprintf(stderr, "  case %d: %s\n", i, err.msg);
		if (i == 1)
			CHECK(im.details.domain_name == NULL && im.details.has_ip_san);
		if (i == 2)
			CHECK_STR_EQ(im.details.key_alg, "RSA_1024");
		x509_import_clear(&im);
		free(key);
		free(pem);
		X509_free(c[i]);
	}
	EVP_PKEY_free(rsa1024);
	EVP_PKEY_free(ec);
}

TEST(x509_leaf_import_chain_checks)
{
	struct pki p;
	pki_make(&p);
	char *key = fx_key_pem(p.rsa_key, FX_PEM_PKCS8);
	EVP_PKEY *stray_key = fx_key(X509_KEY_EC_P256);
	X509 *stray = fx_cert(&(struct fx_cert_spec){
	    .key = stray_key, .subject = "CN=Stray Root", .exts = {CA_EXTS}});
	/* Same name as the real intermediate, other key: names alone are not enough. */
	X509 *twin =
	    fx_cert(&(struct fx_cert_spec){.key = stray_key,
					   .signer = p.root_key,
					   .issuer = p.root,
					   .subject = "CN=Leaf Test Inter,O=Inter Org",
					   .exts = {{"basicConstraints", "critical,CA:TRUE"}}});
	char *stray_pem = x509_cert_to_pem(stray), *twin_pem = x509_cert_to_pem(twin);
	char *wrong_order = cat2(p.root_pem, p.inter_pem);
	char *with_leaf = cat2(p.rsa_pem, p.inter_pem);
	char *leaf_last = cat2(p.inter_pem, p.rsa_pem);
	char *unrelated = cat2(p.inter_pem, stray_pem);
	char *with_key = cat2(p.inter_pem, key);
	char *junk = cat2(p.inter_pem, "junk");
	CHECK(import_fails(p.rsa_pem, key, wrong_order, "first certificate of the chain"));
	CHECK(import_fails(p.rsa_pem, key, with_leaf, "must not contain the certificate itself"));
	CHECK(import_fails(p.rsa_pem, key, leaf_last, "must not contain the certificate itself"));
	CHECK(import_fails(p.rsa_pem, key, unrelated,
			   "Certificate 2 of the chain did not issue certificate 1"));
	CHECK(import_fails(p.rsa_pem, key, p.root_pem, "first certificate of the chain"));
	CHECK(import_fails(p.rsa_pem, key, twin_pem, "first certificate of the chain"));
	CHECK(import_fails(p.rsa_pem, key, with_key,
			   "Certificate 2 of the chain is not a valid PEM certificate"));
	CHECK(import_fails(p.rsa_pem, key, junk, "certificate chain is not valid PEM"));
	CHECK(import_fails(p.rsa_pem, key, "", "PEM-encoded"));
	free(junk);
	free(with_key);
	free(unrelated);
	free(leaf_last);
	free(with_leaf);
	free(wrong_order);
	free(twin_pem);
	free(stray_pem);
	X509_free(twin);
	X509_free(stray);
	EVP_PKEY_free(stray_key);
	free(key);
	pki_free(&p);
}

TEST(x509_leaf_csr_round_trip)
{
	static const char *const names[] = {"www.example.com", "example.com", "*.api.example.com"};
	EVP_PKEY *keys[3] = {fx_key(X509_KEY_RSA_2048), fx_key(X509_KEY_EC_P256),
			     fx_key(X509_KEY_EC_P384)};
	for (int k = 0; k < 3; k++) {
		struct cm_err err = {0};
		X509_REQ *req = x509_leaf_csr_build(keys[k], "www.example.com", names, 3, &err);
		char *pem = req != NULL ? x509_req_to_pem(req) : NULL;
		/* OpenSSL's own reader agrees on the key set from its numbers. */
		unsigned char *der = NULL;
		int der_len = req != NULL ? i2d_X509_REQ(req, &der) : -1;
		const unsigned char *p = der;
		X509_REQ *ossl = der_len > 0 ? d2i_X509_REQ(NULL, &p, der_len) : NULL;
		CHECK(ossl != NULL && EVP_PKEY_eq(X509_REQ_get0_pubkey(ossl), keys[k]) == 1 &&
		      X509_REQ_verify(ossl, keys[k]) == 1);
		X509_REQ_free(ossl);
		OPENSSL_free(der);
		struct x509_csr *back =
		    pem != NULL ? x509_csr_parse((unsigned char *)pem, strlen(pem), &err) : NULL;
		CHECK(back != NULL);
		if (back == NULL) {
			fprintf(stderr, "  csr: %s\n", err.msg);
			X509_REQ_free(req);
			free(pem);
			continue;
		}
		CHECK(X509_REQ_get_signature_nid(req) ==
		      (k == 0 ? NID_sha256WithRSAEncryption : NID_ecdsa_with_SHA256));
		CHECK(EVP_PKEY_get_bits(x509_csr_pubkey(back)) == (k == 0 ? 2048 : k == 1 ? 256 : 384));
		CHECK(EVP_PKEY_eq(x509_csr_pubkey(back), keys[k]) == 1);
		char cn[80] = "";
		X509_NAME_get_text_by_NID(x509_csr_subject(back), NID_commonName, cn, sizeof(cn));
		CHECK_STR_EQ(cn, "www.example.com");
		const STACK_OF(X509_EXTENSION) *exts = x509_csr_extensions(back);
		int idx = X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1);
		GENERAL_NAMES *san =
		    idx >= 0 ? X509V3_EXT_d2i(sk_X509_EXTENSION_value(exts, idx)) : NULL;
		CHECK(sk_GENERAL_NAME_num(san) == 3);
		for (int i = 0; i < sk_GENERAL_NAME_num(san) && i < 3; i++) {
			const GENERAL_NAME *gn = sk_GENERAL_NAME_value(san, i);
			CHECK(gn->type == GEN_DNS &&
			      strcmp((const char *)ASN1_STRING_get0_data(gn->d.dNSName),
				     names[i]) == 0);
		}
		GENERAL_NAMES_free(san);
		x509_csr_free(back);
		free(pem);
		X509_REQ_free(req);
	}
	/* Without names: subject only, still a valid CSR. */
	struct cm_err err = {0};
	X509_REQ *req = x509_leaf_csr_build(keys[1], "only.example.com", NULL, 0, &err);
	CHECK(req != NULL && X509_REQ_verify(req, keys[1]) == 1);
	X509_REQ_free(req);
	for (int k = 0; k < 3; k++)
		EVP_PKEY_free(keys[k]);
}
