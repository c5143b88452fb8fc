/* A delivery pass over a scratch store: a command target that fails is
 * retried after the backoff, goes DEAD after the configured attempts, and is
 * delivered once replayed and fixed. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lifecycle/delivery.h"
#include "store/store.h"
#include "util/clock.h"

#define ACCOUNT "111122223333"

static void set_script(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		return;
	fprintf(f, "#!/bin/sh\n%s\n", text);
	fclose(f);
	chmod(path, 0700);
}

static int get_delivery(struct store *st, const char *event_id, struct store_delivery *out)
{
	struct store_delivery *list = NULL;
	size_t n = 0;
	struct cm_err err = {0};
	int rc = store_delivery_list_event(st, ACCOUNT, event_id, &list, &n, &err);
	if (rc == 0 && n == 1)
		*out = list[0];
	free(list);
	return rc == 0 && n == 1 ? 0 : -1;
}

static void add_event(struct store *st, const char *id, int64_t now)
{
	struct store_event ev = {.created_at = now, .body = "{\"id\":\"x\"}"};
	struct cm_err err = {0};
	snprintf(ev.id, sizeof(ev.id), "%s", id);
	snprintf(ev.account_id, sizeof(ev.account_id), ACCOUNT);
	snprintf(ev.detail_type, sizeof(ev.detail_type), "ACM Certificate Available");
	snprintf(ev.resource, sizeof(ev.resource),
		 "arn:aws:acm:us-east-1:" ACCOUNT ":certificate/x");
	if (store_event_add(st, &ev, &err) < 0)
		fprintf(stderr, "store_event_add: %s\n", err.msg);
}

TEST(delivery_pass_retry_dead_replay)
{
	char dir[64] = "/tmp/certain-unit-XXXXXX", path[256], script[256], cmd[300];
	struct cm_err err = {0};
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/certain.db", dir);
	snprintf(script, sizeof(script), "%s/hook.sh", dir);
	set_script(script, "exit 1");
	struct store *st = store_open(path, true, &err);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	int64_t now = clock_now();
	CHECK(store_account_create(st, ACCOUNT, now, &err) == 0);
	struct store_event_target t = {.endpoint = script, .created_at = now};
	snprintf(t.id, sizeof(t.id), "00000000-0000-4000-8000-000000000001");
	snprintf(t.account_id, sizeof(t.account_id), ACCOUNT);
	snprintf(t.kind, sizeof(t.kind), "command");
	CHECK(store_event_target_add(st, &t, &err) == 0);
	add_event(st, "00000000-0000-4000-8000-0000000000e1", now);

	struct lifecycle_cfg cfg = {.store = st, .delivery_max_attempts = 2};
	struct store_delivery d = {0};
	CHECK(delivery_run_pass(&cfg, &err) == 1);
	CHECK(get_delivery(st, "00000000-0000-4000-8000-0000000000e1", &d) == 0);
	CHECK_STR_EQ(d.state, "PENDING");
	CHECK(d.attempts == 1);
	CHECK_STR_EQ(d.last_error, "command exited with status 1");
	CHECK(d.next_attempt_at >= now + 24 && d.next_attempt_at <= clock_now() + 36);
	CHECK(delivery_run_pass(&cfg, &err) == 0); /* not due yet */

	clock_set_offset(100);
	CHECK(delivery_run_pass(&cfg, &err) == 1);
	CHECK(get_delivery(st, "00000000-0000-4000-8000-0000000000e1", &d) == 0);
	CHECK_STR_EQ(d.state, "DEAD");
	CHECK(d.attempts == 2);

	set_script(script, "cat >/dev/null");
	CHECK(store_delivery_replay(st, ACCOUNT, "00000000-0000-4000-8000-0000000000e1", t.id,
				    clock_now(), &err) == 0);
	CHECK(delivery_run_pass(&cfg, &err) == 1);
	CHECK(get_delivery(st, "00000000-0000-4000-8000-0000000000e1", &d) == 0);
	CHECK_STR_EQ(d.state, "DELIVERED");
	CHECK(d.delivered_at >= now + 100);
	clock_set_offset(0);

	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}
