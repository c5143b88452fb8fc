/* Encoding of the ACM certificate shapes (spec acm.md §4): which members a
 * certificate shows depends on its type and status. */
#include "api/acm/common.h"

#include <stdlib.h>
#include <string.h>

#include "aws/jv.h"
#include "x509/leaf.h"
#include "x509/usage.h"

#define ACM_MAX_SUMMARY_NAMES 100

struct acm_ctx acm_api_ctx(const struct aws_ctx *ctx)
{
	return (struct acm_ctx){.store = ctx->env->store,
				.keys = ctx->env->keys,
				.account = ctx->account,
				.region = ctx->env->region,
				.partition = ctx->env->partition,
				.now = ctx->now,
				.ca_certs = ctx->env->ca_certs,
				.validation_zone = ctx->env->acm_validation_zone,
				.public_cfg = ctx->env->acm_public};
}

int acm_api_arn(json_t *in, const char **arn, struct cm_err *err)
{
	return jv_string(in, NULL, ACM_ARN_MEMBER, true, 20, 2048, arn, err);
}

static void set_str(json_t *o, const char *name, const char *v)
{
	if (v != NULL && v[0] != '\0')
		json_object_set_new(o, name, json_string(v));
}

static void set_time(json_t *o, const char *name, int64_t t)
{
	if (t != 0)
		json_object_set_new(o, name, json_integer(t));
}

json_t *acm_api_key_usages(unsigned bits, bool objects)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < X509_KU_BITS; i++) {
		if (!(bits & (1u << i)))
			continue;
		json_t *name = json_string(x509_ku_acm_name(i));
		json_array_append_new(arr, objects ? json_pack("{s:o}", "Name", name) : name);
	}
	return arr;
}

/* Summary EKUs: the names of the bits (NONE is a filter value, not shown). */
static json_t *acm_api_eku_names(unsigned bits)
{
	json_t *arr = json_array();
	for (unsigned i = 0; i < X509_EKU_BITS; i++)
		if ((bits & (1u << i)) && (1u << i) != X509_EKU_NONE)
			json_array_append_new(arr, json_string(x509_eku_bit_name(i)));
	return arr;
}

static json_t *acm_api_validation(const struct acm_validation *v)
{
	json_t *o = json_object();
	set_str(o, "DomainName", v->domain_name);
	set_str(o, "ValidationDomain", v->validation_domain);
	set_str(o, "ValidationStatus", v->status);
	set_str(o, "ValidationMethod", v->method);
	if (v->record_name[0] != '\0')
		json_object_set_new(o, "ResourceRecord",
				    json_pack("{s:s, s:s, s:s}", "Name", v->record_name, "Type",
					      "CNAME", "Value", v->record_value));
	if (v->method != NULL && strcmp(v->method, "EMAIL") == 0) {
		static const char *const boxes[] = {"admin", "administrator", "hostmaster",
						    "postmaster", "webmaster"};
		const char *d = v->validation_domain;
		if (strncmp(d, "*.", 2) == 0)
			d += 2;
		json_t *emails = json_array();
		for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++)
			json_array_append_new(emails, json_sprintf("%s@%s", boxes[i], d));
		json_object_set_new(o, "ValidationEmails", emails);
	}
	return o;
}

/* The DomainValidationOptions of c as they stand while it has status. */
static json_t *acm_api_validation_list(const struct acm_ctx *ctx, const struct store_acm_cert *c,
				       const char *status, char **names, size_t n,
				       struct cm_err *err)
{
	struct acm_validation *v = NULL;
	if (acm_validations(ctx, c, status, names, n, &v, err) < 0)
		return NULL;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, acm_api_validation(&v[i]));
	free(v);
	return arr;
}

/* DomainValidationOptions, and the RenewalSummary that repeats them: a
 * renewal waiting for DNS (public, issue 8) shows each name's own status. */
static int acm_api_validations(const struct acm_ctx *ctx, const struct store_acm_cert *c,
			       const char *status, json_t *detail, struct cm_err *err)
{
	char **names = NULL;
	size_t n = 0;
	if (acm_names(c, &names, &n, err) < 0)
		return -1;
	json_t *arr = acm_api_validation_list(ctx, c, status, names, n, err);
	json_t *renewal = arr != NULL && c->renewal_json != NULL
			      ? json_loads(c->renewal_json, 0, NULL)
			      : NULL;
	if (renewal != NULL) {
		bool waiting = strcmp(c->renewal_status, "PENDING_VALIDATION") == 0;
		json_t *rarr = waiting ? acm_api_validation_list(ctx, c, "PENDING_VALIDATION",
								 names, n, err)
				       : json_incref(arr);
		json_object_set_new(renewal, "DomainValidationOptions",
				    rarr != NULL ? rarr : json_incref(arr));
		json_object_set_new(detail, "RenewalSummary", renewal);
	}
	if (arr != NULL)
		json_object_set_new(detail, "DomainValidationOptions", arr);
	store_strings_free(names, n);
	return arr != NULL ? 0 : -1;
}

