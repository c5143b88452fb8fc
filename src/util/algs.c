/* Algorithms fetched once (algs.h says why). Written once under pthread_once
 * and only read after, so request threads share them without locks. */
#include "util/algs.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <pthread.h>

static pthread_once_t algs_once = PTHREAD_ONCE_INIT;
static EVP_MD *algs_md_sha256, *algs_md_sha1;
/* A MAC context with its digest set and no key: each HMAC starts from a
 * copy. EVP_MAC_CTX_dup only reads its source, so threads may share it. */
static EVP_MAC_CTX *algs_hmac_template;

static void algs_fetch(void)
{
	algs_md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	algs_md_sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
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

const EVP_MD *algs_sha256(void)
{
	pthread_once(&algs_once, algs_fetch);
	return algs_md_sha256;
}

const EVP_MD *algs_sha1(void)
{
	pthread_once(&algs_once, algs_fetch);
	return algs_md_sha1;
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
