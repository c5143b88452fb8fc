/* Shared pieces of the ACM domain: loading a certificate by ARN, what
 * Describe derives from a record, and the certificate material of a record. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "x509/dn.h"
#include "x509/pem.h"

void acm_key_binding(const char *id, char *buf, size_t size)
{
	snprintf(buf, size, "certain:acm-key:%s", id);
}

struct pca_ctx acm_pca_ctx(const struct acm_ctx *ctx)
{
	return (struct pca_ctx){.store = ctx->store,
				.keys = ctx->keys,
				.account = ctx->account,
				.region = ctx->region,
				.partition = ctx->partition,
				.now = ctx->now,
				.ca_certs = ctx->ca_certs};
}

void acm_arn(const struct acm_ctx *ctx, const char *id, char *buf, size_t size)
{
	arn_format_acm_certificate(buf, size, ctx->partition, ctx->region, ctx->account, id);
}

static int acm_load_row(const struct acm_ctx *ctx, const char *arn, bool with_blobs,
			struct store_acm_cert *out, struct cm_err *err)
{
	struct arn_acm_cert a;
	memset(out, 0, sizeof(*out));
	if (arn_parse_acm_certificate(arn, "certificateArn", &a, err) < 0)
		return -1;
	/* Another account's or region's ARN reads exactly like an unknown one. */
	if (strcmp(a.account, ctx->account) != 0 || strcmp(a.region, ctx->region) != 0 ||
	    strcmp(a.partition, ctx->partition) != 0 ||
	    (with_blobs ? store_acm_cert_get(ctx->store, ctx->account, a.id, out, err)
			: store_acm_cert_get_summary(ctx->store, ctx->account, a.id, out, err)) < 0) {
		if (err->code == CM_ERR_INTERNAL)
			return -1;
		return cm_fail(err, CM_ERR_NOT_FOUND, "Could not find certificate %.300s.", arn);
	}
	return 0;
}

int acm_load(const struct acm_ctx *ctx, const char *arn, struct store_acm_cert *out,
	     struct cm_err *err)
{
	return acm_load_row(ctx, arn, true, out, err);
}

int acm_load_summary(const struct acm_ctx *ctx, const char *arn, struct store_acm_cert *out,
		     struct cm_err *err)
{
	return acm_load_row(ctx, arn, false, out, err);
}

bool acm_renewal_eligible(const struct store_acm_cert *c, const char *status, bool in_use)
{
	/* A public certificate without Export=ENABLED is never exported, so
	 * only being in use makes it eligible. */
	bool managed = strcmp(c->type, "PRIVATE") == 0 || strcmp(c->type, "AMAZON_ISSUED") == 0;
	return managed && strcmp(status, "ISSUED") == 0 && (c->exported || in_use);
}

int acm_view_get(const struct acm_ctx *ctx, const struct store_acm_cert *c, struct acm_view *v,
		 struct cm_err *err)
{
	memset(v, 0, sizeof(*v));
	v->status = store_acm_effective_status(c, ctx->now);
	if (store_acm_usage_list(ctx->store, c->id, &v->in_use_by, &v->n_in_use_by, err) < 0)
		return -1;
	v->renewal_eligible = acm_renewal_eligible(c, v->status, v->n_in_use_by > 0);
	return 0;
}

void acm_view_clear(struct acm_view *v)
{
	store_strings_free(v->in_use_by, v->n_in_use_by);
	memset(v, 0, sizeof(*v));
}

int acm_names(const struct store_acm_cert *c, char ***names, size_t *n, struct cm_err *err)
{
	json_t *arr = json_loads(c->names_json != NULL ? c->names_json : "[]", 0, NULL);
	*names = NULL;
	*n = 0;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return cm_fail(err, CM_ERR_INTERNAL, "stored names of %s are not a list", c->id);
	}
	size_t count = json_array_size(arr);
	*names = calloc(count + 1, sizeof(char *));
	for (size_t i = 0; *names != NULL && i < count; i++) {
		const char *s = json_string_value(json_array_get(arr, i));
		(*names)[i] = strdup(s != NULL ? s : "");
		if ((*names)[i] == NULL)
			break;
		*n = i + 1;
	}
	json_decref(arr);
	if (*names == NULL || *n != count) {
		store_strings_free(*names, *n);
		*names = NULL;
		*n = 0;
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	return 0;
}

char *acm_names_json(const char *const *names, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_string(names[i]));
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

/* Describe's ExtendedKeyUsages: [{"Name", "OID"}] in certificate order. */
static char *acm_eku_json(const struct x509_leaf_details *d)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < d->n_eku; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "Name", d->eku[i].name, "OID",
						     d->eku[i].oid));
	char *s = json_dumps(arr, JSON_COMPACT);
	json_decref(arr);
	return s;
}

static char *acm_strdup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int acm_set_material(struct store_acm_cert *c, X509 *cert, const char *chain_pem,
		     const struct x509_leaf_details *d, struct cm_err *err)
{
	size_t der_len = 0;
	unsigned char *der = x509_cert_to_der(cert, &der_len);
	char *names = acm_names_json((const char *const *)d->names, d->n_names);
	char *eku = acm_eku_json(d);
	char *chain = acm_strdup_or_null(chain_pem);
	char *subject = acm_strdup_or_null(d->subject), *issuer = acm_strdup_or_null(d->issuer_short);
	if (der == NULL || names == NULL || eku == NULL || (chain_pem != NULL && chain == NULL) ||
	    subject == NULL || issuer == NULL) {
		free(der), free(names), free(eku), free(chain), free(subject), free(issuer);
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	}
	free(c->cert_der), free(c->names_json), free(c->eku_json), free(c->chain_pem);
	free(c->subject), free(c->issuer);
	c->cert_der = der;
	c->cert_der_len = der_len;
	c->names_json = names;
	c->eku_json = eku;
	c->chain_pem = chain;
	c->subject = subject;
	c->issuer = issuer;
	snprintf(c->domain_name, sizeof(c->domain_name), "%s",
		 d->domain_name != NULL ? d->domain_name : "");
	snprintf(c->serial, sizeof(c->serial), "%s", d->info.serial_colon);
	snprintf(c->sig_alg, sizeof(c->sig_alg), "%s", d->sig_alg);
	snprintf(c->key_alg, sizeof(c->key_alg), "%s", d->key_alg);
	x509_subject_cn(cert, c->subject_cn, sizeof(c->subject_cn)); /* what searches match */
	c->key_usage = d->key_usage;
	c->eku_bits = d->eku_bits;
	c->not_before = d->info.not_before;
	c->not_after = d->info.not_after;
	/* New validity: the scan first looks again at the earliest moment
	 * anything can happen to it, and the renewal marks start over. */
	c->scan_due_at = c->not_after - (int64_t)ACM_SCAN_LEAD_DAYS * 86400;
	c->action_required_days = 0;
	return 0;
}
