/* The UDP leg of a DNS exchange. ldns_udp_send reads the first datagram from
 * anyone and stops there, so one forged packet with a wrong id would end the
 * exchange; here the socket is connected (the kernel drops datagrams from
 * other addresses, and a closed port fails at once with ECONNREFUSED instead
 * of a full timeout) and datagrams that are not the reply are skipped until
 * the deadline (RFC 5452 section 9.1: match id, source and question). */
#include "acme/dns_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/clock.h"

/* RFC 1035 4.1.1: id in octets 0-1, QR the top bit of octet 2. */
static bool dns_udp_is_reply(const uint8_t *b, size_t n, uint16_t id)
{
	return n >= LDNS_HEADER_SIZE && ((unsigned)b[0] << 8 | b[1]) == id && (b[2] & 0x80);
}

int dns_udp_exchange(const struct sockaddr_storage *to, socklen_t tolen, const uint8_t *wire,
		     size_t wlen, uint16_t id, int timeout_ms, uint8_t **bytes, size_t *size,
		     const char **why)
{
	uint8_t *buf = NULL;
	int rc = -1;
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	int fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	*why = "cannot open a socket";
	if (fd < 0)
		goto out;
	*why = strerror(ECONNREFUSED);
	if (connect(fd, (const struct sockaddr *)to, tolen) != 0 ||
	    send(fd, wire, wlen, 0) != (ssize_t)wlen) {
		*why = strerror(errno);
		goto out;
	}
	buf = malloc(LDNS_MAX_PACKETLEN);
	if (buf == NULL)
		goto out;
	for (;;) {
		int64_t left = deadline - clock_monotonic_ms();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		*why = "timed out";
		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			goto out;
		ssize_t n = recv(fd, buf, LDNS_MAX_PACKETLEN, 0);
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			*why = strerror(errno);
			goto out;
		}
		if (n > 0 && dns_udp_is_reply(buf, (size_t)n, id)) {
			*bytes = buf;
			*size = (size_t)n;
			buf = NULL;
			rc = 0;
			goto out;
		}
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}
