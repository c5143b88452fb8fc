/* End-entity certificates as ACM sees them (spec acm.md §3, §4, §6.5): what
 * DescribeCertificate shows of a certificate, the ImportCertificate checks,
 * and the CSR Certain makes for a key it generated (RequestCertificate). */
#ifndef CERTAIN_X509_LEAF_H
#define CERTAIN_X509_LEAF_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "x509/info.h"

/* ExtendedKeyUsageName of the ACM model as bits (filters, summaries). NONE is
 * set when the certificate has no EKU extension at all; CUSTOM for any OID
 * outside the table; ANY for anyExtendedKeyUsage (2.5.29.37.0). */
enum x509_eku_bit {
	X509_EKU_TLS_WEB_SERVER_AUTHENTICATION = 1u << 0, /* 1.3.6.1.5.5.7.3.1 */
	X509_EKU_TLS_WEB_CLIENT_AUTHENTICATION = 1u << 1, /* .3.2 */
	X509_EKU_CODE_SIGNING = 1u << 2,		  /* .3.3 */
	X509_EKU_EMAIL_PROTECTION = 1u << 3,		  /* .3.4 */
	X509_EKU_TIME_STAMPING = 1u << 4,		  /* .3.8 */
	X509_EKU_OCSP_SIGNING = 1u << 5,		  /* .3.9 */
	X509_EKU_IPSEC_END_SYSTEM = 1u << 6,		  /* .3.5 */
	X509_EKU_IPSEC_TUNNEL = 1u << 7,		  /* .3.6 */
	X509_EKU_IPSEC_USER = 1u << 8,			  /* .3.7 */
	X509_EKU_ANY = 1u << 9,				  /* 2.5.29.37.0 */
	X509_EKU_NONE = 1u << 10,			  /* no EKU extension */
	X509_EKU_CUSTOM = 1u << 11,			  /* any other OID */
};
#define X509_EKU_BITS 12

/* The ExtendedKeyUsageName of bit i (0..X509_EKU_BITS-1), e.g. "CODE_SIGNING";
 * from_name returns the bit, or 0 for an unknown name. */
const char *x509_eku_bit_name(unsigned bit_index);
unsigned x509_eku_bit_from_name(const char *name);

/* The KeyUsageName of KeyUsage bit i (enum x509_ku, 0..8), e.g. "DIGITAL_SIGNATURE";
 * from_name returns the enum x509_ku bit, or 0 for an unknown name. */
const char *x509_ku_acm_name(unsigned bit_index);
unsigned x509_ku_from_acm_name(const char *name);

/* One EKU as DescribeCertificate lists it. */
struct x509_eku_entry {
	char name[40]; /* ExtendedKeyUsageName */
	char oid[80];  /* dotted OID */
};

/* Everything ACM shows of a certificate. Strings and arrays are owned and
 * released by x509_leaf_details_clear (safe after a failure too). */
struct x509_leaf_details {
	struct x509_cert_info info; /* serial, validity, subject/issuer (RFC 2253), key_alg */
	char key_alg[24];	    /* ACM KeyAlgorithm: RSA_1024 ... RSA_4096, EC_prime256v1,
				       EC_secp384r1, EC_secp521r1; "" for any other key (info.key_alg
				       is the PCA enum, which has no RSA_1024) */
	char *domain_name;	    /* the CN when it is a DNS name, else the first DNS SAN;
				       NULL when the certificate names no domain */
	char **names;		    /* every DNS name: domain_name first, then the DNS SANs
				       in certificate order, without duplicates */
	size_t n_names;
	bool has_ip_san;	    /* an iPAddress SAN (ImportCertificate check 9) */
	unsigned key_usage;	    /* enum x509_ku bits; 0 when no KeyUsage extension */
	unsigned eku_bits;	    /* enum x509_eku_bit (X509_EKU_NONE without the extension) */
	struct x509_eku_entry *eku; /* in certificate order; empty without the extension
				       (the API edge decides how to show NONE) */
	size_t n_eku;
	char sig_alg[24];    /* SHA256WITHRSA ... SHA512WITHECDSA; else OpenSSL's short name
				of the signature algorithm, upper-cased */
	char *issuer_short;  /* issuer O if present, else issuer CN, else "" (owned) */
	char *subject;	     /* RFC 4514 subject, e.g. "CN=www.example.com,O=Example" (owned) */
	size_t ocsp_url_len; /* longest AIA id-ad-ocsp URI, 0 when none */
};

/* Fills *d. CM_ERR_MALFORMED_CERTIFICATE when the serial is out of range or an
 * extension read here (KeyUsage, EKU, SAN, AIA) is there twice or does not
 * decode; CM_ERR_INTERNAL when out of memory. */
int x509_leaf_details_get(const X509 *cert, struct x509_leaf_details *d, struct cm_err *err);
/* The same with the certificate's public key given: for a certificate from
 * x509_issue_unkeyed, whose key is not decoded (X509_get0_pubkey is NULL). */
int x509_leaf_details_get_keyed(const X509 *cert, const EVP_PKEY *key,
				struct x509_leaf_details *d, struct cm_err *err);
void x509_leaf_details_clear(struct x509_leaf_details *d);

/* ImportCertificate input, already base64-decoded (sizes checked by the API). */
struct x509_import_input {
	const unsigned char *cert;
	size_t cert_len;
	const unsigned char *key;
	size_t key_len;
	const unsigned char *chain; /* NULL when absent */
	size_t chain_len;
};

/* What a successful import check produces (all owned; x509_import_clear). */
struct x509_import {
	X509 *cert;
	EVP_PKEY *key;
	STACK_OF(X509) * chain; /* NULL when no chain was given */
	struct x509_leaf_details details;
};

/* Runs the ImportCertificate checks of spec acm.md §6.5, steps 2–9, in that
 * order; the first failure wins and is CM_ERR_VALIDATION with a message that
 * says what is wrong (e.g. "The certificate has expired, is not valid.",
 * "The private key is encrypted; provide an unencrypted key.", "The private key
 * does not match the certificate."). now: epoch seconds. Never echoes key bytes. */
int x509_import_check(const struct x509_import_input *in, int64_t now, struct x509_import *out,
		      struct cm_err *err);
void x509_import_clear(struct x509_import *im);

/* The CSR for a key Certain generated (RequestCertificate): subject CN=cn, an
 * extension request with a SubjectAltName of every DNS name in names, signed
 * with SHA-256. Owned; NULL + CM_ERR_INVALID_ARGS for an empty or non-ASCII
 * name (callers check names first, spec acm.md §6.4), CM_ERR_INTERNAL when
 * OpenSSL fails (e.g. a CN over 64 characters). */
X509_REQ *x509_leaf_csr_build(EVP_PKEY *key, const char *cn, const char *const *names, size_t n,
			      struct cm_err *err);

#endif
