/* `certain targets ...`: deployment targets of a running server (issue 6),
 * through its signed API: create, describe, list, update, delete, associate
 * and disassociate a certificate, and list a target's deployments. A target
 * is given by options or as the JSON of --spec FILE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/client.h"

struct targets_opts {
	struct cli_client client;
	const char *spec, *kind, *owner, *group, *mode, *key_mode, *reload, *check, *name;
	const char *paths[5]; /* cert, chain, fullchain, key, combined */
	long timeout;
	int shell;
};

static void targets_usage(FILE *f)
{
	fprintf(
	    f, "usage: certain targets create (--spec FILE | --kind KIND FILE OPTIONS...)\n"
	       "       certain targets update TARGET (--spec FILE | --kind KIND FILE OPTIONS...)\n"
	       "       certain targets describe TARGET\n"
	       "       certain targets list\n"
	       "       certain targets delete TARGET\n"
	       "       certain targets associate TARGET CERTIFICATE_ARN\n"
	       "       certain targets disassociate TARGET\n"
	       "       certain targets deployments TARGET\n\n"
	       "Where a running server deploys certificates: it writes the files atomically\n"
	       "(the key never readable by others), runs the reload command, checks the\n"
	       "served certificate over TLS, and rolls back when anything fails. Associating\n"
	       "a certificate deploys it at once, and every renewal redeploys it. TARGET is\n"
	       "a target ARN or id. Paths must be inside a folder the server allows\n"
	       "(serve --deploy-allow DIR).\n\n"
	       "  --kind nginx|haproxy|files\n"
	       "  --cert-path P        nginx: the certificate+chain file (ssl_certificate);\n"
	       "                       haproxy: the combined PEM; files: the certificate alone\n"
	       "  --key-path P         the private key (nginx: ssl_certificate_key)\n"
	       "  --chain-path P       files: the chain alone\n"
	       "  --fullchain-path P   files: certificate then chain\n"
	       "  --combined-path P    files/haproxy: certificate, chain and key in one file\n"
	       "  --owner USER --group GROUP\n"
	       "  --mode 0644          certificate files    --key-mode 0600  key files\n"
	       "  --reload 'CMD ARGS'  reload command, split on spaces, run without a shell\n"
	       "  --shell              run --reload through /bin/sh -c (server must allow it)\n"
	       "  --reload-timeout S   seconds (default 30)\n"
	       "  --check HOST:PORT    confirm over TLS that the new certificate is served\n"
	       "  --server-name NAME   the SNI name for --check\n"
	       "  --spec FILE          the whole target as JSON (see README)\n\n" CLI_CLIENT_USAGE);
}

static int targets_call(struct targets_opts *o, const char *op, json_t *body)
{
	json_t *out = NULL;
	int rc = cli_client_call(&o->client, op, body, &out) < 0 ? 1 : 0;
	if (rc == 0)
		cli_client_print(out);
	json_decref(out);
	json_decref(body);
	return rc;
}

/* The reload command split on runs of spaces (no quoting: use --shell or
 * --spec for anything that needs it). */
static json_t *targets_argv(const char *cmd, bool shell)
{
	json_t *a = json_array();
	if (shell) {
		json_array_append_new(a, json_string(cmd));
		return a;
	}
	while (*cmd != '\0') {
		size_t skip = strspn(cmd, " \t"), n = strcspn(cmd + skip, " \t");
		if (n > 0)
			json_array_append_new(a, json_stringn(cmd + skip, n));
		cmd += skip + n;
	}
	return a;
}

static json_t *targets_from_options(const struct targets_opts *o)
{
	static const char *const names[] = {"Certificate", "Chain", "FullChain", "Key", "Combined"};
	json_t *files = json_object();
	for (int i = 0; i < 5; i++) {
		const char *name = names[i];
		/* --cert-path is the file the kind's server reads its certificate from. */
		if (i == 0 && o->kind != NULL && strcmp(o->kind, "nginx") == 0)
			name = "FullChain";
		else if (i == 0 && o->kind != NULL && strcmp(o->kind, "haproxy") == 0)
			name = "Combined";
		if (o->paths[i] != NULL)
			json_object_set_new(files, name, json_string(o->paths[i]));
	}
	json_t *spec = json_pack("{s:s, s:o}", "Kind", o->kind, "Files", files);
	const char *const strs[][2] = {
	    {"Owner", o->owner}, {"Group", o->group}, {"Mode", o->mode}, {"KeyMode", o->key_mode}};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i][1] != NULL)
			json_object_set_new(spec, strs[i][0], json_string(strs[i][1]));
	if (o->reload != NULL) {
		json_t *r = json_pack("{s:o, s:b}", "Command", targets_argv(o->reload, o->shell),
				      "Shell", o->shell);
		if (o->timeout > 0)
			json_object_set_new(r, "TimeoutSeconds", json_integer(o->timeout));
		json_object_set_new(spec, "Reload", r);
	}
	if (o->check != NULL) {
		json_t *c = json_pack("{s:s}", "Address", o->check);
		if (o->name != NULL)
			json_object_set_new(c, "ServerName", json_string(o->name));
		json_object_set_new(spec, "Check", c);
	}
	return spec;
}

