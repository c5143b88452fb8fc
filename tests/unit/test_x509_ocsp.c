/* OCSP: requests made by `openssl ocsp -reqout` parse (POST and GET forms)
 * and match their CA; responses built for them verify with OpenSSL
 * (OCSP_basic_verify in process and the openssl CLI), with statuses,
 * reasons, times, nonce, delegated responders and pre-signed responses;
 * malformed requests and bad build inputs are refused. */
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <stdlib.h>

#include "harness.h"
#include "test_x509_fixtures.h"
#include "util/hex.h"
#include "x509/ocsp.h"

/* A CA, two leaves, and a temp folder with their PEM files. */
struct ocsp_fx {
	EVP_PKEY *key;
	X509 *ca, *leaf, *leaf2;
	char hex[33], hex2[33];
	char dir[64], ca_pem[256], leaf_pem[256], leaf2_pem[256];
};

static bool ocsp_fx_init(struct ocsp_fx *f, enum x509_key_alg alg)
{
	memset(f, 0, sizeof(*f));
	f->key = fx_key(alg);
	f->ca = fx_root(f->key, "OCSP Root");
	f->leaf = fx_leaf(f->key, f->ca, NULL, "http://ocsp.example", f->hex);
	f->leaf2 = fx_leaf(f->key, f->ca, NULL, "http://ocsp.example", f->hex2);
	if (f->ca == NULL || f->leaf == NULL || f->leaf2 == NULL)
		return false;
	fx_tmpdir(f->dir, sizeof(f->dir));
	fx_write_cert(f->dir, "ca.pem", f->ca, f->ca_pem, sizeof(f->ca_pem));
	fx_write_cert(f->dir, "leaf.pem", f->leaf, f->leaf_pem, sizeof(f->leaf_pem));
	fx_write_cert(f->dir, "leaf2.pem", f->leaf2, f->leaf2_pem, sizeof(f->leaf2_pem));
	return true;
}

static void ocsp_fx_free(struct ocsp_fx *f)
{
	if (f->dir[0] != '\0')
		fx_rmdir(f->dir);
	X509_free(f->leaf);
	X509_free(f->leaf2);
	X509_free(f->ca);
	EVP_PKEY_free(f->key);
}

/* Reads a whole small file (owned, free()); NULL when unreadable. */
static unsigned char *ocsp_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = malloc(65536);
	*len = 0;
	if (fp != NULL && buf != NULL)
		*len = fread(buf, 1, 65536, fp);
	if (fp != NULL)
		fclose(fp);
	if (*len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* `openssl ocsp -reqout` for the fixture's leaves with extra options;
 * the request DER (owned) and its path in path. */
static unsigned char *ocsp_cli_request(const struct ocsp_fx *f, const char *opts, bool both,
				       size_t *len, char *path, size_t size)
{
	char cmd[2048], out[2048];
	snprintf(path, size, "%s/req-%u.der", f->dir, (unsigned)rand());
	snprintf(cmd, sizeof(cmd), "openssl ocsp %s -issuer %s -cert %s %s%s -reqout %s", opts,
		 f->ca_pem, f->leaf_pem, both ? "-cert " : "", both ? f->leaf2_pem : "", path);
	if (fx_run(cmd, out, sizeof(out)) != 0) {
		fprintf(stderr, "  %s\n  %s\n", cmd, out);
		return NULL;
	}
	return ocsp_read(path, len);
}

static unsigned char *ocsp_sign_ca(const struct ocsp_fx *f, const struct x509_ocsp_single *s,
				   size_t n, const struct x509_ocsp_request *req, size_t *len)
{
	struct cm_err err = {0};
	struct x509_ocsp_signer signer = {
	    .ca_cert = f->ca,
	    .key = f->key,
	    .sig_alg = EVP_PKEY_get_base_id(f->key) == EVP_PKEY_RSA ? X509_SIG_SHA256WITHRSA
								    : X509_SIG_SHA256WITHECDSA,
	};
	unsigned char *der = x509_ocsp_response_build(&signer, s, n, req ? req->nonce : NULL,
						      req ? req->nonce_len : 0, FX_NOW, len, &err);
	if (der == NULL)
		fprintf(stderr, "  ocsp_sign_ca: %s\n", err.msg);
	return der;
}

/* In-process check of a response as a client does it: successful, nonce
 * (when req is given), signature and signer, then the status of leaf. */
struct ocsp_seen {
	int status, reason;
	int64_t this_update, next_update, revoked_at;
	bool has_next;
};

static int64_t ocsp_epoch(const ASN1_GENERALIZEDTIME *t)
{
	struct tm tm;
	if (t == NULL || !ASN1_TIME_to_tm(t, &tm))
		return -1;
	return (int64_t)timegm(&tm);
}

static bool ocsp_client_check(const unsigned char *der, size_t len, X509 *ca, X509 *leaf,
			      OCSP_REQUEST *req, const EVP_MD *md, struct ocsp_seen *seen)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	OCSP_BASICRESP *bs = resp != NULL ? OCSP_response_get1_basic(resp) : NULL;
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *certs = sk_X509_new_null();
	OCSP_CERTID *id = OCSP_cert_to_id(md, leaf, ca);
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	bool ok = false;
	X509_STORE_add_cert(store, ca);
	sk_X509_push(certs, ca);
	if (p != der + len || bs == NULL ||
	    OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		fprintf(stderr, "  not a successful OCSP response\n");
		goto out;
	}
	if (req != NULL && OCSP_check_nonce(req, bs) != 1) {
		fprintf(stderr, "  nonce mismatch\n");
		goto out;
	}
	/* certs: the CA may sign itself; a delegated responder comes in bs. */
	if (OCSP_basic_verify(bs, certs, store, 0) != 1) {
		fprintf(stderr, "  OCSP_basic_verify failed\n");
		ERR_print_errors_fp(stderr);
		goto out;
	}
	if (!OCSP_resp_find_status(bs, id, &seen->status, &seen->reason, &rev, &thisupd,
				   &nextupd)) {
		fprintf(stderr, "  no status for the leaf\n");
		goto out;
	}
	seen->revoked_at = ocsp_epoch(rev);
	seen->this_update = ocsp_epoch(thisupd);
	seen->has_next = nextupd != NULL;
	seen->next_update = ocsp_epoch(nextupd);
	ok = true;
out:
	OCSP_CERTID_free(id);
	sk_X509_free(certs);
	X509_STORE_free(store);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return ok;
}

