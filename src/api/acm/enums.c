/* The ACM model enums more than one handler reads (spec acm.md §3), in the
 * model's order: jv_enum returns an index into these. */
#include "api/acm/common.h"

const char *const acm_enum_statuses[] = {"PENDING_VALIDATION",	 "ISSUED",  "INACTIVE", "EXPIRED",
					 "VALIDATION_TIMED_OUT", "REVOKED", "FAILED",	NULL};
const char *const acm_enum_key_algorithms[] = {
    "RSA_1024",	     "RSA_2048",     "RSA_3072",     "RSA_4096",
    "EC_prime256v1", "EC_secp384r1", "EC_secp521r1", NULL};
const char *const acm_enum_eku_names[] = {"TLS_WEB_SERVER_AUTHENTICATION",
					  "TLS_WEB_CLIENT_AUTHENTICATION",
					  "CODE_SIGNING",
					  "EMAIL_PROTECTION",
					  "TIME_STAMPING",
					  "OCSP_SIGNING",
					  "IPSEC_END_SYSTEM",
					  "IPSEC_TUNNEL",
					  "IPSEC_USER",
					  "ANY",
					  "NONE",
					  "CUSTOM",
					  NULL};
const char *const acm_enum_ku_names[] = {"DIGITAL_SIGNATURE",
					 "NON_REPUDIATION",
					 "KEY_ENCIPHERMENT",
					 "DATA_ENCIPHERMENT",
					 "KEY_AGREEMENT",
					 "CERTIFICATE_SIGNING",
					 "CRL_SIGNING",
					 "ENCIPHER_ONLY",
					 "DECIPHER_ONLY",
					 "ANY",
					 "CUSTOM",
					 NULL};
const char *const acm_enum_enabled_disabled[] = {"ENABLED", "DISABLED", NULL};
const char *const acm_enum_managed_by[] = {"CLOUDFRONT", NULL};
const char *const acm_enum_validation_methods[] = {"EMAIL", "DNS", "HTTP", NULL};
const char *const acm_enum_sort_orders[] = {"ASCENDING", "DESCENDING", NULL};
