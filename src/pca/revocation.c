/* Revocation rules of AWS Private CA (spec pca.md §4, §6.8): reading a CA's
 * RevocationConfiguration, which CAs publish, the URLs certificates name,
 * building a CA's CRL and the OCSP status of a serial. The observer and the
 * public URL are configuration set once at start (serve). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pca/internal.h"
#include "pca/revocation.h"
#include "pca/state.h"
#include "x509/crl.h"

static const struct pca_observer *pca_observer;
static char pca_public_base[300];

void pca_set_observer(const struct pca_observer *o)
{
	pca_observer = o;
}

void pca_notify_revoked(const char *ca_id, const char *serial_hex)
{
	if (pca_observer != NULL && pca_observer->revoked != NULL)
		pca_observer->revoked(ca_id, serial_hex);
}

void pca_notify_ca_changed(const char *ca_id)
{
	if (pca_observer != NULL && pca_observer->ca_changed != NULL)
		pca_observer->ca_changed(ca_id);
}

void pca_set_public_url(const char *url)
{
	size_t n = url != NULL ? strlen(url) : 0;
	while (n > 0 && url[n - 1] == '/')
		n--;
	if (n >= sizeof(pca_public_base))
		n = 0;
	memcpy(pca_public_base, n > 0 ? url : "", n);
	pca_public_base[n] = '\0';
}

const char *pca_public_url(void)
{
	return pca_public_base;
}

static void pca_copy_string(json_t *obj, const char *key, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(obj, key));
	snprintf(buf, size, "%s", s != NULL ? s : "");
}

void pca_revocation_cfg_parse(const char *text, struct pca_revocation_cfg *out)
{
	memset(out, 0, sizeof(*out));
	out->crl_days = PCA_CRL_DEFAULT_DAYS;
	json_t *root = json_loads(text != NULL ? text : "{}", 0, NULL);
	json_t *c = json_object_get(root, "CrlConfiguration");
	json_t *o = json_object_get(root, "OcspConfiguration");
	json_t *dp = json_object_get(c, "CrlDistributionPointExtensionConfiguration");
	out->crl_enabled = json_is_true(json_object_get(c, "Enabled"));
	json_int_t days = json_integer_value(json_object_get(c, "ExpirationInDays"));
	if (days >= 1 && days <= 5000)
		out->crl_days = (int)days;
	pca_copy_string(c, "S3BucketName", out->crl_bucket, sizeof(out->crl_bucket));
	pca_copy_string(c, "CustomCname", out->crl_cname, sizeof(out->crl_cname));
	pca_copy_string(c, "CustomPath", out->crl_path, sizeof(out->crl_path));
	if (out->crl_path[0] == '\0')
		snprintf(out->crl_path, sizeof(out->crl_path), "crl");
	out->crl_omit_cdp = json_is_true(json_object_get(dp, "OmitExtension"));
	out->ocsp_enabled = json_is_true(json_object_get(o, "Enabled"));
	pca_copy_string(o, "OcspCustomCname", out->ocsp_cname, sizeof(out->ocsp_cname));
	json_decref(root);
}

bool pca_crl_publishes(const struct store_ca *ca, const struct pca_revocation_cfg *cfg,
		       int64_t now)
{
	enum pca_status s = pca_effective_status(ca, now);
	return cfg->crl_enabled && ca->cert_der != NULL && (s == PCA_ACTIVE || s == PCA_DISABLED);
}

bool pca_ocsp_answers(const struct store_ca *ca, const struct pca_revocation_cfg *cfg,
		      int64_t now)
{
	enum pca_status s = pca_effective_status(ca, now);
	return cfg->ocsp_enabled && ca->cert_der != NULL &&
	       (s == PCA_ACTIVE || s == PCA_DISABLED || s == PCA_EXPIRED);
}

void pca_revocation_urls(const struct store_ca *ca, char *crl, size_t crl_size, char *ocsp,
			 size_t ocsp_size)
{
	struct pca_revocation_cfg cfg;
	pca_revocation_cfg_parse(ca->revocation_json, &cfg);
	crl[0] = ocsp[0] = '\0';
	if (cfg.crl_enabled && !cfg.crl_omit_cdp) {
		if (cfg.crl_cname[0] != '\0')
			snprintf(crl, crl_size, "http://%s/%s/%s.crl", cfg.crl_cname, cfg.crl_path,
				 ca->id);
		else if (pca_public_base[0] != '\0')
			snprintf(crl, crl_size, "%s/%s/%s.crl", pca_public_base, cfg.crl_path,
				 ca->id);
	}
	if (cfg.ocsp_enabled) {
		/* AWS names the bare host of OcspCustomCname; the public listener
		 * answers at "/" as well as "/ocsp" for that reason. */
		if (cfg.ocsp_cname[0] != '\0')
			snprintf(ocsp, ocsp_size, "http://%s", cfg.ocsp_cname);
		else if (pca_public_base[0] != '\0')
			snprintf(ocsp, ocsp_size, "%s/ocsp", pca_public_base);
	}
}

