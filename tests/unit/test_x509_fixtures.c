/* Fixture implementations for the x509 tests (see test_x509_fixtures.h). */
#include "test_x509_fixtures.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/hex.h"

EVP_PKEY *fx_key(enum x509_key_alg alg)
{
	struct cm_err err = {0};
	EVP_PKEY *key = x509_key_generate(alg, &err);
	if (key == NULL) {
		fprintf(stderr, "fx_key: %s\n", err.msg);
		abort();
	}
	return key;
}

X509_REQ *fx_csr(EVP_PKEY *key, const char *cn, const char *dns, STACK_OF(X509_EXTENSION) * extra)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_REQ_get_subject_name(req);
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_REQ_set_version(req, X509_REQ_VERSION_1);
	if (cn != NULL)
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
					   -1, 0);
	if (dns != NULL) {
		char v[300];
		snprintf(v, sizeof(v), "DNS:%s", dns);
		sk_X509_EXTENSION_push(exts,
				       X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, v));
	}
	for (int i = 0; i < sk_X509_EXTENSION_num(extra); i++)
		sk_X509_EXTENSION_push(exts, X509_EXTENSION_dup(sk_X509_EXTENSION_value(extra, i)));
	if (sk_X509_EXTENSION_num(exts) > 0)
		X509_REQ_add_extensions(req, exts);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_set_pubkey(req, key);
	X509_REQ_sign(req, key, EVP_sha256());
	return req;
}

X509_REQ *fx_ca_csr(EVP_PKEY *key, const char *cn)
{
	struct x509_subject s = {.country = "US", .organization = "Certain", .common_name = cn};
	struct cm_err err = {0};
	enum x509_sig_alg alg = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA
				    ? X509_SIG_SHA256WITHRSA
				    : X509_SIG_SHA256WITHECDSA;
	X509_REQ *req = x509_ca_csr_build(key, alg, &s, NULL, &err);
	if (req == NULL)
		fprintf(stderr, "fx_ca_csr: %s\n", err.msg);
	return req;
}

struct x509_csr *fx_parsed(const X509_REQ *req)
{
	struct cm_err err = {0};
	struct x509_csr *csr = x509_csr_from_req(req, &err);
	if (csr == NULL)
		fprintf(stderr, "fx_parsed: %s\n", err.msg);
	return csr;
}

X509 *fx_issue(X509_REQ *csr, const char *arn, EVP_PKEY *signer, X509 *issuer,
	       const struct x509_passthrough *api, int64_t not_after, struct cm_err *err)
{
	unsigned char serial[16];
	struct x509_csr *parsed = fx_parsed(csr);
	x509_serial_random(serial);
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(arn),
	    .signing_key = signer,
	    .issuer_cert = issuer,
	    .sig_alg = EVP_PKEY_get_base_id(signer) == EVP_PKEY_RSA ? X509_SIG_SHA256WITHRSA
								    : X509_SIG_SHA256WITHECDSA,
	    .serial = serial,
	    .serial_len = sizeof(serial),
	    .not_before = FX_NOW - 3600,
	    .not_after = not_after,
	    .api = api,
	};
	X509 *cert = NULL;
	if (p.tmpl == NULL)
		fprintf(stderr, "fx_issue: no template %s\n", arn);
	else if (parsed == NULL)
		cm_fail(err, CM_ERR_MALFORMED_CSR, "fx_issue: the CSR does not parse");
	else
		cert = x509_issue(&p, err);
	x509_csr_free(parsed);
	return cert;
}

X509 *fx_root(EVP_PKEY *key, const char *cn)
{
	struct cm_err err = {0};
	X509_REQ *csr = fx_ca_csr(key, cn);
	X509 *cert = fx_issue(csr, FX_TMPL("RootCACertificate"), key, NULL, NULL,
			      FX_NOW + 10 * FX_YEAR, &err);
	if (cert == NULL)
		fprintf(stderr, "fx_root: %s\n", err.msg);
	X509_REQ_free(csr);
	return cert;
}

X509 *fx_sub(EVP_PKEY *key, const char *cn, const char *arn, EVP_PKEY *issuer_key, X509 *issuer)
{
	struct cm_err err = {0};
	X509_REQ *csr = fx_ca_csr(key, cn);
	X509 *cert = fx_issue(csr, arn, issuer_key, issuer, NULL, FX_NOW + 5 * FX_YEAR, &err);
	if (cert == NULL)
		fprintf(stderr, "fx_sub: %s\n", err.msg);
	X509_REQ_free(csr);
	return cert;
}

int fx_ext_crit(const X509 *cert, int nid)
{
	int i = X509_get_ext_by_NID(cert, nid, -1);
	return i < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(cert, i));
}

