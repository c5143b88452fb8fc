/* Where deployment may write: the folders the operator allowed, and paths
 * inside them reached without following any symlink. The folder is opened by
 * its canonical name and every component below it with O_NOFOLLOW, so a
 * symlink planted anywhere on the way (even after the target was created)
 * makes the open fail instead of leading out of the folder. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy/deploy.h"

static struct deploy_cfg deploy_global; /* set once at start, read-only after */

void deploy_configure(const struct deploy_cfg *cfg)
{
	deploy_global = *cfg;
}

const struct deploy_cfg *deploy_config(void)
{
	return &deploy_global;
}

/* Copies s without trailing slashes (but "/" stays "/"). */
static void deploy_strip_slashes(char *dst, size_t size, const char *s)
{
	snprintf(dst, size, "%s", s);
	size_t n = strlen(dst);
	while (n > 1 && dst[n - 1] == '/')
		dst[--n] = '\0';
}

int deploy_cfg_allow(struct deploy_cfg *cfg, const char *dir, struct cm_err *err)
{
	char real[PATH_MAX];
	struct stat sb;
	if (cfg->n_allowed >= DEPLOY_MAX_ALLOWED)
		return cm_fail(err, CM_ERR_VALIDATION, "at most %d --deploy-allow folders",
			       DEPLOY_MAX_ALLOWED);
	if (dir[0] != '/' || strlen(dir) >= DEPLOY_PATH_MAX)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "--deploy-allow wants an absolute folder, got '%s'", dir);
	if (realpath(dir, real) == NULL || stat(real, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return cm_fail(err, CM_ERR_VALIDATION, "--deploy-allow %s: not a folder (%s)", dir,
			       strerror(errno != 0 ? errno : ENOTDIR));
	if (strcmp(real, "/") == 0)
		return cm_fail(
		    err, CM_ERR_VALIDATION,
		    "--deploy-allow /: allow the folders the services read, not everything");
	size_t n = strlen(real);
	if (n >= DEPLOY_PATH_MAX)
		return cm_fail(err, CM_ERR_VALIDATION, "--deploy-allow %s: path too long", dir);
	memcpy(cfg->allowed[cfg->n_allowed], real, n + 1);
	deploy_strip_slashes(cfg->given[cfg->n_allowed], DEPLOY_PATH_MAX, dir);
	cfg->n_allowed++;
	return 0;
}

/* Absolute, printable, no empty, "." or ".." component, not a folder. */
static int deploy_path_shape(const char *path, const char *member, struct cm_err *err)
{
	size_t len = strlen(path);
	if (path[0] != '/' || len >= DEPLOY_PATH_MAX || path[len - 1] == '/')
		return cm_fail(err, CM_ERR_VALIDATION,
			       "1 validation error detected: Value at '%s' failed to satisfy "
			       "constraint: Member must be an absolute path to a file",
			       member);
	for (const char *p = path; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return cm_fail(
			    err, CM_ERR_VALIDATION,
			    "1 validation error detected: Value at '%s' failed to "
			    "satisfy constraint: Member must not contain control characters",
			    member);
	const char *c = path + 1;
	for (;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return cm_fail(err, CM_ERR_VALIDATION,
				       "1 validation error detected: Value '%.300s' at '%s' failed "
				       "to satisfy constraint: Member must not have empty, '.' or "
				       "'..' components",
				       path, member);
		if (n > 200)
			return cm_fail(err, CM_ERR_VALIDATION, "A component of %s is too long",
				       member);
		if (c[n] == '\0')
			return 0;
		c += n + 1;
	}
}

/* The allowed folder (canonical) path is inside, and what follows it. */
static const char *deploy_find_allowed(const struct deploy_cfg *cfg, const char *path,
				       const char **rest)
{
	for (size_t i = 0; i < cfg->n_allowed; i++) {
		const char *names[2] = {cfg->allowed[i], cfg->given[i]};
		for (int k = 0; k < 2; k++) {
			size_t n = strlen(names[k]);
			if (strncmp(path, names[k], n) == 0 && path[n] == '/') {
				*rest = path + n + 1;
				return cfg->allowed[i];
			}
		}
	}
	return NULL;
}

static int deploy_not_allowed(const struct deploy_cfg *cfg, const char *path, const char *member,
			      struct cm_err *err)
{
	if (cfg->n_allowed == 0)
		return cm_fail(err, CM_ERR_VALIDATION,
			       "%s %.300s: this server allows no deployment folder; start it with "
			       "--deploy-allow DIR for the folders targets may write to",
			       member, path);
	return cm_fail(err, CM_ERR_VALIDATION,
		       "%s %.300s is outside the folders this server allows (--deploy-allow)",
		       member, path);
}

int deploy_path_open_parent(const struct deploy_cfg *cfg, const char *path, int *dirfd,
			    const char **base, struct cm_err *err)
{
	const char *rest = "";
	*dirfd = -1;
	*base = "";
	if (deploy_path_shape(path, "path", err) < 0)
		return -1;
	const char *root = deploy_find_allowed(cfg, path, &rest);
	if (root == NULL)
		return deploy_not_allowed(cfg, path, "path", err);
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot open %s: %s", root,
			       strerror(errno));
	/* Down one component at a time, never through a symlink. */
	for (const char *slash; (slash = strchr(rest, '/')) != NULL; rest = slash + 1) {
		char comp[256];
		snprintf(comp, sizeof(comp), "%.*s", (int)(slash - rest), rest);
		int next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(fd);
		if (next < 0)
			return cm_fail(err, CM_ERR_VALIDATION,
				       "The folder of %.300s cannot be reached without following a "
				       "symlink or does not exist (%s at '%s')",
				       path, e == ELOOP ? "symlink" : strerror(e), comp);
		fd = next;
	}
	*dirfd = fd;
	*base = rest;
	return 0;
}

int deploy_path_check(const struct deploy_cfg *cfg, const char *path, const char *member,
		      struct cm_err *err)
{
	const char *rest = NULL, *base = "";
	int fd;
	if (deploy_path_shape(path, member, err) < 0)
		return -1;
	if (deploy_find_allowed(cfg, path, &rest) == NULL)
		return deploy_not_allowed(cfg, path, member, err);
	if (deploy_path_open_parent(cfg, path, &fd, &base, err) < 0)
		return -1;
	/* The file itself may be absent, or a regular file: never a link the
	 * backup would keep, nor a folder. */
	struct stat sb;
	int rc = 0;
	if (fstatat(fd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(sb.st_mode))
		rc = cm_fail(err, CM_ERR_VALIDATION, "%s %.300s exists and is not a regular file",
			     member, path);
	close(fd);
	return rc;
}