/* The target's JSON from --spec or the options; NULL after a message. */
static json_t *targets_spec(const struct targets_opts *o)
{
	if (o->spec != NULL) {
		json_error_t e;
		json_t *j = json_load_file(o->spec, 0, &e);
		if (!json_is_object(j)) {
			fprintf(stderr, "certain targets: %s: not a JSON object (%s)\n", o->spec,
				e.text);
			json_decref(j);
			return NULL;
		}
		return j;
	}
	if (o->kind == NULL) {
		fprintf(stderr,
			"certain targets: give --spec FILE or --kind KIND with its paths\n");
		return NULL;
	}
	return targets_from_options(o);
}

static int targets_run(struct targets_opts *o, const char *verb, int nargs, char **args)
{
	if ((strcmp(verb, "create") == 0 && nargs == 0) ||
	    (strcmp(verb, "update") == 0 && nargs == 1)) {
		json_t *spec = targets_spec(o);
		if (spec == NULL)
			return 2;
		if (nargs == 1)
			json_object_set_new(spec, "TargetArn", json_string(args[0]));
		return targets_call(
		    o, nargs == 1 ? "UpdateDeploymentTarget" : "CreateDeploymentTarget", spec);
	}
	if (strcmp(verb, "list") == 0 && nargs == 0)
		return targets_call(o, "ListDeploymentTargets",
				    json_pack("{s:i}", "MaxResults", 1000));
	static const struct {
		const char *verb, *op;
	} one[] = {{"describe", "DescribeDeploymentTarget"},
		   {"delete", "DeleteDeploymentTarget"},
		   {"disassociate", "DisassociateCertificate"},
		   {"deployments", "ListDeployments"}};
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		if (strcmp(verb, one[i].verb) == 0 && nargs == 1)
			return targets_call(o, one[i].op, json_pack("{s:s}", "TargetArn", args[0]));
	if (strcmp(verb, "associate") == 0 && nargs == 2)
		return targets_call(
		    o, "AssociateCertificate",
		    json_pack("{s:s, s:s}", "TargetArn", args[0], "CertificateArn", args[1]));
	targets_usage(stderr);
	return 2;
}

static int targets_option(struct targets_opts *o, int c, const char *arg)
{
	switch (c) {
	case 'S':
		o->spec = arg;
		break;
	case 'k':
		o->kind = arg;
		break;
	case 'o':
		o->owner = arg;
		break;
	case 'g':
		o->group = arg;
		break;
	case 'm':
		o->mode = arg;
		break;
	case 'M':
		o->key_mode = arg;
		break;
	case 'r':
		o->reload = arg;
		break;
	case 'c':
		o->check = arg;
		break;
	case 'n':
		o->name = arg;
		break;
	case 's':
		o->shell = 1;
		break;
	case 't':
		o->timeout = strtol(arg, NULL, 10);
		break;
	case '0':
	case '1':
	case '2':
	case '3':
	case '4':
		o->paths[c - '0'] = arg;
		break;
	default:
		return -1;
	}
	return 0;
}

int cli_targets(int argc, char **argv)
{
	static const struct option longopts[] = {
	    CLI_CLIENT_OPTIONS,
	    {"spec", required_argument, NULL, 'S'},
	    {"kind", required_argument, NULL, 'k'},
	    {"cert-path", required_argument, NULL, '0'},
	    {"chain-path", required_argument, NULL, '1'},
	    {"fullchain-path", required_argument, NULL, '2'},
	    {"key-path", required_argument, NULL, '3'},
	    {"combined-path", required_argument, NULL, '4'},
	    {"owner", required_argument, NULL, 'o'},
	    {"group", required_argument, NULL, 'g'},
	    {"mode", required_argument, NULL, 'm'},
	    {"key-mode", required_argument, NULL, 'M'},
	    {"reload", required_argument, NULL, 'r'},
	    {"shell", no_argument, NULL, 's'},
	    {"reload-timeout", required_argument, NULL, 't'},
	    {"check", required_argument, NULL, 'c'},
	    {"server-name", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct targets_opts o = {0};
	int c;
	cli_client_init(&o.client);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cli_client_option(&o.client, c, optarg))
			continue;
		if (c == 'h') {
			targets_usage(stdout);
			return 0;
		}
		if (targets_option(&o, c, optarg) < 0) {
			targets_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		targets_usage(stderr);
		return 2;
	}
	int rc = targets_run(&o, argv[optind], argc - optind - 1, argv + optind + 1);
	cli_client_clear(&o.client);
	return rc;
}
