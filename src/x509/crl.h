/* Certificate revocation lists (RFC 5280 §5; spec pca.md §6.8): revocation
 * reasons, and building and signing a v2 CRL for a CA. Storage, scheduling
 * and publishing are the callers' business. */
#ifndef CERTAIN_X509_CRL_H
#define CERTAIN_X509_CRL_H

#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "x509/keys.h"

/* AWS RevocationReason; the value is the RFC 5280 §5.3.1 CRLReason code.
 * AWS has no certificateHold (6) or removeFromCRL (8): revocation is final. */
enum x509_crl_reason {
	X509_CRL_UNSPECIFIED = 0,
	X509_CRL_KEY_COMPROMISE = 1,
	X509_CRL_CA_COMPROMISE = 2,
	X509_CRL_AFFILIATION_CHANGED = 3,
	X509_CRL_SUPERSEDED = 4,
	X509_CRL_CESSATION_OF_OPERATION = 5,
	X509_CRL_PRIVILEGE_WITHDRAWN = 9,
	X509_CRL_AA_COMPROMISE = 10,
};

/* AWS name ("KEY_COMPROMISE") ↔ reason; from_name returns -1 for any other
 * name; name returns NULL for a value AWS does not have. */
int x509_crl_reason_from_name(const char *name, enum x509_crl_reason *out);
const char *x509_crl_reason_name(enum x509_crl_reason reason);

/* One revoked certificate. */
struct x509_crl_entry {
	const char *serial_hex;	     /* as the store keeps it: hex, no colons (either
					case; leading zeros ignored), 1..26 octets */
	int64_t revoked_at;	     /* epoch seconds */
	enum x509_crl_reason reason; /* UNSPECIFIED: no reasonCode extension
					(RFC 5280 §5.3.1 SHOULD) */
};

/* RFC 5280 §5.2.3: a CRLNumber is at most 20 octets. */
#define X509_CRL_NUMBER_MAX 20

struct x509_crl_params {
	X509 *issuer_cert;	   /* the CA: issuer name (byte-identical) and AKI */
	EVP_PKEY *signing_key;	   /* the CA's private key */
	enum x509_sig_alg sig_alg; /* the CA's signing algorithm */
	/* CRLNumber: unsigned big-endian, 1..20 octets (leading zeros
	 * ignored), e.g. a millisecond timestamp as AWS uses (x509_crl_number_u64). */
	const unsigned char *number;
	size_t number_len;
	int64_t this_update, next_update;     /* epoch seconds, this < next */
	const struct x509_crl_entry *entries; /* in the order given; may be NULL when n is 0 */
	size_t n_entries;
	/* Partitioned CRLs: the URI of a critical IssuingDistributionPoint
	 * (RFC 5280 §5.2.5), equal to the CDP of the certificates this CRL
	 * covers. NULL: a complete CRL, no IDP. */
	const char *idp_uri;
};

/* A CRLNumber from a 64-bit value: writes 8 big-endian octets to out. */
void x509_crl_number_u64(uint64_t v, unsigned char out[8]);

/* The DER of the signed CRL (owned, free()), its length in *len: v2, the
 * CA's subject as issuer, thisUpdate, nextUpdate, the entries, and the
 * extensions AuthorityKeyIdentifier (the CA's SKI), CRLNumber and the IDP.
 * CM_ERR_INVALID_ARGS for a bad serial (naming its index), reason, time,
 * number or URI, a signing algorithm that does not fit the key, or a key
 * that is not the CA certificate's; CM_ERR_INTERNAL when out of memory. */
unsigned char *x509_crl_build(const struct x509_crl_params *p, size_t *len, struct cm_err *err);

#endif
