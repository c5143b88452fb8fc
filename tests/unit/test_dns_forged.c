/* Replies an attacker on the path could send: a NOERROR to a signed update
 * without TSIG or with a MAC that is not the server's, and an answer with the
 * wrong id. None may be taken as success. The "server" is a forked child that
 * answers every UDP query on a loopback port with a reply forged from it. */
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acme/dns.h"
#include "harness.h"

enum forge {
	FORGE_UNSIGNED,	 /* NOERROR, TSIG stripped */
	FORGE_ECHO_TSIG, /* NOERROR, the query's own TSIG (a MAC the key never made) */
	FORGE_WRONG_ID,	 /* a CNAME answer under another id */
	FORGE_CNAME,	 /* a CNAME answer, id right: the control case */
};

static void forge_reply(int fd, enum forge mode)
{
	uint8_t buf[4096], *wire = NULL;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	ldns_pkt *q = NULL;
	ldns_rr *rr = NULL;
	size_t size = 0;
	ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
	if (n <= 0 || ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return;
	ldns_pkt_set_qr(q, true);
	ldns_pkt_set_rcode(q, LDNS_RCODE_NOERROR);
	if (mode == FORGE_UNSIGNED) {
		ldns_rr *t = ldns_pkt_tsig(q);
		ldns_pkt_set_tsig(q, NULL);
		ldns_rr_free(t);
	}
	if (mode == FORGE_WRONG_ID || mode == FORGE_CNAME) {
		if (ldns_rr_new_frm_str(&rr,
					"_acme-challenge.www.user.test. 60 IN CNAME evil.test.", 0,
					NULL, NULL) == LDNS_STATUS_OK)
			ldns_pkt_push_rr(q, LDNS_SECTION_ANSWER, rr);
		if (mode == FORGE_WRONG_ID)
			ldns_pkt_set_id(q, (uint16_t)(ldns_pkt_id(q) + 1));
	}
	if (ldns_pkt2wire(&wire, q, &size) == LDNS_STATUS_OK)
		sendto(fd, wire, size, 0, (struct sockaddr *)&from, fromlen);
	free(wire);
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

TEST(dns_forged_wrong_id_is_ignored)
{
	unsigned port = 0;
	struct dns_server s = {.port = 0};
	char target[256];
	struct cm_err err;
	snprintf(s.host, sizeof(s.host), "127.0.0.1");
	pid_t pid = forger_start(FORGE_WRONG_ID, &port);
	CHECK(pid > 0);
	s.port = port;
	CHECK(dns_cname_lookup_timeout(&s, "_acme-challenge.www.user.test", 1000, target,
				       sizeof(target), &err) == -1);
	CHECK(strstr(err.msg, "mismatched") != NULL);
	forger_stop(pid);
	/* The same forged answer with the right id is read: the forger works. */
	pid = forger_start(FORGE_CNAME, &port);
	CHECK(pid > 0);
	s.port = port;
	CHECK(dns_cname_lookup_timeout(&s, "_acme-challenge.www.user.test", 1000, target,
				       sizeof(target), &err) == 1);
	CHECK_STR_EQ(target, "evil.test.");
	forger_stop(pid);
}
