/* Audit reports of a private CA (spec pca.md §5.14, §6.9): every certificate
 * it issued, revoked and expired ones included, written as JSON or CSV to
 * <data>/audit/<S3BucketName>/audit-report/<CA id>/<report id>.<json|csv>,
 * the folder standing in for the S3 bucket. */
#ifndef CERTAIN_PCA_AUDIT_H
#define CERTAIN_PCA_AUDIT_H

#include <stdbool.h>
#include <stdio.h>

#include "pca/ca.h"

#define PCA_AUDIT_PACE 1800 /* seconds: one new report per CA per 30 minutes (AWS quota) */

/* CreateCertificateAuthorityAuditReport: checks the bucket name (S3 naming
 * rules, InvalidArgsException) and the pace (RequestInProgressException),
 * records the report and writes it before returning (status SUCCESS, or
 * FAILED when the file cannot be written). id_out gets the AuditReportId
 * (37 bytes), key_out the S3Key. */
int pca_audit_create(const struct pca_ctx *ctx, const char *data_dir, const char *arn,
		     const char *bucket, bool csv, char *id_out, char *key_out, size_t key_size,
		     struct cm_err *err);

/* DescribeCertificateAuthorityAuditReport: CM_ERR_NOT_FOUND for an id of
 * another CA. */
int pca_audit_describe(const struct pca_ctx *ctx, const char *arn, const char *id,
		       struct store_audit_report *out, struct cm_err *err);

/* Whether name follows the S3 bucket naming rules: 3–63 of [a-z0-9.-],
 * starting and ending with a letter or digit, no "..", not an IPv4 address. */
bool pca_audit_bucket_ok(const char *name);

/* Writes one CSV field, quoted when it holds a comma, quote or line break
 * (RFC 4180), into f. */
void pca_audit_csv_field(FILE *f, const char *s);

#endif
