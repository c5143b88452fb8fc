/* The logfmt line: timestamp, level, quoted values with escapes, one line per
 * event. Captured by pointing stderr at a temporary file for the call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/log.h"

/* Runs one log_event with stderr redirected; returns the bytes written. */
static size_t log_capture(char *out, size_t size, const char *value)
{
	char path[] = "/tmp/certain-log-XXXXXX";
	int fd = mkstemp(path);
	int saved = dup(STDERR_FILENO);
	size_t n = 0;
	if (fd < 0 || saved < 0)
		return 0;
	unlink(path);
	dup2(fd, STDERR_FILENO);
	log_event(LOG_WARN, "a message", "key", value, "empty", (const char *)NULL, LOG_END);
	dup2(saved, STDERR_FILENO);
	close(saved);
	if (lseek(fd, 0, SEEK_SET) == 0) {
		ssize_t r = read(fd, out, size - 1);
		n = r > 0 ? (size_t)r : 0;
	}
	out[n] = '\0';
	close(fd);
	return n;
}

TEST(log_line_format_and_escapes)
{
	char line[8192];
	size_t n = log_capture(line, sizeof(line), "q\"b\\s\nt\x7f");
	CHECK(n > 28);
	if (n <= 28)
		return;
	CHECK(line[n - 1] == '\n' && strchr(line, '\n') == line + n - 1);
	/* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
	CHECK(strncmp(line, "ts=", 3) == 0 && line[7] == '-' && line[13] == 'T' &&
	      line[22] == '.' && line[26] == 'Z' && line[27] == ' ');
	CHECK(strstr(line, " level=warn msg=\"a message\"") != NULL);
	CHECK(strstr(line, " key=\"q\\\"b\\\\s\\x0at\\x7f\"") != NULL);
	CHECK(strstr(line, " empty=\"\"\n") != NULL);
}

TEST(log_long_value_is_cut_to_one_line)
{
	static char big[10000], line[8192];
	memset(big, 'x', sizeof(big) - 1);
	size_t n = log_capture(line, sizeof(line), big);
	CHECK(n > 1000 && n <= 4096);
	if (n == 0)
		return;
	CHECK(line[n - 1] == '\n' && strchr(line, '\n') == line + n - 1);
}
