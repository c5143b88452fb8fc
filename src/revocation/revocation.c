/* Starting and stopping revocation publishing, and the observer through
 * which pca/ tells it of revocations and CA changes (pca_revoke returns once
 * the revocation is durable; the CRL and the OCSP cache follow from here). */
#include <stdbool.h>

#include "pca/revocation.h"
#include "revocation/internal.h"
#include "util/clock.h"

static struct revocation_cfg revocation_config;
static bool revocation_started;

static void revocation_on_revoked(const char *ca_id, const char *serial_hex)
{
	/* The OCSP cache first: its stale "good" must not outlive the call. */
	ocsp_responder_revoked(ca_id, serial_hex);
	crl_worker_revoked(ca_id);
}

static void revocation_on_ca_changed(const char *ca_id)
{
	ocsp_responder_ca_changed(ca_id);
	crl_worker_ca_changed(ca_id);
}

static const struct pca_observer revocation_observer = {
	.revoked = revocation_on_revoked,
	.ca_changed = revocation_on_ca_changed,
};

struct pca_ctx revocation_pca_ctx(const struct revocation_cfg *cfg, const char *account)
{
	struct pca_ctx ctx = {.store = cfg->store,
			      .keys = cfg->keys,
			      .account = account,
			      .region = cfg->region,
			      .partition = cfg->partition,
			      .now = clock_now(),
			      .ca_certs = cfg->ca_certs};
	return ctx;
}

int revocation_start(const struct revocation_cfg *cfg, struct cm_err *err)
{
	if (revocation_started)
		return cm_fail(err, CM_ERR_INTERNAL, "revocation publishing is already running");
	revocation_config = *cfg;
	if (revocation_config.crl_delay < 0)
		revocation_config.crl_delay = 5;
	if (revocation_config.scan_interval <= 0)
		revocation_config.scan_interval = 60;
	if (ocsp_responder_start(&revocation_config, err) < 0)
		return -1;
	if (crl_worker_start(&revocation_config, err) < 0) {
		ocsp_responder_stop();
		return -1;
	}
	pca_set_observer(&revocation_observer);
	revocation_started = true;
	return 0;
}

void revocation_clock_moved(void)
{
	if (revocation_started)
		crl_worker_clock_moved();
}

void revocation_stop(void)
{
	if (!revocation_started)
		return;
	pca_set_observer(NULL);
	crl_worker_stop();
	ocsp_responder_stop();
	revocation_started = false;
}