static OCSP_REQUEST *ocsp_d2i_req(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	return d2i_OCSP_REQUEST(NULL, &p, (long)len);
}

/* A request from the openssl CLI: two CertIDs, SHA-1, a 16-octet nonce. */
TEST(x509_ocsp_parse_cli_request)
{
	struct ocsp_fx f;
	struct x509_ocsp_request req = {0};
	struct cm_err err = {0};
	char path[512];
	size_t len = 0;
	unsigned char *der = NULL;
	CHECK(ocsp_fx_init(&f, X509_KEY_EC_P256));
	if (f.ca == NULL || f.leaf == NULL || f.leaf2 == NULL)
		goto out;
	der = ocsp_cli_request(&f, "", true, &len, path, sizeof(path));
	CHECK(der != NULL);
	if (der == NULL)
		goto out;
	CHECK(x509_ocsp_request_parse(der, len, &req, &err) == 0);
	CHECK(req.n_ids == 2);
	if (req.n_ids == 2) {
		CHECK(req.ids[0].hash == X509_OCSP_HASH_SHA1);
		CHECK(req.ids[0].name_hash_len == 20 && req.ids[0].key_hash_len == 20);
		CHECK_STR_EQ(req.ids[0].serial_hex, f.hex);
		CHECK_STR_EQ(req.ids[1].serial_hex, f.hex2);
		CHECK(x509_ocsp_certid_matches(&req.ids[0], f.ca));
		CHECK(x509_ocsp_certid_matches(&req.ids[1], f.ca));
		/* A leaf is not the issuer of anything. */
		CHECK(!x509_ocsp_certid_matches(&req.ids[0], f.leaf));
	}
	/* OpenSSL sends the RFC 9654 form: OCTET STRING { 16 random octets }. */
	CHECK(req.nonce_len == 18 && req.nonce[0] == 0x04 && req.nonce[1] == 16);
	x509_ocsp_request_clear(&req);
	free(der);
	/* SHA-256 CertIDs and no nonce. */
	der = ocsp_cli_request(&f, "-sha256 -no_nonce", false, &len, path, sizeof(path));
	CHECK(der != NULL && x509_ocsp_request_parse(der, len, &req, &err) == 0);
	CHECK(req.n_ids == 1 && req.nonce_len == 0);
	if (req.n_ids == 1) {
		CHECK(req.ids[0].hash == X509_OCSP_HASH_SHA256);
		CHECK(req.ids[0].name_hash_len == 32);
		CHECK(x509_ocsp_certid_matches(&req.ids[0], f.ca));
	}
out:
	x509_ocsp_request_clear(&req);
	free(der);
	ocsp_fx_free(&f);
}

/* GET (RFC 6960 Appendix A.1): base64 of the DER, URL-encoded; the
 * URL-safe alphabet and missing padding are accepted too. */
