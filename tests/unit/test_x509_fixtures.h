/* Shared fixtures of the x509 unit tests: keys, CSRs, a CA hierarchy built
 * through the public x509 API, and readers of certificate extensions. */
#ifndef CERTAIN_TESTS_X509_FIXTURES_H
#define CERTAIN_TESTS_X509_FIXTURES_H

#include <openssl/x509v3.h>
#include <stdbool.h>
#include <stdint.h>

#include "pca/templates.h"
#include "x509/ca_csr.h"
#include "x509/issue.h"
#include "x509/keys.h"

#define FX_NOW	      ((int64_t)1767225600) /* 2026-01-01T00:00:00Z */
#define FX_YEAR	      ((int64_t)365 * 86400)
#define FX_TMPL(name) "arn:aws:acm-pca:::template/" name "/V1"

/* A key (owned); aborts the test binary if OpenSSL cannot make one. */
EVP_PKEY *fx_key(enum x509_key_alg alg);

/* A client CSR (owned) for key, signed with SHA-256: subject CN=cn (none
 * when cn is NULL), SAN DNS:dns (none when NULL), plus extra extensions. */
X509_REQ *fx_csr(EVP_PKEY *key, const char *cn, const char *dns, STACK_OF(X509_EXTENSION) * extra);

/* The CA CSR of key (x509_ca_csr_build) with subject CN=cn, O=Certain, C=US. */
X509_REQ *fx_ca_csr(EVP_PKEY *key, const char *cn);

/* req through x509_csr_from_req (owned); NULL, with a message, when it fails. */
struct x509_csr *fx_parsed(const X509_REQ *req);

/* Issues csr (parsed with fx_parsed) with the template of arn (owned certificate; NULL on error,
 * *err set). */
X509 *fx_issue(X509_REQ *csr, const char *arn, EVP_PKEY *signer, X509 *issuer,
	       const struct x509_passthrough *api, int64_t not_after, struct cm_err *err);

/* A self-signed root for key (RootCACertificate/V1), valid FX_NOW-1h..+10 years. */
X509 *fx_root(EVP_PKEY *key, const char *cn);

/* A subordinate of issuer (signed by issuer_key) for key, with template arn. */
X509 *fx_sub(EVP_PKEY *key, const char *cn, const char *arn, EVP_PKEY *issuer_key, X509 *issuer);

/* -1: extension absent; else its critical flag (0/1). */
int fx_ext_crit(const X509 *cert, int nid);
/* KeyUsage as enum x509_ku bits (0 when absent). */
unsigned fx_ku(const X509 *cert);
/* EKU OIDs joined by ',' into buf ("" when absent). */
const char *fx_eku(const X509 *cert, char *buf, size_t size);
/* The number of extensions. */
int fx_ext_count(const X509 *cert);
/* X509_verify_cert of leaf with root trusted, untrusted intermediates, at time at. */
int fx_verify(X509 *leaf, X509 *root, X509 *inter1, X509 *inter2, int64_t at);
/* DER of a certificate's subject or issuer name equals another's subject. */
bool fx_name_der_eq(const X509_NAME *a, const X509_NAME *b);
/* An extension with a DER value of an UTF8String s. */
X509_EXTENSION *fx_utf8_ext(const char *oid, const char *s, bool critical);

/* A certificate built field by field, for shapes the issuance code never
 * makes (v1, expired, odd keys, hand-written extensions). */
struct fx_cert_spec {
	EVP_PKEY *key;		/* subject public key */
	EVP_PKEY *signer;	/* NULL: key (self-signed) */
	X509 *issuer;		/* issuer name source; NULL: the subject itself */
	const char *subject;	/* "CN=a,O=b" (no escaped commas); NULL or "": empty */
	int version;		/* 1, 2 or 3; 0 means 3 */
	long serial;		/* 0 means 4096 */
	int64_t not_before;	/* 0 means FX_NOW - 1 hour */
	int64_t not_after;	/* 0 means FX_NOW + 1 year */
	const EVP_MD *md;	/* NULL: SHA-256 (none for Ed25519 signers) */
	const char *exts[8][2]; /* {name, value} for X509V3_EXT_nconf, e.g.
				   {"subjectAltName", "DNS:a.example"}; NULL-terminated */
};

/* The certificate of spec (owned); aborts when OpenSSL refuses a field. */
X509 *fx_cert(const struct fx_cert_spec *spec);

/* PEM forms of a private key, as the ImportCertificate tests need them. */
enum fx_key_pem {
	FX_PEM_PKCS8,		      /* PRIVATE KEY */
	FX_PEM_TRADITIONAL,	      /* RSA PRIVATE KEY / EC PRIVATE KEY */
	FX_PEM_EC_PARAMS_SEC1,	      /* EC PARAMETERS then EC PRIVATE KEY */
	FX_PEM_PKCS8_ENCRYPTED,	      /* ENCRYPTED PRIVATE KEY */
	FX_PEM_TRADITIONAL_ENCRYPTED, /* Proc-Type: 4,ENCRYPTED */
};

/* A key's PEM text in form (owned, free()). */
char *fx_key_pem(EVP_PKEY *key, enum fx_key_pem form);
/* A key no x509_key_alg names (owned): an Ed25519 key when rsa_bits is 0,
 * else an RSA key of rsa_bits (1024 for ACM's RSA_1024, 1536 for a size
 * nobody accepts). Aborts when OpenSSL cannot make it. */
EVP_PKEY *fx_key_other(unsigned rsa_bits);

/* Revocation tests (CRL, OCSP). */

/* An EndEntityCertificate/V1 leaf of ca (signed by ca_key) for a new P-256
 * key, valid FX_NOW-1h..+1 year, with CDP crl_url and AIA OCSP ocsp_url
 * (NULL: none); its serial as the store keeps it (32 lowercase hex digits)
 * into hex. NULL on error. */
X509 *fx_leaf(EVP_PKEY *ca_key, X509 *ca, const char *crl_url, const char *ocsp_url, char hex[33]);

/* A fresh temporary folder (mkdtemp) into buf (size >= 64); aborts on failure. */
void fx_tmpdir(char *buf, size_t size);
/* Writes len bytes to dir/name, the full path into path (size bytes); aborts on failure. */
void fx_write(const char *dir, const char *name, const void *data, size_t len, char *path,
	      size_t size);
/* Writes a certificate as PEM to dir/name; the path into path. */
void fx_write_cert(const char *dir, const char *name, const X509 *cert, char *path, size_t size);
/* Runs cmd with /bin/sh, its stdout and stderr into out (NUL-terminated, cut
 * at size - 1); returns its exit status, or -1 when it could not run. */
int fx_run(const char *cmd, char *out, size_t size);
/* Removes dir and what fx_write put in it. */
void fx_rmdir(const char *dir);
/* X509_verify_cert of leaf issued by root (trusted) with crl checked
 * (X509_V_FLAG_CRL_CHECK) at time at; X509_V_OK or the error. */
int fx_verify_crl(X509 *leaf, X509 *root, X509_CRL *crl, int64_t at);

#endif
