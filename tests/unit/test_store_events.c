/* The lifecycle part of the store: event targets, the outbox and its
 * deliveries (fan-out, claims with a lease, outcomes, dead letters, replay),
 * and the expiry scan's due list with the index it runs on. */
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "scratch.h"
#include "store/acm_internal.h"
#include "store/store.h"

#define ACCT  SCRATCH_ACCOUNT
#define OTHER SCRATCH_OTHER_ACCOUNT

static int add_target(struct store *st, const char *id, const char *account, int64_t created)
{
	static unsigned char secret[4] = {1, 2, 3, 4};
	struct store_event_target t = {0};
	struct cm_err err = {0};
	snprintf(t.id, sizeof(t.id), "%s", id);
	snprintf(t.account_id, sizeof(t.account_id), "%s", account);
	strcpy(t.kind, "webhook");
	t.endpoint = "http://127.0.0.1:9/hook";
	t.secret_sealed = secret;
	t.secret_sealed_len = sizeof(secret);
	t.created_at = created;
	return store_event_target_add(st, &t, &err);
}

static int add_event(struct store *st, const char *id, const char *account, int64_t created)
{
	struct store_event e = {0};
	struct cm_err err = {0};
	snprintf(e.id, sizeof(e.id), "%s", id);
	snprintf(e.account_id, sizeof(e.account_id), "%s", account);
	strcpy(e.detail_type, "ACM Certificate Available");
	strcpy(e.resource, "arn:aws:acm:us-east-1:111111111111:certificate/x");
	e.body = "{\"version\":\"0\"}";
	e.created_at = created;
	return store_event_add(st, &e, &err);
}

