/* The Private CA rules of revocation publishing (spec pca.md §4
 * RevocationConfiguration, §6.8): which CAs publish CRLs and answer OCSP,
 * building a CA's CRL, one serial's OCSP status, the CA's signing material,
 * and how pca/ tells the publishers (src/revocation/) that something changed.
 * Scheduling, files and HTTP belong to src/revocation/. */
#ifndef CERTAIN_PCA_REVOCATION_H
#define CERTAIN_PCA_REVOCATION_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

#include "pca/ca.h"
#include "x509/keys.h"
#include "x509/ocsp.h"

#define PCA_CRL_DEFAULT_DAYS 7 /* Certain's default ExpirationInDays (spec §4) */

/* CrlType PARTITIONED (spec §4, §6.8; AWS documents no partition size): a
 * certificate belongs to one of 16 partitions by its serial
 * (pca_crl_partition), so each CRL holds about a sixteenth of the
 * revocations and a CA of 16 million certificates keeps CRLs the size of a
 * complete one at a million. Fixed for good: issued certificates name theirs. */
#define PCA_CRL_PARTITIONS 16

/* A CDP URL: "http://" + CustomCname (253) + "/" + CustomPath (253) + the file. */
#define PCA_CRL_URL_MAX 640

/* A CA's RevocationConfiguration, as the publishers need it. */
struct pca_revocation_cfg {
	bool crl_enabled;
	int crl_days;		 /* ExpirationInDays */
	char crl_bucket[256];	 /* S3BucketName: the folder under DATA/crl/ */
	char crl_cname[256];	 /* CustomCname, "" when none */
	char crl_path[256];	 /* CustomPath, else "crl": the URL path and folder */
	bool crl_omit_cdp;	 /* CrlDistributionPointExtensionConfiguration.OmitExtension */
	bool crl_partitioned;	 /* CrlType PARTITIONED */
	bool ocsp_enabled;
	char ocsp_cname[256];	 /* OcspCustomCname, "" when none */
};

/* Reads the normalised JSON (NULL or broken: everything disabled). */
void pca_revocation_cfg_parse(const char *json, struct pca_revocation_cfg *out);

/* Whether the CA publishes a CRL now: enabled, a certificate installed, and
 * ACTIVE or DISABLED (spec §6.8: DISABLED CAs keep publishing, EXPIRED stop). */
bool pca_crl_publishes(const struct store_ca *ca, const struct pca_revocation_cfg *cfg,
		       int64_t now);
/* Whether the CA answers OCSP now: enabled, a certificate installed, and
 * ACTIVE, DISABLED or EXPIRED (statuses of what it issued stay knowable). */
bool pca_ocsp_answers(const struct store_ca *ca, const struct pca_revocation_cfg *cfg,
		      int64_t now);

/* A signed CRL. */
struct pca_crl {
	unsigned char *der; /* owned (free()) */
	size_t der_len;
	uint64_t number;
	int64_t this_update, next_update;
	size_t n_entries;
	int partition; /* 0..PCA_CRL_PARTITIONS-1, or -1 for the complete CRL */
};
void pca_crl_clear(struct pca_crl *crl);

/* The partition of a serial (hex as stored): 0..PCA_CRL_PARTITIONS-1. */
int pca_crl_partition(const char *serial_hex);

/* The URL of the CA's CRL (part -1) or of one partition's CRL: CustomCname
 * (else the public URL), CustomPath (else "crl"), then "<CA id>.crl" or
 * "<CA id>-<partition as one hex digit>.crl"; "" when there is no host. */
void pca_crl_url(const struct store_ca *ca, const struct pca_revocation_cfg *cfg, int part,
		 char *buf, size_t size);

/* Builds the CA's complete CRL at ctx->now (RFC 5280 §5): every revoked
 * certificate until it has expired and been listed in one CRL made after its
 * expiry (spec §5.12, §6.8; RFC 5280 §3.3 allows no earlier removal), that is
 * those with notAfter later than the previous CRL's thisUpdate or than now,
 * whichever is earlier; a fresh CRLNumber
 * (stored before signing, so none is ever reused), nextUpdate = now +
 * ExpirationInDays. A COMPLETE CA gets one CRL (out[0], partition -1); a
 * PARTITIONED one PCA_CRL_PARTITIONS CRLs (out[p] for partition p), each with
 * the critical IssuingDistributionPoint of its URL (pca_crl_url). *n_out is
 * how many. Recording them as published is store_crl_set_published with the
 * last one's number, once the caller has written them out. */
int pca_crl_generate(const struct pca_ctx *ctx, const struct store_ca *ca,
		     struct pca_crl out[PCA_CRL_PARTITIONS], size_t *n_out, struct cm_err *err);

/* The OCSP status of serial_hex under the CA (RFC 6960 §2.2): good when
 * issued and not revoked, revoked with time and reason, unknown when never
 * issued. Fills status, revoked_at and reason of *out. */
int pca_ocsp_status(const struct pca_ctx *ctx, const char *ca_id, const char *serial_hex,
		    struct x509_ocsp_single *out, struct cm_err *err);

/* The CA's delegated OCSP responder (serve --ocsp-delegated; RFC 6960
 * §4.2.2.2): its certificate and key (both owned), issued by the CA with
 * id-kp-OCSPSigning and id-pkix-ocsp-nocheck for 30 days, the key sealed by
 * the keystore and stored; a new one replaces it when half its life is gone
 * or the CA's certificate changed. CM_ERR_INVALID_STATE when the CA has less
 * than a day left (or is expired): then the CA signs itself. */
int pca_ocsp_signer(const struct pca_ctx *ctx, const struct store_ca *ca, X509 **cert,
		    EVP_PKEY **key, struct cm_err *err);

/* What signs for the CA (for OCSP): its certificate (a reference, X509_free),
 * its private key (owned) and signing algorithm. */
X509 *pca_ca_signing_cert(const struct pca_ctx *ctx, const struct store_ca *ca,
			  struct cm_err *err);
EVP_PKEY *pca_ca_signing_key(const struct pca_ctx *ctx, const struct store_ca *ca,
			     struct cm_err *err);
int pca_ca_sig_alg(const struct store_ca *ca, enum x509_sig_alg *out, struct cm_err *err);

/* Who is told of revocations and CA changes. Set once at start, before any
 * request thread runs; NULL (the default) tells nobody. The callbacks must be
 * quick: they run on the request thread after the change is committed. */
struct pca_observer {
	void (*revoked)(const char *ca_id, const char *serial_hex);
	void (*ca_changed)(const char *ca_id); /* configuration, status or certificate */
};
void pca_set_observer(const struct pca_observer *o);
void pca_notify_revoked(const char *ca_id, const char *serial_hex);
void pca_notify_ca_changed(const char *ca_id);

/* The base URL of the public listener ("http://host:port", no trailing
 * slash), named in certificates of CAs without CustomCname/OcspCustomCname.
 * Set once at start; NULL or "": no such URLs. */
void pca_set_public_url(const char *url);
const char *pca_public_url(void);

/* The CRL distribution point and OCSP URLs the certificate of serial_hex
 * carries (spec §6.8): its CRL's pca_crl_url (its partition's when the CA is
 * PARTITIONED) unless OmitExtension; OcspCustomCname, else the public URL's
 * /ocsp; "" when none. */
void pca_revocation_urls(const struct store_ca *ca, const char *serial_hex, char *crl,
			 size_t crl_size, char *ocsp, size_t ocsp_size);

#endif
