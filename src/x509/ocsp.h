/* OCSP (RFC 6960; spec pca.md §6.8): parsing requests, matching their
 * CertIDs to a CA, and building responses. The HTTP listener, the status
 * lookup and the cache of pre-signed responses belong to the callers.
 *
 * Pre-signing: a response without a nonce depends only on (CA, hash
 * algorithm, serial, status, thisUpdate/nextUpdate), so the responder can
 * build it ahead with x509_ocsp_certid_for + x509_ocsp_response_build and
 * serve the stored bytes to every nonce-less request whose single CertID
 * matches: a lookup costs no signature. A request with a nonce is answered
 * by the same build with its nonce. */
#ifndef CERTAIN_X509_OCSP_H
#define CERTAIN_X509_OCSP_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "x509/crl.h"
#include "x509/info.h"
#include "x509/keys.h"

/* Bounds on what a client may send. An OCSP request for one certificate is
 * about 100 bytes (~300 with a signature); anything much larger is refused
 * before OpenSSL parses it. */
#define X509_OCSP_REQUEST_MAX 16384 /* DER bytes */
#define X509_OCSP_MAX_IDS     32    /* CertIDs (Request entries) in one request */
/* RFC 9654 §2.1: a nonce is 1..128 octets; the extnValue holds it as an
 * OCTET STRING, so 128 + 3 octets of header. */
#define X509_OCSP_NONCE_MAX 131

/* The hash algorithm of a CertID (RFC 6960 §4.1.1). Other algorithms parse
 * as X509_OCSP_HASH_OTHER, which matches no CA (the responder then answers
 * unauthorized, §2.3). */
enum x509_ocsp_hash {
	X509_OCSP_HASH_SHA1,
	X509_OCSP_HASH_SHA256,
	X509_OCSP_HASH_SHA384,
	X509_OCSP_HASH_SHA512,
	X509_OCSP_HASH_OTHER,
};

/* CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber }. */
struct x509_ocsp_certid {
	enum x509_ocsp_hash hash;
	unsigned char name_hash[EVP_MAX_MD_SIZE]; /* hash of the issuer's subject DER */
	unsigned char key_hash[EVP_MAX_MD_SIZE];  /* hash of the issuer's subjectPublicKey bits */
	size_t name_hash_len, key_hash_len;
	char serial_hex[X509_SERIAL_HEX_MAX]; /* lowercase, no colons, no leading zero
						 octets: the store's key */
};

/* A parsed OCSPRequest (RFC 6960 §4.1.1). */
struct x509_ocsp_request {
	struct x509_ocsp_certid *ids; /* owned array of n_ids (1..X509_OCSP_MAX_IDS) */
	size_t n_ids;
	/* The Nonce extension's extnValue, echoed byte for byte in the
	 * response (§4.4.1); nonce_len 0: the request had none. */
	unsigned char nonce[X509_OCSP_NONCE_MAX];
	size_t nonce_len;
};

/* Parses DER (a POST body) into *out; free with x509_ocsp_request_clear
 * (safe after a failure too). Every refusal is CM_ERR_INVALID_REQUEST with a
 * message saying what is wrong, answered with malformedRequest: over
 * X509_OCSP_REQUEST_MAX, not DER of an OCSPRequest, bytes after it, a
 * version other than v1, no or too many CertIDs, a hash length that fits no
 * hash, a negative or over-long serial, an unknown critical extension, a
 * nonce of 0 or more than 128 octets. CM_ERR_INTERNAL: out of memory.
 * The optional signature is not checked: requests need no authentication. */
int x509_ocsp_request_parse(const unsigned char *der, size_t len, struct x509_ocsp_request *out,
			    struct cm_err *err);

/* The GET form (RFC 6960 Appendix A.1): text is the path segment after the
 * responder URL, "url-encoding of base-64 encoding of the DER". %XX escapes
 * are decoded (again, harmlessly, if the HTTP layer already did), the
 * standard and URL-safe alphabets are both accepted, padding optional. */
int x509_ocsp_request_parse_get(const char *text, size_t len, struct x509_ocsp_request *out,
				struct cm_err *err);

void x509_ocsp_request_clear(struct x509_ocsp_request *r);

/* The CertID hashes of ca for one algorithm, for callers that index CAs by
 * them: name = H(subject DER), key = H(subjectPublicKey bits) (§4.1.1).
 * *len is the digest size. -1 for X509_OCSP_HASH_OTHER. */
