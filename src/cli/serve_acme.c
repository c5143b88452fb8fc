/* `serve --acme-config FILE` (issue 8): loads the ACME configuration, tells
 * the ACM rules which CAs exist, and starts the ACME worker. */
#include <stdio.h>
#include <stdlib.h>

#include "acme/config.h"
#include "acme/worker.h"
#include "aws/service.h"
#include "cli/cli.h"
#include "util/log.h"

/* Lives from start to stop: the ACM context and the worker point into it. */
struct serve_acme {
	struct acme_config conf;
	struct acm_public_cfg public_cfg;
};

struct serve_acme *serve_acme_start(const char *path, struct aws_env *env, struct cm_err *err)
{
	struct serve_acme *a = calloc(1, sizeof(*a));
	if (a == NULL) {
		cm_fail(err, CM_ERR_INTERNAL, "out of memory");
		return NULL;
	}
	if (acme_config_load(path, &a->conf, err) < 0) {
		free(a);
		return NULL;
	}
	a->public_cfg = (struct acm_public_cfg){.zone = a->conf.zone,
						.ca_names = a->conf.ca_names,
						.n_cas = a->conf.n_cas,
						.default_ca = a->conf.ca_names[a->conf.default_ca],
						.wake = acme_worker_wake};
	struct acme_worker_cfg wc = {.store = env->store,
				     .keys = env->keys,
				     .region = env->region,
				     .partition = env->partition,
				     .conf = &a->conf,
				     .public_cfg = &a->public_cfg};
	if (acme_worker_start(&wc, err) < 0) {
		acme_config_free(&a->conf);
		free(a);
		return NULL;
	}
	env->acm_public = &a->public_cfg;
	log_event(LOG_INFO, "acme", "certificate_authorities", a->conf.ca_names[0], "default",
		  a->public_cfg.default_ca, "validation_zone", a->conf.zone, LOG_END);
	return a;
}

void serve_acme_stop(struct serve_acme *a)
{
	if (a == NULL)
		return;
	acme_worker_stop();
	acme_config_free(&a->conf);
	free(a);
}
