/* ARNs: building and parsing the identifiers of Certain's resources.
 *   CA:          arn:aws:acm-pca:<region>:<account>:certificate-authority/<uuid>
 *   certificate: <CA ARN>/certificate/<serial hex>
 *   ACM certificate: arn:aws:acm:<region>:<account>:certificate/<uuid>
 * Parsing follows the AWS order of errors: a value outside the model pattern
 * is a ValidationException, a well-formed ARN of the wrong kind an
 * InvalidArnException; whether it exists (and is the caller's) is decided later. */
#ifndef CERTAIN_AWS_ARN_H
#define CERTAIN_AWS_ARN_H

#include <stddef.h>

#include "util/err.h"

#define ARN_MAX 256

struct arn_ca {
	char partition[64];
	char region[64];
	char account[16];
	char ca_id[40]; /* lowercase uuid */
};

/* Parses a CA ARN given in member `member` (for messages). */
int arn_parse_ca(const char *arn, const char *member, struct arn_ca *out, struct cm_err *err);

/* Parses a PCA certificate ARN: its CA part and the serial (lowercase hex). */
int arn_parse_pca_certificate(const char *arn, const char *member, struct arn_ca *ca,
			      char *serial, size_t serial_size, struct cm_err *err);

struct arn_acm_cert {
	char partition[64];
	char region[64];
	char account[16];
	char id[40]; /* lowercase uuid */
};

/* Parses an ACM certificate ARN (model length 20–2048). */
int arn_parse_acm_certificate(const char *arn, const char *member, struct arn_acm_cert *out,
			      struct cm_err *err);
void arn_format_acm_certificate(char *buf, size_t size, const char *partition, const char *region,
				const char *account, const char *id);

void arn_format_ca(char *buf, size_t size, const char *partition, const char *region,
		   const char *account, const char *ca_id);
void arn_format_pca_certificate(char *buf, size_t size, const char *ca_arn, const char *serial);

/* A fresh random lowercase uuid4 (37 bytes with NUL). */
void arn_uuid4(char out[37]);
/* A lowercase uuid7 (RFC 9562): the Unix time in milliseconds, then 74
 * random bits. For rows written in bulk and keyed by their id (events):
 * ids that rise with time append to the key's index instead of landing on a
 * random page of it each. */
void arn_uuid7(char out[37]);

#endif
