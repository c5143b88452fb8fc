/* The check after a reload: a TLS handshake with the service, as a client
 * would make it (SNI included), and a comparison of the leaf it serves with
 * the certificate just deployed. Trust is not the question here (the chain
 * may be private, the address an IP), only identity: the SHA-256 of the
 * served DER must be the deployed one's. A reload is asynchronous (nginx
 * starts new workers after the command returns), so the check looks again
 * for a few seconds before it calls the deployment failed. */
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "deploy/deploy.h"
#include "util/clock.h"

#define DEPLOY_CHECK_IO_MS    2000
#define DEPLOY_CHECK_PAUSE_MS 250
#define DEPLOY_CHECK_MATCHES  2

static int deploy_connect(const char *host, unsigned port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
	char service[8];
	int fd = -1;
	snprintf(service, sizeof(service), "%u", port);
	if (getaddrinfo(host, service, &hints, &res) != 0)
		return -1;
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		/* Bounds connect and every read and write of the handshake. */
		struct timeval tv = {.tv_sec = DEPLOY_CHECK_IO_MS / 1000,
				     .tv_usec = (DEPLOY_CHECK_IO_MS % 1000) * 1000};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* The served leaf (owned), or NULL with the reason in errbuf. */
static X509 *deploy_fetch_leaf(SSL_CTX *ctx, const char *host, unsigned port, const char *name,
			       char *errbuf, size_t errsize)
{
	X509 *leaf = NULL;
	SSL *ssl = NULL;
	int fd = deploy_connect(host, port);
	if (fd < 0) {
		snprintf(errbuf, errsize, "cannot connect to %.200s:%u", host, port);
		return NULL;
	}
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 ||
	    (name[0] != '\0' && SSL_set_tlsext_host_name(ssl, name) != 1)) {
		snprintf(errbuf, errsize, "cannot set up TLS");
		goto out;
	}
	if (SSL_connect(ssl) != 1) {
		unsigned long e = ERR_peek_last_error();
		snprintf(errbuf, errsize, "TLS handshake with %.200s:%u failed: %s", host, port,
			 e != 0 ? ERR_reason_error_string(e) : "connection closed");
		goto out;
	}
	leaf = SSL_get1_peer_certificate(ssl);
	if (leaf == NULL)
		snprintf(errbuf, errsize, "%.200s:%u served no certificate", host, port);
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	close(fd);
	return leaf;
}

/* 0 when leaf is der; else what was served, in errbuf. */
static int deploy_compare(X509 *leaf, const unsigned char *der, size_t der_len, char *errbuf,
			  size_t errsize)
{
	unsigned char want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned int want_len = 0, got_len = 0;
	if (EVP_Digest(der, der_len, want, &want_len, EVP_sha256(), NULL) != 1 ||
	    X509_digest(leaf, EVP_sha256(), got, &got_len) != 1) {
		snprintf(errbuf, errsize, "cannot hash the certificates");
		return -1;
	}
	if (want_len == got_len && memcmp(want, got, want_len) == 0)
		return 0;
	char serial[100] = "?";
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(leaf), NULL);
	char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
	if (hex != NULL)
		snprintf(serial, sizeof(serial), "%s", hex);
	OPENSSL_free(hex);
	BN_free(bn);
	snprintf(errbuf, errsize,
		 "the service still serves another certificate (serial %s), not the one deployed",
		 serial);
	return -1;
}

int deploy_check(const char *host, unsigned port, const char *name, const unsigned char *der,
		 size_t der_len, int window_ms, char *errbuf, size_t errsize)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int rc = -1;
	if (ctx == NULL) {
		snprintf(errbuf, errsize, "cannot set up TLS");
		return -1;
	}
	/* Identity is checked by hash below; the chain may be private. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	int64_t deadline = clock_monotonic_ms() + window_ms;
	int matches = 0;
	for (;;) {
		X509 *leaf = deploy_fetch_leaf(ctx, host, port, name, errbuf, errsize);
		rc = -1;
		if (leaf != NULL) {
			rc = deploy_compare(leaf, der, der_len, errbuf, errsize);
			X509_free(leaf);
		}
		/* Twice in a row: while nginx swaps workers, old and new ones both
		 * accept for a moment, and one lucky handshake proves little. */
		matches = rc == 0 ? matches + 1 : 0;
		if (matches == DEPLOY_CHECK_MATCHES) {
			errbuf[0] = '\0'; /* an early miss is not the outcome */
			break;
		}
		if (clock_monotonic_ms() + DEPLOY_CHECK_PAUSE_MS > deadline) {
			rc = -1;
			break;
		}
		struct timespec ts = {0, DEPLOY_CHECK_PAUSE_MS * 1000L * 1000L};
		nanosleep(&ts, NULL);
	}
	SSL_CTX_free(ctx);
	return rc;
}
