/* Shared inside src/revocation/: the CRL worker and the OCSP responder, as
 * revocation.c starts them and public.c asks them. */
#ifndef CERTAIN_REVOCATION_INTERNAL_H
#define CERTAIN_REVOCATION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "pca/ca.h"
#include "revocation/revocation.h"

/* A pca context for the CA's account, on the configured store and keys. */
struct pca_ctx revocation_pca_ctx(const struct revocation_cfg *cfg, const char *account);

int crl_worker_start(const struct revocation_cfg *cfg, struct cm_err *err);
void crl_worker_stop(void);
void crl_worker_revoked(const char *ca_id);
void crl_worker_ca_changed(const char *ca_id);
/* The clock moved (test clock): recompute what is due now. */
void crl_worker_clock_moved(void);
/* A copy of the CA's current CRL (part -1) or of one partition's CRL (owned,
 * free()) when it is served under url_dir (its CustomPath or "crl"); -1 when
 * there is none. */
int crl_worker_get(const char *ca_id, const char *url_dir, int part, unsigned char **der,
		   size_t *len);

int ocsp_responder_start(const struct revocation_cfg *cfg, struct cm_err *err);
void ocsp_responder_stop(void);
void ocsp_responder_revoked(const char *ca_id, const char *serial_hex);
void ocsp_responder_ca_changed(const char *ca_id);
/* The DER OCSPResponse (owned, free()) to a request given as DER (POST) or
 * as the base64 text of the GET form (get_text non-NULL): a signed answer or
 * an unsigned error status (malformedRequest, unauthorized, internalError);
 * *malformed says it was malformedRequest. NULL only when out of memory. */
unsigned char *ocsp_responder_answer(const unsigned char *der, size_t der_len,
				     const char *get_text, size_t *out_len, bool *malformed);

#endif