TEST(x509_ocsp_parse_get)
{
	struct ocsp_fx f;
	struct x509_ocsp_request req = {0};
	struct cm_err err = {0};
	char path[512], b64[1024], url[3072];
	size_t len = 0, u = 0;
	unsigned char *der = NULL;
	CHECK(ocsp_fx_init(&f, X509_KEY_EC_P256));
	if (f.ca == NULL)
		goto out;
	der = ocsp_cli_request(&f, "", false, &len, path, sizeof(path));
	CHECK(der != NULL && len < 700);
	if (der == NULL || len >= 700)
		goto out;
	size_t n = b64_encode(der, len, b64);
	for (size_t i = 0; i < n; i++) {
		if (b64[i] == '+' || b64[i] == '/' || b64[i] == '=')
			u += (size_t)snprintf(url + u, sizeof(url) - u, "%%%02X", b64[i]);
		else
			url[u++] = b64[i];
	}
	url[u] = '\0';
	CHECK(x509_ocsp_request_parse_get(url, u, &req, &err) == 0);
	CHECK(req.n_ids == 1 && strcmp(req.ids[0].serial_hex, f.hex) == 0);
	x509_ocsp_request_clear(&req);
	/* Unencoded standard base64, as many clients send it. */
	CHECK(x509_ocsp_request_parse_get(b64, n, &req, &err) == 0 && req.n_ids == 1);
	x509_ocsp_request_clear(&req);
	/* base64url without padding. */
	for (size_t i = 0; i < n; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	while (n > 0 && b64[n - 1] == '=')
		n--;
	CHECK(x509_ocsp_request_parse_get(b64, n, &req, &err) == 0 && req.n_ids == 1);
	x509_ocsp_request_clear(&req);
	CHECK(x509_ocsp_request_parse_get("%zz", 3, &req, &err) == -1 &&
	      err.code == CM_ERR_INVALID_REQUEST);
	CHECK(x509_ocsp_request_parse_get("MA", 1, &req, &err) == -1);
	CHECK(x509_ocsp_request_parse_get("", 0, &req, &err) == -1);
	CHECK(x509_ocsp_request_parse_get("MAA*", 4, &req, &err) == -1);
out:
	free(der);
	ocsp_fx_free(&f);
}

/* good, revoked (time + reason) and unknown, with the nonce echoed, for a
 * request of two leaves; OpenSSL's client checks accept it. */
TEST(x509_ocsp_response_statuses)
{
	struct ocsp_fx f;
	struct x509_ocsp_request req = {0};
	struct cm_err err = {0};
	struct ocsp_seen seen = {0};
	char path[512];
	size_t len = 0, rlen = 0;
	unsigned char *der = NULL, *resp = NULL;
	OCSP_REQUEST *oreq = NULL;
	CHECK(ocsp_fx_init(&f, X509_KEY_EC_P384));
	if (f.ca == NULL)
		goto out;
	der = ocsp_cli_request(&f, "", true, &len, path, sizeof(path));
	CHECK(der != NULL && x509_ocsp_request_parse(der, len, &req, &err) == 0 && req.n_ids == 2);
	if (req.n_ids != 2)
		goto out;
	oreq = ocsp_d2i_req(der, len);
	struct x509_ocsp_single s[2] = {
	    {&req.ids[0], X509_OCSP_REVOKED, FX_NOW - 7200, X509_CRL_KEY_COMPROMISE, FX_NOW - 60,
	     FX_NOW + 86400},
	    {&req.ids[1], X509_OCSP_GOOD, 0, X509_CRL_UNSPECIFIED, FX_NOW - 60, 0},
	};
	resp = ocsp_sign_ca(&f, s, 2, &req, &rlen);
	CHECK(resp != NULL);
	CHECK(resp != NULL && ocsp_client_check(resp, rlen, f.ca, f.leaf, oreq, EVP_sha1(), &seen));
	CHECK(seen.status == V_OCSP_CERTSTATUS_REVOKED && seen.reason == 1);
	CHECK(seen.revoked_at == FX_NOW - 7200 && seen.this_update == FX_NOW - 60);
	CHECK(seen.has_next && seen.next_update == FX_NOW + 86400);
	CHECK(resp != NULL &&
	      ocsp_client_check(resp, rlen, f.ca, f.leaf2, oreq, EVP_sha1(), &seen));
	CHECK(seen.status == V_OCSP_CERTSTATUS_GOOD && !seen.has_next);
	free(resp);
	/* unknown; revoked without a reason (UNSPECIFIED leaves it out). */
	s[0].status = X509_OCSP_UNKNOWN;
	s[1].status = X509_OCSP_REVOKED;
	s[1].revoked_at = FX_NOW - 10;
	resp = ocsp_sign_ca(&f, s, 2, &req, &rlen);
	CHECK(resp != NULL && ocsp_client_check(resp, rlen, f.ca, f.leaf, oreq, EVP_sha1(), &seen));
	CHECK(seen.status == V_OCSP_CERTSTATUS_UNKNOWN);
	CHECK(resp != NULL &&
	      ocsp_client_check(resp, rlen, f.ca, f.leaf2, oreq, EVP_sha1(), &seen));
	CHECK(seen.status == V_OCSP_CERTSTATUS_REVOKED && seen.reason == -1);
out:
	OCSP_REQUEST_free(oreq);
	free(resp);
	free(der);
	x509_ocsp_request_clear(&req);
	ocsp_fx_free(&f);
}

/* What issue 7 checks: the openssl CLI reads our response for its own
 * request, verifies it against the CA and prints the status. */
TEST(x509_ocsp_openssl_cli)
{
	struct ocsp_fx f;
	struct x509_ocsp_request req = {0};
	struct cm_err err = {0};
	char path[512], resp_path[512], cmd[3072], out[8192];
	size_t len = 0, rlen = 0;
	unsigned char *der = NULL, *resp = NULL;
	CHECK(ocsp_fx_init(&f, X509_KEY_RSA_2048));
	if (f.ca == NULL)
		goto out;
	der = ocsp_cli_request(&f, "-no_nonce", false, &len, path, sizeof(path));
	CHECK(der != NULL && x509_ocsp_request_parse(der, len, &req, &err) == 0 && req.n_ids == 1);
	if (req.n_ids != 1)
		goto out;
	struct x509_ocsp_single s = {&req.ids[0],	  X509_OCSP_REVOKED, FX_NOW - 3600,
				     X509_CRL_SUPERSEDED, FX_NOW - 60,	     FX_NOW + 86400};
	resp = ocsp_sign_ca(&f, &s, 1, &req, &rlen);
	CHECK(resp != NULL);
	if (resp == NULL)
		goto out;
	fx_write(f.dir, "resp.der", resp, rlen, resp_path, sizeof(resp_path));
	/* -validity_period: the response's window is FX_NOW, not today. */
	snprintf(cmd, sizeof(cmd),
		 "openssl ocsp -respin %s -issuer %s -cert %s -CAfile %s -no_nonce "
		 "-validity_period 999999999 -resp_text",
		 resp_path, f.ca_pem, f.leaf_pem, f.ca_pem);
	CHECK(fx_run(cmd, out, sizeof(out)) == 0);
	CHECK(strstr(out, "Response verify OK") != NULL);
	CHECK(strstr(out, ": revoked") != NULL);
	CHECK(strstr(out, "Reason: superseded") != NULL);
	/* byKey: the SHA-1 key hash of the CA, the CertID's issuerKeyHash too. */
	const char *rid = strstr(out, "Responder Id: "), *ikh = strstr(out, "Issuer Key Hash: ");
	CHECK(rid != NULL && ikh != NULL && strncmp(rid + 14, ikh + 17, 40) == 0);
out:
	free(resp);
	free(der);
	x509_ocsp_request_clear(&req);
	ocsp_fx_free(&f);
}

/* A delegated responder (RFC 6960 §4.2.2.2): its certificate rides in
 * `certs`, and OpenSSL accepts it only because the CA issued it with
 * id-kp-OCSPSigning. */
TEST(x509_ocsp_delegated_responder)
{
	struct ocsp_fx f;
	struct x509_ocsp_request req = {0};
	struct cm_err err = {0};
	struct ocsp_seen seen = {0};
	char path[512], resp_path[512], cmd[3072], out[8192];
	size_t len = 0, rlen = 0;
	unsigned char *der = NULL, *resp = NULL;
	OCSP_REQUEST *oreq = NULL;
	EVP_PKEY *rkey = fx_key(X509_KEY_EC_P256);
	struct fx_cert_spec spec = {
	    .key = rkey,
	    .signer = NULL,
	    .subject = "CN=OCSP Responder,O=Certain",
	    .serial = 77,
	    .not_after = FX_NOW + 5 * FX_YEAR,
	    .exts = {{"extendedKeyUsage", "OCSPSigning"},
		     {"keyUsage", "critical,digitalSignature"},
		     {"authorityKeyIdentifier", "keyid"}},
	};
	X509 *rcert = NULL;
	CHECK(ocsp_fx_init(&f, X509_KEY_EC_P256));
	if (f.ca == NULL)
		goto out;
	spec.signer = f.key;
	spec.issuer = f.ca;
	rcert = fx_cert(&spec);
	der = ocsp_cli_request(&f, "", false, &len, path, sizeof(path));
	CHECK(der != NULL && x509_ocsp_request_parse(der, len, &req, &err) == 0 && req.n_ids == 1);
	if (req.n_ids != 1)
		goto out;
	oreq = ocsp_d2i_req(der, len);
	struct x509_ocsp_single s = {&req.ids[0],	   X509_OCSP_GOOD, 0,
				     X509_CRL_UNSPECIFIED, FX_NOW - 60,	   FX_NOW + 3600};
	struct x509_ocsp_signer signer = {.ca_cert = f.ca,
					  .key = rkey,
					  .responder_cert = rcert,
					  .sig_alg = X509_SIG_SHA256WITHECDSA};
	resp =
	    x509_ocsp_response_build(&signer, &s, 1, req.nonce, req.nonce_len, FX_NOW, &rlen, &err);
	CHECK(resp != NULL);
	if (resp == NULL)
		goto out;
	CHECK(ocsp_client_check(resp, rlen, f.ca, f.leaf, oreq, EVP_sha1(), &seen));
	CHECK(seen.status == V_OCSP_CERTSTATUS_GOOD);
	fx_write(f.dir, "resp.der", resp, rlen, resp_path, sizeof(resp_path));
	snprintf(cmd, sizeof(cmd),
		 "openssl ocsp -respin %s -issuer %s -cert %s -CAfile %s -no_nonce "
		 "-validity_period 999999999 -resp_text",
		 resp_path, f.ca_pem, f.leaf_pem, f.ca_pem);
	CHECK(fx_run(cmd, out, sizeof(out)) == 0 && strstr(out, "Response verify OK") != NULL &&
	      strstr(out, ": good") != NULL && strstr(out, "CN=OCSP Responder") != NULL);
out:
	OCSP_REQUEST_free(oreq);
	free(resp);
	free(der);
	x509_ocsp_request_clear(&req);
	X509_free(rcert);
	EVP_PKEY_free(rkey);
	ocsp_fx_free(&f);
}

/* The responder certificate Certain issues itself (x509_ocsp_signer_issue):
 * CA:FALSE, digitalSignature, id-kp-OCSPSigning and id-pkix-ocsp-nocheck,
 * chaining to the CA, and accepted by the response builder as delegated. */
TEST(x509_ocsp_signer_issue)
{
	struct ocsp_fx f;
	struct cm_err err = {0};
	unsigned char serial[16] = {0x11, 0x22};
	char eku[128];
	EVP_PKEY *rkey = fx_key(X509_KEY_EC_P256);
	X509 *r = NULL;
	CHECK(ocsp_fx_init(&f, X509_KEY_EC_P256));
	if (f.ca == NULL || rkey == NULL)
		goto out;
	struct x509_ocsp_signer_params p = {.ca_cert = f.ca,
					    .ca_key = f.key,
					    .sig_alg = X509_SIG_SHA256WITHECDSA,
					    .signer_key = rkey,
					    .serial = serial,
					    .serial_len = sizeof(serial),
					    .not_before = FX_NOW - 60,
					    .not_after = FX_NOW + 30 * 86400};
	r = x509_ocsp_signer_issue(&p, &err);
	CHECK(r != NULL);
	if (r == NULL)
		goto out;
	CHECK(X509_verify(r, X509_get0_pubkey(f.ca)) == 1);
	CHECK(fx_ext_crit(r, NID_basic_constraints) == 1 && !X509_check_ca(r));
	CHECK(fx_ext_crit(r, NID_key_usage) == 1 && fx_ku(r) == X509_KU_DIGITAL_SIGNATURE);
	CHECK(strcmp(fx_eku(r, eku, sizeof(eku)), "1.3.6.1.5.5.7.3.9") == 0);
	CHECK(X509_get_ext_by_NID(r, NID_id_pkix_OCSP_noCheck, -1) >= 0);
	CHECK(fx_name_der_eq(X509_get_issuer_name(r), X509_get_subject_name(f.ca)));
	struct x509_ocsp_certid id = {.hash = X509_OCSP_HASH_SHA256};
	snprintf(id.serial_hex, sizeof(id.serial_hex), "%s", f.hex);
	CHECK(x509_ocsp_ca_hashes(f.ca, X509_OCSP_HASH_SHA256, id.name_hash, id.key_hash,
				  &id.name_hash_len) == 0);
	id.key_hash_len = id.name_hash_len;
	struct x509_ocsp_single s = {&id, X509_OCSP_GOOD, 0, X509_CRL_UNSPECIFIED, FX_NOW, 0};
	struct x509_ocsp_signer signer = {
	    .ca_cert = f.ca, .key = rkey, .responder_cert = r, .sig_alg = X509_SIG_SHA256WITHECDSA};
	size_t len = 0;
	unsigned char *resp = x509_ocsp_response_build(&signer, &s, 1, NULL, 0, FX_NOW, &len, &err);
	CHECK(resp != NULL);
	free(resp);
out:
	X509_free(r);
	EVP_PKEY_free(rkey);
	ocsp_fx_free(&f);
}

static bool ocsp_certid_eq(const struct x509_ocsp_certid *a, const struct x509_ocsp_certid *b)
{
	return a->hash == b->hash && a->name_hash_len == b->name_hash_len &&
	       a->key_hash_len == b->key_hash_len &&
	       memcmp(a->name_hash, b->name_hash, a->name_hash_len) == 0 &&
	       memcmp(a->key_hash, b->key_hash, a->key_hash_len) == 0 &&
	       strcmp(a->serial_hex, b->serial_hex) == 0;
}

/* Pre-signing: a CertID made from the CA and the stored serial equals the
 * one a client sends, so one nonce-less response built ahead answers every
 * such request (SHA-1 and SHA-256 alike). */
TEST(x509_ocsp_presigned)
{
	struct ocsp_fx f;
	struct x509_ocsp_request req = {0};
	struct x509_ocsp_certid id;
	struct cm_err err = {0};
	struct ocsp_seen seen = {0};
	char path[512];
	size_t len = 0, rlen = 0;
	unsigned char *der = NULL, *resp = NULL;
	CHECK(ocsp_fx_init(&f, X509_KEY_EC_P256));
	if (f.ca == NULL)
		goto out;
	for (int h = 0; h < 2; h++) {
		enum x509_ocsp_hash hash = h ? X509_OCSP_HASH_SHA256 : X509_OCSP_HASH_SHA1;
		CHECK(x509_ocsp_certid_for(f.ca, hash, f.hex, &id, &err) == 0);
		der = ocsp_cli_request(&f, h ? "-no_nonce -sha256" : "-no_nonce", false, &len, path,
				       sizeof(path));
		CHECK(der != NULL && x509_ocsp_request_parse(der, len, &req, &err) == 0 &&
		      req.n_ids == 1);
		CHECK(req.n_ids == 1 && ocsp_certid_eq(&req.ids[0], &id));
		struct x509_ocsp_single s = {&id,    X509_OCSP_GOOD, 0, X509_CRL_UNSPECIFIED,
					     FX_NOW, FX_NOW + 3600};
		resp = ocsp_sign_ca(&f, &s, 1, NULL, &rlen);
		CHECK(resp != NULL && ocsp_client_check(resp, rlen, f.ca, f.leaf, NULL,
							h ? EVP_sha256() : EVP_sha1(), &seen));
		CHECK(seen.status == V_OCSP_CERTSTATUS_GOOD);
		x509_ocsp_request_clear(&req);
		free(der);
		free(resp);
		der = resp = NULL;
	}
	CHECK(x509_ocsp_certid_for(f.ca, X509_OCSP_HASH_OTHER, f.hex, &id, &err) == -1);
	CHECK(x509_ocsp_certid_for(f.ca, X509_OCSP_HASH_SHA1, "xyz", &id, &err) == -1);
	/* Leading zeros and case do not change the CertID's serial. */
	CHECK(x509_ocsp_certid_for(f.ca, X509_OCSP_HASH_SHA1, "000ABC", &id, &err) == 0);
	CHECK_STR_EQ(id.serial_hex, "0abc");
out:
	ocsp_fx_free(&f);
}

/* Error responses: unsigned, just the status, as OpenSSL reads them. */
TEST(x509_ocsp_error_responses)
{
	const int want[][2] = {{X509_OCSP_MALFORMED_REQUEST, OCSP_RESPONSE_STATUS_MALFORMEDREQUEST},
			       {X509_OCSP_INTERNAL_ERROR, OCSP_RESPONSE_STATUS_INTERNALERROR},
			       {X509_OCSP_TRY_LATER, OCSP_RESPONSE_STATUS_TRYLATER},
			       {X509_OCSP_SIG_REQUIRED, OCSP_RESPONSE_STATUS_SIGREQUIRED},
			       {X509_OCSP_UNAUTHORIZED, OCSP_RESPONSE_STATUS_UNAUTHORIZED}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t len = 0;
		const unsigned char *der =
		    x509_ocsp_error_response((enum x509_ocsp_error)want[i][0], &len);
		const unsigned char *p = der;
		OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
		CHECK(r != NULL && p == der + len && OCSP_response_status(r) == want[i][1]);
		CHECK(r != NULL && OCSP_response_get1_basic(r) == NULL);
		OCSP_RESPONSE_free(r);
	}
	ERR_clear_error();
}

/* DER of a request built with OpenSSL's API: n CertIDs of leaf under ca,
 * plus an optional request extension. */
static unsigned char *ocsp_api_request(X509 *leaf, X509 *ca, int n, X509_EXTENSION *ext,
				       size_t *len)
{
	OCSP_REQUEST *req = OCSP_REQUEST_new();
	unsigned char *der = NULL;
	for (int i = 0; i < n; i++)
		OCSP_request_add0_id(req, OCSP_cert_to_id(EVP_sha1(), leaf, ca));
	if (ext != NULL)
		OCSP_REQUEST_add_ext(req, ext, -1);
	int k = i2d_OCSP_REQUEST(req, &der);
	*len = k > 0 ? (size_t)k : 0;
	OCSP_REQUEST_free(req);
	return der;
}

static bool ocsp_malformed(const unsigned char *der, size_t len, const char *msg_part)
{
	struct x509_ocsp_request req;
	struct cm_err err = {0};
	int rc = x509_ocsp_request_parse(der, len, &req, &err);
	bool ok = rc == -1 && err.code == CM_ERR_INVALID_REQUEST &&
		  strstr(err.msg, msg_part) != NULL && req.ids == NULL;
	if (!ok)
		fprintf(stderr, "  ocsp_malformed: rc %d code %d '%s'\n", rc, (int)err.code,
			err.msg);
	x509_ocsp_request_clear(&req);
	return ok;
}

/* A nonce extension whose extnValue is raw (RFC 2560 style) bytes. */
static X509_EXTENSION *ocsp_nonce_ext(const unsigned char *v, int n, bool wrap, bool critical)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	unsigned char *inner = NULL;
	if (wrap) {
		ASN1_OCTET_STRING *in = ASN1_OCTET_STRING_new();
		ASN1_OCTET_STRING_set(in, v, n);
		int k = i2d_ASN1_OCTET_STRING(in, &inner);
		ASN1_OCTET_STRING_set(os, inner, k);
		ASN1_OCTET_STRING_free(in);
		OPENSSL_free(inner);
	} else {
		ASN1_OCTET_STRING_set(os, v, n);
	}
	X509_EXTENSION *ext =
	    X509_EXTENSION_create_by_NID(NULL, NID_id_pkix_OCSP_Nonce, critical, os);
	ASN1_OCTET_STRING_free(os);
	return ext;
}

