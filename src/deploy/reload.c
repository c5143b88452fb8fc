/* The reload command: posix_spawn (safe in a threaded server) of an argv with
 * no shell in between (unless the operator allowed one and the target asked),
 * a minimal environment, its own process group killed whole at the timeout,
 * stdout discarded and the start of stderr kept for the error text. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "deploy/deploy.h"
#include "util/clock.h"
#include "util/spawn.h"

#define DEPLOY_PATH_ENV "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* The program: as given when it has a '/', else the first executable of
 * that name along the fixed PATH (the server's own PATH is not used). */
static int deploy_resolve(const char *name, char *out, size_t size)
{
	if (strchr(name, '/') != NULL) {
		snprintf(out, size, "%s", name);
		return 0;
	}
	const char *dirs = DEPLOY_PATH_ENV;
	while (*dirs != '\0') {
		size_t n = strcspn(dirs, ":");
		snprintf(out, size, "%.*s/%s", (int)n, dirs, name);
		if (access(out, X_OK) == 0)
			return 0;
		dirs += n + (dirs[n] == ':');
	}
	return -1;
}

/* One line of the command's stderr, for the error text. */
static void deploy_first_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static int deploy_reload_result(int status, bool timed_out, int timeout, char *stderr_text,
				char *errbuf, size_t errsize)
{
	if (spawn_succeeded(status, timed_out))
		return 0;
	deploy_first_line(stderr_text);
	spawn_describe("reload command", status, timed_out, timeout * 1000, errbuf, errsize);
	if (!timed_out && stderr_text[0] != '\0') {
		size_t n = strlen(errbuf);
		snprintf(errbuf + n, errsize - n, ": %.300s", stderr_text);
	}
	return -1;
}

int deploy_reload(const struct deploy_spec *spec, char *const *env, char *errbuf, size_t errsize)
{
	char prog[DEPLOY_PATH_MAX], stderr_text[512] = "";
	char *envp[16] = {"PATH=" DEPLOY_PATH_ENV, "LANG=C.UTF-8"};
	size_t ne = 2;
	char *sh_argv[] = {"/bin/sh", "-c", NULL, NULL};
	char *const *argv = spec->reload;
	int fds[2];
	pid_t pid;
	bool timed_out = false;
	if (spec->reload == NULL || spec->n_reload == 0)
		return 0;
	for (; env != NULL && env[ne - 2] != NULL && ne + 1 < sizeof(envp) / sizeof(envp[0]); ne++)
		envp[ne] = env[ne - 2];
	envp[ne] = NULL;
	if (spec->shell) {
		sh_argv[2] = spec->reload[0];
		argv = sh_argv;
	}
	if (deploy_resolve(argv[0], prog, sizeof(prog)) < 0) {
		snprintf(errbuf, errsize, "reload command %.200s not found", argv[0]);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(errbuf, errsize, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	int64_t deadline = clock_monotonic_ms() + (int64_t)spec->reload_timeout * 1000;
	int rc = spawn_start(prog, argv, envp, -1, fds[1], &pid);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		snprintf(errbuf, errsize, "cannot run %.200s: %s", prog, strerror(rc));
		return -1;
	}
	int status = spawn_wait(pid, deadline, fds[0], stderr_text, sizeof(stderr_text), &timed_out);
	close(fds[0]);
	return deploy_reload_result(status, timed_out, spec->reload_timeout, stderr_text, errbuf,
				    errsize);
}
