/* loadgen: a small closed-loop HTTP/1.1 load generator for the benchmarks.
 * N threads, each with one keep-alive connection, send the same request for a
 * fixed time and record every latency. The request is SigV4-signed once with
 * Certain's own signer (valid for 15 minutes: far longer than a run), so the
 * client spends its time on the wire, not on crypto. Prints one JSON line:
 *   {"requests":N,"errors":E,"seconds":S,"rps":R,"p50_ms":..,"p99_ms":..}
 *
 *
 * --bodies FILE takes one body per line instead of --body: every line is
 * signed up front and each thread walks the list round-robin (from its own
 * starting point), so a benchmark can spread reads over many records.
 *
 * usage: loadgen --port P [--host 127.0.0.1] [--path /] [--method POST]
 *                [--target X-Amz-Target] [--body FILE | --bodies FILE]
 *                [--service acm-pca] [--region us-east-1] [--akid ID --secret S]
 *                [--threads N] [--seconds S] [--content-type T] */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "aws/sigv4.h"
#include "util/clock.h"

struct lg_opts {
	const char *host, *path, *method, *target, *body_file, *service, *region, *akid, *secret;
	const char *bodies_file; /* one body per line */
	const char *content_type;
	int port, threads;
	double seconds;
};

/* One signed request, ready to write. */
struct lg_request {
	char *text;
	size_t len;
};

struct lg_worker {
	const struct lg_opts *o;
	const struct lg_request *reqs;
	size_t n_reqs, next;
	double deadline;
	double *lat;
	size_t n, cap;
	long errors;
	pthread_t tid;
};

static double lg_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *lg_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = malloc(4 << 20);
	*len = buf != NULL ? fread(buf, 1, (4 << 20) - 1, f) : 0;
	fclose(f);
	if (buf != NULL)
		buf[*len] = '\0';
	return buf;
}

/* Builds the whole request text, signing it when credentials are given. */
static char *lg_build_request(const struct lg_opts *o, const char *body, size_t body_len,
			      size_t *out_len)
{
	char date[SIGV4_DATE_LEN + 1], host[128], auth[1024] = "", hash[65];
	snprintf(host, sizeof(host), "%s:%d", o->host, o->port);
	sigv4_format_amz_date(time(NULL), date);
	sigv4_payload_hash((const unsigned char *)body, body_len, hash);
	if (o->akid != NULL) {
		struct http_header h[] = {
			{"Content-Type", o->content_type}, {"Host", host}, {"X-Amz-Date", date},
			{"X-Amz-Target", o->target != NULL ? o->target : ""}};
		struct sigv4_request req = {o->method, o->path, "", h, 4,
					    (const unsigned char *)body, body_len};
		const char *signed_headers = "content-type;host;x-amz-date;x-amz-target";
		char scope[256], day[9];
		unsigned char key[32], sig[32];
		memcpy(day, date, 8);
		day[8] = '\0';
		snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", day, o->region, o->service);
		char *creq = sigv4_canonical_request(&req, signed_headers, hash);
		char *sts = sigv4_string_to_sign(date, scope, creq);
		sigv4_signing_key(o->secret, day, o->region, o->service, key);
		sigv4_signature(key, sts, sig);
		int n = snprintf(auth, sizeof(auth),
				 "Authorization: AWS4-HMAC-SHA256 Credential=%s/%s, "
				 "SignedHeaders=%s, Signature=",
				 o->akid, scope, signed_headers);
		for (int i = 0; i < 32; i++)
			n += snprintf(auth + n, sizeof(auth) - (size_t)n, "%02x", sig[i]);
		snprintf(auth + n, sizeof(auth) - (size_t)n, "\r\n");
		free(creq);
		free(sts);
	}
	size_t cap = body_len + 4096;
	char *out = malloc(cap);
	int n = snprintf(out, cap,
			 "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nX-Amz-Date: %s\r\n"
			 "%s%s%s%sContent-Length: %zu\r\n\r\n",
			 o->method, o->path, host, o->content_type, date,
			 o->target != NULL ? "X-Amz-Target: " : "",
			 o->target != NULL ? o->target : "", o->target != NULL ? "\r\n" : "", auth,
			 body_len);
	memcpy(out + n, body, body_len);
	*out_len = (size_t)n + body_len;
	return out;
}

