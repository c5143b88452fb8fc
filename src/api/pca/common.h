/* Pieces shared by the ACM PCA operation handlers: the domain context of a
 * request, the CertificateAuthority shape, and RevocationConfiguration. */
#ifndef CERTAIN_API_PCA_COMMON_H
#define CERTAIN_API_PCA_COMMON_H

#include <jansson.h>

#include "aws/service.h"
#include "pca/ca.h"

/* The domain context of an API request. */
struct pca_ctx pca_api_ctx(const struct aws_ctx *ctx);

/* The CertificateAuthority shape of Describe/List (new reference). */
json_t *pca_api_ca_encode(const struct pca_ctx *ctx, const struct store_ca *ca,
			  enum pca_status status);

/* Validates a RevocationConfiguration (spec §4) and returns its normalised
 * JSON text (owned): both parts present, defaults filled in. `base` is the
 * current normalised configuration (NULL on create): parts absent from `in`
 * keep their value there. */
int pca_api_revocation_decode(json_t *in, const char *base, char **out, struct cm_err *err);

/* Decodes a Tags list of 1..max tags (borrowed strings; *tags freed with free()). */
int pca_api_tags_decode(json_t *in, const char *name, bool required, size_t max,
			struct pca_tag **tags, size_t *n, struct cm_err *err);

/* Adds NextToken (the authenticated form of cursor) to *out. On failure *out
 * is released and set to NULL: a page must never end silently short. */
int pca_api_set_next_token(const struct aws_ctx *actx, json_t **out, const char *scope,
			   const char *cursor, struct cm_err *err);

/* A JSON string member from an owned C string; frees it. NULL-safe (no member). */
void pca_api_set_owned_string(json_t *obj, const char *name, char *s);

#endif
