/* The CLI's client for a running server: Certain's own operations sent as
 * SigV4-signed JSON 1.1 requests over libcurl, with credentials found the way
 * the aws CLI finds them (so the same environment drives both), falling back
 * to the data folder's first-start credentials. */
#ifndef CERTAIN_CLI_CLIENT_H
#define CERTAIN_CLI_CLIENT_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>

#define CLI_CLIENT_DEFAULT_ENDPOINT "http://127.0.0.1:8443"

struct cli_client {
	const char *endpoint; /* http(s)://host[:port] */
	const char *region;
	const char *data; /* data folder: DIR/credentials, profile certain */
	char akid[129];
	char secret[129];
};

/* The common options, for getopt_long tables: --endpoint, --region, --data. */
#define CLI_CLIENT_OPT_ENDPOINT 0x100
#define CLI_CLIENT_OPT_REGION	0x101
#define CLI_CLIENT_OPT_DATA	0x102
/* clang-format off */
#define CLI_CLIENT_OPTIONS                                              \
	{"endpoint", required_argument, NULL, CLI_CLIENT_OPT_ENDPOINT}, \
	{"region", required_argument, NULL, CLI_CLIENT_OPT_REGION},     \
	{"data", required_argument, NULL, CLI_CLIENT_OPT_DATA}
/* clang-format on */
#define CLI_CLIENT_USAGE                                                                           \
	"common options:\n"                                                                        \
	"  --endpoint URL   the server (default " CLI_CLIENT_DEFAULT_ENDPOINT ")\n"                \
	"  --region REGION  region to sign for (default us-east-1)\n"                              \
	"  --data DIR       data folder whose credentials to use (default ./var)\n"                \
	"credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else\n"                             \
	"AWS_SHARED_CREDENTIALS_FILE (or ~/.aws/credentials) profile AWS_PROFILE, else\n"          \
	"DIR/credentials profile certain.\n"

/* Defaults for every field. */
void cli_client_init(struct cli_client *c);

/* Wipes the secret. */
void cli_client_clear(struct cli_client *c);

/* Takes one of the common options; false when opt is not one of them. */
bool cli_client_option(struct cli_client *c, int opt, const char *arg);

/* Sends Certain.<op> with body (borrowed). 0 with *out (owned) on success;
 * otherwise prints "certain: <ErrorType>: <message>" on stderr and returns -1. */
int cli_client_call(struct cli_client *c, const char *op, json_t *body, json_t **out);

/* Prints j as indented JSON on stdout. */
void cli_client_print(json_t *j);

/* "2026-01-01T00:00:00Z" or epoch seconds to epoch seconds; -1 when neither. */
long long cli_client_parse_time(const char *s);

#endif
