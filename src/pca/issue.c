/* IssueCertificate (spec pca.md §5.10, §6.3–6.7). Everything that can be
 * checked is checked first; then a random serial is signed and the
 * certificate stored whole, idempotency token included, in one durable
 * commit. pca_issue_store says why that needs no reservation beforehand. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pca/access.h"
#include "pca/internal.h"
#include "pca/revocation.h"
#include "pca/templates.h"
#include "util/hex.h"
#include "x509/csr.h"
#include "x509/pem.h"

#define PCA_DEFAULT_TEMPLATE "arn:aws:acm-pca:::template/EndEntityCertificate/V1"
#define PCA_SHORT_LIVED_MAX (7 * 86400)
#define PCA_NOT_BEFORE_BACKDATE 3600 /* AWS backdates by 60 minutes for clock skew */

/* Everything a signing needs, gathered and checked. */
struct pca_issue_job {
	struct store_ca ca;
	const struct pca_template *tmpl;
	const char *template_arn;
	struct x509_csr *csr;
	X509 *issuer;   /* NULL when a root signs itself */
	EVP_PKEY *key;
	X509 *issued;   /* as signed (the last attempt's) */
	int64_t not_before, not_after;
	char scope[96]; /* idempotency scope: per CA */
};

static void pca_issue_job_clear(struct pca_issue_job *job)
{
	store_ca_clear(&job->ca);
	x509_csr_free(job->csr);
	X509_free(job->issuer);
	X509_free(job->issued);
	EVP_PKEY_free(job->key);
}

/* Template and state: which templates this CA may use now. */
static int pca_issue_template(const struct pca_ctx *ctx, const struct pca_issue_req *req,
			      struct pca_issue_job *job, struct cm_err *err)
{
	job->template_arn = req->template_arn != NULL ? req->template_arn : PCA_DEFAULT_TEMPLATE;
	job->tmpl = pca_template_find(job->template_arn);
	if (job->tmpl == NULL)
		return cm_fail(err, CM_ERR_INVALID_ARGS, "Template %.200s is not a known template",
			       job->template_arn);
	enum pca_status status = pca_effective_status(&job->ca, ctx->now);
	if (job->tmpl->is_root) {
		if (strcmp(job->ca.type, "ROOT") != 0)
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "Template %.200s can only be used by a ROOT certificate "
				       "authority to sign its own certificate",
				       job->template_arn);
		return pca_state_allows(PCA_OP_ISSUE_ROOT_SELF, status, err);
	}
	return pca_state_allows(PCA_OP_ISSUE, status, err);
}

/* Validity (§6.5): bounded by the issuing CA's certificate, except a root's
 * own certificate, which nothing bounds. */
static int pca_issue_validity(const struct pca_ctx *ctx, const struct pca_issue_req *req,
			      struct pca_issue_job *job, struct cm_err *err)
{
	if (pca_validity_resolve(&req->validity, ctx->now, &job->not_after, err) < 0)
		return -1;
	job->not_before = ctx->now - PCA_NOT_BEFORE_BACKDATE;
	if (req->has_not_before) {
		if (req->not_before.type != PCA_VALIDITY_ABSOLUTE)
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "ValidityNotBefore supports only the ABSOLUTE type");
		job->not_before = (int64_t)req->not_before.value;
	}
	if (job->not_before >= job->not_after)
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "The validity must end after it begins");
	if (job->issuer != NULL && job->not_after > job->ca.not_after)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "The requested validity ends after the certificate authority's own "
			       "certificate expires");
	if (strcmp(job->ca.usage_mode, "SHORT_LIVED_CERTIFICATE") == 0 &&
	    job->not_after - job->not_before > PCA_SHORT_LIVED_MAX)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "A SHORT_LIVED_CERTIFICATE certificate authority issues for at most "
			       "7 days");
	return 0;
}

