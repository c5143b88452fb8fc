/* Input checks for the DNS layer: names, TXT values, "host:port" strings.
 * Strict on purpose: a name here ends up in a signed update to a zone the
 * user trusts us with, so anything a zone file would need escaping for
 * (spaces, quotes, backslashes, non-ASCII) is refused rather than encoded. */
#include "acme/dns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Wire limit (RFC 1035 2.3.4): 255 octets with length bytes and the root,
 * which is 253 characters in text form without the trailing dot. */
#define DNS_NAME_TEXT_MAX 253
#define DNS_LABEL_MAX	  63

static bool dns_label_char(unsigned char c)
{
	/* Underscore: _acme-challenge and the validation labels (RFC 8555 8.4). */
	return isalnum(c) || c == '-' || c == '_';
}

bool dns_name_valid(const char *name)
{
	if (name == NULL)
		return false;
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_TEXT_MAX)
		return false;
	size_t label = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!dns_label_char(c) || ++label > DNS_LABEL_MAX)
			return false;
	}
	return label > 0;
}

/* Length of name without its trailing dot. */
static size_t dns_name_len(const char *name)
{
	size_t len = strlen(name);
	return len > 0 && name[len - 1] == '.' ? len - 1 : len;
}

bool dns_name_in_zone(const char *name, const char *zone)
{
	if (!dns_name_valid(name) || !dns_name_valid(zone))
		return false;
	size_t n = dns_name_len(name), z = dns_name_len(zone);
	if (n < z || strncasecmp(name + n - z, zone, z) != 0)
		return false;
	/* "evilexample.com" is not inside "example.com": a label boundary. */
	return n == z || name[n - z - 1] == '.';
}

bool dns_txt_value_valid(const char *value)
{
	if (value == NULL)
		return false;
	size_t len = strlen(value);
	if (len == 0 || len > 255)
		return false;
	for (size_t i = 0; i < len; i++)
		if (value[i] < 0x20 || value[i] > 0x7e)
			return false;
	return true;
}

/* Port text: 1..65535, digits only. */
static int dns_port_parse(const char *s, unsigned *port)
{
	if (*s == '\0' || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v == 0 || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

/* A host: a DNS name, an IPv4 literal (which is also a valid name), or, when
 * v6 is set, an IPv6 literal (hex digits, colons, dots for a mapped v4 tail). */
static bool dns_host_valid(const char *h, bool v6)
{
	if (v6)
		return *h != '\0' && strchr(h, ':') != NULL &&
		       strspn(h, "0123456789abcdefABCDEF:.") == strlen(h);
	return dns_name_valid(h);
}

int dns_server_parse(const char *s, struct dns_server *out)
{
	char host[sizeof(out->host)];
	unsigned port = 53;
	bool v6 = false;
	if (s == NULL || out == NULL || strlen(s) >= sizeof(host))
		return -1;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (end == NULL)
			return -1;
		snprintf(host, sizeof(host), "%.*s", (int)(end - s - 1), s + 1);
		if (end[1] == ':') {
			if (dns_port_parse(end + 2, &port) < 0)
				return -1;
		} else if (end[1] != '\0') {
			return -1;
		}
		v6 = true;
	} else if (strchr(s, ':') != strrchr(s, ':')) {
		/* Two colons or more: a bare IPv6 literal, no port. */
		snprintf(host, sizeof(host), "%s", s);
		v6 = true;
	} else {
		const char *colon = strchr(s, ':');
		if (colon != NULL) {
			if (dns_port_parse(colon + 1, &port) < 0)
				return -1;
			snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
		} else {
			snprintf(host, sizeof(host), "%s", s);
		}
	}
	if (!dns_host_valid(host, v6))
		return -1;
	memcpy(out->host, host, sizeof(out->host));
	out->port = port;
	return 0;
}
