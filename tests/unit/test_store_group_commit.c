/* Group commit: concurrent certificate inserts share transactions, and each
 * caller still gets its own outcome (a taken serial fails only its record). */
#include <pthread.h>
#include <stdlib.h>

#include "harness.h"
#include "scratch.h"
#include "store/internal.h"

#define GC_THREADS 6
#define GC_EACH	   60

struct gc_worker {
	struct store *st;
	int id;
	int ok, conflicts, errors;
	int tokens; /* stored with a token */
};

static void *gc_run(void *p)
{
	struct gc_worker *w = p;
	unsigned char der[4] = {1, 2, 3, 4};
	for (int i = 0; i < GC_EACH; i++) {
		struct store_cert c = {0};
		struct cm_err err = {0};
		char token[32], arn[64];
		strcpy(c.ca_id, "ca");
		strcpy(c.account_id, SCRATCH_ACCOUNT);
		strcpy(c.template_arn, "t");
		strcpy(c.requester, "r");
		c.der = der;
		c.der_len = sizeof(der);
		/* Every third serial is shared by all threads: one wins. */
		if (i % 3 == 0)
			snprintf(c.serial, sizeof(c.serial), "shared%02d", i);
		else
			snprintf(c.serial, sizeof(c.serial), "t%d-%02d", w->id, i);
		snprintf(token, sizeof(token), "tok-%d-%d", w->id, i);
		snprintf(arn, sizeof(arn), "arn-%s", c.serial);
		char winner[64] = "";
		struct store_idempotency idem = {.account_id = SCRATCH_ACCOUNT,
						 .scope = "scope",
						 .token = token,
						 .result = arn,
						 .created_at = 1,
						 .winner = winner,
						 .winner_size = sizeof(winner)};
		if (store_cert_insert(w->st, &c, i % 2 ? &idem : NULL, &err) == 0) {
			w->ok++;
			w->tokens += i % 2;
		} else if (err.code == CM_ERR_CONFLICT)
			w->conflicts++;
		else
			w->errors++;
	}
	return NULL;
}

TEST(store_group_commit_concurrent_inserts)
{
	char dir[64];
	struct store *st = scratch_store(dir);
	CHECK(st != NULL);
	if (st == NULL)
		return;
	struct gc_worker w[GC_THREADS];
	pthread_t t[GC_THREADS];
	for (int i = 0; i < GC_THREADS; i++) {
		w[i] = (struct gc_worker){.st = st, .id = i};
		CHECK(pthread_create(&t[i], NULL, gc_run, &w[i]) == 0);
	}
	int ok = 0, conflicts = 0, errors = 0, tokens = 0;
	for (int i = 0; i < GC_THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += w[i].ok;
		conflicts += w[i].conflicts;
		errors += w[i].errors;
		tokens += w[i].tokens;
	}
	int shared = GC_EACH / 3;
	CHECK(errors == 0);
	CHECK(conflicts == shared * (GC_THREADS - 1));
	CHECK(ok == GC_THREADS * GC_EACH - conflicts);
	CHECK(scratch_sql_int(st, "SELECT COUNT(*) FROM certificates") == ok);
	/* A token only for a stored certificate, and for each one asked for. */
	CHECK(scratch_sql_int(st, "SELECT COUNT(*) FROM idempotency i WHERE NOT EXISTS (SELECT 1 "
			   "FROM certificates c WHERE i.result = 'arn-' || c.serial)") == 0);
	CHECK(scratch_sql_int(st, "SELECT COUNT(*) FROM idempotency") == tokens);
	scratch_done(st, dir);
}
