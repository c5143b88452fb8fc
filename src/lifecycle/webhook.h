/* Webhook targets (issue: lifecycle): the event JSON POSTed to a URL, signed
 * so the receiver can tell it came from us and is fresh:
 *   X-Certain-Event-Id:  <event id>
 *   X-Certain-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
 * The timestamp is inside the MAC, so a captured request replayed later fails
 * the receiver's freshness check (the Stripe scheme, which receivers know). */
#ifndef CERTAIN_LIFECYCLE_WEBHOOK_H
#define CERTAIN_LIFECYCLE_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_CONNECT_TIMEOUT_MS 5000
#define WEBHOOK_TOTAL_TIMEOUT_MS   10000
/* "t=" + 20 digits + ",v1=" + 64 hex + NUL, rounded up. */
#define WEBHOOK_SIGNATURE_MAX 96

/* The X-Certain-Signature value for body at time t. 0, or -1 when HMAC fails. */
int webhook_signature(const unsigned char *secret, size_t secret_len, int64_t t, const char *body,
		      size_t body_len, char out[WEBHOOK_SIGNATURE_MAX]);

/* POSTs body to url (http or https only, no redirects, the timeouts above).
 * 0 on a 2xx answer; -1 otherwise with a short reason in errbuf (never the
 * URL, which may hold credentials, nor the secret). */
int webhook_post(const char *url, const char *event_id, const unsigned char *secret,
		 size_t secret_len, int64_t now, const char *body, char *errbuf, size_t errsize);

#endif