static int lg_connect(const struct lg_opts *o)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	inet_pton(AF_INET, o->host, &sa.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads one response; returns its status, or -1 when the connection failed.
 * *close_after is set when the server said "Connection: close" (moto's
 * Werkzeug server does on every response, then ignores the next request). */
static int lg_read_response(int fd, char *buf, size_t cap, bool *close_after)
{
	size_t have = 0;
	char *end = NULL;
	while (end == NULL) {
		ssize_t r = read(fd, buf + have, cap - have - 1);
		if (r <= 0)
			return -1;
		have += (size_t)r;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
	}
	int status = atoi(buf + 9);
	end[2] = '\0'; /* search the headers only */
	char *cl = strcasestr(buf, "Content-Length:");
	size_t body = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0;
	/* HTTP/1.0 closes unless it says keep-alive (openssl ocsp answers so). */
	*close_after = strcasestr(buf, "Connection: close") != NULL ||
		       (strncmp(buf, "HTTP/1.0", 8) == 0 &&
			strcasestr(buf, "Connection: keep-alive") == NULL);
	size_t total = (size_t)(end + 4 - buf) + body;
	while (have < total) {
		ssize_t r = read(fd, buf, cap - 1 < total - have ? cap - 1 : total - have);
		if (r <= 0)
			return -1;
		have += (size_t)r;
	}
	return status;
}

static void *lg_run(void *p)
{
	struct lg_worker *w = p;
	char *buf = malloc(1 << 20);
	int fd = lg_connect(w->o);
	bool reconnect = false;
	while (fd >= 0 && lg_now() < w->deadline) {
		const struct lg_request *r = &w->reqs[w->next++ % w->n_reqs];
		double t0 = lg_now();
		/* A server that closes after each response costs its clients a
		 * connect per request: timed, as a client would feel it. */
		if (reconnect) {
			close(fd);
			if ((fd = lg_connect(w->o)) < 0)
				break;
		}
		if (write(fd, r->text, r->len) != (ssize_t)r->len) {
			w->errors++;
			break;
		}
		int status = lg_read_response(fd, buf, 1 << 20, &reconnect);
		if (status < 0) {
			close(fd);
			fd = lg_connect(w->o);
			w->errors++;
			continue;
		}
		if (status != 200)
			w->errors++;
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->lat = realloc(w->lat, w->cap * sizeof(double));
		}
		w->lat[w->n++] = (lg_now() - t0) * 1000.0;
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int lg_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int lg_parse(int argc, char **argv, struct lg_opts *o)
{
	static const struct option opts[] = {
		{"host", 1, 0, 'h'},    {"port", 1, 0, 'p'},    {"path", 1, 0, 'P'},
		{"method", 1, 0, 'm'},  {"target", 1, 0, 't'},  {"body", 1, 0, 'b'},
		{"service", 1, 0, 's'}, {"region", 1, 0, 'r'},  {"akid", 1, 0, 'a'},
		{"secret", 1, 0, 'k'},  {"threads", 1, 0, 'c'}, {"seconds", 1, 0, 'd'},
		{"content-type", 1, 0, 'T'}, {"bodies", 1, 0, 'B'}, {0, 0, 0, 0}};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'h': o->host = optarg; break;
		case 'p': o->port = atoi(optarg); break;
		case 'P': o->path = optarg; break;
		case 'm': o->method = optarg; break;
		case 't': o->target = optarg; break;
		case 'b': o->body_file = optarg; break;
		case 's': o->service = optarg; break;
		case 'r': o->region = optarg; break;
		case 'a': o->akid = optarg; break;
		case 'k': o->secret = optarg; break;
		case 'c': o->threads = atoi(optarg); break;
		case 'd': o->seconds = atof(optarg); break;
		case 'T': o->content_type = optarg; break;
		case 'B': o->bodies_file = optarg; break;
		default: return -1;
		}
	}
	return o->port > 0 && o->threads > 0 ? 0 : -1;
}