X509 *pca_ca_signing_cert(const struct pca_ctx *ctx, const struct store_ca *ca,
			  struct cm_err *err)
{
	return pca_ca_certificate(ctx, ca, err);
}

EVP_PKEY *pca_ca_signing_key(const struct pca_ctx *ctx, const struct store_ca *ca,
			     struct cm_err *err)
{
	return pca_ca_open_key(ctx, ca, err);
}

int pca_ca_sig_alg(const struct store_ca *ca, enum x509_sig_alg *out, struct cm_err *err)
{
	if (x509_sig_alg_from_name(ca->sig_alg, out) < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "CA %s has an unknown signing algorithm %s",
			       ca->id, ca->sig_alg);
	return 0;
}

void pca_crl_clear(struct pca_crl *crl)
{
	if (crl == NULL)
		return;
	free(crl->der);
	memset(crl, 0, sizeof(*crl));
}

/* The revoked certificates, gathered for x509_crl_build. */
struct pca_crl_list {
	struct x509_crl_entry *entries;
	char (*serials)[X509_SERIAL_HEX_MAX];
	size_t n, cap;
	bool failed;
};

static bool pca_crl_list_grow(struct pca_crl_list *l)
{
	size_t cap = l->cap != 0 ? l->cap * 2 : 256;
	struct x509_crl_entry *e = realloc(l->entries, cap * sizeof(*e));
	if (e != NULL)
		l->entries = e;
	char(*s)[X509_SERIAL_HEX_MAX] = e != NULL ? realloc(l->serials, cap * sizeof(*s)) : NULL;
	if (s == NULL)
		return false;
	l->serials = s;
	l->cap = cap;
	return true;
}

static void pca_crl_list_add(void *ctx, const struct store_revoked *r)
{
	struct pca_crl_list *l = ctx;
	enum x509_crl_reason reason = X509_CRL_UNSPECIFIED;
	if (l->failed || (l->n == l->cap && !pca_crl_list_grow(l))) {
		l->failed = true;
		return;
	}
	/* A reason the store cannot name (never written by pca_revoke) is listed
	 * without one rather than dropping the revocation. */
	if (x509_crl_reason_from_name(r->reason, &reason) < 0)
		reason = X509_CRL_UNSPECIFIED;
	snprintf(l->serials[l->n], X509_SERIAL_HEX_MAX, "%s", r->serial);
	l->entries[l->n].revoked_at = r->revoked_at;
	l->entries[l->n].reason = reason;
	l->n++;
}

