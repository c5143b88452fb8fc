/* One deployment on disk: every file written (each atomically, the previous
 * one kept), the service reloaded, the result checked over TLS; and, when
 * any step fails, the previous files put back and the service reloaded onto
 * them, so a failed deployment leaves the service as it was. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/deploy.h"
#include "util/log.h"

/* A user or group (name or number) as an id; -1 when "" (unchanged). */
static long deploy_id_of(const char *name, bool group)
{
	char buf[4096];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	if (name[0] == '\0')
		return -1;
	if (strspn(name, "0123456789") == strlen(name))
		return strtol(name, NULL, 10);
	if (group)
		return getgrnam_r(name, &gr, buf, sizeof(buf), &grp) == 0 && grp != NULL
			   ? (long)grp->gr_gid
			   : -2;
	return getpwnam_r(name, &pw, buf, sizeof(buf), &pwp) == 0 && pwp != NULL ? (long)pwp->pw_uid
										 : -2;
}

static struct deploy_content deploy_content_of(enum deploy_file f, const struct deploy_material *m)
{
	struct deploy_content c = {{NULL, NULL, NULL}, false};
	switch (f) {
	case DEPLOY_FILE_CERT:
		c.parts[0] = m->cert_pem;
		break;
	case DEPLOY_FILE_CHAIN:
		c.parts[0] = m->chain_pem != NULL ? m->chain_pem : "";
		break;
	case DEPLOY_FILE_FULLCHAIN:
		c.parts[0] = m->cert_pem;
		c.parts[1] = m->chain_pem;
		break;
	case DEPLOY_FILE_KEY:
		c.key = true;
		break;
	case DEPLOY_FILE_COMBINED:
		c.parts[0] = m->cert_pem;
		c.parts[1] = m->chain_pem;
		c.key = true;
		break;
	case DEPLOY_FILE__COUNT:
		break;
	}
	return c;
}

/* Writes every file; -1 at the first that fails (errbuf says which). */
static int deploy_write_files(const struct deploy_cfg *cfg, const struct deploy_spec *spec,
			      const struct deploy_material *m, struct deploy_file_op *ops,
			      char *errbuf, size_t errsize)
{
	struct cm_err err = {0};
	long uid = deploy_id_of(spec->owner, false), gid = deploy_id_of(spec->group, true);
	if (uid == -2 || gid == -2) {
		snprintf(errbuf, errsize, "owner %s or group %s does not exist", spec->owner,
			 spec->group);
		return -1;
	}
	/* Every folder opened and every previous file kept before the first
	 * write: a bad path changes nothing. */
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		if (spec->paths[i] != NULL &&
		    deploy_file_begin(cfg, spec->paths[i], &ops[i], &err) < 0)
			goto fail;
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++) {
		if (spec->paths[i] == NULL)
			continue;
		struct deploy_content c = deploy_content_of((enum deploy_file)i, m);
		unsigned mode = c.key ? spec->key_mode : spec->mode;
		if (deploy_file_write(&ops[i], &c, mode, uid, gid, m->write_key, m->key_ctx, &err) <
		    0)
			goto fail;
	}
	return 0;
fail:
	snprintf(errbuf, errsize, "%s", err.msg);
	return -1;
}

/* Puts back every file and reloads; 0 when the previous state is back. */
static int deploy_rollback(const struct deploy_spec *spec, const struct deploy_material *m,
			   struct deploy_file_op *ops, char *errbuf, size_t errsize)
{
	struct cm_err err = {0};
	char why[512] = "";
	int rc = 0;
	for (int i = DEPLOY_FILE__COUNT - 1; i >= 0; i--)
		if (deploy_file_restore(&ops[i], &err) < 0)
			rc = -1;
	if (rc < 0)
		snprintf(why, sizeof(why), "%s", err.msg);
	else if (deploy_reload(spec, m->env, why, sizeof(why)) < 0)
		rc = -1;
	if (rc < 0) {
		size_t used = strlen(errbuf);
		snprintf(errbuf + used, errsize - used, "; rollback failed too: %s", why);
	}
	return rc;
}

void deploy_apply(const struct deploy_cfg *cfg, const struct deploy_spec *spec,
		  const struct deploy_material *m, char result[16], char *errbuf, size_t errsize)
{
	struct deploy_file_op ops[DEPLOY_FILE__COUNT];
	bool changed = false;
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		ops[i].dirfd = -1, ops[i].had_old = ops[i].replaced = false;
	errbuf[0] = '\0';
	snprintf(result, 16, "SUCCEEDED");
	if (deploy_write_files(cfg, spec, m, ops, errbuf, errsize) < 0)
		goto fail;
	changed = true;
	if (deploy_reload(spec, m->env, errbuf, errsize) < 0)
		goto fail;
	if (spec->check_host[0] != '\0' &&
	    deploy_check(spec->check_host, spec->check_port, spec->check_name, m->cert_der,
			 m->cert_der_len, DEPLOY_CHECK_WINDOW_MS, errbuf, errsize) < 0)
		goto fail;
	goto out;
fail:
	snprintf(result, 16, "FAILED");
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		changed = changed || ops[i].replaced;
	/* Nothing replaced: the service never saw a new file; no reload needed. */
	if (!changed || deploy_rollback(spec, m, ops, errbuf, errsize) == 0)
		snprintf(result, 16, changed ? "ROLLED_BACK" : "FAILED");
out:
	/* A rollback that failed leaves the previous files beside the new ones,
	 * for the operator to put back by hand. */
	for (int i = 0; i < DEPLOY_FILE__COUNT; i++)
		deploy_file_end(&ops[i], changed && strcmp(result, "FAILED") == 0);
}