TEST(x509_ocsp_malformed_requests)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256);
	X509 *ca = fx_root(key, "OCSP Root Malformed");
	char hex[33];
	X509 *leaf = fx_leaf(key, ca, NULL, NULL, hex);
	unsigned char big[200], *der = NULL;
	size_t len = 0;
	struct x509_ocsp_request req;
	struct cm_err err = {0};
	memset(big, 0x5a, sizeof(big));
	CHECK(ocsp_malformed(NULL, 0, "empty"));
	CHECK(ocsp_malformed(big, 10, "not a DER"));
	CHECK(ocsp_malformed(big, X509_OCSP_REQUEST_MAX + 1, "larger than"));
	/* Too many CertIDs. */
	der = ocsp_api_request(leaf, ca, X509_OCSP_MAX_IDS + 1, NULL, &len);
	CHECK(ocsp_malformed(der, len, "more than"));
	OPENSSL_free(der);
	/* No CertID at all. */
	der = ocsp_api_request(leaf, ca, 0, NULL, &len);
	CHECK(ocsp_malformed(der, len, "no certificate"));
	OPENSSL_free(der);
	/* Bytes after the request. */
	der = ocsp_api_request(leaf, ca, 1, NULL, &len);
	unsigned char *longer = malloc(len + 1);
	memcpy(longer, der, len);
	longer[len] = 0;
	CHECK(ocsp_malformed(longer, len + 1, "after its end"));
	/* A truncated one. */
	CHECK(ocsp_malformed(longer, len - 1, "not a DER"));
	free(longer);
	/* The most CertIDs allowed is fine. */
	OPENSSL_free(der);
	der = ocsp_api_request(leaf, ca, X509_OCSP_MAX_IDS, NULL, &len);
	CHECK(x509_ocsp_request_parse(der, len, &req, &err) == 0 && req.n_ids == X509_OCSP_MAX_IDS);
	x509_ocsp_request_clear(&req);
	OPENSSL_free(der);
	/* Nonces: 0 and 129 octets refused, 128 and raw 16 accepted. */
	unsigned char nonce[129];
	memset(nonce, 7, sizeof(nonce));
	X509_EXTENSION *ext = ocsp_nonce_ext(nonce, 0, true, false);
	der = ocsp_api_request(leaf, ca, 1, ext, &len);
	CHECK(ocsp_malformed(der, len, "nonce"));
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	ext = ocsp_nonce_ext(nonce, 129, true, false);
	der = ocsp_api_request(leaf, ca, 1, ext, &len);
	CHECK(ocsp_malformed(der, len, "nonce"));
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	ext = ocsp_nonce_ext(nonce, 128, true, false);
	der = ocsp_api_request(leaf, ca, 1, ext, &len);
	CHECK(x509_ocsp_request_parse(der, len, &req, &err) == 0 && req.nonce_len == 131);
	x509_ocsp_request_clear(&req);
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	ext = ocsp_nonce_ext(nonce, 16, false, false);
	der = ocsp_api_request(leaf, ca, 1, ext, &len);
	CHECK(x509_ocsp_request_parse(der, len, &req, &err) == 0 && req.nonce_len == 16);
	x509_ocsp_request_clear(&req);
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	/* An unknown critical extension is refused; unknown non-critical ignored. */
	ext = fx_utf8_ext("1.3.6.1.4.1.99999.1", "x", true);
	der = ocsp_api_request(leaf, ca, 1, ext, &len);
	CHECK(ocsp_malformed(der, len, "critical"));
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	ext = fx_utf8_ext("1.3.6.1.4.1.99999.1", "x", false);
	der = ocsp_api_request(leaf, ca, 1, ext, &len);
	CHECK(x509_ocsp_request_parse(der, len, &req, &err) == 0 && req.nonce_len == 0);
	x509_ocsp_request_clear(&req);
	OPENSSL_free(der);
	X509_EXTENSION_free(ext);
	X509_free(leaf);
	X509_free(ca);
	EVP_PKEY_free(key);
}

