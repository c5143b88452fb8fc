/* Deployment (issue 6): putting an ACM certificate and its key into the files
 * a TLS server reads (nginx, HAProxy, or any set of files), reloading the
 * server, checking with a TLS handshake that it serves the new certificate,
 * and putting everything back when anything fails. Redeploys after each
 * renewal or reimport through jobs the same transaction enqueued.
 *
 * Safety: every path is absolute, has no "." or ".." component and lies
 * inside a folder the operator allowed (serve --deploy-allow DIR); files are
 * opened from that folder down, never following a symlink, so a target cannot
 * write anywhere else. Keys are written with a mode no other user can read.
 * The reload command runs without a shell (unless the operator allowed one)
 * and with a minimal environment. */
#ifndef CERTAIN_DEPLOY_DEPLOY_H
#define CERTAIN_DEPLOY_DEPLOY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acm/acm.h"
#include "util/err.h"

#define DEPLOY_MAX_ALLOWED	  32
#define DEPLOY_PATH_MAX		  1024
#define DEPLOY_RELOAD_MAX_ARGS	  32
#define DEPLOY_RELOAD_TIMEOUT	  30 /* seconds, default */
#define DEPLOY_RELOAD_TIMEOUT_MAX 300
#define DEPLOY_CHECK_WINDOW_MS	  5000 /* a reload is asynchronous: look for this long */
#define DEPLOY_TARGETS_MAX	  1000 /* per account */

/* The operator's configuration, read at start (serve options). */
struct deploy_cfg {
	char allowed[DEPLOY_MAX_ALLOWED][DEPLOY_PATH_MAX]; /* canonical (realpath) folders */
	char given[DEPLOY_MAX_ALLOWED][DEPLOY_PATH_MAX]; /* the same, as the operator wrote them */
	size_t n_allowed;
	bool allow_shell; /* --deploy-allow-shell: "Shell": true is accepted */
};

/* Adds a folder to cfg (it must exist and be a directory); -1 and *err. */
int deploy_cfg_allow(struct deploy_cfg *cfg, const char *dir, struct cm_err *err);

/* The process-wide configuration (set once by serve before any request;
 * empty until then: no folder allowed). */
void deploy_configure(const struct deploy_cfg *cfg);
const struct deploy_cfg *deploy_config(void);

/* --- the target's specification ------------------------------------------ */

enum deploy_kind { DEPLOY_NGINX, DEPLOY_HAPROXY, DEPLOY_FILES };

/* The files a target can have, in the order they are written. */
enum deploy_file {
	DEPLOY_FILE_CERT,      /* the certificate alone */
	DEPLOY_FILE_CHAIN,     /* the chain alone */
	DEPLOY_FILE_FULLCHAIN, /* certificate then chain (nginx ssl_certificate) */
	DEPLOY_FILE_KEY,       /* the private key (PKCS#8 PEM) */
	DEPLOY_FILE_COMBINED,  /* certificate, chain, key (HAProxy crt) */
	DEPLOY_FILE__COUNT,
};

struct deploy_spec {
	enum deploy_kind kind;
	char *paths[DEPLOY_FILE__COUNT]; /* owned; NULL when the target has no such file */
	char owner[64], group[64];	 /* "" = the server's own */
	unsigned mode;			 /* certificate files (default 0644) */
	unsigned key_mode;		 /* key and combined files (default 0600, never o+rwx) */
	char **reload;			 /* owned argv (NULL-terminated); NULL = no reload */
	size_t n_reload;
	bool shell;	      /* reload[0] is a shell command line for /bin/sh -c */
	int reload_timeout;   /* seconds */
	char check_host[256]; /* "" = no check */
	unsigned check_port;
	char check_name[256]; /* SNI; "" = none */
};

/* The JSON names of the files (JSON member "Files"): Certificate, Chain,
 * FullChain, Key, Combined. */
const char *deploy_file_name(enum deploy_file f);
const char *deploy_kind_name(enum deploy_kind k);

/* Reads and checks a specification (API input or stored JSON) against cfg:
 * kind and files, modes, owner, reload, check. CM_ERR_VALIDATION naming the
 * member at fault. *out owned (deploy_spec_clear), also on failure. */
int deploy_spec_parse(const struct deploy_cfg *cfg, json_t *in, struct deploy_spec *out,
		      struct cm_err *err);
/* The normalised JSON of a specification (owned). */
json_t *deploy_spec_json(const struct deploy_spec *s);
void deploy_spec_clear(struct deploy_spec *s);

/* --- paths and files ------------------------------------------------------- */

/* Whether path may be written under cfg: absolute, no "." / ".." / empty
 * component, printable, inside an allowed folder, and its parent folders
 * exist and are reached without a symlink. member names it in messages. */
int deploy_path_check(const struct deploy_cfg *cfg, const char *path, const char *member,
		      struct cm_err *err);

/* Opens the folder that holds path (see deploy_path_check) for *at calls;
 * *base points into path at the file name. The fd is O_CLOEXEC. */
int deploy_path_open_parent(const struct deploy_cfg *cfg, const char *path, int *dirfd,
			    const char **base, struct cm_err *err);

/* What goes into one file: text parts and, where key is set, the key. */
struct deploy_content {
	const char *parts[3]; /* PEM text, NULL = unused */
	bool key;	      /* then the key, written by write_key */
};

/* Writes the private key into fd (the keystore does; tests fake it). */
typedef int (*deploy_key_writer)(void *ctx, int fd, struct cm_err *err);

