/* Handlers: CreateCertificateAuthorityAuditReport,
 * DescribeCertificateAuthorityAuditReport (spec pca.md §5.14). */
#include <string.h>

#include "api/pca/common.h"
#include "api/pca/handlers.h"
#include "aws/jv.h"
#include "pca/audit.h"

#define ARN_MEMBER "CertificateAuthorityArn"

int pca_api_create_audit_report(const struct aws_ctx *actx, json_t *in, json_t **out,
				struct cm_err *err)
{
	static const char *const formats[] = {"JSON", "CSV", NULL};
	struct pca_ctx ctx = pca_api_ctx(actx);
	const char *arn = NULL, *bucket = NULL;
	char id[37], key[256];
	int format = 0;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_string(in, NULL, "S3BucketName", true, 3, 63, &bucket, err) < 0 ||
	    jv_enum(in, NULL, "AuditReportResponseFormat", true, formats, &format, NULL, err) < 0 ||
	    pca_audit_create(&ctx, actx->env->data_dir, arn, bucket, format == 1, id, key,
			     sizeof(key), err) < 0)
		return -1;
	*out = json_pack("{s:s, s:s}", "AuditReportId", id, "S3Key", key);
	return 0;
}

/* The model's pattern [a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{12}. */
static bool audit_id_ok(const char *s)
{
	static const char lower_alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	static const int groups[] = {8, 4, 4, 4, 12};
	for (int g = 0; g < 5; g++) {
		if (strspn(s, lower_alnum) != (size_t)groups[g])
			return false;
		s += groups[g];
		if (*s != (g < 4 ? '-' : '\0'))
			return false;
		s += g < 4;
	}
	return true;
}

int pca_api_describe_audit_report(const struct aws_ctx *actx, json_t *in, json_t **out,
				  struct cm_err *err)
{
	struct pca_ctx ctx = pca_api_ctx(actx);
	struct store_audit_report r;
	const char *arn = NULL, *id = NULL;
	if (jv_string(in, NULL, ARN_MEMBER, true, 5, 200, &arn, err) < 0 ||
	    jv_string(in, NULL, "AuditReportId", true, 36, 36, &id, err) < 0)
		return -1;
	if (!audit_id_ok(id))
		return jv_fail_constraint(err, "auditReportId", id,
					  "Member must satisfy regular expression pattern: "
					  "[a-z0-9]{8}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-"
					  "[a-z0-9]{12}");
	if (pca_audit_describe(&ctx, arn, id, &r, err) < 0)
		return -1;
	*out = json_pack("{s:s, s:s, s:s, s:I}", "AuditReportStatus", r.status, "S3BucketName",
			 r.bucket, "S3Key", r.s3_key, "CreatedAt", (json_int_t)r.created_at);
	return 0;
}
