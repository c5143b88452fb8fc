/* Scratch stores for the unit tests (see scratch.h). */
#include "scratch.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"

bool scratch_dir(char *dir)
{
	strcpy(dir, "/tmp/certain-unit-XXXXXX");
	return mkdtemp(dir) != NULL;
}

struct store *scratch_store(char *dir)
{
	struct cm_err err = {0};
	char path[256];
	if (!scratch_dir(dir))
		return NULL;
	snprintf(path, sizeof(path), "%s/certain.db", dir);
	struct store *st = store_open(path, true, &err);
	if (st != NULL && (store_account_create(st, SCRATCH_ACCOUNT, 1, &err) < 0 ||
			   store_account_create(st, SCRATCH_OTHER_ACCOUNT, 1, &err) < 0)) {
		store_close(st);
		return NULL;
	}
	return st;
}

long long scratch_sql_int(struct store *st, const char *sql)
{
	struct cm_err err = {0};
	sqlite3_stmt *stmt = NULL;
	long long v = -1;
	if (sqlite3_prepare_v2(store_db(st, &err), sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return v;
}

void scratch_done(struct store *st, const char *dir)
{
	char cmd[300];
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}
