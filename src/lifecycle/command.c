/* Command delivery: posix_spawn (safe in a threaded server, unlike fork
 * followed by anything but exec) of the target path in its own process group,
 * the event written to a pipe on its stdin, and a deadline after which the
 * whole group is killed, so a command that forks helpers cannot outlive it. */
#include "lifecycle/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/spawn.h"

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
	char *const argv[] = {(char *)path, NULL};
	int rc = spawn_start(path, argv, envp, fds[0], -1, &pid);
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
	int status = spawn_wait(pid, deadline, -1, NULL, 0, &timed_out);
	if (spawn_succeeded(status, timed_out))
		return 0;
	spawn_describe("command", status, timed_out, timeout_ms, errbuf, errsize);
	return -1;
}
