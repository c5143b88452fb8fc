/* Command targets (issue: lifecycle): an executable run with the event JSON on
 * its standard input. No shell is involved (the path is run as is, with no
 * arguments), the environment is minimal, and a command that does not finish
 * in time is killed with its whole process group. */
#ifndef CERTAIN_LIFECYCLE_COMMAND_H
#define CERTAIN_LIFECYCLE_COMMAND_H

#include <stddef.h>

#define COMMAND_TIMEOUT_MS 10000

/* Runs path with body on stdin; stdout and stderr go to /dev/null (they must
 * not interleave with the server's log lines). event_id and detail_type are
 * passed as CERTAIN_EVENT_ID and CERTAIN_EVENT_TYPE. 0 when the command exits
 * with status 0 within timeout_ms; -1 otherwise with a short reason in errbuf. */
int command_run(const char *path, const char *body, size_t body_len, const char *event_id,
		const char *detail_type, int timeout_ms, char *errbuf, size_t errsize);

#endif
