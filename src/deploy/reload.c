/* The reload command: posix_spawn (safe in a threaded server) of an argv with
 * no shell in between (unless the operator allowed one and the target asked),
 * a minimal environment, its own process group killed whole at the timeout,
 * stdout discarded and the start of stderr kept for the error text. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deploy/deploy.h"
#include "util/clock.h"

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

static int deploy_spawn(const char *prog, char *const argv[], char *const envp[], int err_fd,
			pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	/* Nothing of the server (database, sockets, keys) reaches the command. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawn(pid, prog, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Reads stderr (up to size - 1 bytes kept) until the command exits or the
 * deadline; kills the group at the deadline. Returns the wait status, -1. */
static int deploy_wait(pid_t pid, int fd, int64_t deadline, char *out, size_t size, bool *timed_out)
{
	size_t used = 0;
	int status = 0;
	*timed_out = false;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (fd >= 0 && poll(&p, 1, 20) > 0) {
			char buf[512];
			ssize_t r = read(fd, buf, sizeof(buf));
			if (r > 0 && used + 1 < size) {
				size_t take =
				    (size_t)r < size - 1 - used ? (size_t)r : size - 1 - used;
				memcpy(out + used, buf, take);
				used += take;
			} else if (r == 0) {
				fd = -1; /* EOF: only the exit is left to wait for */
			}
		} else if (fd < 0) {
			struct timespec ts = {0, 20 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
		out[used] = '\0';
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return status;
		if (w < 0 && errno != EINTR)
			return -1;
		if (clock_monotonic_ms() >= deadline) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return status;
		}
	}
}

/* One line of the command's stderr, for the error text. */
static void deploy_first_line(char *s)
{
	s[strcspn(s, "\r\n")] = '\0';
}

static int deploy_reload_result(int status, bool timed_out, int timeout, char *stderr_text,
				char *errbuf, size_t errsize)
{
	if (!timed_out && status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	deploy_first_line(stderr_text);
	if (timed_out)
		snprintf(errbuf, errsize, "reload command timed out after %d s (killed)", timeout);
	else if (status >= 0 && WIFEXITED(status))
		snprintf(errbuf, errsize, "reload command exited with status %d%s%.300s",
			 WEXITSTATUS(status), stderr_text[0] ? ": " : "", stderr_text);
	else if (status >= 0 && WIFSIGNALED(status))
		snprintf(errbuf, errsize, "reload command killed by signal %d", WTERMSIG(status));
	else
		snprintf(errbuf, errsize, "reload command ended abnormally");
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
	int rc = deploy_spawn(prog, argv, envp, fds[1], &pid);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		snprintf(errbuf, errsize, "cannot run %.200s: %s", prog, strerror(rc));
		return -1;
	}
	int status =
	    deploy_wait(pid, fds[0], deadline, stderr_text, sizeof(stderr_text), &timed_out);
	close(fds[0]);
	return deploy_reload_result(status, timed_out, spec->reload_timeout, stderr_text, errbuf,
				    errsize);
}
