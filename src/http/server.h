/* The HTTP listener: libmicrohttpd with a thread pool, a hard cap on body
 * size (checked against Content-Length before anything is read), optional TLS,
 * and a graceful stop that lets requests in flight finish. It knows nothing of
 * JSON or AWS: it hands a complete request to one handler and sends back what
 * the handler filled in. */
#ifndef CERTAIN_HTTP_SERVER_H
#define CERTAIN_HTTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct http_header {
	const char *name;
	const char *value;
};

#define HTTP_MAX_HEADERS 64

/* Borrowed view of one request, valid for the duration of the handler call. */
struct http_request {
	const char *method;
	const char *path;  /* as received, without the query */
	const char *query; /* raw query string, "" when none */
	struct http_header headers[HTTP_MAX_HEADERS];
	size_t n_headers;
	const unsigned char *body;
	size_t body_len;
	const char *remote_addr;
	int body_too_large; /* the body was over the cap and not read: refuse with 413 */
};

#define HTTP_MAX_RESPONSE_HEADERS 4

/* Filled by the handler; body is malloc'd and owned by the server afterwards. */
struct http_response {
	int status;
	const char *content_type;
	char *body;
	size_t body_len;
	struct {
		const char *name; /* static string */
		char value[128];  /* copied: the handler's stack is gone when it is sent */
	} headers[HTTP_MAX_RESPONSE_HEADERS];
	size_t n_headers;
};

typedef void (*http_handler_fn)(void *ctx, const struct http_request *req,
				struct http_response *resp);

struct http_config {
	const char *listen_addr; /* IPv4 or IPv6 literal */
	uint16_t port;
	unsigned threads;
	size_t max_body;      /* larger bodies get 413 before they are read */
	const char *tls_cert_pem; /* both NULL: plain HTTP */
	const char *tls_key_pem;
};

struct http_server;

/* Starts listening; NULL and *err on failure (address in use, bad TLS material). */
struct http_server *http_server_start(const struct http_config *cfg, http_handler_fn handler,
				      void *ctx, struct cm_err *err);

/* Stops accepting, waits up to grace_ms for requests in flight, then stops. NULL-safe. */
void http_server_stop(struct http_server *srv, int grace_ms);

/* The first header with this name (case-insensitive), or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);

#endif
