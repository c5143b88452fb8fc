/* Domain names of RequestCertificate (spec acm.md §5.1, §6.4): the model's
 * FQDN pattern (?:\*\.)?(label\.)+label with labels of letters, digits and
 * inner hyphens, at most 63 octets each and 253 in all. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "acm/internal.h"
#include "aws/jv.h"

#define ACM_FQDN_PATTERN                                                                     \
	"(\\*\\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])"

static bool acm_label_ok(const char *s, size_t n, bool last)
{
	if (n == 0 || n > 63 || (last && n < 2) || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

int acm_domain_check(const char *name, const char *member, struct cm_err *err)
{
	const char *p = name;
	size_t len = strlen(name);
	int labels = 0;
	if (len < 1 || len > 253)
		goto bad;
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	for (;;) {
		size_t n = strcspn(p, ".");
		bool last = p[n] == '\0';
		if (!acm_label_ok(p, n, last))
			goto bad;
		labels++;
		if (last)
			break;
		p += n + 1;
	}
	if (labels < 2)
		goto bad;
	return 0;
bad:
	return jv_fail_constraint(err, member, name,
				  "Member must satisfy regular expression pattern: " ACM_FQDN_PATTERN);
}

bool acm_domain_is_self_or_parent(const char *domain, const char *parent)
{
	if (strncmp(domain, "*.", 2) == 0)
		domain += 2;
	size_t dl = strlen(domain), pl = strlen(parent);
	if (pl > dl || strcasecmp(domain + dl - pl, parent) != 0)
		return false;
	return pl == dl || domain[dl - pl - 1] == '.';
}
