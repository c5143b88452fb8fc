/* Building a CA's CRLs (spec pca.md §6.8): the revoked certificates still
 * to be listed, a fresh CRLNumber for each CRL, and for CrlType PARTITIONED
 * one CRL per partition, each with the critical IssuingDistributionPoint
 * naming the URL the certificates of that partition carry as their CDP
 * (RFC 5280 §5.2.5), so a client can tell it fetched the right one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pca/internal.h"
#include "pca/revocation.h"
#include "x509/crl.h"

void pca_crl_clear(struct pca_crl *crl)
{
	if (crl == NULL)
		return;
	free(crl->der);
	memset(crl, 0, sizeof(*crl));
}

int pca_crl_partition(const char *serial_hex)
{
	/* Serials are 16 random octets whose first is 0x01..0x7f (x509_serial_random),
	 * so the second octet's high nibble spreads them evenly and never moves:
	 * the partition needs no column, and the CDP of an issued certificate and
	 * the CRL that lists it always agree. */
	static const char hex[] = "0123456789abcdef";
	const char *c = strlen(serial_hex) > 2 ? strchr(hex, serial_hex[2] | 0x20) : NULL;
	return c != NULL && *c != '\0' ? (int)(c - hex) % PCA_CRL_PARTITIONS : 0;
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

/* What every CRL of one generation shares. */
struct pca_crl_signer {
	X509 *issuer_cert;
	EVP_PKEY *key;
	enum x509_sig_alg sig_alg;
	int64_t this_update, next_update;
};

/* Signs entries[0..n) as one CRL (idp_uri NULL: complete) with a number
 * drawn now. */
static int pca_crl_sign(const struct pca_ctx *ctx, const struct store_ca *ca,
			const struct pca_crl_signer *s, const struct x509_crl_entry *entries,
			size_t n, const char *idp_uri, struct pca_crl *out, struct cm_err *err)
{
	unsigned char number[8];
	struct x509_crl_params p = {.issuer_cert = s->issuer_cert,
				    .signing_key = s->key,
				    .sig_alg = s->sig_alg,
				    .this_update = s->this_update,
				    .next_update = s->next_update,
				    .entries = entries,
				    .n_entries = n,
				    .number = number,
				    .number_len = sizeof(number),
				    .idp_uri = idp_uri};
	/* AWS numbers CRLs with millisecond timestamps; the store keeps them
	 * strictly increasing even if the clock steps back, and per partition
	 * too, since the partitions draw from the CA's one sequence. */
	if (store_crl_next_number(ctx->store, ca->id, (uint64_t)ctx->now * 1000, &out->number,
				  err) < 0)
		return -1;
	x509_crl_number_u64(out->number, number);
	out->der = x509_crl_build(&p, &out->der_len, err);
	if (out->der == NULL)
		return -1;
	out->this_update = p.this_update;
	out->next_update = p.next_update;
	out->n_entries = n;
	return 0;
}

/* One CRL per partition: the entries of each, then its IDP. */
static int pca_crl_sign_partitions(const struct pca_ctx *ctx, const struct store_ca *ca,
				   const struct pca_revocation_cfg *cfg,
				   const struct pca_crl_signer *s, const struct pca_crl_list *l,
				   struct pca_crl *out, size_t *n_out, struct cm_err *err)
{
	struct x509_crl_entry *part = l->n > 0 ? malloc(l->n * sizeof(*part)) : NULL;
	char url[PCA_CRL_URL_MAX];
	int rc = 0;
	if (l->n > 0 && part == NULL)
		return cm_fail(err, CM_ERR_INTERNAL, "out of memory partitioning the CRL");
	for (int p = 0; p < PCA_CRL_PARTITIONS && rc == 0; p++) {
		size_t n = 0;
		for (size_t i = 0; i < l->n; i++)
			if (pca_crl_partition(l->serials[i]) == p)
				part[n++] = l->entries[i];
		pca_crl_url(ca, cfg, p, url, sizeof(url));
		if (url[0] == '\0')
			rc = cm_fail(err, CM_ERR_INTERNAL,
				     "A PARTITIONED CRL needs a URL for its issuing distribution "
				     "point: CustomCname or the public listener");
		else if ((rc = pca_crl_sign(ctx, ca, s, part, n, url, &out[p], err)) == 0)
			out[p].partition = p;
		*n_out = (size_t)p + (rc == 0 ? 1 : 0);
	}
	free(part);
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

int pca_crl_generate(const struct pca_ctx *ctx, const struct store_ca *ca,
		     struct pca_crl out[PCA_CRL_PARTITIONS], size_t *n_out, struct cm_err *err)
{
	struct pca_revocation_cfg cfg;
	struct pca_crl_list l = {0};
	struct pca_crl_signer s = {0};
	int64_t cutoff;
	int rc = -1;
	memset(out, 0, PCA_CRL_PARTITIONS * sizeof(*out));
	*n_out = 0;
	pca_revocation_cfg_parse(ca->revocation_json, &cfg);
	if (pca_crl_expiry_cutoff(ctx, ca, &cutoff, err) < 0 ||
	    store_cert_revoked_each(ctx->store, ca->id, cutoff, pca_crl_list_add, &l, err) < 0)
		goto out;
	if (l.failed) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory listing revoked certificates");
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) /* serials moved when the arrays grew */
		l.entries[i].serial_hex = l.serials[i];
	s.this_update = ctx->now;
	s.next_update = ctx->now + (int64_t)cfg.crl_days * 86400;
	if (pca_ca_sig_alg(ca, &s.sig_alg, err) < 0 ||
	    (s.issuer_cert = pca_ca_certificate(ctx, ca, err)) == NULL ||
	    (s.key = pca_ca_open_key(ctx, ca, err)) == NULL)
		goto out;
	if (cfg.crl_partitioned) {
		rc = pca_crl_sign_partitions(ctx, ca, &cfg, &s, &l, out, n_out, err);
	} else if ((rc = pca_crl_sign(ctx, ca, &s, l.entries, l.n, NULL, &out[0], err)) == 0) {
		out[0].partition = -1;
		*n_out = 1;
	}
	if (rc < 0) {
		for (size_t i = 0; i < *n_out; i++)
			pca_crl_clear(&out[i]);
		*n_out = 0;
	}
out:
	X509_free(s.issuer_cert);
	EVP_PKEY_free(s.key);
	free(l.entries);
	free(l.serials);
	return rc;
}