/* Hand-written requests for what OpenSSL's encoder never produces. */
TEST(x509_ocsp_malformed_fields)
{
	/* OCSPRequest { TBSRequest { [0] { INTEGER v } requestList { Request {
	 * CertID { sha1, nameHash(20), keyHash(20), serial } } } } } */
	unsigned char req[] = {
	    0x30, 0x47, 0x30, 0x45, 0xa0, 0x03, 0x02, 0x01, 0x00, 0x30, 0x3e, 0x30, 0x3c,
	    0x30, 0x3a, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00,
	    0x04, 0x14, 1,    2,    3,	  4,	5,    6,    7,	  8,	9,    10,   11,
	    12,	  13,	14,   15,   16,	  17,	18,   19,   20,	  0x04, 0x14, 1,    2,
	    3,	  4,	5,    6,    7,	  8,	9,    10,   11,	  12,	13,   14,   15,
	    16,	  17,	18,   19,   20,	  0x02, 0x01, 0x05,
	};
	struct x509_ocsp_request r;
	struct cm_err err = {0};
	/* An explicit v1 is tolerated (BER habit of some clients). */
	CHECK(x509_ocsp_request_parse(req, sizeof(req), &r, &err) == 0 && r.n_ids == 1 &&
	      strcmp(r.ids[0].serial_hex, "05") == 0);
	x509_ocsp_request_clear(&r);
	req[8] = 0x01; /* v2 */
	CHECK(ocsp_malformed(req, sizeof(req), "version"));
	req[8] = 0x00;
	req[sizeof(req) - 1] = 0xfb; /* serial -5 */
	CHECK(ocsp_malformed(req, sizeof(req), "negative"));
	req[sizeof(req) - 1] = 0x00; /* serial 0: "00", as the store writes zero */
	CHECK(x509_ocsp_request_parse(req, sizeof(req), &r, &err) == 0 &&
	      strcmp(r.ids[0].serial_hex, "00") == 0);
	x509_ocsp_request_clear(&r);
	req[23] = 0x1b; /* 1.3.14.3.2.27: not a hash we know; parses, matches nothing */
	CHECK(x509_ocsp_request_parse(req, sizeof(req), &r, &err) == 0 &&
	      r.ids[0].hash == X509_OCSP_HASH_OTHER);
	x509_ocsp_request_clear(&r);
	req[23] = 0x1a;
	/* SHA-256 OID with 20-octet hashes: lengths do not fit the hash. */
	unsigned char bad[sizeof(req) + 4];
	memcpy(bad, req, 15);
	bad[1] += 4;
	bad[3] += 4;
	bad[10] += 4;
	bad[12] += 4;
	bad[14] += 4;
	static const unsigned char sha256[] = {0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
					       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00};
	memcpy(bad + 15, sha256, sizeof(sha256));
	memcpy(bad + 30, req + 26, sizeof(req) - 26);
	CHECK(ocsp_malformed(bad, sizeof(bad), "wrong length"));
}