/* Signs every body: the --body file (or an empty body) as one request, or
 * each line of the --bodies file. Returns the count, 0 on failure. */
static size_t lg_build_all(const struct lg_opts *o, struct lg_request **out)
{
	const char *file = o->bodies_file != NULL ? o->bodies_file : o->body_file;
	size_t len = 0, n = 0, cap = 16;
	char *body = file != NULL ? lg_read_file(file, &len) : strdup("");
	struct lg_request *reqs = malloc(cap * sizeof(*reqs));
	if (body == NULL || reqs == NULL) {
		fprintf(stderr, "loadgen: cannot read %s\n", file != NULL ? file : "(empty body)");
		free(body);
		free(reqs);
		return 0;
	}
	for (char *line = body, *end; line != NULL; line = end != NULL ? end + 1 : NULL) {
		end = o->bodies_file != NULL ? strchr(line, '\n') : NULL;
		/* A single --body may be binary (DER): its length, not strlen. */
		size_t line_len = end != NULL		   ? (size_t)(end - line)
				  : o->bodies_file != NULL ? strlen(line)
							   : len;
		if (o->bodies_file != NULL && line_len == 0)
			continue;
		if (n == cap) {
			struct lg_request *grown = realloc(reqs, 2 * cap * sizeof(*reqs));
			if (grown == NULL)
				break;
			reqs = grown;
			cap *= 2;
		}
		reqs[n].text = lg_build_request(o, line, line_len, &reqs[n].len);
		n++;
	}
	free(body);
	if (n == 0) {
		fprintf(stderr, "loadgen: %s holds no request body\n", file != NULL ? file : "-");
		free(reqs);
		reqs = NULL;
	}
	*out = reqs;
	return n;
}

int main(int argc, char **argv)
{
	struct lg_opts o = {.host = "127.0.0.1", .path = "/", .method = "POST",
			    .service = "acm-pca", .region = "us-east-1", .threads = 1,
			    .seconds = 5, .content_type = "application/x-amz-json-1.1"};
	if (lg_parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: see the comment at the top of bench/loadgen.c\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN); /* a closed connection is an error counted, not a crash */
	struct lg_request *reqs = NULL;
	size_t n_reqs = lg_build_all(&o, &reqs);
	if (n_reqs == 0)
		return 1;
	struct lg_worker *w = calloc((size_t)o.threads, sizeof(*w));
	double start = lg_now();
	for (int i = 0; i < o.threads; i++) {
		w[i] = (struct lg_worker){.o = &o, .reqs = reqs, .n_reqs = n_reqs,
					  .next = (size_t)i * n_reqs / (size_t)o.threads,
					  .deadline = start + o.seconds};
		pthread_create(&w[i].tid, NULL, lg_run, &w[i]);
	}
	size_t total = 0;
	long errors = 0;
	for (int i = 0; i < o.threads; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].n;
		errors += w[i].errors;
	}
	double elapsed = lg_now() - start;
	double *all = malloc((total + 1) * sizeof(double));
	size_t k = 0;
	for (int i = 0; i < o.threads; i++) {
		memcpy(all + k, w[i].lat, w[i].n * sizeof(double));
		k += w[i].n;
		free(w[i].lat);
	}
	qsort(all, total, sizeof(double), lg_cmp);
	printf("{\"requests\":%zu,\"errors\":%ld,\"seconds\":%.3f,\"rps\":%.1f,"
	       "\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
	       total, errors, elapsed, (double)total / elapsed,
	       total ? all[total / 2] : 0.0, total ? all[(size_t)((double)total * 0.99)] : 0.0);
	free(all);
	free(w);
	for (size_t i = 0; i < n_reqs; i++)
		free(reqs[i].text);
	free(reqs);
	return 0;
}