/* Signs the gathered list with a number drawn now. */
static int pca_crl_sign(const struct pca_ctx *ctx, const struct store_ca *ca,
			const struct pca_revocation_cfg *cfg, struct pca_crl_list *l,
			struct pca_crl *out, struct cm_err *err)
{
	unsigned char number[8];
	struct x509_crl_params p = {.this_update = ctx->now,
				    .next_update = ctx->now + (int64_t)cfg->crl_days * 86400,
				    .entries = l->entries,
				    .n_entries = l->n,
				    .number = number,
				    .number_len = sizeof(number)};
	int rc = -1;
	for (size_t i = 0; i < l->n; i++) /* serials moved when the arrays grew */
		l->entries[i].serial_hex = l->serials[i];
	if (pca_ca_sig_alg(ca, &p.sig_alg, err) < 0 ||
	    (p.issuer_cert = pca_ca_certificate(ctx, ca, err)) == NULL ||
	    (p.signing_key = pca_ca_open_key(ctx, ca, err)) == NULL)
		goto out;
	/* AWS numbers CRLs with millisecond timestamps; the store keeps them
	 * strictly increasing even if the clock steps back. */
	if (store_crl_next_number(ctx->store, ca->id, (uint64_t)ctx->now * 1000, &out->number,
				  err) < 0)
		goto out;
	x509_crl_number_u64(out->number, number);
	out->der = x509_crl_build(&p, &out->der_len, err);
	if (out->der == NULL)
		goto out;
	out->this_update = p.this_update;
	out->next_update = p.next_update;
	out->n_entries = l->n;
	rc = 0;
out:
	X509_free(p.issuer_cert);
	EVP_PKEY_free(p.signing_key);
	return rc;
}

/* The notAfter a revoked certificate must pass to stay listed: AWS drops
 * expired certificates from its CRLs, but only once a CRL made after the
 * expiry has listed them (spec §6.8), so a client holding the previous CRL
 * still learns of the revocation. Before any CRL: now. */
static int pca_crl_expiry_cutoff(const struct pca_ctx *ctx, const struct store_ca *ca,
				 int64_t *cutoff, struct cm_err *err)
{
	struct store_crl prev;
	*cutoff = ctx->now;
	if (store_crl_get(ctx->store, ca->id, &prev, err) < 0)
		return err->code == CM_ERR_NOT_FOUND ? 0 : -1;
	if (prev.this_update > 0 && prev.this_update < *cutoff)
		*cutoff = prev.this_update;
	return 0;
}

int pca_crl_generate(const struct pca_ctx *ctx, const struct store_ca *ca, struct pca_crl *out,
		     struct cm_err *err)
{
	struct pca_revocation_cfg cfg;
	struct pca_crl_list l = {0};
	int64_t cutoff;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	pca_revocation_cfg_parse(ca->revocation_json, &cfg);
	if (pca_crl_expiry_cutoff(ctx, ca, &cutoff, err) < 0 ||
	    store_cert_revoked_each(ctx->store, ca->id, cutoff, pca_crl_list_add, &l, err) < 0)
		goto out;
	if (l.failed) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory listing revoked certificates");
		goto out;
	}
	rc = pca_crl_sign(ctx, ca, &cfg, &l, out, err);
out:
	free(l.entries);
	free(l.serials);
	return rc;
}

int pca_ocsp_status(const struct pca_ctx *ctx, const char *ca_id, const char *serial_hex,
		    struct x509_ocsp_single *out, struct cm_err *err)
{
	char reason[40];
	int64_t revoked_at = 0;
	out->revoked_at = 0;
	out->reason = X509_CRL_UNSPECIFIED;
	if (store_cert_status(ctx->store, ca_id, serial_hex, &revoked_at, reason, sizeof(reason),
			      err) < 0) {
		if (err->code != CM_ERR_NOT_FOUND)
			return -1;
		/* RFC 6960 §2.2: never issued by this CA is "unknown" (AWS too). */
		out->status = X509_OCSP_UNKNOWN;
		return 0;
	}
	if (revoked_at == 0) {
		out->status = X509_OCSP_GOOD;
		return 0;
	}
	out->status = X509_OCSP_REVOKED;
	out->revoked_at = revoked_at;
	if (x509_crl_reason_from_name(reason, &out->reason) < 0)
		out->reason = X509_CRL_UNSPECIFIED;
	return 0;
}
