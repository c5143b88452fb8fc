/* Checks on a certificate a CA is asked to install as its own
 * (ImportCertificateAuthorityCertificate; spec pca.md §5.8, §6.4). */
#ifndef CERTAIN_X509_CA_CERT_H
#define CERTAIN_X509_CA_CERT_H

#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

/* 0 when cert may become the CA's certificate at time now. chain (NULL for a
 * root): the signer of cert first, root last. Errors:
 *  CM_ERR_MALFORMED_CERTIFICATE  not v3; BasicConstraints missing, not critical
 *                                or CA:FALSE; a critical extension §6.4 forbids;
 *                                not valid at now
 *  CM_ERR_CERTIFICATE_MISMATCH   public key is not ca_key's; cert does not verify
 *                                against the chain, or the chain against itself;
 *                                path length or name constraints violated
 *  CM_ERR_INVALID_REQUEST        root not self-signed; subordinate self-signed;
 *                                chain missing for a subordinate, or given for a
 *                                root; chain containing cert itself */
int x509_ca_cert_check(X509 *cert, STACK_OF(X509) * chain, EVP_PKEY *ca_key, bool is_root,
		       int64_t now, struct cm_err *err);

#endif
