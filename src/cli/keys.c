/* `certain keys create|list|delete`: offline management of accounts and access
 * keys on a data folder (safe while the server runs: SQLite serialises writes). */
#include <getopt.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "iam/accounts.h"
#include "keystore/keystore.h"
#include "store/store.h"

static void keys_usage(FILE *f)
{
	fprintf(f,
		"usage: certain keys create [--data DIR] [--account ID | --new-account]\n"
		"       certain keys list   [--data DIR]\n"
		"       certain keys delete [--data DIR] ACCESS_KEY_ID\n\n"
		"create prints 'account=... access_key_id=... secret_access_key=...' once; the\n"
		"secret is not shown again. Without --account, the key is for the first account.\n"
		"--new-account creates a new account (a separate tenant) with this key.\n");
}

int cli_open_data(const char *dir, int create, struct keystore **ks, struct store **st)
{
	struct cm_err err = {0};
	char path[4096];
	*ks = keystore_open(dir, create, &err);
	if (*ks == NULL) {
		fprintf(stderr, "certain: %s\n", err.msg);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/certain.db", dir);
	*st = store_open(path, create, &err);
	if (*st == NULL) {
		fprintf(stderr, "certain: %s\n", err.msg);
		keystore_close(*ks);
		*ks = NULL;
		return -1;
	}
	if (create)
		chmod(path, 0600);
	return 0;
}

static void keys_print(void *ctx, const struct store_access_key *k)
{
	(void)ctx;
	printf("account=%s access_key_id=%s created_at=%lld\n", k->account_id, k->access_key_id,
	       (long long)k->created_at);
}

/* The account of the oldest access key (keys are listed oldest first): the
 * one the first start created. */
static void keys_first_account(void *ctx, const struct store_access_key *k)
{
	char *account = ctx;
	if (account[0] == '\0' && strlen(k->account_id) == IAM_ACCOUNT_LEN)
		memcpy(account, k->account_id, IAM_ACCOUNT_LEN + 1);
}

static int keys_create(struct store *st, struct keystore *ks, const char *account, int new_acct)
{
	char acct[IAM_ACCOUNT_LEN + 1] = "", akid[21], secret[41];
	struct cm_err err = {0};
	if (new_acct) {
		if (iam_account_create(st, acct, &err) < 0)
			goto fail;
	} else if (account != NULL) {
		snprintf(acct, sizeof(acct), "%s", account);
	} else if (store_access_key_list(st, keys_first_account, acct, &err) < 0) {
		goto fail;
	}
	if (acct[0] == '\0') {
		fprintf(stderr, "certain keys: no account yet: use --new-account\n");
		return 1;
	}
	if (iam_access_key_create(st, ks, acct, akid, secret, &err) < 0)
		goto fail;
	printf("account=%s access_key_id=%s secret_access_key=%s\n", acct, akid, secret);
	OPENSSL_cleanse(secret, sizeof(secret));
	return 0;
fail:
	fprintf(stderr, "certain keys: %s\n", err.msg);
	return 1;
}

int cli_keys(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"data", required_argument, NULL, 'd'},  {"account", required_argument, NULL, 'a'},
		{"new-account", no_argument, NULL, 'n'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *data = "./var", *account = NULL;
	int new_acct = 0, c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'a': account = optarg; break;
		case 'n': new_acct = 1; break;
		case 'h': keys_usage(stdout); return 0;
		default: keys_usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		keys_usage(stderr);
		return 2;
	}
	const char *verb = argv[optind];
	umask(077); /* a key written now may create the WAL: keep it private */
	struct keystore *ks = NULL;
	struct store *st = NULL;
	struct cm_err err = {0};
	int rc = 1;
	if (cli_open_data(data, 0, &ks, &st) < 0)
		return 1;
	if (strcmp(verb, "create") == 0 && optind + 1 == argc) {
		rc = keys_create(st, ks, account, new_acct);
	} else if (strcmp(verb, "list") == 0 && optind + 1 == argc) {
		rc = store_access_key_list(st, keys_print, NULL, &err) < 0 ? 1 : 0;
	} else if (strcmp(verb, "delete") == 0 && optind + 2 == argc) {
		rc = store_access_key_delete(st, argv[optind + 1], &err) < 0 ? 1 : 0;
	} else {
		keys_usage(stderr);
		rc = 2;
	}
	if (rc == 1 && err.code != CM_OK)
		fprintf(stderr, "certain keys: %s\n", err.msg);
	store_close(st);
	keystore_close(ks);
	return rc;
}
