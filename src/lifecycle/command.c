/* Command delivery: posix_spawn (safe in a threaded server, unlike fork
 * followed by anything but exec) of the target path in its own process group,
 * the event written to a pipe on its stdin, and a deadline after which the
 * whole group is killed, so a command that forks helpers cannot outlive it. */
#include "lifecycle/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

/* Writes all of body to fd before the deadline. A command that exits without
 * reading is not a write error: its exit status decides. */
static void command_feed(int fd, const char *body, size_t len, int64_t deadline)
{
	size_t done = 0;
	while (done < len) {
		int64_t left = deadline - clock_monotonic_ms();
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return;
		ssize_t w = write(fd, body + done, len - done);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return;
		if (w > 0)
			done += (size_t)w;
	}
}

/* Waits for pid until the deadline; kills its process group after it. */
static int command_wait(pid_t pid, int64_t deadline, bool *timed_out)
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

static int command_spawn(const char *path, int stdin_fd, char *const envp[], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char *const argv[] = {(char *)path, NULL};
	sigset_t none;
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* Nothing of the server (database, sockets) reaches the command. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	/* Its own group, to kill it whole; default signals and an empty mask,
	 * since the server blocks SIGTERM/SIGINT and ignores SIGPIPE. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	sigset_t dfl;
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGINT);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	int rc = posix_spawn(pid, path, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

static void command_describe(int status, bool timed_out, int timeout_ms, char *errbuf,
			     size_t errsize)
{
	if (timed_out)
		snprintf(errbuf, errsize, "command timed out after %d ms (killed)", timeout_ms);
	else if (status < 0)
		snprintf(errbuf, errsize, "cannot wait for the command");
	else if (WIFEXITED(status))
		snprintf(errbuf, errsize, "command exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(errbuf, errsize, "command killed by signal %d", WTERMSIG(status));
	else
		snprintf(errbuf, errsize, "command ended abnormally");
}

int command_run(const char *path, const char *body, size_t body_len, const char *event_id,
		const char *detail_type, int timeout_ms, char *errbuf, size_t errsize)
{
	char env_id[96], env_type[128];
	snprintf(env_id, sizeof(env_id), "CERTAIN_EVENT_ID=%s", event_id);
	snprintf(env_type, sizeof(env_type), "CERTAIN_EVENT_TYPE=%s", detail_type);
	char *const envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", env_id, env_type,
			      NULL};
	int fds[2];
	pid_t pid;
	bool timed_out = false;
	if (path[0] != '/') {
		snprintf(errbuf, errsize, "command path is not absolute");
		return -1;
	}
	/* Non-blocking writes so a command that never reads cannot stall us past
	 * the deadline; O_CLOEXEC so no other spawn inherits this pipe. */
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(errbuf, errsize, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	int rc = command_spawn(path, fds[0], envp, &pid);
	close(fds[0]);
	if (rc != 0) {
		close(fds[1]);
		snprintf(errbuf, errsize, "cannot run the command: %s", strerror(rc));
		return -1;
	}
	/* SIGPIPE when the command exits early: the server ignores it; a unit
	 * test process may not, so block it on this thread and drop it after. */
	sigset_t pipe_set, old;
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	command_feed(fds[1], body, body_len, deadline);
	close(fds[1]);
	struct timespec zero = {0, 0};
	while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE)
		;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	int status = command_wait(pid, deadline, &timed_out);
	if (!timed_out && status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	command_describe(status, timed_out, timeout_ms, errbuf, errsize);
	return -1;
}
