/* A scratch data folder for unit tests: a fresh store in a temporary folder
 * with two accounts, removed afterwards. */
#ifndef CERTAIN_TESTS_SCRATCH_H
#define CERTAIN_TESTS_SCRATCH_H

#include <stdbool.h>

#include "store/store.h"

#define SCRATCH_ACCOUNT	      "111111111111"
#define SCRATCH_OTHER_ACCOUNT "222222222222"

/* Makes a new empty folder (its path into dir, at least 64 bytes); false
 * on failure. scratch_done(NULL, dir) removes it. */
bool scratch_dir(char *dir);

/* Opens DIR/certain.db in a new folder (its path into dir, at least 64
 * bytes) with accounts SCRATCH_ACCOUNT and SCRATCH_OTHER_ACCOUNT; NULL on failure. */
struct store *scratch_store(char *dir);

/* The first column of the first row of sql, run on the calling thread's
 * connection of st; -1 when there is no row or the SQL fails. */
long long scratch_sql_int(struct store *st, const char *sql);

/* Closes the store (if any) and removes the folder. */
void scratch_done(struct store *st, const char *dir);

#endif
