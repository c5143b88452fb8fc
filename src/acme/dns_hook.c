/* The hook publisher: for DNS providers without RFC 2136, the user's own
 * program is run as `hook add|remove FQDN VALUE`. posix_spawn, not fork, since
 * the server is threaded; no shell, so a value can never become a command; its
 * own process group, so a hook that forks helpers is killed whole on timeout. */
#include "acme/dns_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

static int dns_hook_spawn(char *const argv[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	/* A minimal environment: nothing of ours (credentials, paths) leaks in. */
	char *const envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", NULL};
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	/* Its output must not interleave with our log lines. */
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawn(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Waits for pid until deadline, then kills its process group. */
static int dns_hook_wait(pid_t pid, int64_t deadline, bool *timed_out)
{
	int status = 0;
	*timed_out = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		if (clock_monotonic_ms() >= deadline) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return status;
		}
		struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

int dns_hook_run(const char *hook, const char *action, const char *fqdn, const char *value,
		 int timeout_ms, struct cm_err *err)
{
	char *const argv[] = {(char *)hook, (char *)action, (char *)fqdn, (char *)value, NULL};
	pid_t pid;
	bool timed_out;
	if (timeout_ms <= 0)
		timeout_ms = DNS_DEFAULT_TIMEOUT_MS;
	if (hook[0] != '/')
		return cm_fail(err, CM_ERR_VALIDATION, "DNS hook %s: path is not absolute", hook);
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	int rc = dns_hook_spawn(argv, &pid);
	if (rc != 0)
		return cm_fail(err, CM_ERR_INTERNAL, "DNS hook %s: cannot run it: %s", hook,
			       strerror(rc));
	int status = dns_hook_wait(pid, deadline, &timed_out);
	if (timed_out)
		return cm_fail(err, CM_ERR_INTERNAL,
			       "DNS hook %s %s %s: timed out after %d ms (killed)", hook, action,
			       fqdn, timeout_ms);
	if (status < 0)
		return cm_fail(err, CM_ERR_INTERNAL, "DNS hook %s: cannot wait for it", hook);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return cm_fail(err, CM_ERR_INTERNAL, "DNS hook %s %s %s: exited with status %d",
			       hook, action, fqdn, WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return cm_fail(err, CM_ERR_INTERNAL, "DNS hook %s %s %s: killed by signal %d", hook,
			       action, fqdn, WTERMSIG(status));
	return cm_fail(err, CM_ERR_INTERNAL, "DNS hook %s %s %s: ended abnormally", hook, action,
		       fqdn);
}
