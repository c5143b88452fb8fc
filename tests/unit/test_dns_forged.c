/* DNS servers that misbehave. Replies an attacker could send: a NOERROR to a
 * signed update without TSIG or with a MAC that is not the server's, answers
 * with the wrong id or question; none may be taken as success. The "server"
 * is a forked child answering every UDP query on a loopback port with a reply
 * forged from it. And servers that are not there or never answer: a quick
 * error, not a hang. */
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acme/dns.h"
#include "harness.h"
#include "util/clock.h"

enum forge {
	FORGE_UNSIGNED,	   /* NOERROR, TSIG stripped */
	FORGE_ECHO_TSIG,   /* NOERROR, the query's own TSIG (a MAC the key never made) */
	FORGE_WRONG_ID,	   /* a CNAME to evil.test under another id, then the real one */
	FORGE_OTHER_QNAME, /* the right id, another question */
};

static void forge_send(int fd, ldns_pkt *q, const struct sockaddr_storage *to, socklen_t tolen)
{
	uint8_t *wire = NULL;
	size_t size = 0;
	if (ldns_pkt2wire(&wire, q, &size) == LDNS_STATUS_OK)
		sendto(fd, wire, size, 0, (const struct sockaddr *)to, tolen);
	free(wire);
}

/* Adds "_acme-challenge.www.user.test. CNAME target" to the answer. */
static void forge_cname(ldns_pkt *q, const char *target)
{
	char text[200];
	ldns_rr *rr = NULL;
	snprintf(text, sizeof(text), "_acme-challenge.www.user.test. 60 IN CNAME %s", target);
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) == LDNS_STATUS_OK)
		ldns_pkt_push_rr(q, LDNS_SECTION_ANSWER, rr);
}

static void forge_reply(int fd, enum forge mode)
{
	uint8_t buf[4096];
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	ldns_pkt *q = NULL;
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
	if (n <= 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	ldns_pkt_set_qr(q, true);
	ldns_pkt_set_rcode(q, LDNS_RCODE_NOERROR);
	if (mode == FORGE_UNSIGNED) {
		ldns_rr *t = ldns_pkt_tsig(q);
		ldns_pkt_set_tsig(q, NULL);
		ldns_rr_free(t);
	} else if (mode == FORGE_WRONG_ID) {
		uint16_t id = ldns_pkt_id(q);
		ldns_pkt *evil = ldns_pkt_clone(q);
		forge_cname(evil, "evil.test.");
		ldns_pkt_set_id(evil, (uint16_t)(id + 1));
		forge_send(fd, evil, &from, fromlen);
		ldns_pkt_free(evil);
		forge_cname(q, "good.test.");
	} else if (mode == FORGE_OTHER_QNAME) {
		ldns_rr *question = ldns_rr_list_rr(ldns_pkt_question(q), 0);
		ldns_rdf *other = ldns_dname_new_frm_str("_acme-challenge.other.user.test.");
		if (question != NULL && other != NULL) {
			ldns_rdf_deep_free(ldns_rr_owner(question));
			ldns_rr_set_owner(question, other);
		}
		forge_cname(q, "evil.test.");
	}
	forge_send(fd, q, &from, fromlen);
	ldns_pkt_free(q);
}

/* Forks the forger on a fresh loopback UDP port; returns its pid. */
static pid_t forger_start(enum forge mode, unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			forge_reply(fd, mode);
	}
	close(fd);
	return pid;
}

static void forger_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static void forged_publisher(struct dns_publisher *p, unsigned port)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->server.host, sizeof(p->server.host), "127.0.0.1");
	p->server.port = port;
	snprintf(p->zone, sizeof(p->zone), "validation.test");
	p->has_tsig = true;
	snprintf(p->tsig.name, sizeof(p->tsig.name), "certain-key");
	snprintf(p->tsig.secret_b64, sizeof(p->tsig.secret_b64),
		 "o2USVi1TwI0wkSdi8Xor82sQMAzhLuPk3NUWE5EnWjw=");
	p->timeout_ms = 2000;
}

