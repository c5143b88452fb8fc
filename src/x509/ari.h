/* The ACME Renewal Information certificate identifier (RFC 9773 §4.1). */
#ifndef CERTAIN_X509_ARI_H
#define CERTAIN_X509_ARI_H

#include <stddef.h>

#include "util/err.h"

/* base64url(AKI keyIdentifier) "." base64url(serial INTEGER content octets)
 * of one certificate (PEM or DER), owned. CM_ERR_MALFORMED_CERTIFICATE when
 * it does not parse or has no AKI keyIdentifier. */
char *x509_ari_cert_id(const unsigned char *cert, size_t len, struct cm_err *err);

#endif