/* Members derived from the certificate itself, once there is one. */
static void acm_api_material(const struct store_acm_cert *c, json_t *o)
{
	set_str(o, "Serial", c->serial);
	set_str(o, "Subject", c->subject);
	set_str(o, "Issuer", c->issuer);
	set_time(o, "NotBefore", c->not_before);
	set_time(o, "NotAfter", c->not_after);
	set_str(o, "SignatureAlgorithm", c->sig_alg);
	json_object_set_new(o, "KeyUsages", acm_api_key_usages(c->key_usage, true));
	json_t *eku = json_loads(c->eku_json != NULL ? c->eku_json : "[]", 0, NULL);
	json_object_set_new(o, "ExtendedKeyUsages", eku != NULL ? eku : json_array());
}

static json_t *acm_api_in_use(const struct acm_view *v)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < v->n_in_use_by; i++)
		json_array_append_new(arr, json_string(v->in_use_by[i]));
	return arr;
}

int acm_api_detail(const struct acm_ctx *ctx, const struct store_acm_cert *c, json_t **out,
		   struct cm_err *err)
{
	struct acm_view v;
	char arn[ARN_MAX];
	bool imported = strcmp(c->type, "IMPORTED") == 0;
	if (acm_view_get(ctx, c, &v, err) < 0)
		return -1;
	acm_arn(ctx, c->id, arn, sizeof(arn));
	json_t *o = json_object();
	set_str(o, "CertificateArn", arn);
	set_str(o, "DomainName", c->domain_name);
	json_t *names = json_loads(c->names_json != NULL ? c->names_json : "[]", 0, NULL);
	json_object_set_new(o, "SubjectAlternativeNames", names != NULL ? names : json_array());
	set_str(o, "Status", v.status);
	set_str(o, "Type", c->type);
	set_str(o, "KeyAlgorithm", c->key_alg);
	json_object_set_new(o, "InUseBy", acm_api_in_use(&v));
	json_object_set_new(o, "Options", json_pack("{s:s, s:s}",
						    "CertificateTransparencyLoggingPreference",
						    c->ct_logging, "Export", c->export_option));
	/* Read without the DER (acm_load_summary): a serial means a certificate. */
	if (c->serial[0] != '\0')
		acm_api_material(c, o);
	set_time(o, "CreatedAt", imported ? 0 : c->created_at);
	set_time(o, "IssuedAt", c->issued_at);
	set_time(o, "ImportedAt", c->imported_at);
	set_str(o, "CertificateAuthorityArn", c->ca_arn);
	set_str(o, "RenewalEligibility", v.renewal_eligible ? "ELIGIBLE" : "INELIGIBLE");
	set_str(o, "ManagedBy", c->managed_by);
	if (strcmp(v.status, "FAILED") == 0)
		set_str(o, "FailureReason", c->failure_reason);
	if (strcmp(c->status, "REVOKED") == 0) {
		set_time(o, "RevokedAt", c->revoked_at);
		set_str(o, "RevocationReason", c->revocation_reason);
	}
	int rc = imported ? 0 : acm_api_validations(ctx, c, v.status, o, err);
	acm_view_clear(&v);
	if (rc < 0) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}

static void acm_api_summary_names(const struct store_acm_cert *c, json_t *o)
{
	json_t *names = json_loads(c->names_json != NULL ? c->names_json : "[]", 0, NULL);
	size_t n = json_array_size(names);
	if (names == NULL)
		names = json_array();
	while (json_array_size(names) > ACM_MAX_SUMMARY_NAMES)
		json_array_remove(names, json_array_size(names) - 1);
	json_object_set_new(o, "SubjectAlternativeNameSummaries", names);
	json_object_set_new(o, "HasAdditionalSubjectAlternativeNames",
			    json_boolean(n > ACM_MAX_SUMMARY_NAMES));
}

json_t *acm_api_summary(const struct acm_ctx *ctx, const struct store_acm_cert *c)
{
	char arn[ARN_MAX];
	const char *status = store_acm_effective_status(c, ctx->now);
	acm_arn(ctx, c->id, arn, sizeof(arn));
	json_t *o = json_object();
	set_str(o, "CertificateArn", arn);
	set_str(o, "DomainName", c->domain_name);
	acm_api_summary_names(c, o);
	set_str(o, "Status", status);
	set_str(o, "Type", c->type);
	set_str(o, "KeyAlgorithm", c->key_alg);
	if (c->serial[0] != '\0') {
		json_object_set_new(o, "KeyUsages", acm_api_key_usages(c->key_usage, false));
		json_object_set_new(o, "ExtendedKeyUsages", acm_api_eku_names(c->eku_bits));
		set_time(o, "NotBefore", c->not_before);
		set_time(o, "NotAfter", c->not_after);
	}
	set_str(o, "ExportOption", c->export_option);
	json_object_set_new(o, "InUse", json_boolean(c->in_use));
	json_object_set_new(o, "Exported", json_boolean(c->exported));
	set_str(o, "RenewalEligibility",
		acm_renewal_eligible(c, status, c->in_use) ? "ELIGIBLE" : "INELIGIBLE");
	set_time(o, "CreatedAt", strcmp(c->type, "IMPORTED") == 0 ? 0 : c->created_at);
	set_time(o, "IssuedAt", c->issued_at);
	set_time(o, "ImportedAt", c->imported_at);
	if (strcmp(c->status, "REVOKED") == 0)
		set_time(o, "RevokedAt", c->revoked_at);
	set_str(o, "ManagedBy", c->managed_by);
	return o;
}
