/* The hook publisher: for DNS providers without RFC 2136, the user's own
 * program is run as `hook add|remove FQDN VALUE`. posix_spawn, not fork, since
 * the server is threaded; no shell, so a value can never become a command; its
 * own process group, so a hook that forks helpers is killed whole on timeout. */
#include "acme/dns_internal.h"

#include <stdio.h>
#include <string.h>

#include "util/clock.h"
#include "util/spawn.h"

int dns_hook_run(const char *hook, const char *action, const char *fqdn, const char *value,
		 int timeout_ms, struct cm_err *err)
{
	char *const argv[] = {(char *)hook, (char *)action, (char *)fqdn, (char *)value, NULL};
	/* A minimal environment: nothing of ours (credentials, paths) leaks in. */
	char *const envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", NULL};
	char what[600];
	pid_t pid;
	bool timed_out;
	if (timeout_ms <= 0)
		timeout_ms = DNS_DEFAULT_TIMEOUT_MS;
	if (hook[0] != '/')
		return cm_fail(err, CM_ERR_VALIDATION, "DNS hook %s: path is not absolute", hook);
	int64_t deadline = clock_monotonic_ms() + timeout_ms;
	int rc = spawn_start(hook, argv, envp, -1, -1, &pid);
	if (rc != 0)
		return cm_fail(err, CM_ERR_INTERNAL, "DNS hook %s: cannot run it: %s", hook,
			       strerror(rc));
	int status = spawn_wait(pid, deadline, -1, NULL, 0, &timed_out);
	if (spawn_succeeded(status, timed_out))
		return 0;
	snprintf(what, sizeof(what), "DNS hook %.300s %s %.253s", hook, action, fqdn);
	char msg[sizeof(((struct cm_err *)0)->msg)];
	spawn_describe(what, status, timed_out, timeout_ms, msg, sizeof(msg));
	return cm_fail(err, CM_ERR_INTERNAL, "%s", msg);
}
