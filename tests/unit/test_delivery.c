/* Delivery pieces on their own: the webhook signature format (pinned against
 * a value computed outside Certain), the retry schedule, and command targets
 * that succeed, fail, hang and are not there. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lifecycle/command.h"
#include "lifecycle/delivery.h"
#include "lifecycle/webhook.h"
#include "util/clock.h"

TEST(delivery_webhook_signature_format)
{
	static const char secret[] = "0123456789abcdef-secret";
	static const char body[] = "{\"id\":\"e1\"}";
	char sig[WEBHOOK_SIGNATURE_MAX];
	/* python3: hmac.new(secret, b'1700000000.' + body, hashlib.sha256).hexdigest() */
	CHECK(webhook_signature((const unsigned char *)secret, strlen(secret), 1700000000, body,
				strlen(body), sig) == 0);
	CHECK_STR_EQ(sig, "t=1700000000,v1="
			  "5c2af32d825ed7378d59d36d2b5707e5e60156c46c23dc19c6b40ab0a0993281");
	/* The time is inside the MAC: another t, another v1. */
	char other[WEBHOOK_SIGNATURE_MAX];
	CHECK(webhook_signature((const unsigned char *)secret, strlen(secret), 1700000001, body,
				strlen(body), other) == 0);
	CHECK(strcmp(sig + strlen("t=1700000000,"), other + strlen("t=1700000001,")) != 0);
}

TEST(delivery_webhook_unreachable_is_a_short_error)
{
	char why[256] = "";
	/* Port 1 on loopback: nothing listens there. */
	CHECK(webhook_post("http://user:pw@127.0.0.1:1/hook", "e1", (const unsigned char *)"k", 1,
			   1700000000, "{}", why, sizeof(why)) == -1);
	CHECK(why[0] != '\0');
	CHECK(strstr(why, "pw") == NULL); /* never the URL's credentials */
	CHECK(webhook_post("file:///etc/passwd", "e1", (const unsigned char *)"k", 1, 1700000000,
			   "{}", why, sizeof(why)) == -1);
}

TEST(delivery_backoff_schedule)
{
	static const int64_t want[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600};
	for (int i = 0; i < 9; i++)
		CHECK(delivery_backoff(i + 1, 0.0) == want[i]);
	CHECK(delivery_backoff(60, 0.0) == DELIVERY_BACKOFF_CAP); /* no overflow */
	CHECK(delivery_backoff(1, 1.0) == 36);
	CHECK(delivery_backoff(1, -1.0) == 24);
	CHECK(delivery_backoff(8, 1.0) == 4320);
	CHECK(delivery_backoff(1, 5.0) == 36); /* jitter is clamped */
}

/* A scratch folder with an executable script; returns its path in path. */
static void write_script(char *dir, char *path, size_t size, const char *name, const char *text)
{
	snprintf(path, size, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "#!/bin/sh\n%s\n", text);
	fclose(f);
	chmod(path, 0700);
}

static void rm_rf(const char *dir)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

TEST(delivery_command_success_gets_event_on_stdin)
{
	char dir[64] = "/tmp/certain-unit-XXXXXX", path[256], text[512], why[256] = "";
	CHECK(mkdtemp(dir) != NULL);
	snprintf(text, sizeof(text),
		 "cat > '%s/got.json'\necho \"$CERTAIN_EVENT_ID $CERTAIN_EVENT_TYPE\" > '%s/env'",
		 dir, dir);
	write_script(dir, path, sizeof(path), "ok.sh", text);
	const char *body = "{\"detail-type\":\"ACM Certificate Available\"}";
	CHECK(command_run(path, body, strlen(body), "e-1", "ACM Certificate Available", 5000, why,
			  sizeof(why)) == 0);
	char got[256] = "", env[256] = "";
	snprintf(path, sizeof(path), "%s/got.json", dir);
	FILE *f = fopen(path, "r");
	if (f != NULL) {
		CHECK(fgets(got, sizeof(got), f) != NULL);
		fclose(f);
	}
	CHECK_STR_EQ(got, body);
	snprintf(path, sizeof(path), "%s/env", dir);
	f = fopen(path, "r");
	if (f != NULL) {
		CHECK(fgets(env, sizeof(env), f) != NULL);
		fclose(f);
	}
	CHECK_STR_EQ(env, "e-1 ACM Certificate Available\n");
	rm_rf(dir);
}

TEST(delivery_command_failure_timeout_and_missing)
{
	char dir[64] = "/tmp/certain-unit-XXXXXX", path[256], why[256] = "";
	CHECK(mkdtemp(dir) != NULL);
	write_script(dir, path, sizeof(path), "fail.sh", "exit 3");
	CHECK(command_run(path, "{}", 2, "e", "t", 5000, why, sizeof(why)) == -1);
	CHECK_STR_EQ(why, "command exited with status 3");

	/* Ignores its stdin and hangs, with a child in its group: both killed. */
	write_script(dir, path, sizeof(path), "hang.sh", "sleep 30 & sleep 30");
	int64_t t0 = clock_monotonic_ms();
	CHECK(command_run(path, "{}", 2, "e", "t", 300, why, sizeof(why)) == -1);
	CHECK(clock_monotonic_ms() - t0 < 5000);
	CHECK(strstr(why, "timed out") != NULL);

	/* An event far larger than a pipe buffer, to a command that never reads. */
	size_t big = 1 << 20;
	char *body = malloc(big);
	if (body != NULL) {
		memset(body, 'x', big);
		write_script(dir, path, sizeof(path), "noread.sh", "exit 0");
		CHECK(command_run(path, body, big, "e", "t", 2000, why, sizeof(why)) == 0);
		free(body);
	}

	snprintf(path, sizeof(path), "%s/absent", dir);
	CHECK(command_run(path, "{}", 2, "e", "t", 1000, why, sizeof(why)) == -1);
	CHECK(strstr(why, "cannot run") != NULL);
	CHECK(command_run("relative/path", "{}", 2, "e", "t", 1000, why, sizeof(why)) == -1);
	rm_rf(dir);
}