/* Key, issuer certificate, CSR and path length: all checks before reserving. */
static int pca_issue_prepare(const struct pca_ctx *ctx, const struct pca_issue_req *req,
			     struct pca_issue_job *job, struct cm_err *err)
{
	/* Another account issues only when the CA's policy shares IssueCertificate. */
	const char *tmpl = req->template_arn != NULL ? req->template_arn : PCA_DEFAULT_TEMPLATE;
	if (pca_ca_load_shared(ctx, req->ca_arn, "CertificateAuthorityArn", PCA_ACTION_ISSUE, tmpl,
			       &job->ca, err) < 0 ||
	    pca_issue_template(ctx, req, job, err) < 0)
		return -1;
	job->csr = x509_csr_parse(req->csr, req->csr_len, err);
	if (job->csr == NULL)
		return -1;
	job->key = pca_ca_open_key(ctx, &job->ca, err);
	if (job->key == NULL)
		return -1;
	if (!x509_sig_alg_fits_key(req->sig_alg, job->key))
		return cm_fail(err, CM_ERR_INVALID_ARGS,
			       "Signing algorithm %s does not match the certificate authority's "
			       "%s key",
			       x509_sig_alg_name(req->sig_alg), job->ca.key_alg);
	if (!job->tmpl->is_root) {
		job->issuer = pca_ca_certificate(ctx, &job->ca, err);
		if (job->issuer == NULL)
			return -1;
		/* A sub-CA's path length must stay below its issuer's constraint. */
		long issuer_pathlen = x509_cert_pathlen(job->issuer);
		if (job->tmpl->is_ca && issuer_pathlen >= 0 && job->tmpl->pathlen >= issuer_pathlen)
			return cm_fail(err, CM_ERR_INVALID_ARGS,
				       "Template path length %d is not below the certificate "
				       "authority's path length %ld",
				       job->tmpl->pathlen, issuer_pathlen);
	}
	snprintf(job->scope, sizeof(job->scope), "IssueCertificate|%s", job->ca.id);
	return pca_issue_validity(ctx, req, job, err);
}

/* The record every attempt shares; only the serial and DER change. */
static void pca_issue_record(const struct pca_ctx *ctx, const struct pca_issue_req *req,
			     const struct pca_issue_job *job, struct store_cert *rec)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->ca_id, sizeof(rec->ca_id), "%s", job->ca.id);
	snprintf(rec->account_id, sizeof(rec->account_id), "%s", ctx->account);
	snprintf(rec->template_arn, sizeof(rec->template_arn), "%s", job->template_arn);
	snprintf(rec->requester, sizeof(rec->requester), "%s", req->requester);
	rec->not_before = job->not_before;
	rec->not_after = job->not_after;
	rec->issued_at = ctx->now;
}

/* Signs the certificate with this serial; rec->der owned. */
static int pca_issue_sign(const struct pca_issue_req *req, struct pca_issue_job *job,
			  const unsigned char serial[16], struct store_cert *rec, struct cm_err *err)
{
	char crl_url[PCA_CRL_URL_MAX], ocsp_url[300];
	/* CDP and AIA (spec §6.8); x509_issue leaves them out of a root's own
	 * certificate. A partitioned CRL's URL depends on rec->serial. */
	pca_revocation_urls(&job->ca, rec->serial, crl_url, sizeof(crl_url), ocsp_url,
			    sizeof(ocsp_url));
	struct x509_issue_params p = {
		.crl_url = crl_url[0] != '\0' ? crl_url : NULL,
		.ocsp_url = ocsp_url[0] != '\0' ? ocsp_url : NULL,
		.csr = job->csr,
		.tmpl = job->tmpl,
		.signing_key = job->key,
		.issuer_cert = job->issuer,
		.sig_alg = req->sig_alg,
		.serial = serial,
		.serial_len = 16,
		.not_before = job->not_before,
		.not_after = job->not_after,
		.api = req->api_passthrough,
	};
	X509 *cert = x509_issue_unkeyed(&p, err);
	if (cert == NULL)
		return -1;
	rec->der = x509_cert_to_der(cert, &rec->der_len);
	if (rec->der == NULL) {
		X509_free(cert);
		return cm_fail(err, CM_ERR_INTERNAL, "cannot encode the certificate");
	}
	X509_free(job->issued);
	job->issued = cert;
	return 0;
}

/* Signs the record with a fresh random serial: rec->der, rec->serial, the
 * ARN, and job->issued. Nothing is stored. */
static int pca_issue_draw(const struct pca_ctx *ctx, const struct pca_issue_req *req,
			  struct pca_issue_job *job, struct store_cert *rec, char *cert_arn_out,
			  size_t arn_size, struct cm_err *err)
{
	char ca_arn[ARN_MAX];
	unsigned char serial[16];
	pca_ca_arn(ctx, &job->ca, ca_arn, sizeof(ca_arn));
	store_cert_clear(rec); /* an earlier attempt's DER */
	pca_issue_record(ctx, req, job, rec);
	x509_serial_random(serial);
	hex_encode(serial, 16, rec->serial);
	if (pca_issue_sign(req, job, serial, rec, err) < 0)
		return -1;
	arn_format_pca_certificate(cert_arn_out, arn_size, ca_arn, rec->serial);
	return 0;
}

