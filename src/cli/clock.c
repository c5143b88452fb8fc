/* `certain clock advance DURATION`: moves the test clock of a server started
 * with `serve --test-clock`, and returns once the scheduler pass that follows
 * has run (so a test sees what the skipped time caused). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"

static void clock_usage(FILE *f)
{
	fprintf(f, "usage: certain clock advance DURATION\n\n"
		   "DURATION: 30d, 12h, 90m, 45s, a sequence of them (1d12h), or plain seconds.\n"
		   "Only a server started with --test-clock has this operation; any other answers\n"
		   "UnknownOperationException. Prints the server's new time ({\"Now\": "
		   "EPOCH}).\n\n" CLI_CLIENT_USAGE);
}

int cli_clock(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_CLIENT_OPTIONS,
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli_client client;
	int c;
	cli_client_init(&client);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cli_client_option(&client, c, optarg))
			continue;
		if (c == 'h') {
			clock_usage(stdout);
			return 0;
		}
		clock_usage(stderr);
		return 2;
	}
	if (argc - optind != 2 || strcmp(argv[optind], "advance") != 0) {
		clock_usage(stderr);
		return 2;
	}
	const char *d = argv[optind + 1];
	json_t *body = d[0] != '\0' && strspn(d, "0123456789") == strlen(d)
			   ? json_pack("{s:I}", "Seconds", (json_int_t)strtoll(d, NULL, 10))
			   : json_pack("{s:s}", "Duration", d);
	json_t *out = NULL;
	int rc = cli_client_call(&client, "AdvanceClock", body, &out) < 0 ? 1 : 0;
	if (rc == 0)
		cli_client_print(out);
	json_decref(out);
	json_decref(body);
	cli_client_clear(&client);
	return rc;
}