TEST(store_event_targets)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_event_target t, *list = NULL;
	size_t n = 0;
	if (st == NULL)
		return;
	CHECK(add_target(st, "t2", ACCT, 20) == 0);
	CHECK(add_target(st, "t1", ACCT, 10) == 0);
	CHECK(add_target(st, "t3", OTHER, 5) == 0);
	CHECK(add_target(st, "t1", ACCT, 10) < 0); /* ids are unique */
	CHECK(store_event_target_get(st, ACCT, "t1", &t, &err) == 0);
	CHECK_STR_EQ(t.kind, "webhook");
	CHECK_STR_EQ(t.endpoint, "http://127.0.0.1:9/hook");
	CHECK(t.secret_sealed_len == 4 && t.secret_sealed != NULL && t.secret_sealed[3] == 4);
	store_event_target_clear(&t);
	CHECK(store_event_target_get(st, OTHER, "t1", &t, &err) < 0 &&
	      err.code == CM_ERR_NOT_FOUND);
	CHECK(store_event_target_list(st, ACCT, &list, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(list[0].id, "t1"); /* oldest first */
		CHECK_STR_EQ(list[1].id, "t2");
	}
	for (size_t i = 0; i < n; i++)
		store_event_target_clear(&list[i]);
	free(list);
	CHECK(store_event_target_delete(st, OTHER, "t1", &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	CHECK(store_event_target_delete(st, ACCT, "t1", &err) == 0);
	CHECK(store_event_target_delete(st, ACCT, "t1", &err) < 0);
	scratch_done(st, dir);
}

static void count_event(void *ctx, const struct store_event *e)
{
	int *n = ctx;
	(*n)++;
	(void)e;
}

static void last_event(void *ctx, const struct store_event *e)
{
	snprintf(ctx, 40, "%s", e->id);
}

TEST(store_event_fan_out_and_list)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_delivery *d = NULL;
	size_t n = 0;
	int count = 0;
	char last[40] = "";
	if (st == NULL)
		return;
	CHECK(add_target(st, "tA", ACCT, 1) == 0);
	CHECK(add_target(st, "tB", ACCT, 2) == 0);
	CHECK(add_target(st, "tO", OTHER, 3) == 0);
	CHECK(add_event(st, "e1", ACCT, 100) == 0); /* alone: its own transaction */
	CHECK(store_delivery_list_event(st, ACCT, "e1", &d, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(d[0].target_id, "tA");
		CHECK_STR_EQ(d[1].target_id, "tB");
		CHECK_STR_EQ(d[0].state, "PENDING");
		CHECK(d[0].next_attempt_at == 100 && d[0].attempts == 0);
	}
	free(d);
	/* A rolled-back change leaves no event and no delivery. */
	CHECK(store_begin(st, &err) == 0);
	CHECK(add_event(st, "e2", ACCT, 200) == 0);
	store_rollback(st);
	CHECK(store_delivery_list_event(st, ACCT, "e2", &d, &n, &err) == 0 && n == 0);
	free(d);
	CHECK(store_begin(st, &err) == 0);
	CHECK(add_event(st, "e3", ACCT, 300) == 0);
	CHECK(add_event(st, "e4", ACCT, 300) == 0);
	CHECK(store_commit(st, &err) == 0);
	CHECK(add_event(st, "e5", OTHER, 300) == 0);
	CHECK(store_event_list(st, ACCT, 0, 0, "", 10, count_event, &count, &err) == 3);
	CHECK(store_event_list(st, ACCT, 200, 0, "", 10, count_event, &count, &err) == 2);
	CHECK(store_event_list(st, ACCT, 0, 0, "", 2, last_event, last, &err) == 2);
	CHECK_STR_EQ(last, "e3");
	CHECK(store_event_list(st, ACCT, 0, 300, "e3", 10, last_event, last, &err) == 1);
	CHECK_STR_EQ(last, "e4");
	CHECK(store_event_list(st, OTHER, 0, 0, "", 10, last_event, last, &err) == 1);
	struct store_event got;
	CHECK(store_event_get(st, ACCT, "e3", &got, &err) == 0);
	CHECK_STR_EQ(got.body, "{\"version\":\"0\"}");
	CHECK(got.created_at == 300);
	store_event_clear(&got);
	CHECK(store_event_get(st, OTHER, "e3", &got, &err) < 0 && err.code == CM_ERR_NOT_FOUND);
	/* An event of an account without targets is kept, with no delivery. */
	CHECK(store_event_target_delete(st, OTHER, "tO", &err) == 0);
	CHECK(add_event(st, "e6", OTHER, 400) == 0);
	CHECK(store_delivery_list_event(st, OTHER, "e6", &d, &n, &err) == 0 && n == 0);
	free(d);
	scratch_done(st, dir);
}

TEST(store_delivery_claim_lease_and_dead_letters)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_delivery *d = NULL;
	size_t n = 0;
	if (st == NULL)
		return;
	CHECK(add_target(st, "tA", ACCT, 1) == 0);
	CHECK(add_event(st, "e1", ACCT, 100) == 0);
	CHECK(add_event(st, "e2", ACCT, 150) == 0);
	CHECK(add_event(st, "e3", ACCT, 500) == 0); /* not due at 200 */
	CHECK(store_delivery_claim(st, 200, 60, 10, &d, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(d[0].event_id, "e1"); /* oldest first */
		CHECK(d[0].next_attempt_at == 260);
	}
	free(d);
	/* Leased: a second worker gets nothing until the lease runs out. */
	CHECK(store_delivery_claim(st, 210, 60, 10, &d, &n, &err) == 0 && n == 0);
	free(d);
	CHECK(store_delivery_claim(st, 260, 60, 1, &d, &n, &err) == 0 && n == 1);
	struct store_delivery one = n == 1 ? d[0] : (struct store_delivery){0};
	free(d);
	one.attempts = 8;
	strcpy(one.state, "DEAD");
	strcpy(one.last_error, "HTTP 500");
	CHECK(store_delivery_update(st, &one, &err) == 0);
	struct store_delivery *e2 = NULL;
	CHECK(store_delivery_list_event(st, ACCT, "e2", &e2, &n, &err) == 0 && n == 1);
	if (n == 1) {
		strcpy(e2[0].state, "DELIVERED");
		e2[0].attempts = 1;
		e2[0].delivered_at = 270;
		CHECK(store_delivery_update(st, &e2[0], &err) == 0);
	}
	free(e2);
	CHECK(store_delivery_list_state(st, ACCT, "DEAD", "", "", 10, &d, &n, &err) == 0 && n == 1);
	if (n == 1) {
		CHECK_STR_EQ(d[0].event_id, "e1");
		CHECK_STR_EQ(d[0].last_error, "HTTP 500");
		CHECK(d[0].attempts == 8);
	}
	free(d);
	CHECK(store_delivery_list_state(st, ACCT, "DEAD", "e1", "tA", 10, &d, &n, &err) == 0 &&
	      n == 0);
	free(d);
	CHECK(store_delivery_list_state(st, OTHER, "DEAD", "", "", 10, &d, &n, &err) == 0 &&
	      n == 0);
	free(d);
	/* Replay: only a DEAD delivery of the account. */
	CHECK(store_delivery_replay(st, OTHER, "e1", "tA", 300, &err) < 0 &&
	      err.code == CM_ERR_NOT_FOUND);
	CHECK(store_delivery_replay(st, ACCT, "e2", "tA", 300, &err) < 0);
	CHECK(store_delivery_replay(st, ACCT, "e1", "tA", 300, &err) == 0);
	CHECK(store_delivery_claim(st, 300, 60, 10, &d, &n, &err) == 0 && n == 1);
	if (n == 1) {
		CHECK_STR_EQ(d[0].event_id, "e1");
		CHECK(d[0].attempts == 0);
		CHECK_STR_EQ(d[0].state, "PENDING");
	}
	free(d);
	/* Removing the target removes its deliveries. */
	CHECK(store_event_target_delete(st, ACCT, "tA", &err) == 0);
	CHECK(store_delivery_list_event(st, ACCT, "e3", &d, &n, &err) == 0 && n == 0);
	free(d);
	scratch_done(st, dir);
}

static void due_cert(struct store_acm_cert *c, const char *id, const char *status,
		     int64_t not_after, int64_t due)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->account_id, sizeof(c->account_id), ACCT);
	strcpy(c->type, "PRIVATE");
	snprintf(c->status, sizeof(c->status), "%s", status);
	strcpy(c->domain_name, "example.com");
	c->not_after = not_after;
	c->scan_due_at = due;
	c->created_at = 1;
}

