/* certain: entry point. Finds the subcommand in a table and runs it. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"serve", cli_serve, "run the AWS-compatible API server"},
	{"keys", cli_keys, "manage accounts and access keys (create, list, delete)"},
	{"events", cli_events, "event targets, the event log and dead letters of a server"},
	{"clock", cli_clock, "advance the test clock of a server run with --test-clock"},
	{"targets", cli_targets, "deployment targets: where certificates are deployed (nginx, ...)"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: certain <command> [options]\n\n"
		   "Certain: a self-hosted certificate manager and private CA speaking the\n"
		   "AWS Certificate Manager and AWS Private CA APIs.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'certain <command> --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "certain: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
