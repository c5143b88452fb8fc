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

/* Appends n bytes when they fit (leaving room for the newline). */
static size_t log_put(char *buf, size_t used, size_t size, const char *s, size_t n)
{
	if (used + n + 2 > size)
		return used;
	memcpy(buf + used, s, n);
	return used + n;
}

/* Appends ` key="value"` with quotes, backslashes and control bytes escaped.
 * Plain byte copies, not snprintf: this runs for every request logged. */
static size_t log_append(char *buf, size_t used, size_t size, const char *key, const char *val)
{
	static const char hex[] = "0123456789abcdef";
	used = log_put(buf, used, size, " ", 1);
	used = log_put(buf, used, size, key, strlen(key));
	used = log_put(buf, used, size, "=\"", 2);
	for (const unsigned char *p = (const unsigned char *)val; *p != '\0' && used + 8 < size;
	     p++) {
		if (*p == '"' || *p == '\\') {
			buf[used++] = '\\';
			buf[used++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7F) {
			const char esc[4] = {'\\', 'x', hex[*p >> 4], hex[*p & 0x0F]};
			used = log_put(buf, used, size, esc, sizeof(esc));
		} else {
			buf[used++] = (char)*p;
		}
	}
	return log_put(buf, used, size, "\"", 1);
}

/* "ts=2026-11-27T10:00:00.123Z": strftime once per second per thread. */
static size_t log_timestamp(char *buf, size_t size)
{
	static _Thread_local time_t last_sec = -1;
	static _Thread_local char last[32];
	struct timespec now;
	/* Log timestamps are wall time for operators, not domain time: the clock
	 * module's test offset must not make logs lie. */
	clock_gettime(CLOCK_REALTIME, &now);
	if (now.tv_sec != last_sec) {
		struct tm tm;
		gmtime_r(&now.tv_sec, &tm);
		strftime(last, sizeof(last), "ts=%Y-%m-%dT%H:%M:%S.", &tm);
		last_sec = now.tv_sec;
	}
	long ms = now.tv_nsec / 1000000;
	size_t used = log_put(buf, 0, size, last, strlen(last));
	const char frac[4] = {(char)('0' + ms / 100), (char)('0' + ms / 10 % 10),
			      (char)('0' + ms % 10), 'Z'};
	return log_put(buf, used, size, frac, sizeof(frac));
}

void log_event(enum log_level level, const char *msg, ...)
{
	if (level < log_min_level)
		return;
	char buf[4096];
	size_t used = log_timestamp(buf, sizeof(buf));
	used = log_put(buf, used, sizeof(buf), " level=", 7);
	used = log_put(buf, used, sizeof(buf), log_level_names[level],
		       strlen(log_level_names[level]));
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