unsigned fx_ku(const X509 *cert)
{
	ASN1_BIT_STRING *ku = X509_get_ext_d2i(cert, NID_key_usage, NULL, NULL);
	unsigned bits = 0;
	for (int i = 0; ku != NULL && i < X509_KU_BITS; i++)
		if (ASN1_BIT_STRING_get_bit(ku, i))
			bits |= 1u << i;
	ASN1_BIT_STRING_free(ku);
	return bits;
}

const char *fx_eku(const X509 *cert, char *buf, size_t size)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(cert, NID_ext_key_usage, NULL, NULL);
	size_t used = 0;
	buf[0] = '\0';
	for (int i = 0; eku != NULL && i < sk_ASN1_OBJECT_num(eku); i++) {
		char oid[80];
		OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1);
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "", oid);
	}
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return buf;
}

int fx_ext_count(const X509 *cert)
{
	return X509_get_ext_count(cert);
}

int fx_verify(X509 *leaf, X509 *root, X509 *inter1, X509 *inter2, int64_t at)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_add_cert(store, root);
	if (inter1 != NULL)
		sk_X509_push(untrusted, inter1);
	if (inter2 != NULL)
		sk_X509_push(untrusted, inter2);
	X509_STORE_CTX_init(ctx, store, leaf, untrusted);
	X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
	int ok = X509_verify_cert(ctx);
	int rc = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	if (rc == X509_V_OK && ok != 1)
		rc = -1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	sk_X509_free(untrusted);
	ERR_clear_error();
	return rc;
}

bool fx_name_der_eq(const X509_NAME *a, const X509_NAME *b)
{
	const unsigned char *da = NULL, *db = NULL;
	size_t la = 0, lb = 0;
	if (!X509_NAME_get0_der(a, &da, &la) || !X509_NAME_get0_der(b, &db, &lb))
		return false;
	return la == lb && memcmp(da, db, la) == 0;
}

X509_EXTENSION *fx_utf8_ext(const char *oid, const char *s, bool critical)
{
	ASN1_UTF8STRING *str = ASN1_UTF8STRING_new();
	unsigned char *der = NULL;
	ASN1_STRING_set(str, s, -1);
	int n = i2d_ASN1_UTF8STRING(str, &der);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OCTET_STRING_set(os, der, n);
	ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
	X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, obj, critical, os);
	ASN1_OBJECT_free(obj);
	ASN1_OCTET_STRING_free(os);
	OPENSSL_free(der);
	ASN1_UTF8STRING_free(str);
	return ext;
}

/* "CN=a,O=b" into name; aborts on an attribute OpenSSL does not know. */
static void fx_name_parse(X509_NAME *name, const char *text)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", text != NULL ? text : "");
	for (char *save = NULL, *rdn = strtok_r(buf, ",", &save); rdn != NULL;
	     rdn = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(rdn, '=');
		if (eq == NULL)
			abort();
		*eq = '\0';
		if (!X509_NAME_add_entry_by_txt(name, rdn, MBSTRING_UTF8,
						(const unsigned char *)eq + 1, -1, -1, 0))
			abort();
	}
}

static void fx_cert_exts(X509 *cert, X509 *issuer, const struct fx_cert_spec *s)
{
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
	for (int i = 0; i < 8 && s->exts[i][0] != NULL; i++) {
		X509_EXTENSION *ext = X509V3_EXT_nconf(NULL, &ctx, s->exts[i][0], s->exts[i][1]);
		if (ext == NULL || !X509_add_ext(cert, ext, -1)) {
			fprintf(stderr, "fx_cert: bad extension %s\n", s->exts[i][0]);
			abort();
		}
		X509_EXTENSION_free(ext);
	}
}

X509 *fx_cert(const struct fx_cert_spec *s)
{
	X509 *cert = X509_new();
	EVP_PKEY *signer = s->signer != NULL ? s->signer : s->key;
	const EVP_MD *md = s->md != NULL ? s->md : EVP_sha256();
	if (EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519)
		md = NULL;
	if (cert == NULL || !X509_set_version(cert, s->version ? s->version - 1 : X509_VERSION_3) ||
	    !ASN1_INTEGER_set(X509_get_serialNumber(cert), s->serial ? s->serial : 4096) ||
	    !X509_set_pubkey(cert, s->key))
		abort();
	fx_name_parse(X509_get_subject_name(cert), s->subject);
	if (!X509_set_issuer_name(cert, s->issuer != NULL ? X509_get_subject_name(s->issuer)
							  : X509_get_subject_name(cert)))
		abort();
	if (ASN1_TIME_set(X509_getm_notBefore(cert),
			  (time_t)(s->not_before ? s->not_before : FX_NOW - 3600)) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(cert),
			  (time_t)(s->not_after ? s->not_after : FX_NOW + FX_YEAR)) == NULL)
		abort();
	fx_cert_exts(cert, s->issuer, s);
	if (X509_sign(cert, signer, md) <= 0) {
		fprintf(stderr, "fx_cert: signing failed\n");
		abort();
	}
	return cert;
}

