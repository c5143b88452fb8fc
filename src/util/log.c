/* logfmt writer: builds the whole line in memory, then one write(2), so lines
 * from concurrent request threads never interleave. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_min_level = LOG_INFO;

static const char *const log_level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
	log_min_level = level;
}

/* Appends ` key="value"` with quotes, backslashes and control bytes escaped. */
static size_t log_append(char *buf, size_t used, size_t size, const char *key, const char *val)
{
	if (used >= size)
		return used;
	used += (size_t)snprintf(buf + used, size - used, " %s=\"", key);
	for (const unsigned char *p = (const unsigned char *)val; *p != '\0' && used + 8 < size;
	     p++) {
		if (*p == '"' || *p == '\\')
			used += (size_t)snprintf(buf + used, size - used, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7F)
			used += (size_t)snprintf(buf + used, size - used, "\\x%02x", *p);
		else
			buf[used++] = (char)*p;
	}
	if (used + 1 < size)
		buf[used++] = '"';
	return used;
}

void log_event(enum log_level level, const char *msg, ...)
{
	if (level < log_min_level)
		return;
	char buf[4096];
	char ts[32];
	struct timespec now;
	struct tm tm;
	/* Log timestamps are wall time for operators, not domain time: the clock
	 * module's test offset must not make logs lie. */
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	size_t used = (size_t)snprintf(buf, sizeof(buf), "ts=%s.%03ldZ level=%s", ts,
				       now.tv_nsec / 1000000, log_level_names[level]);
	used = log_append(buf, used, sizeof(buf), "msg", msg);
	va_list ap;
	va_start(ap, msg);
	for (;;) {
		const char *key = va_arg(ap, const char *);
		if (key == NULL)
			break;
		const char *val = va_arg(ap, const char *);
		used = log_append(buf, used, sizeof(buf), key, val != NULL ? val : "");
	}
	va_end(ap);
	if (used >= sizeof(buf) - 1)
		used = sizeof(buf) - 2;
	buf[used++] = '\n';
	ssize_t w = write(STDERR_FILENO, buf, used);
	(void)w;
}