static bool ocsp_build_fails(const struct x509_ocsp_signer *s, const struct x509_ocsp_single *o,
			     size_t n, const char *msg_part)
{
	struct cm_err err = {0};
	size_t len = 1;
	unsigned char *der = x509_ocsp_response_build(s, o, n, NULL, 0, FX_NOW, &len, &err);
	bool ok = der == NULL && len == 0 && err.code == CM_ERR_INVALID_ARGS &&
		  strstr(err.msg, msg_part) != NULL;
	if (!ok)
		fprintf(stderr, "  ocsp_build_fails: code %d '%s'\n", (int)err.code, err.msg);
	free(der);
	return ok;
}

TEST(x509_ocsp_build_errors)
{
	EVP_PKEY *key = fx_key(X509_KEY_EC_P256), *other = fx_key(X509_KEY_EC_P256);
	X509 *ca = fx_root(key, "OCSP Root Errors");
	X509 *ca2 = fx_root(other, "OCSP Root Other");
	struct x509_ocsp_certid id;
	struct cm_err err = {0};
	x509_ocsp_certid_for(ca, X509_OCSP_HASH_SHA1, "0abc", &id, &err);
	struct fx_cert_spec spec = {.key = other,
				    .signer = key,
				    .issuer = ca,
				    .subject = "CN=Not a responder",
				    .not_after = FX_NOW + 5 * FX_YEAR,
				    .exts = {{"extendedKeyUsage", "serverAuth"}}};
	X509 *no_eku = fx_cert(&spec);
	spec.signer = other;
	spec.issuer = ca2;
	spec.exts[0][1] = "OCSPSigning";
	X509 *foreign = fx_cert(&spec);
	const struct x509_ocsp_signer base = {
	    .ca_cert = ca, .key = key, .sig_alg = X509_SIG_SHA256WITHECDSA};
	const struct x509_ocsp_single good = {&id,    X509_OCSP_GOOD, 0, X509_CRL_UNSPECIFIED,
					      FX_NOW, FX_NOW + 60};
	struct x509_ocsp_signer s = base;
	struct x509_ocsp_single o = good;
	CHECK(ocsp_build_fails(&s, &o, 0, "needs a status"));
	s.key = other;
	CHECK(ocsp_build_fails(&s, &o, 1, "does not match"));
	s = base;
	s.sig_alg = X509_SIG_SHA256WITHRSA;
	CHECK(ocsp_build_fails(&s, &o, 1, "SHA256WITHRSA"));
	s = base;
	s.key = other;
	s.responder_cert = no_eku;
	CHECK(ocsp_build_fails(&s, &o, 1, "OCSPSigning"));
	s.responder_cert = foreign;
	CHECK(ocsp_build_fails(&s, &o, 1, "not issued by the CA"));
	s = base;
	o.next_update = FX_NOW - 1;
	CHECK(ocsp_build_fails(&s, &o, 1, "update times"));
	o = good;
	o.status = X509_OCSP_REVOKED;
	o.revoked_at = FX_NOW;
	o.reason = (enum x509_crl_reason)8; /* removeFromCRL: not an AWS reason */
	CHECK(ocsp_build_fails(&s, &o, 1, "reason"));
	o = good;
	id.hash = X509_OCSP_HASH_OTHER;
	CHECK(ocsp_build_fails(&s, &o, 1, "supported hash"));
	X509_free(no_eku);
	X509_free(foreign);
	X509_free(ca);
	X509_free(ca2);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other);
}
