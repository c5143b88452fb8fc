/* Pieces shared by the ACM operation handlers: the domain context of a
 * request, the CertificateDetail and CertificateSummary shapes, and the
 * members every operation reads. */
#ifndef CERTAIN_API_ACM_COMMON_H
#define CERTAIN_API_ACM_COMMON_H

#include <jansson.h>

#include "acm/acm.h"
#include "aws/service.h"

#define ACM_ARN_MEMBER "CertificateArn"

/* Model enums shared by the handlers (enums.c); NULL-terminated. */
extern const char *const acm_enum_statuses[];
extern const char *const acm_enum_key_algorithms[];
extern const char *const acm_enum_eku_names[];
extern const char *const acm_enum_ku_names[];
extern const char *const acm_enum_enabled_disabled[];
extern const char *const acm_enum_managed_by[];
extern const char *const acm_enum_validation_methods[];
extern const char *const acm_enum_sort_orders[];

struct acm_ctx acm_api_ctx(const struct aws_ctx *ctx);

/* CertificateArn of the request (shape only; existence is the domain's). */
int acm_api_arn(json_t *in, const char **arn, struct cm_err *err);

/* The CertificateDetail of DescribeCertificate (new reference in *out). */
int acm_api_detail(const struct acm_ctx *ctx, const struct store_acm_cert *c, json_t **out,
		   struct cm_err *err);

/* The CertificateSummary of ListCertificates (new reference). */
json_t *acm_api_summary(const struct acm_ctx *ctx, const struct store_acm_cert *c);

/* KeyUsage names of a bit set, as a JSON list of strings or of {"Name"} objects. */
json_t *acm_api_key_usages(unsigned bits, bool objects);

#endif