int x509_ocsp_ca_hashes(X509 *ca, enum x509_ocsp_hash hash, unsigned char name[EVP_MAX_MD_SIZE],
			unsigned char key[EVP_MAX_MD_SIZE], size_t *len);

/* Whether id names a certificate issued by ca (both hashes match). */
bool x509_ocsp_certid_matches(const struct x509_ocsp_certid *id, X509 *ca);

/* The CertID of serial_hex under ca with hash, as a client would send it
 * (for pre-signing). CM_ERR_INVALID_ARGS for a bad serial or hash. */
int x509_ocsp_certid_for(X509 *ca, enum x509_ocsp_hash hash, const char *serial_hex,
			 struct x509_ocsp_certid *out, struct cm_err *err);

/* CertStatus (§4.2.1). */
enum x509_ocsp_status {
	X509_OCSP_GOOD,
	X509_OCSP_REVOKED,
	X509_OCSP_UNKNOWN,
};

/* One SingleResponse. */
struct x509_ocsp_single {
	const struct x509_ocsp_certid *id; /* echoed as the response's certID */
	enum x509_ocsp_status status;
	int64_t revoked_at;	     /* REVOKED only: revocationTime */
	enum x509_crl_reason reason; /* REVOKED only; UNSPECIFIED: no revocationReason */
	int64_t this_update;	     /* epoch seconds */
	int64_t next_update;	     /* 0: none (§2.4: newer information always there) */
};

/* Who signs (§4.2.2.2): the CA itself, or a delegated responder whose
 * certificate ca_cert issued with the id-kp-OCSPSigning EKU. */
struct x509_ocsp_signer {
	X509 *ca_cert;		   /* the CA the statuses are about */
	EVP_PKEY *key;		   /* ca_cert's key, or responder_cert's */
	X509 *responder_cert;	   /* NULL: the CA signs; else sent in `certs` */
	enum x509_sig_alg sig_alg; /* must fit key */
};

/* A successful OCSPResponse (DER, owned, free()) holding a BasicOCSPResponse
 * (§4.2.1): responderID byKey (SHA-1 of the signer's key, RFC 6960 §4.2.2.3),
 * producedAt, the singles in order, the nonce extension when nonce_len > 0
 * (nonce = x509_ocsp_request.nonce), signed with sig_alg; the responder's
 * certificate in `certs` when delegated. Used both for pre-signing (no
 * nonce) and on demand. CM_ERR_INVALID_ARGS for no singles, bad times or
 * reasons, a key that is not the signer certificate's, a signing algorithm
 * that does not fit it, or a responder certificate that ca_cert did not
 * issue or that lacks id-kp-OCSPSigning; CM_ERR_INTERNAL when out of memory. */
unsigned char *x509_ocsp_response_build(const struct x509_ocsp_signer *s,
					const struct x509_ocsp_single *singles, size_t n,
					const unsigned char *nonce, size_t nonce_len,
					int64_t produced_at, size_t *len, struct cm_err *err);

/* A delegated responder's certificate (ocsp_signer.c). */
struct x509_ocsp_signer_params {
	X509 *ca_cert;		   /* the issuing CA */
	EVP_PKEY *ca_key;	   /* its key */
	enum x509_sig_alg sig_alg; /* the CA's signing algorithm */
	EVP_PKEY *signer_key;	   /* the responder's key (public part certified) */
	const unsigned char *serial;
	size_t serial_len;
	int64_t not_before, not_after;
};

/* Issues it (owned, X509_free): subject CN=OCSP Responder, the CA's subject
 * as issuer, BasicConstraints CA:FALSE and KeyUsage digitalSignature
 * (critical), EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck, SKI and AKI.
 * NULL with CM_ERR_INTERNAL on failure. */
X509 *x509_ocsp_signer_issue(const struct x509_ocsp_signer_params *p, struct cm_err *err);

/* OCSPResponseStatus values of the unsigned error responses (§4.2.1). */
enum x509_ocsp_error {
	X509_OCSP_MALFORMED_REQUEST = 1,
	X509_OCSP_INTERNAL_ERROR = 2,
	X509_OCSP_TRY_LATER = 3,
	X509_OCSP_SIG_REQUIRED = 5,
	X509_OCSP_UNAUTHORIZED = 6,
};

/* The unsigned OCSPResponse of an error status (static bytes, not to be freed). */
const unsigned char *x509_ocsp_error_response(enum x509_ocsp_error status, size_t *len);

#endif
