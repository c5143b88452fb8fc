/* CreateCertificateAuthority (spec pca.md §5.1): the key is generated here,
 * sealed by the keystore under a binding to the CA's id, and the CA's CSR is
 * built once and kept, so GetCertificateAuthorityCsr returns the same CSR. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keystore/keystore.h"
#include "pca/internal.h"
#include "x509/pem.h"

int pca_idempotent_result(const struct pca_ctx *ctx, const char *scope, const char *token,
			  char *result, size_t size, struct cm_err *err)
{
	if (token == NULL)
		return 0;
	return store_idempotency_get(ctx->store, ctx->account, scope, token,
				     ctx->now - PCA_IDEMPOTENCY_WINDOW, result, size, err);
}

void pca_key_binding(const char *ca_id, char *buf, size_t size)
{
	snprintf(buf, size, "certain:ca-key:%s", ca_id);
}

EVP_PKEY *pca_ca_open_key(const struct pca_ctx *ctx, const struct store_ca *ca,
			  struct cm_err *err)
{
	char binding[96];
	pca_key_binding(ca->id, binding, sizeof(binding));
	return keystore_open_key(ctx->keys, ca->key_sealed, ca->key_sealed_len, binding, err);
}

/* RSA keys sign with *WITHRSA, EC keys with *WITHECDSA (any hash, any curve). */
static int pca_check_families(enum x509_key_alg key, enum x509_sig_alg sig, struct cm_err *err)
{
	const char *k = x509_key_alg_name(key), *s = x509_sig_alg_name(sig);
	size_t sl = strlen(s);
	bool rsa_key = strncmp(k, "RSA_", 4) == 0, ec_key = strncmp(k, "EC_", 3) == 0;
	bool rsa_sig = sl > 7 && strcmp(s + sl - 7, "WITHRSA") == 0;
	bool ec_sig = sl > 9 && strcmp(s + sl - 9, "WITHECDSA") == 0;
	if ((rsa_key && rsa_sig) || (ec_key && ec_sig))
		return 0;
	if (!rsa_key && !ec_key)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "Key algorithm %s is not supported by this server", k);
	if (!rsa_sig && !ec_sig)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "Signing algorithm %s is not supported by this server", s);
	return cm_fail(err, CM_ERR_INVALID_ARGS,
		       "Signing algorithm %s does not match key algorithm %s", s, k);
}

/* Key, CSR and sealed key of a new CA record. */
static int pca_create_material(const struct pca_ctx *ctx, const struct pca_create_req *req,
			       struct store_ca *ca, struct cm_err *err)
{
	char binding[96];
	EVP_PKEY *key = x509_key_generate(req->key_alg, err);
	X509_REQ *csr = NULL;
	int rc = -1;
	if (key == NULL)
		return -1;
	csr = x509_ca_csr_build(key, req->sig_alg, req->subject, req->csr_extensions, err);
	if (csr == NULL)
		goto out;
	ca->csr_pem = x509_req_to_pem(csr);
	pca_key_binding(ca->id, binding, sizeof(binding));
	if (ca->csr_pem == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "cannot encode the CA's CSR");
		goto out;
	}
	rc = keystore_seal_key(ctx->keys, key, binding, &ca->key_sealed, &ca->key_sealed_len, err);
out:
	X509_REQ_free(csr);
	EVP_PKEY_free(key);
	return rc;
}

/* The CA, its tags and its token, one commit; when the same token's other
 * request stored first, nothing, and arn becomes that request's answer. */
static int pca_create_store(const struct pca_ctx *ctx, const struct pca_create_req *req,
			    const struct store_ca *ca, char *arn, size_t arn_size,
			    struct cm_err *err)
{
	char winner[ARN_MAX] = "";
	struct store_idempotency idem = {.account_id = ctx->account,
					 .scope = "CreateCertificateAuthority",
					 .token = req->idempotency_token,
					 .result = arn,
					 .created_at = ctx->now,
					 .not_before = ctx->now - PCA_IDEMPOTENCY_WINDOW,
					 .winner = winner,
					 .winner_size = sizeof(winner)};
	if (store_begin(ctx->store, err) < 0)
		return -1;
	int claimed = req->idempotency_token != NULL ? store_idempotency_claim(ctx->store, &idem, err)
						     : 0;
	if (claimed != 0) {
		store_rollback(ctx->store);
		if (claimed < 0)
			return -1;
		snprintf(arn, arn_size, "%s", winner);
		return 0;
	}
	if (store_ca_insert(ctx->store, ca, err) < 0)
		goto rollback;
	for (size_t i = 0; i < req->n_tags; i++)
		if (store_ca_tag_put(ctx->store, ca->id, req->tags[i].key,
				     req->tags[i].value != NULL ? req->tags[i].value : "", err) < 0)
			goto rollback;
	return store_commit(ctx->store, err);
rollback:
	store_rollback(ctx->store);
	return -1;
}

int pca_ca_create(const struct pca_ctx *ctx, const struct pca_create_req *req, char *arn_out,
		  size_t arn_size, struct cm_err *err)
{
	struct store_ca ca = {0};
	int rc = -1;
	if (pca_check_families(req->key_alg, req->sig_alg, err) < 0 ||
	    pca_ca_tags_check(req->tags, req->n_tags, err) < 0)
		return -1;
	int found = pca_idempotent_result(ctx, "CreateCertificateAuthority",
					  req->idempotency_token, arn_out, arn_size, err);
	if (found != 0)
		return found < 0 ? -1 : 0;
	arn_uuid4(ca.id);
	snprintf(ca.account_id, sizeof(ca.account_id), "%s", ctx->account);
	snprintf(ca.type, sizeof(ca.type), "%s", req->subordinate ? "SUBORDINATE" : "ROOT");
	/* Key generation is synchronous: the CA is ready when the call returns. */
	snprintf(ca.status, sizeof(ca.status), "%s", pca_status_name(PCA_PENDING_CERTIFICATE));
	snprintf(ca.usage_mode, sizeof(ca.usage_mode), "%s", req->usage_mode);
	snprintf(ca.key_storage, sizeof(ca.key_storage), "%s", req->key_storage);
	snprintf(ca.key_alg, sizeof(ca.key_alg), "%s", x509_key_alg_name(req->key_alg));
	snprintf(ca.sig_alg, sizeof(ca.sig_alg), "%s", x509_sig_alg_name(req->sig_alg));
	ca.created_at = ca.last_state_change_at = ctx->now;
	ca.config_json = strdup(req->config_json);
	ca.revocation_json = strdup(req->revocation_json);
	if (ca.config_json == NULL || ca.revocation_json == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		goto out;
	}
	if (pca_create_material(ctx, req, &ca, err) < 0)
		goto out;
	arn_format_ca(arn_out, arn_size, ctx->partition, ctx->region, ctx->account, ca.id);
	rc = pca_create_store(ctx, req, &ca, arn_out, arn_size, err);
out:
	store_ca_clear(&ca);
	return rc;
}