TEST(dns_forged_unsigned_noerror_is_not_success)
{
	unsigned port = 0;
	struct dns_publisher p;
	struct cm_err err;
	pid_t pid = forger_start(FORGE_UNSIGNED, &port);
	CHECK(pid > 0);
	forged_publisher(&p, port);
	CHECK(dns_txt_add(&p, "_x.validation.test", "v", 60, &err) == -1);
	CHECK(strstr(err.msg, "without TSIG") != NULL);
	forger_stop(pid);
}

TEST(dns_forged_echoed_tsig_is_not_success)
{
	unsigned port = 0;
	struct dns_publisher p;
	struct cm_err err;
	pid_t pid = forger_start(FORGE_ECHO_TSIG, &port);
	CHECK(pid > 0);
	forged_publisher(&p, port);
	CHECK(dns_txt_remove(&p, "_x.validation.test", "v", &err) == -1);
	CHECK(strstr(err.msg, "does not verify") != NULL);
	forger_stop(pid);
}

TEST(dns_forged_wrong_id_is_skipped)
{
	unsigned port = 0;
	struct dns_server s = {.port = 0};
	char target[256];
	struct cm_err err;
	snprintf(s.host, sizeof(s.host), "127.0.0.1");
	pid_t pid = forger_start(FORGE_WRONG_ID, &port);
	CHECK(pid > 0);
	s.port = port;
	/* The datagram under another id comes first; the answer is the next. */
	CHECK(dns_cname_lookup_timeout(&s, "_acme-challenge.www.user.test", 2000, target,
				       sizeof(target), &err) == 1);
	CHECK_STR_EQ(target, "good.test.");
	forger_stop(pid);
}

TEST(dns_forged_other_question_refused)
{
	unsigned port = 0;
	struct dns_server s = {.port = 0};
	char target[256];
	struct cm_err err;
	snprintf(s.host, sizeof(s.host), "127.0.0.1");
	pid_t pid = forger_start(FORGE_OTHER_QNAME, &port);
	CHECK(pid > 0);
	s.port = port;
	CHECK(dns_cname_lookup_timeout(&s, "_acme-challenge.www.user.test", 2000, target,
				       sizeof(target), &err) == -1);
	CHECK(strstr(err.msg, "mismatched") != NULL);
	forger_stop(pid);
}

/* A bound UDP socket that never reads: a server that stays silent. */
static int silent_socket(unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

TEST(dns_silent_server_times_out)
{
	struct dns_server s = {.port = 0};
	struct dns_publisher p;
	char target[256];
	struct cm_err err;
	unsigned port = 0;
	int fd = silent_socket(&port);
	CHECK(fd >= 0);
	snprintf(s.host, sizeof(s.host), "127.0.0.1");
	s.port = port;
	int64_t t0 = clock_monotonic_ms();
	CHECK(dns_cname_lookup_timeout(&s, "_acme-challenge.www.user.test", 300, target,
				       sizeof(target), &err) == -1);
	int64_t took = clock_monotonic_ms() - t0;
	CHECK(took >= 250 && took < 3000);
	CHECK(err.code == CM_ERR_INTERNAL && strstr(err.msg, "timed out") != NULL);
	forged_publisher(&p, port);
	p.timeout_ms = 300;
	CHECK(dns_txt_add(&p, "_x.validation.test", "v", 60, &err) == -1);
	CHECK(strstr(err.msg, "timed out") != NULL);
	if (fd >= 0)
		close(fd);
}

TEST(dns_closed_port_fails_fast)
{
	struct dns_server s = {.port = 0};
	char target[256];
	struct cm_err err;
	unsigned port = 0;
	int fd = silent_socket(&port);
	if (fd >= 0)
		close(fd); /* the port is closed now: ICMP port unreachable */
	snprintf(s.host, sizeof(s.host), "127.0.0.1");
	s.port = port;
	int64_t t0 = clock_monotonic_ms();
	CHECK(dns_cname_lookup_timeout(&s, "_acme-challenge.www.user.test", 5000, target,
				       sizeof(target), &err) == -1);
	CHECK(clock_monotonic_ms() - t0 < 2000);
	CHECK(strstr(err.msg, "no answer") != NULL && strstr(err.msg, "refused") != NULL);
}
