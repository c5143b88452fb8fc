/* ImportCertificate (spec acm.md §5.5, §6.5): the content checks live in
 * x509/import.c; here the rules of a new import and of a reimport into an
 * existing ARN, whose failure must leave the old certificate untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acm/internal.h"
#include "keystore/keystore.h"
#include "lifecycle/events.h"
#include "x509/pem.h"

/* Usages a reimport may drop (spec §6.5): client auth always, key
 * encipherment on an EC certificate (it never meant anything there). */
static int acm_reimport_usages(const struct store_acm_cert *old,
			       const struct x509_leaf_details *d, struct cm_err *err)
{
	unsigned eku_lost = old->eku_bits & ~d->eku_bits & ~(unsigned)X509_EKU_NONE &
			    ~(unsigned)X509_EKU_TLS_WEB_CLIENT_AUTHENTICATION;
	unsigned ku_lost = old->key_usage & ~d->key_usage;
	if (strncmp(d->key_alg, "EC_", 3) == 0)
		ku_lost &= ~(unsigned)X509_KU_KEY_ENCIPHERMENT;
	for (unsigned i = 0; i < X509_EKU_BITS; i++)
		if (eku_lost & (1u << i))
			return cm_fail(err, CM_ERR_VALIDATION,
				       "The new certificate must keep the extended key usage %s of "
				       "the certificate it replaces",
				       x509_eku_bit_name(i));
	for (unsigned i = 0; i < 9; i++)
		if (ku_lost & (1u << i))
			return cm_fail(err, CM_ERR_VALIDATION,
				       "The new certificate must keep the key usage %s of the "
				       "certificate it replaces",
				       x509_ku_acm_name(i));
	return 0;
}

static int acm_reimport_check(const struct acm_import_req *req, const struct store_acm_cert *old,
			      const struct x509_leaf_details *d, struct cm_err *err)
{
	if (req->has_tags)
		return cm_fail(err, CM_ERR_VALIDATION, "Tagging is not permitted on re-import.");
	if (strcmp(old->type, "IMPORTED") != 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "Certificate %.300s was not imported: only imported certificates can "
			       "be reimported",
			       req->arn);
	if (strcmp(old->key_alg, d->key_alg) != 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The new certificate's key algorithm %s differs from the current %s",
			       d->key_alg, old->key_alg);
	return acm_reimport_usages(old, d, err);
}

/* A new IMPORTED record (nothing stored yet). */
static void acm_import_new_record(const struct acm_ctx *ctx, struct store_acm_cert *c)
{
	memset(c, 0, sizeof(*c));
	arn_uuid4(c->id);
	snprintf(c->account_id, sizeof(c->account_id), "%s", ctx->account);
	snprintf(c->type, sizeof(c->type), "IMPORTED");
	snprintf(c->ct_logging, sizeof(c->ct_logging), "DISABLED");
	snprintf(c->export_option, sizeof(c->export_option), "DISABLED");
	c->created_at = ctx->now;
}

/* Installs the checked material (key sealed for this record) into *c. */
static int acm_import_fill(const struct acm_ctx *ctx, struct store_acm_cert *c,
			   struct x509_import *im, struct cm_err *err)
{
	char binding[96], *chain = NULL;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	acm_key_binding(c->id, binding, sizeof(binding));
	if (im->chain != NULL && (chain = x509_chain_to_pem(im->chain)) == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory");
	int rc = keystore_seal_key(ctx->keys, im->key, binding, &blob, &blob_len, err);
	if (rc == 0)
		rc = acm_set_material(c, im->cert, chain, &im->details, err);
	free(chain);
	if (rc < 0) {
		free(blob);
		return -1;
	}
	free(c->key_sealed);
	c->key_sealed = blob;
	c->key_sealed_len = blob_len;
	snprintf(c->status, sizeof(c->status), "ISSUED");
	c->failure_reason[0] = '\0';
	c->imported_at = ctx->now;
	return 0;
}

static int acm_import_store(const struct acm_ctx *ctx, const struct acm_import_req *req,
			    const struct store_acm_cert *c, const struct store_acm_history *h,
			    struct cm_err *err)
{
	if (store_begin(ctx->store, err) < 0)
		return -1;
	if (h != NULL) {
		if (store_acm_history_add(ctx->store, h, err) < 0 ||
		    store_acm_cert_update(ctx->store, c, err) < 0)
			goto fail;
	} else {
		if (store_acm_cert_insert(ctx->store, c, err) < 0)
			goto fail;
		for (size_t i = 0; i < req->n_tags; i++)
			if (store_acm_tag_put(ctx->store, c->id, req->tags[i].key,
					      req->tags[i].value != NULL ? req->tags[i].value : "",
					      err) < 0)
				goto fail;
	}
	const char *action = h != NULL ? "REIMPORT" : "IMPORT";
	if (lifecycle_event_emit(LIFECYCLE_EVENT_AVAILABLE, ctx, c, action, err) < 0)
		goto fail;
	return lifecycle_events_commit(ctx->store, err);
fail:
	store_rollback(ctx->store);
	return -1;
}

static void acm_history_of(const struct store_acm_cert *old, int64_t now,
			   struct store_acm_history *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->cert_id, sizeof(h->cert_id), "%s", old->id);
	snprintf(h->serial, sizeof(h->serial), "%s", old->serial);
	snprintf(h->ca_arn, sizeof(h->ca_arn), "%s", old->ca_arn);
	h->not_before = old->not_before;
	h->not_after = old->not_after;
	h->replaced_at = now;
}

int acm_import(const struct acm_ctx *ctx, const struct acm_import_req *req, char *arn_out,
	       size_t arn_size, struct cm_err *err)
{
	struct x509_import_input in = {req->cert, req->cert_len, req->key, req->key_len,
				       req->chain, req->chain_len};
	struct x509_import im = {0};
	struct store_acm_cert c = {0};
	struct store_acm_history h;
	int rc = -1;
	if (pca_ca_tags_check(req->tags, req->n_tags, err) < 0)
		return -1;
	if (req->arn != NULL && acm_load(ctx, req->arn, &c, err) < 0)
		return -1;
	if (x509_import_check(&in, ctx->now, &im, err) < 0)
		goto out;
	if (req->arn != NULL) {
		if (acm_reimport_check(req, &c, &im.details, err) < 0)
			goto out;
		acm_history_of(&c, ctx->now, &h);
	} else {
		acm_import_new_record(ctx, &c);
	}
	if (acm_import_fill(ctx, &c, &im, err) < 0 ||
	    acm_import_store(ctx, req, &c, req->arn != NULL ? &h : NULL, err) < 0)
		goto out;
	acm_arn(ctx, c.id, arn_out, arn_size);
	rc = 0;
out:
	x509_import_clear(&im);
	store_acm_cert_clear(&c);
	return rc;
}
