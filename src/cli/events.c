/* `certain events ...`: event targets, the event log and the dead letters of
 * a running server, through its signed API (Certain.* operations). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"

struct events_opts {
	struct cli_client client;
	const char *webhook, *command, *secret, *secret_file, *since, *target;
	char secret_buf[300];
};

static void events_usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: certain events add-target --webhook URL (--secret S | --secret-file F)\n"
	    "       certain events add-target --command PATH\n"
	    "       certain events list-targets\n"
	    "       certain events remove-target TARGET_ID\n"
	    "       certain events list [--since 2026-01-01T00:00:00Z | --since EPOCH]\n"
	    "       certain events dead-letters\n"
	    "       certain events replay EVENT_ID [--target TARGET_ID]\n\n"
	    "Where a running server sends its events (EventBridge shape): a webhook gets\n"
	    "a POST signed with X-Certain-Signature: t=<time>,v1=<HMAC-SHA256(secret,\n"
	    "\"<time>.<body>\")>; a command gets the event JSON on standard input.\n"
	    "Deliveries are retried with backoff; those given up on are dead letters,\n"
	    "which replay sends again. Output is the server's JSON answer.\n\n" CLI_CLIENT_USAGE);
}

/* The webhook secret from --secret-file (first line), kept off the command
 * line where other users could read it in the process list. */
static int events_read_secret(struct events_opts *o)
{
	FILE *f = fopen(o->secret_file, "r");
	if (f == NULL || fgets(o->secret_buf, sizeof(o->secret_buf), f) == NULL) {
		fprintf(stderr, "certain events: cannot read %s\n", o->secret_file);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	o->secret_buf[strcspn(o->secret_buf, "\r\n")] = '\0';
	o->secret = o->secret_buf;
	return 0;
}

static int events_call(struct events_opts *o, const char *op, json_t *body)
{
	json_t *out = NULL;
	int rc = cli_client_call(&o->client, op, body, &out) < 0 ? 1 : 0;
	if (rc == 0)
		cli_client_print(out);
	json_decref(out);
	json_decref(body);
	return rc;
}

static int events_add_target(struct events_opts *o)
{
	if ((o->webhook == NULL) == (o->command == NULL)) {
		fprintf(stderr,
			"certain events add-target: give --webhook URL or --command PATH\n");
		return 2;
	}
	if (o->secret_file != NULL && events_read_secret(o) < 0)
		return 1;
	if (o->webhook != NULL && o->secret == NULL) {
		fprintf(stderr, "certain events add-target: a webhook needs --secret or "
				"--secret-file\n");
		return 2;
	}
	json_t *body = json_pack("{s:s, s:s}", "Kind", o->webhook != NULL ? "webhook" : "command",
				 "Endpoint", o->webhook != NULL ? o->webhook : o->command);
	if (o->secret != NULL)
		json_object_set_new(body, "Secret", json_string(o->secret));
	int rc = events_call(o, "CreateEventTarget", body);
	OPENSSL_cleanse(o->secret_buf, sizeof(o->secret_buf));
	return rc;
}

/* Follows NextToken to the end and prints one merged list under key. */
static int events_list_all(struct events_opts *o, const char *op, const char *key, json_t *args)
{
	json_t *all = json_array(), *page = NULL;
	int rc = 1;
	for (;;) {
		if (cli_client_call(&o->client, op, args, &page) < 0)
			goto out;
		json_array_extend(all, json_object_get(page, key));
		json_t *next = json_object_get(page, "NextToken");
		if (!json_is_string(next))
			break;
		json_object_set(args, "NextToken", next);
		json_decref(page);
		page = NULL;
	}
	json_t *result = json_pack("{s:O}", key, all);
	cli_client_print(result);
	json_decref(result);
	rc = 0;
out:
	json_decref(page);
	json_decref(all);
	json_decref(args);
	return rc;
}

static int events_list(struct events_opts *o)
{
	json_t *args = json_pack("{s:i}", "MaxResults", 1000);
	if (o->since != NULL) {
		long long since = cli_client_parse_time(o->since);
		if (since < 0) {
			fprintf(stderr,
				"certain events list: --since wants YYYY-MM-DDTHH:MM:SSZ or "
				"epoch seconds, got '%s'\n",
				o->since);
			json_decref(args);
			return 2;
		}
		json_object_set_new(args, "Since", json_integer(since));
	}
	return events_list_all(o, "ListEvents", "Events", args);
}

static int events_run(struct events_opts *o, const char *verb, int nargs, char **args)
{
	if (strcmp(verb, "add-target") == 0 && nargs == 0)
		return events_add_target(o);
	if (strcmp(verb, "list-targets") == 0 && nargs == 0)
		return events_call(o, "ListEventTargets", json_object());
	if (strcmp(verb, "remove-target") == 0 && nargs == 1)
		return events_call(o, "DeleteEventTarget", json_pack("{s:s}", "TargetId", args[0]));
	if (strcmp(verb, "list") == 0 && nargs == 0)
		return events_list(o);
	if (strcmp(verb, "dead-letters") == 0 && nargs == 0)
		return events_list_all(o, "ListDeadLetters", "DeadLetters",
				       json_pack("{s:i}", "MaxResults", 1000));
	if (strcmp(verb, "replay") == 0 && nargs == 1) {
		json_t *body = json_pack("{s:s}", "EventId", args[0]);
		if (o->target != NULL)
			json_object_set_new(body, "TargetId", json_string(o->target));
		return events_call(o, "ReplayDeadLetter", body);
	}
	events_usage(stderr);
	return 2;
}

int cli_events(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_CLIENT_OPTIONS,
	    {"webhook", required_argument, NULL, 'w'},
	    {"command", required_argument, NULL, 'c'},
	    {"secret", required_argument, NULL, 's'},
	    {"secret-file", required_argument, NULL, 'f'},
	    {"since", required_argument, NULL, 'S'},
	    {"target", required_argument, NULL, 't'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct events_opts o = {0};
	int c;
	cli_client_init(&o.client);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cli_client_option(&o.client, c, optarg))
			continue;
		switch (c) {
		case 'w':
			o.webhook = optarg;
			break;
		case 'c':
			o.command = optarg;
			break;
		case 's':
			o.secret = optarg;
			break;
		case 'f':
			o.secret_file = optarg;
			break;
		case 'S':
			o.since = optarg;
			break;
		case 't':
			o.target = optarg;
			break;
		case 'h':
			events_usage(stdout);
			return 0;
		default:
			events_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		events_usage(stderr);
		return 2;
	}
	int rc = events_run(&o, argv[optind], argc - optind - 1, argv + optind + 1);
	cli_client_clear(&o.client);
	return rc;
}