static bool due_plan_uses_index(struct store *st)
{
	struct cm_err err = {0};
	char q[1024];
	bool index = false, bad = false;
	snprintf(q, sizeof(q), "EXPLAIN QUERY PLAN %s", store_acm_due_sql);
	sqlite3_stmt *stmt = store_prepare(st, q, &err);
	if (stmt == NULL)
		return false;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(stmt, 3);
		if (d == NULL)
			continue;
		if (strstr(d, "USING INDEX acm_certificates_due (status=?") != NULL)
			index = true;
		if (strncmp(d, "SCAN", 4) == 0 || strstr(d, "TEMP B-TREE") != NULL)
			bad = true;
	}
	store_release(st, stmt);
	return index && !bad;
}

TEST(store_acm_due_list)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	struct cm_err err = {0};
	struct store_acm_cert c;
	struct store_acm_due *d = NULL;
	size_t n = 0;
	if (st == NULL)
		return;
	due_cert(&c, "a", "ISSUED", 1000, 0);
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	due_cert(&c, "b", "ISSUED", 2000, 500);
	c.expiry_warned_day = 7;
	c.action_required_days = 15;
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	due_cert(&c, "c", "ISSUED", 3000, 900);
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	due_cert(&c, "d", "REVOKED", 100, 0);
	CHECK(store_acm_cert_insert(st, &c, &err) == 0);
	CHECK(store_acm_due_list(st, 600, 0, "", 10, &d, &n, &err) == 0 && n == 2);
	if (n == 2) {
		CHECK_STR_EQ(d[0].id, "a");
		CHECK_STR_EQ(d[1].id, "b");
		CHECK_STR_EQ(d[1].account_id, ACCT);
		CHECK(d[1].scan_due_at == 500);
	}
	free(d);
	/* Keyset: after (0, "a") comes b only. */
	CHECK(store_acm_due_list(st, 600, 0, "a", 10, &d, &n, &err) == 0 && n == 1);
	free(d);
	CHECK(store_acm_cert_get(st, ACCT, "b", &c, &err) == 0);
	CHECK(c.expiry_warned_day == 7 && c.action_required_days == 15 && c.scan_due_at == 500);
	c.scan_due_at = 5000;
	CHECK(store_acm_cert_update(st, &c, &err) == 0);
	store_acm_cert_clear(&c);
	CHECK(store_acm_due_list(st, 600, 0, "", 10, &d, &n, &err) == 0 && n == 1);
	free(d);
	/* A DaysBeforeExpiry change makes the account's near rows due now. */
	CHECK(store_acm_due_reset(st, ACCT, 2500, &err) == 0);
	CHECK(store_acm_due_list(st, 600, 0, "", 10, &d, &n, &err) == 0 && n == 2);
	free(d);
	CHECK(store_acm_cert_get(st, ACCT, "b", &c, &err) == 0);
	CHECK(c.scan_due_at == 0 && c.revision == 3);
	store_acm_cert_clear(&c);
	CHECK(due_plan_uses_index(st));
	scratch_done(st, dir);
}
