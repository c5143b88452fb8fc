/* Revocation rules of AWS Private CA (spec pca.md §4, §6.8): reading a CA's
 * RevocationConfiguration, which CAs publish, the URLs certificates name and
 * the OCSP status of a serial (building CRLs is crl.c). The observer and the
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
	const char *type = json_string_value(json_object_get(c, "CrlType"));
	out->crl_partitioned = type != NULL && strcmp(type, "PARTITIONED") == 0;
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

void pca_crl_url(const struct store_ca *ca, const struct pca_revocation_cfg *cfg, int part,
		 char *buf, size_t size)
{
	char file[64];
	if (part >= 0)
		snprintf(file, sizeof(file), "%s-%x.crl", ca->id, (unsigned)part);
	else
		snprintf(file, sizeof(file), "%s.crl", ca->id);
	buf[0] = '\0';
	if (cfg->crl_cname[0] != '\0')
		snprintf(buf, size, "http://%s/%s/%s", cfg->crl_cname, cfg->crl_path, file);
	else if (pca_public_base[0] != '\0')
		snprintf(buf, size, "%s/%s/%s", pca_public_base, cfg->crl_path, file);
}

void pca_revocation_urls(const struct store_ca *ca, const char *serial_hex, char *crl,
			 size_t crl_size, char *ocsp, size_t ocsp_size)
{
	struct pca_revocation_cfg cfg;
	pca_revocation_cfg_parse(ca->revocation_json, &cfg);
	crl[0] = ocsp[0] = '\0';
	if (cfg.crl_enabled && !cfg.crl_omit_cdp)
		pca_crl_url(ca, &cfg, cfg.crl_partitioned ? pca_crl_partition(serial_hex) : -1, crl,
			    crl_size);
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