static char *fx_bio_text(BIO *bio)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	char *out = malloc((size_t)n + 1);
	if (out == NULL)
		abort();
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	return out;
}

char *fx_key_pem(EVP_PKEY *key, enum fx_key_pem form)
{
	static const char pass[] = "secret-pass";
	BIO *bio = BIO_new(BIO_s_mem());
	int ok = 0;
	switch (form) {
	case FX_PEM_PKCS8:
		ok = PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL);
		break;
	case FX_PEM_EC_PARAMS_SEC1:
		ok = PEM_write_bio_Parameters(bio, key) &&
		     PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL, NULL);
		break;
	case FX_PEM_TRADITIONAL:
		ok = PEM_write_bio_PrivateKey_traditional(bio, key, NULL, NULL, 0, NULL, NULL);
		break;
	case FX_PEM_PKCS8_ENCRYPTED:
		ok = PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), pass,
						   (int)strlen(pass), NULL, NULL);
		break;
	case FX_PEM_TRADITIONAL_ENCRYPTED:
		ok = PEM_write_bio_PrivateKey_traditional(bio, key, EVP_aes_128_cbc(),
							  (const unsigned char *)pass,
							  (int)strlen(pass), NULL, NULL);
		break;
	}
	if (!ok)
		abort();
	char *out = fx_bio_text(bio);
	BIO_free(bio);
	return out;
}

EVP_PKEY *fx_key_other(unsigned rsa_bits)
{
	EVP_PKEY *key =
	    rsa_bits != 0 ? EVP_RSA_gen(rsa_bits) : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (key == NULL)
		abort();
	return key;
}

X509 *fx_leaf(EVP_PKEY *ca_key, X509 *ca, const char *crl_url, const char *ocsp_url, char hex[33])
{
	unsigned char serial[16];
	struct cm_err err = {0};
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509_REQ *csr = fx_csr(key, "leaf.example", "leaf.example", NULL);
	struct x509_csr *parsed = fx_parsed(csr);
	x509_serial_random(serial);
	hex_encode(serial, sizeof(serial), hex);
	struct x509_issue_params p = {
	    .csr = parsed,
	    .tmpl = pca_template_find(FX_TMPL("EndEntityCertificate")),
	    .signing_key = ca_key,
	    .issuer_cert = ca,
	    .sig_alg = EVP_PKEY_get_base_id(ca_key) == EVP_PKEY_RSA ? X509_SIG_SHA256WITHRSA
								    : X509_SIG_SHA256WITHECDSA,
	    .serial = serial,
	    .serial_len = sizeof(serial),
	    .not_before = FX_NOW - 3600,
	    .not_after = FX_NOW + FX_YEAR,
	    .crl_url = crl_url,
	    .ocsp_url = ocsp_url,
	};
	X509 *cert = x509_issue(&p, &err);
	if (cert == NULL)
		fprintf(stderr, "fx_leaf: %s\n", err.msg);
	x509_csr_free(parsed);
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
	return cert;
}

void fx_tmpdir(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/certain-unit-XXXXXX");
	if (mkdtemp(buf) == NULL)
		abort();
}

void fx_write(const char *dir, const char *name, const void *data, size_t len, char *path,
	      size_t size)
{
	snprintf(path, size, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		abort();
}

void fx_write_cert(const char *dir, const char *name, const X509 *cert, char *path, size_t size)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data = NULL;
	if (bio == NULL || !PEM_write_bio_X509(bio, cert))
		abort();
	long n = BIO_get_mem_data(bio, &data);
	fx_write(dir, name, data, (size_t)n, path, size);
	BIO_free(bio);
}

int fx_run(const char *cmd, char *out, size_t size)
{
	char full[4096];
	size_t used = 0;
	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	FILE *p = popen(full, "r");
	if (p == NULL)
		return -1;
	out[0] = '\0';
	while (used + 1 < size) {
		size_t n = fread(out + used, 1, size - 1 - used, p);
		if (n == 0)
			break;
		used += n;
	}
	out[used] = '\0';
	char sink[256];
	while (fread(sink, 1, sizeof(sink), p) > 0)
		;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void fx_rmdir(const char *dir)
{
	char cmd[512];
	/* Only our own mkdtemp folders: never a path from elsewhere. */
	if (strncmp(dir, "/tmp/certain-unit-", 18) != 0 || strchr(dir, '\'') != NULL)
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fx_rmdir: cannot remove %s\n", dir);
}

int fx_verify_crl(X509 *leaf, X509 *root, X509_CRL *crl, int64_t at)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509_STORE_add_cert(store, root);
	X509_STORE_add_crl(store, crl);
	X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
	X509_STORE_CTX_init(ctx, store, leaf, NULL);
	X509_STORE_CTX_set_time(ctx, 0, (time_t)at);
	int ok = X509_verify_cert(ctx);
	int rc = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	if (rc == X509_V_OK && ok != 1)
		rc = -1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}
