/* The ACME account Certain holds at each configured CA (RFC 8555 §7.3): a
 * P-256 key made on first use, sealed by the keystore like every other key
 * and kept in the store with the account URL, so a restart reuses the account
 * instead of registering a new one. A changed directory URL (another CA under
 * the same name) gets a new key and a new account. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/acme.h"
#include "acme/worker_internal.h"
#include "keystore/keystore.h"
#include "util/clock.h"
#include "util/log.h"
#include "x509/keys.h"

static void acme_account_binding(const char *ca_name, char *buf, size_t size)
{
	snprintf(buf, size, "certain:acme-account:%s", ca_name);
}

/* The stored account of ca, or a new key for it (not registered yet). */
static int acme_account_load(struct acme_worker *w, const struct acme_ca_conf *ca,
			     struct store_acme_account *a, struct cm_err *err)
{
	struct cm_err get_err = {0};
	if (store_acme_account_get(w->cfg.store, ca->name, a, &get_err) == 0 &&
	    strcmp(a->directory, ca->directory) == 0)
		return 0;
	if (get_err.code == CM_ERR_INTERNAL) {
		*err = get_err;
		return -1;
	}
	store_acme_account_clear(a);
	char binding[128];
	acme_account_binding(ca->name, binding, sizeof(binding));
	EVP_PKEY *key = x509_key_generate(X509_KEY_EC_P256, err);
	int rc = -1;
	if (key == NULL || keystore_seal_key(w->cfg.keys, key, binding, &a->key_sealed,
					     &a->key_sealed_len, err) < 0)
		goto out;
	snprintf(a->ca_name, sizeof(a->ca_name), "%s", ca->name);
	snprintf(a->directory, sizeof(a->directory), "%s", ca->directory);
	a->created_at = clock_now();
	rc = store_acme_account_put(w->cfg.store, a, err);
out:
	EVP_PKEY_free(key);
	return rc;
}

static struct acme_client *acme_client_for(const struct acme_ca_conf *ca, struct cm_err *err)
{
	struct acme_ca_cfg cfg = {.name = ca->name,
				  .directory_url = ca->directory,
				  .contact = ca->contact,
				  .eab_kid = ca->eab_kid,
				  .eab_hmac_key = ca->eab_hmac_key,
				  .ca_bundle = ca->ca_bundle,
				  .preferred_chain = ca->preferred_chain};
	return acme_client_new(&cfg, err);
}

/* Registers (or finds again: newAccount is idempotent for a key) and keeps
 * the URL, so the next start skips the round trip. */
static int acme_account_register_once(struct acme_worker *w, struct acme_client *cl,
				      struct store_acme_account *a, struct cm_err *err)
{
	if (acme_account_register(cl, err) < 0)
		return -1;
	snprintf(a->account_url, sizeof(a->account_url), "%s", acme_client_kid(cl));
	log_event(LOG_INFO, "acme account ready", "ca", a->ca_name, "account", a->account_url,
		  LOG_END);
	return store_acme_account_put(w->cfg.store, a, err);
}

struct acme_client *acme_worker_client(struct acme_worker *w, size_t idx, struct cm_err *err)
{
	const struct acme_ca_conf *ca = &w->cfg.conf->cas[idx];
	struct store_acme_account a = {0};
	char binding[128];
	if (w->clients[idx] != NULL && acme_client_kid(w->clients[idx]) != NULL)
		return w->clients[idx];
	acme_client_free(w->clients[idx]);
	EVP_PKEY_free(w->account_keys[idx]);
	w->clients[idx] = NULL;
	w->account_keys[idx] = NULL;
	acme_account_binding(ca->name, binding, sizeof(binding));
	if (acme_account_load(w, ca, &a, err) < 0 ||
	    (w->account_keys[idx] = keystore_open_key(w->cfg.keys, a.key_sealed, a.key_sealed_len,
						      binding, err)) == NULL ||
	    (w->clients[idx] = acme_client_for(ca, err)) == NULL ||
	    acme_client_set_account(w->clients[idx], w->account_keys[idx],
				    a.account_url[0] != '\0' ? a.account_url : NULL, err) < 0 ||
	    (a.account_url[0] == '\0' &&
	     acme_account_register_once(w, w->clients[idx], &a, err) < 0))
		goto fail;
	store_acme_account_clear(&a);
	return w->clients[idx];
fail:
	store_acme_account_clear(&a);
	/* The client stays (its problem says why) but without a kid: next time
	 * it is made again. */
	return NULL;
}

void acme_worker_clients_free(struct acme_worker *w)
{
	for (size_t i = 0; i < ACME_CONFIG_MAX_CAS; i++) {
		acme_client_free(w->clients[i]);
		EVP_PKEY_free(w->account_keys[i]);
		w->clients[i] = NULL;
		w->account_keys[i] = NULL;
	}
}
