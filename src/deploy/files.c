/* Atomic file replacement (the habit of OpenBSD acme-client): a temporary
 * file in the same folder, created 0600 and given its owner and final mode
 * before a byte is written, then fsync, rename over the old name and fsync of
 * the folder, so a reader sees the old file or the new one, never half of
 * one, and a crash leaves one of the two. The previous file is kept as a hard
 * link until the deployment ends: rolling back is one rename, and no old key
 * is ever read back into memory. */
#include <errno.h>
#include <fcntl.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy/deploy.h"

int deploy_file_begin(const struct deploy_cfg *cfg, const char *path, struct deploy_file_op *op,
		      struct cm_err *err)
{
	const char *base = NULL;
	struct stat sb;
	memset(op, 0, sizeof(*op));
	op->dirfd = -1;
	if (deploy_path_open_parent(cfg, path, &op->dirfd, &base, err) < 0)
		return -1;
	snprintf(op->base, sizeof(op->base), "%s", base);
	snprintf(op->backup, sizeof(op->backup), ".%s.certain-prev", base);
	/* A backup left by a crash is stale: the file itself is what is current. */
	if (unlinkat(op->dirfd, op->backup, 0) < 0 && errno != ENOENT)
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot remove %s: %s", op->backup,
			       strerror(errno));
	if (fstatat(op->dirfd, op->base, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot look at %s: %s", path,
			       strerror(errno));
	}
	if (!S_ISREG(sb.st_mode))
		return cm_fail(err, CM_ERR_INVALID_STATE, "%s is not a regular file", path);
	if (linkat(op->dirfd, op->base, op->dirfd, op->backup, 0) < 0)
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot keep the previous %s: %s", path,
			       strerror(errno));
	op->had_old = true;
	return 0;
}

static int deploy_write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/* A fresh temporary name beside the file (dot-prefixed: servers that load
 * a folder's *.pem skip it). */
static int deploy_temp_open(struct deploy_file_op *op, char *tmp, size_t size)
{
	for (int i = 0; i < 8; i++) {
		unsigned char r[6];
		if (RAND_bytes(r, sizeof(r)) != 1)
			return -1;
		snprintf(tmp, size, ".%.200s.certain-%02x%02x%02x%02x%02x%02x", op->base, r[0],
			 r[1], r[2], r[3], r[4], r[5]);
		int fd = openat(op->dirfd, tmp,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	return -1;
}

/* Owner and mode first, content after: the key never sits in a file that
 * someone else could open. */
static int deploy_fill(int fd, const struct deploy_content *c, unsigned mode, long uid, long gid,
		       deploy_key_writer write_key, void *key_ctx, struct cm_err *err)
{
	if ((uid >= 0 || gid >= 0) && fchown(fd, (uid_t)uid, (gid_t)gid) < 0)
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot set the owner: %s",
			       strerror(errno));
	if (fchmod(fd, (mode_t)mode) < 0)
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot set the mode: %s",
			       strerror(errno));
	for (size_t i = 0; i < sizeof(c->parts) / sizeof(c->parts[0]); i++) {
		const char *p = c->parts[i];
		if (p == NULL)
			continue;
		size_t len = strlen(p);
		if (deploy_write_all(fd, p, len) < 0 ||
		    (len > 0 && p[len - 1] != '\n' && deploy_write_all(fd, "\n", 1) < 0))
			return cm_fail(err, CM_ERR_INVALID_STATE, "cannot write: %s",
				       strerror(errno));
	}
	if (c->key && write_key(key_ctx, fd, err) < 0)
		return -1;
	if (fsync(fd) < 0)
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot fsync: %s", strerror(errno));
	return 0;
}

int deploy_file_write(struct deploy_file_op *op, const struct deploy_content *c, unsigned mode,
		      long uid, long gid, deploy_key_writer write_key, void *key_ctx,
		      struct cm_err *err)
{
	char tmp[300];
	int fd = deploy_temp_open(op, tmp, sizeof(tmp));
	if (fd < 0)
		return cm_fail(err, CM_ERR_INVALID_STATE,
			       "cannot create a temporary file for %s: %s", op->base,
			       strerror(errno));
	int rc = deploy_fill(fd, c, mode, uid, gid, write_key, key_ctx, err);
	if (close(fd) < 0 && rc == 0)
		rc =
		    cm_fail(err, CM_ERR_INVALID_STATE, "cannot close %s: %s", tmp, strerror(errno));
	if (rc == 0 && renameat(op->dirfd, tmp, op->dirfd, op->base) < 0)
		rc = cm_fail(err, CM_ERR_INVALID_STATE, "cannot rename into %s: %s", op->base,
			     strerror(errno));
	if (rc < 0) {
		unlinkat(op->dirfd, tmp, 0); /* may hold part of a key */
		return -1;
	}
	op->replaced = true;
	fsync(op->dirfd); /* the rename itself survives a crash */
	return 0;
}

int deploy_file_restore(struct deploy_file_op *op, struct cm_err *err)
{
	if (op->dirfd < 0 || !op->replaced)
		return 0;
	int rc = op->had_old ? renameat(op->dirfd, op->backup, op->dirfd, op->base)
			     : unlinkat(op->dirfd, op->base, 0);
	if (rc < 0)
		return cm_fail(err, CM_ERR_INVALID_STATE, "cannot restore %s: %s", op->base,
			       strerror(errno));
	op->replaced = false;
	op->had_old = false; /* the backup name is gone: it is the file again */
	fsync(op->dirfd);
	return 0;
}

void deploy_file_end(struct deploy_file_op *op, bool keep_backup)
{
	if (op->dirfd < 0)
		return;
	/* An old key kept on disk is one more copy to leak: drop it once the
	 * new files are known good. */
	if (op->had_old && !keep_backup)
		unlinkat(op->dirfd, op->backup, 0);
	close(op->dirfd);
	op->dirfd = -1;
}
