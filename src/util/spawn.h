/* Running a program on the server's behalf: event commands, reload commands,
 * DNS hooks. posix_spawn (safe in a threaded server), no shell, its own
 * process group killed whole at the deadline, default signal handling (the
 * server blocks SIGTERM/SIGINT and ignores SIGPIPE), and none of the
 * server's descriptors (database, sockets) beyond the three standard ones. */
#ifndef CERTAIN_UTIL_SPAWN_H
#define CERTAIN_UTIL_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Starts prog with argv and envp; stdin from stdin_fd and stderr to
 * stderr_fd (-1: /dev/null for either); stdout is always /dev/null, so its
 * output never mixes with the log. 0, or the posix_spawn error number. */
int spawn_start(const char *prog, char *const argv[], char *const envp[], int stdin_fd,
		int stderr_fd, pid_t *pid);

/* Waits for pid until deadline (clock_monotonic_ms), reading err_fd (when
 * >= 0) into out (size bytes, NUL-terminated, the rest dropped); at the
 * deadline kills its process group and sets *timed_out. Returns the wait
 * status, or -1 when waiting failed. */
int spawn_wait(pid_t pid, int64_t deadline, int err_fd, char *out, size_t size, bool *timed_out);

/* Whether the program succeeded (exit status 0, in time). */
bool spawn_succeeded(int status, bool timed_out);

/* The outcome in words, e.g. "reload command exited with status 1", for
 * what (the program's role) after a timeout of timeout_ms. */
void spawn_describe(const char *what, int status, bool timed_out, int timeout_ms, char *buf,
		    size_t size);

#endif
