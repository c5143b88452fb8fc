/* Webhook delivery over libcurl: one signed POST per attempt, short timeouts,
 * no redirects (a 3xx is a failure: following it would send the event and its
 * signature somewhere the operator did not choose). */
#include "lifecycle/webhook.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/curl_init.h"
#include "util/hex.h"

/* The most of a response body we read (and drop): a receiver that streams
 * forever must not hold the worker past its timeout or fill memory. */
#define WEBHOOK_MAX_RESPONSE (64 * 1024)

int webhook_signature(const unsigned char *secret, size_t secret_len, int64_t t, const char *body,
		      size_t body_len, char out[WEBHOOK_SIGNATURE_MAX])
{
	char prefix[32];
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0;
	int rc = -1;
	int n = snprintf(prefix, sizeof(prefix), "%" PRId64 ".", t);
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = m != NULL ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
			       OSSL_PARAM_construct_end()};
	if (c == NULL || n < 0 || (size_t)n >= sizeof(prefix))
		goto out;
	if (!EVP_MAC_init(c, secret, secret_len, params) ||
	    !EVP_MAC_update(c, (const unsigned char *)prefix, (size_t)n) ||
	    !EVP_MAC_update(c, (const unsigned char *)body, body_len) ||
	    !EVP_MAC_final(c, mac, &mac_len, sizeof(mac)) || mac_len != 32)
		goto out;
	char hex[65];
	hex_encode(mac, mac_len, hex);
	snprintf(out, WEBHOOK_SIGNATURE_MAX, "t=%" PRId64 ",v1=%s", t, hex);
	rc = 0;
out:
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

static size_t webhook_discard(char *ptr, size_t size, size_t nmemb, void *ctx)
{
	size_t *seen = ctx;
	(void)ptr;
	*seen += size * nmemb;
	return *seen > WEBHOOK_MAX_RESPONSE ? 0 : size * nmemb;
}

static struct curl_slist *webhook_headers(const char *event_id, const char *signature)
{
	char id_hdr[96], sig_hdr[WEBHOOK_SIGNATURE_MAX + 32];
	snprintf(id_hdr, sizeof(id_hdr), "X-Certain-Event-Id: %s", event_id);
	snprintf(sig_hdr, sizeof(sig_hdr), "X-Certain-Signature: %s", signature);
	const char *const lines[] = {"Content-Type: application/json",
				     /* no 100-continue round trip: events are small */
				     "Expect:", id_hdr, sig_hdr};
	struct curl_slist *list = NULL;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct curl_slist *next = curl_slist_append(list, lines[i]);
		if (next == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	return list;
}

static void webhook_setopts(CURL *c, const char *url, const char *body, struct curl_slist *headers,
			    size_t *seen, char *curl_err)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM in a threaded server */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)WEBHOOK_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)WEBHOOK_TOTAL_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "certain-webhook/1");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, webhook_discard);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, seen);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
}

int webhook_post(const char *url, const char *event_id, const unsigned char *secret,
		 size_t secret_len, int64_t now, const char *body, char *errbuf, size_t errsize)
{
	char signature[WEBHOOK_SIGNATURE_MAX], curl_err[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	size_t seen = 0;
	long status = 0;
	int rc = -1;
	curl_init_once();
	CURL *c = curl_easy_init();
	if (c == NULL) {
		snprintf(errbuf, errsize, "cannot start an HTTP client");
		goto out;
	}
	if (webhook_signature(secret, secret_len, now, body, strlen(body), signature) < 0 ||
	    (headers = webhook_headers(event_id, signature)) == NULL) {
		snprintf(errbuf, errsize, "cannot sign the request");
		goto out;
	}
	webhook_setopts(c, url, body, headers, &seen, curl_err);
	CURLcode cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		/* curl's generic text, not curl_err: the detailed one can quote the URL. */
		snprintf(errbuf, errsize, "%s", curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(errbuf, errsize, "HTTP status %ld", status);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	return rc;
}