/* One file replaced atomically, with the previous one kept (as a hard link
 * ".NAME.certain-prev" beside it: no copy of an old key is ever read) until
 * the deployment ends, for rollback. */
struct deploy_file_op {
	int dirfd;	  /* -1 when not begun */
	char base[256];	  /* the file's name in dirfd */
	char backup[300]; /* the previous file's hard link */
	bool had_old;	  /* there was a previous file */
	bool replaced;	  /* the new file is in place */
};

/* Opens the folder and keeps the previous file. */
int deploy_file_begin(const struct deploy_cfg *cfg, const char *path, struct deploy_file_op *op,
		      struct cm_err *err);
/* Writes a temporary file in the same folder (mode 0600 until chown/chmod
 * have run, so the key is never readable by anyone else for a moment), then
 * fsync, rename over the file, fsync the folder. uid/gid -1 = unchanged. */
int deploy_file_write(struct deploy_file_op *op, const struct deploy_content *c, unsigned mode,
		      long uid, long gid, deploy_key_writer write_key, void *key_ctx,
		      struct cm_err *err);
/* Puts the previous file back (or removes the new one when there was none). */
int deploy_file_restore(struct deploy_file_op *op, struct cm_err *err);
/* Drops the backup (after success) and closes the folder. */
void deploy_file_end(struct deploy_file_op *op, bool keep_backup);

/* --- reload and check ------------------------------------------------------ */

/* Runs the reload command of spec (no shell unless spec->shell) with a
 * minimal environment plus env (NULL-terminated "NAME=value" strings), in its
 * own process group killed at the timeout. 0 on exit status 0; else -1 with
 * the reason (and the start of its stderr) in errbuf. */
int deploy_reload(const struct deploy_spec *spec, char *const *env, char *errbuf, size_t errsize);

/* Connects with TLS to host:port (SNI name when not "") and compares the
 * served leaf with der (SHA-256 of the DER, which covers the serial), for up
 * to window_ms. 0 when it matches; else -1 with what was served in errbuf. */
int deploy_check(const char *host, unsigned port, const char *name, const unsigned char *der,
		 size_t der_len, int window_ms, char *errbuf, size_t errsize);

/* --- deploying --------------------------------------------------------------- */

/* What is deployed. */
struct deploy_material {
	const char *cert_pem;
	const char *chain_pem; /* NULL when none */
	const unsigned char *cert_der;
	size_t cert_der_len;
	deploy_key_writer write_key;
	void *key_ctx;
	char *const *env; /* for the reload command */
};

/* Writes every file, reloads, checks; on a failure puts the previous files
 * back and reloads again. result: SUCCEEDED, ROLLED_BACK (the previous
 * state is back) or FAILED (even that did not work); error text in errbuf. */
void deploy_apply(const struct deploy_cfg *cfg, const struct deploy_spec *spec,
		  const struct deploy_material *m, char result[16], char *errbuf, size_t errsize);

/* --- the service: targets, associations, deployments ---------------------- */

/* arn:<partition>:certain:<region>:<account>:deployment-target/<uuid> */
void deploy_target_arn(const struct acm_ctx *ctx, const char *id, char *buf, size_t size);
/* The uuid of a target given as its id or ARN; CM_ERR_VALIDATION naming member. */
int deploy_target_id(const char *given, const char *member, char id[40], struct cm_err *err);

int deploy_target_create(const struct acm_ctx *ctx, json_t *spec, struct store_deploy_target *out,
			 struct cm_err *err);
/* Replaces the specification; an associated target is redeployed by the
 * worker with it. */
int deploy_target_update(const struct acm_ctx *ctx, const char *id, json_t *spec,
			 struct store_deploy_target *out, struct cm_err *err);
/* Refused (CM_ERR_RESOURCE_IN_USE) while a certificate is associated: its
 * InUseBy would otherwise name a target that no longer exists. */
int deploy_target_delete(const struct acm_ctx *ctx, const char *id, struct cm_err *err);

/* Associates an ISSUED certificate that has a key (PRIVATE, IMPORTED, or a
 * public one with export enabled) with the target, adds the target to its
 * InUseBy in the same transaction, and deploys it at once: *out is that
 * deployment (its result may be FAILED or ROLLED_BACK; the association
 * stays, and the next renewal deploys again). Associating the certificate
 * that is already associated deploys it again. */
int deploy_associate(const struct acm_ctx *ctx, const char *target_id, const char *cert_arn,
		     struct store_deployment *out, struct cm_err *err);
/* Removes the association and the InUseBy entry; the files stay. */
int deploy_disassociate(const struct acm_ctx *ctx, const char *target_id, struct cm_err *err);

/* Deploys the target's certificate now, records it, and on failure emits a
 * "Certain Deployment Failed" event. One deployment at a time per process. */
int deploy_run(const struct acm_ctx *ctx, const struct store_deploy_target *t, const char *trigger,
	       struct store_deployment *out, struct cm_err *err);

/* --- the worker ------------------------------------------------------------- */

struct deploy_worker_cfg {
	struct store *store;
	struct keystore *keys;
	const char *region;
	const char *partition;
	int max_attempts; /* then the job is dropped (its failures are recorded) */
	int64_t interval; /* seconds between passes when idle */
};

int deploy_worker_start(const struct deploy_worker_cfg *cfg, struct cm_err *err);
void deploy_worker_stop(void);
/* Wakes the worker for a pass now (after jobs were committed). */
void deploy_worker_wake(void);
/* One pass on the calling thread; returns jobs attempted or -1. */
int deploy_worker_pass(const struct deploy_worker_cfg *cfg, struct cm_err *err);

#endif
