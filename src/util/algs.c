/* Algorithms fetched once (algs.h says why). Written once under pthread_once
 * and only read after, so request threads share them without locks. */
#include "util/algs.h"

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <pthread.h>

/* Every digest a certificate, CSR or SigV4 signature here may use. */
static const struct {
	int nid;
	const char *name;
} algs_md_names[] = {
    {NID_sha1, "SHA1"},
    {NID_sha224, "SHA224"},
    {NID_sha256, "SHA256"},
    {NID_sha384, "SHA384"},
    {NID_sha512, "SHA512"},
    {NID_sha512_224, "SHA512-224"},
    {NID_sha512_256, "SHA512-256"},
    {NID_sha3_224, "SHA3-224"},
    {NID_sha3_256, "SHA3-256"},
    {NID_sha3_384, "SHA3-384"},
    {NID_sha3_512, "SHA3-512"},
};
#define ALGS_N_MD (sizeof(algs_md_names) / sizeof(algs_md_names[0]))

static pthread_once_t algs_once = PTHREAD_ONCE_INIT;
static EVP_MD *algs_mds[ALGS_N_MD];
/* A MAC context with its digest set and no key: each HMAC starts from a
 * copy. EVP_MAC_CTX_dup only reads its source, so threads may share it. */
static EVP_MAC_CTX *algs_hmac_template;

static void algs_fetch(void)
{
	for (size_t i = 0; i < ALGS_N_MD; i++)
		algs_mds[i] = EVP_MD_fetch(NULL, algs_md_names[i].name, NULL);
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
	    OSSL_PARAM_construct_end(),
	};
	if (ctx != NULL && EVP_MAC_CTX_set_params(ctx, params) == 1)
		algs_hmac_template = ctx;
	else
		EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac); /* the context keeps its own reference */
}

const EVP_MD *algs_md(int nid)
{
	pthread_once(&algs_once, algs_fetch);
	for (size_t i = 0; i < ALGS_N_MD; i++)
		if (algs_md_names[i].nid == nid)
			return algs_mds[i];
	return NULL;
}

const EVP_MD *algs_sha256(void)
{
	return algs_md(NID_sha256);
}

const EVP_MD *algs_sha1(void)
{
	return algs_md(NID_sha1);
}

int algs_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
		     unsigned char out[32])
{
	pthread_once(&algs_once, algs_fetch);
	EVP_MAC_CTX *ctx = algs_hmac_template != NULL ? EVP_MAC_CTX_dup(algs_hmac_template) : NULL;
	size_t out_len = 0;
	int ok = ctx != NULL && EVP_MAC_init(ctx, key, key_len, NULL) == 1 &&
		 EVP_MAC_update(ctx, data, len) == 1 &&
		 EVP_MAC_final(ctx, out, &out_len, 32) == 1 && out_len == 32;
	EVP_MAC_CTX_free(ctx); /* frees (and wipes) the keyed state */
	return ok ? 0 : -1;
}
