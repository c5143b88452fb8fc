/* See spawn.h. */
#include "util/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

int spawn_start(const char *prog, char *const argv[], char *const envp[], int stdin_fd,
		int stderr_fd, pid_t *pid)
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
	if (stdin_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (stderr_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, stderr_fd, 2);
	else
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
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

/* Reads what err_fd has now into out; -1 once it is at its end. */
static int spawn_read(int fd, char *out, size_t size, size_t *used)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 20) <= 0)
		return fd;
	char buf[512];
	ssize_t r = read(fd, buf, sizeof(buf));
	if (r == 0)
		return -1; /* EOF: only the exit is left to wait for */
	if (r > 0 && *used + 1 < size) {
		size_t take = (size_t)r < size - 1 - *used ? (size_t)r : size - 1 - *used;
		memcpy(out + *used, buf, take);
		*used += take;
		out[*used] = '\0';
	}
	return fd;
}

int spawn_wait(pid_t pid, int64_t deadline, int err_fd, char *out, size_t size, bool *timed_out)
{
	size_t used = 0;
	int status = 0;
	*timed_out = false;
	if (out != NULL && size > 0)
		out[0] = '\0';
	for (;;) {
		if (err_fd >= 0 && out != NULL && size > 0) {
			err_fd = spawn_read(err_fd, out, size, &used);
		} else {
			struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000 * 1000};
			nanosleep(&ts, NULL);
		}
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

bool spawn_succeeded(int status, bool timed_out)
{
	return !timed_out && status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void spawn_describe(const char *what, int status, bool timed_out, int timeout_ms, char *buf,
		    size_t size)
{
	if (timed_out)
		snprintf(buf, size, "%s timed out after %d ms (killed)", what, timeout_ms);
	else if (status < 0)
		snprintf(buf, size, "cannot wait for the %s", what);
	else if (WIFEXITED(status))
		snprintf(buf, size, "%s exited with status %d", what, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "%s killed by signal %d", what, WTERMSIG(status));
	else
		snprintf(buf, size, "%s ended abnormally", what);
}