/* Signs a fresh random serial and stores the certificate with its ARN's
 * idempotency record, drawing again if the serial is taken.
 *
 * Why signing before anything is stored keeps the rule "a crash never loses
 * or repeats an issuance" with one fsync instead of two (a reservation, then
 * the certificate): the signed certificate stays in this process's memory
 * until the commit (synchronous=FULL) returns; only then is its ARN answered.
 * A crash before that commit destroys the only copy: nobody holds a
 * certificate without a durable record (nothing unrevocable, nothing missing
 * from audit reports or CRLs), and the caller saw a failed request, so
 * nothing it was told about is lost. A serial is never issued twice: the
 * (CA, serial) primary key refuses a taken serial at the same insert, and a
 * certificate signed with it is dropped unseen. The serial carries about
 * 127 random bits, so a retry is next to impossible; it costs one signing.
 * The token is stored in the same commit, so a retried request finds it or
 * finds nothing issued, never a certificate without its token. */
static int pca_issue_store(const struct pca_ctx *ctx, const struct pca_issue_req *req,
			   struct pca_issue_job *job, struct store_cert *rec, char *cert_arn_out,
			   size_t arn_size, struct cm_err *err)
{
	char winner[ARN_MAX] = "";
	struct store_idempotency idem = {
		.account_id = ctx->account,
		.scope = job->scope,
		.token = req->idempotency_token,
		.result = cert_arn_out,
		.created_at = ctx->now,
		.not_before = ctx->now - PCA_IDEMPOTENCY_WINDOW,
		.winner = winner,
		.winner_size = sizeof(winner),
	};
	for (int attempt = 0; attempt < 4; attempt++) {
		if (pca_issue_draw(ctx, req, job, rec, cert_arn_out, arn_size, err) < 0)
			return -1;
		if (store_cert_insert(ctx->store, rec,
				      req->idempotency_token != NULL ? &idem : NULL, err) == 0)
			return 0;
		if (err->code != CM_ERR_CONFLICT)
			return -1;
		if (winner[0] != '\0') {
			/* The same token's other request stored first: its answer. */
			snprintf(cert_arn_out, arn_size, "%s", winner);
			return 0;
		}
	}
	return cm_fail(err, CM_ERR_INTERNAL, "could not draw a free serial number");
}

int pca_issue(const struct pca_ctx *ctx, const struct pca_issue_req *req, char *cert_arn_out,
	      size_t arn_size, struct cm_err *err)
{
	struct pca_issue_job job = {0};
	struct store_cert rec = {0};
	int rc = -1;
	if (pca_issue_prepare(ctx, req, &job, err) < 0)
		goto out;
	int found = pca_idempotent_result(ctx, job.scope, req->idempotency_token, cert_arn_out,
					  arn_size, err);
	if (found != 0) {
		rc = found < 0 ? -1 : 0;
		goto out;
	}
	if (pca_issue_store(ctx, req, &job, &rec, cert_arn_out, arn_size, err) < 0) {
		/* Not stored, so never answered: the ARN must not leak out either. */
		if (arn_size > 0)
			cert_arn_out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	store_cert_clear(&rec);
	pca_issue_job_clear(&job);
	return rc;
}

int pca_issue_signed(const struct pca_ctx *ctx, const struct pca_issue_req *req,
		     struct pca_issued *out, struct cm_err *err)
{
	struct pca_issue_job job = {0};
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (req->idempotency_token != NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "an in-process issuance has no token");
	if (pca_issue_prepare(ctx, req, &job, err) < 0 ||
	    pca_issue_draw(ctx, req, &job, &out->rec, out->cert_arn, sizeof(out->cert_arn),
			   err) < 0 ||
	    pca_cert_chain(ctx, &job.ca, &out->rec, &out->chain_pem, err) < 0) {
		pca_issued_clear(out);
		goto out;
	}
	out->cert = job.issued;
	job.issued = NULL;
	rc = 0;
out:
	pca_issue_job_clear(&job);
	return rc;
}

int pca_issued_store(const struct pca_ctx *ctx, const struct pca_issued *issued,
		     struct cm_err *err)
{
	return store_cert_insert(ctx->store, &issued->rec, NULL, err);
}

void pca_issued_clear(struct pca_issued *out)
{
	X509_free(out->cert);
	free(out->chain_pem);
	store_cert_clear(&out->rec);
	memset(out, 0, sizeof(*out));
}
