/* Deployment on disk without a server: which paths a target may use (relative,
 * "..", outside the allowed folders, through a symlink), the modes the files
 * get, the refusal of a key mode others could read, and a rollback that puts
 * the previous files back after a failed reload. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deploy/deploy.h"
#include "harness.h"

/* A fresh folder under /tmp, allowed in *cfg. */
static void deploy_fixture(struct deploy_cfg *cfg, char dir[64])
{
	struct cm_err err = {0};
	snprintf(dir, 64, "/tmp/certain-unit-deploy-XXXXXX");
	memset(cfg, 0, sizeof(*cfg));
	if (mkdtemp(dir) != NULL)
		deploy_cfg_allow(cfg, dir, &err);
}

static void deploy_cleanup(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "  cannot remove %s\n", dir);
}

static int fake_key(void *ctx, int fd, struct cm_err *err)
{
	(void)ctx;
	(void)err;
	static const char key[] = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
	return write(fd, key, sizeof(key) - 1) == (ssize_t)(sizeof(key) - 1) ? 0 : -1;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return (int)n;
}

TEST(deploy_path_checks)
{
	struct deploy_cfg cfg, none;
	struct cm_err err = {0};
	char dir[64], path[256], outside[64] = "/tmp/certain-unit-outside-XXXXXX";
	deploy_fixture(&cfg, dir);
	memset(&none, 0, sizeof(none));
	CHECK(mkdtemp(outside) != NULL);
	snprintf(path, sizeof(path), "%s/site.pem", dir);
	CHECK(deploy_path_check(&cfg, path, "Files.Key", &err) == 0);
	/* Nothing allowed: the message names the option. */
	CHECK(deploy_path_check(&none, path, "Files.Key", &err) < 0);
	CHECK(strstr(err.msg, "--deploy-allow DIR") != NULL);
	CHECK(deploy_path_check(&cfg, "site.pem", "Files.Key", &err) < 0);
	CHECK(strstr(err.msg, "absolute") != NULL);
	snprintf(path, sizeof(path), "%s/../etc/site.pem", dir);
	CHECK(deploy_path_check(&cfg, path, "Files.Key", &err) < 0);
	snprintf(path, sizeof(path), "%s/./site.pem", dir);
	CHECK(deploy_path_check(&cfg, path, "Files.Key", &err) < 0);
	snprintf(path, sizeof(path), "%s/site.pem", outside);
	CHECK(deploy_path_check(&cfg, path, "Files.Key", &err) < 0);
	CHECK(strstr(err.msg, "outside") != NULL);
	/* A prefix of an allowed folder's name is not the folder. */
	snprintf(path, sizeof(path), "%sx/site.pem", dir);
	CHECK(deploy_path_check(&cfg, path, "Files.Key", &err) < 0);
	/* A symlink inside the folder that leads out of it. */
	char link[128];
	snprintf(link, sizeof(link), "%s/escape", dir);
	CHECK(symlink(outside, link) == 0);
	snprintf(path, sizeof(path), "%s/site.pem", link);
	CHECK(deploy_path_check(&cfg, path, "Files.Key", &err) < 0);
	CHECK(strstr(err.msg, "symlink") != NULL);
	/* The file itself a symlink: refused too. */
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	CHECK(symlink("/etc/passwd", path) == 0);
	CHECK(deploy_path_check(&cfg, path, "Files.Key", &err) < 0);
	deploy_cleanup(dir);
	deploy_cleanup(outside);
}

TEST(deploy_spec_key_mode_and_shell)
{
	struct deploy_cfg cfg;
	struct deploy_spec s;
	struct cm_err err = {0};
	char dir[64], spec[512];
	deploy_fixture(&cfg, dir);
	snprintf(spec, sizeof(spec),
		 "{\"Kind\":\"files\",\"Files\":{\"Key\":\"%s/k.pem\"},\"KeyMode\":\"0644\"}", dir);
	json_t *j = json_loads(spec, 0, NULL);
	CHECK(deploy_spec_parse(&cfg, j, &s, &err) < 0);
	CHECK(strstr(err.msg, "other users") != NULL);
	deploy_spec_clear(&s);
	json_decref(j);
	snprintf(spec, sizeof(spec),
		 "{\"Kind\":\"files\",\"Files\":{\"Key\":\"%s/k.pem\"},"
		 "\"Reload\":{\"Command\":[\"true\"],\"Shell\":true}}",
		 dir);
	j = json_loads(spec, 0, NULL);
	CHECK(deploy_spec_parse(&cfg, j, &s, &err) < 0);
	deploy_spec_clear(&s);
	cfg.allow_shell = true;
	CHECK(deploy_spec_parse(&cfg, j, &s, &err) == 0);
	CHECK(s.shell && s.key_mode == 0600 && s.mode == 0644);
	deploy_spec_clear(&s);
	json_decref(j);
	deploy_cleanup(dir);
}

/* Writes cert and key files through deploy_apply with the given reload. */
static void deploy_run_files(const struct deploy_cfg *cfg, const char *dir, const char *reload,
			     char result[16], char *errbuf, size_t errsize)
{
	char cert[128], key[128];
	char *argv[] = {(char *)reload, NULL};
	struct deploy_spec s;
	memset(&s, 0, sizeof(s));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	s.kind = DEPLOY_FILES;
	s.paths[DEPLOY_FILE_CERT] = cert;
	s.paths[DEPLOY_FILE_KEY] = key;
	s.mode = 0644;
	s.key_mode = 0640;
	s.reload = reload != NULL ? argv : NULL;
	s.n_reload = reload != NULL ? 1 : 0;
	s.reload_timeout = 5;
	struct deploy_material m = {"NEW CERT\n", NULL, NULL, 0, fake_key, NULL, NULL};
	deploy_apply(cfg, &s, &m, result, errbuf, errsize);
}

TEST(deploy_atomic_write_modes_and_rollback)
{
	struct deploy_cfg cfg;
	char dir[64], path[128], buf[256], result[16], why[512];
	struct stat sb;
	deploy_fixture(&cfg, dir);
	deploy_run_files(&cfg, dir, "/bin/true", result, why, sizeof(why));
	CHECK_STR_EQ(result, "SUCCEEDED");
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
	CHECK(read_file(path, buf, sizeof(buf)) > 0 && strstr(buf, "PRIVATE KEY") != NULL);
	snprintf(path, sizeof(path), "%s/cert.pem", dir);
	CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644);
	/* Make the current files recognisable, then fail the reload. */
	int fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "OLD CERT\n", 9) == 9);
	if (fd >= 0)
		close(fd);
	deploy_run_files(&cfg, dir, "/bin/false", result, why, sizeof(why));
	CHECK_STR_EQ(result, "FAILED"); /* the reload after the restore fails too */
	CHECK(read_file(path, buf, sizeof(buf)) > 0);
	CHECK_STR_EQ(buf, "OLD CERT\n");
	/* A reload command that is not there: the files are put back all the same. */
	deploy_run_files(&cfg, dir, "/nonexistent/reload", result, why, sizeof(why));
	CHECK(strstr(why, "cannot run") != NULL);
	CHECK(read_file(path, buf, sizeof(buf)) > 0);
	CHECK_STR_EQ(buf, "OLD CERT\n");
	/* No temporary or backup file is left behind. */
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep certain)\"", dir);
	CHECK(system(cmd) == 0);
	deploy_cleanup(dir);
}
