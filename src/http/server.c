/* libmicrohttpd glue: collect a request (headers + capped body), call the
 * handler once the body is complete, send its response. A request whose
 * Content-Length is over the cap is answered 413 at once and its body is never
 * read; a chunked body that grows past the cap is discarded as it arrives.
 * Either way the handler is called with body_too_large set, so the refusal
 * carries a request id and a log line like any other answer. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"

struct http_server {
	struct MHD_Daemon *daemon;
	http_handler_fn handler;
	void *ctx;
	size_t max_body;
	atomic_int in_flight;
};

/* Per-request state kept by MHD between calls of the access handler. */
struct http_conn_state {
	unsigned char *body;
	size_t len;
	size_t cap;
	int too_large;
	struct http_request req;
	char query[1024];
	size_t query_len;
	char remote[64];
};

static enum MHD_Result http_send(struct MHD_Connection *conn, struct http_response *resp)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		resp->body_len, resp->body != NULL ? resp->body : (void *)"",
		resp->body != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(resp->body);
		return MHD_NO;
	}
	if (resp->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	for (size_t i = 0; i < resp->n_headers; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result http_collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
					   const char *value)
{
	(void)kind;
	struct http_request *req = cls;
	if (req->n_headers < HTTP_MAX_HEADERS) {
		req->headers[req->n_headers].name = key;
		req->headers[req->n_headers].value = value != NULL ? value : "";
		req->n_headers++;
	}
	return MHD_YES;
}

/* Rebuilds the query string from MHD's parsed arguments (API paths have none). */
static enum MHD_Result http_collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
					const char *value)
{
	(void)kind;
	struct http_conn_state *st = cls;
	size_t room = sizeof(st->query) - st->query_len;
	int n = snprintf(st->query + st->query_len, room, "%s%s=%s", st->query_len ? "&" : "",
			 key, value != NULL ? value : "");
	if (n > 0 && (size_t)n < room)
		st->query_len += (size_t)n;
	return MHD_YES;
}

static int http_body_append(struct http_conn_state *st, const char *data, size_t n,
			    size_t max_body)
{
	if (st->too_large || st->len + n > max_body) {
		st->too_large = 1;
		return 0;
	}
	if (st->len + n > st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4096;
		while (cap < st->len + n)
			cap *= 2;
		unsigned char *b = realloc(st->body, cap + 1);
		if (b == NULL)
			return -1;
		st->body = b;
		st->cap = cap;
	}
	memcpy(st->body + st->len, data, n);
	st->len += n;
	return 0;
}

static void http_remote_addr(struct MHD_Connection *conn, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	buf[0] = '\0';
	if (ci == NULL || ci->client_addr == NULL)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)size);
}

static enum MHD_Result http_dispatch(struct http_server *srv, struct MHD_Connection *conn,
				     struct http_conn_state *st, const char *method,
				     const char *url)
{
	struct http_request *req = &st->req;
	struct http_response resp = {.status = 500};
	req->method = method;
	req->path = url;
	http_remote_addr(conn, st->remote, sizeof(st->remote));
	req->remote_addr = st->remote;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, http_collect_arg, st);
	st->query[st->query_len] = '\0';
	req->query = st->query;
	req->body = st->body != NULL ? st->body : (const unsigned char *)"";
	req->body_len = st->len;
	if (st->body != NULL)
		st->body[st->len] = '\0';
	req->body_too_large = st->too_large;
	srv->handler(srv->ctx, req, &resp);
	/* An oversize body was not read: the connection cannot carry another request. */
	if (st->too_large && resp.n_headers < HTTP_MAX_RESPONSE_HEADERS) {
		resp.headers[resp.n_headers].name = MHD_HTTP_HEADER_CONNECTION;
		snprintf(resp.headers[resp.n_headers].value, sizeof(resp.headers[0].value), "close");
		resp.n_headers++;
	}
	return http_send(conn, &resp);
}

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
				   const char *method, const char *version,
				   const char *upload_data, size_t *upload_data_size,
				   void **con_cls)
{
	(void)version;
	struct http_server *srv = cls;
	struct http_conn_state *st = *con_cls;
	if (st == NULL) {
		st = calloc(1, sizeof(*st));
		if (st == NULL)
			return MHD_NO;
		*con_cls = st;
		atomic_fetch_add(&srv->in_flight, 1);
		MHD_get_connection_values(conn, MHD_HEADER_KIND, http_collect_header, &st->req);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		/* Refuse an announced oversize body before reading a byte of it. */
		if (cl != NULL && strtoull(cl, NULL, 10) > srv->max_body) {
			st->too_large = 1;
			return http_dispatch(srv, conn, st, method, url);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (http_body_append(st, upload_data, *upload_data_size, srv->max_body) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	return http_dispatch(srv, conn, st, method, url);
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			   enum MHD_RequestTerminationCode toe)
{
	(void)conn;
	(void)toe;
	struct http_server *srv = cls;
	struct http_conn_state *st = *con_cls;
	if (st == NULL)
		return;
	free(st->body);
	free(st);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void http_mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_event(LOG_WARN, "http", "detail", msg, LOG_END);
}

struct http_server *http_server_start(const struct http_config *cfg, http_handler_fn handler,
				      void *ctx, struct cm_err *err)
{
	struct sockaddr_storage ss = {0};
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, cfg->listen_addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(cfg->port);
	} else if (inet_pton(AF_INET6, cfg->listen_addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(cfg->port);
		flags |= MHD_USE_IPv6;
	} else {
		cm_fail(err, CM_ERR_INVALID_ARGS, "listen address '%s' is not an IP address",
			cfg->listen_addr);
		return NULL;
	}
	if (cfg->tls_cert_pem != NULL)
		flags |= MHD_USE_TLS;
	struct http_server *srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	srv->handler = handler;
	srv->ctx = ctx;
	srv->max_body = cfg->max_body;
	struct MHD_OptionItem tls[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)cfg->tls_cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)cfg->tls_key_pem},
		{MHD_OPTION_END, 0, NULL},
	};
	srv->daemon = MHD_start_daemon(
		flags, cfg->port, NULL, NULL, http_access, srv, MHD_OPTION_EXTERNAL_LOGGER,
		http_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, &ss,
		MHD_OPTION_THREAD_POOL_SIZE, cfg->threads, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv, MHD_OPTION_ARRAY, cfg->tls_cert_pem != NULL ? tls : tls + 2,
		MHD_OPTION_END);
	if (srv->daemon == NULL) {
		free(srv);
		cm_fail(err, CM_ERR_INTERNAL,
			"cannot listen on %s:%u (address in use, or bad TLS certificate/key)",
			cfg->listen_addr, cfg->port);
		return NULL;
	}
	return srv;
}

void http_server_stop(struct http_server *srv, int grace_ms)
{
	if (srv == NULL)
		return;
	/* Stop accepting first; then let the requests already read finish. */
	MHD_socket s = MHD_quiesce_daemon(srv->daemon);
	if (s != MHD_INVALID_SOCKET)
		close(s);
	int64_t deadline = clock_monotonic_ms() + grace_ms;
	while (atomic_load(&srv->in_flight) > 0 && clock_monotonic_ms() < deadline)
		usleep(10000);
	MHD_stop_daemon(srv->daemon);
	free(srv);
}

const char *http_request_header(const struct http_request *req, const char *name)
{
	for (size_t i = 0; i < req->n_headers; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}
