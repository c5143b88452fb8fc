/* Subcommands of the certain binary. Each takes the arguments after its name
 * and returns the process exit status. */
#ifndef CERTAIN_CLI_CLI_H
#define CERTAIN_CLI_CLI_H

int cli_serve(int argc, char **argv);
int cli_keys(int argc, char **argv);
int cli_events(int argc, char **argv);
int cli_clock(int argc, char **argv);
int cli_targets(int argc, char **argv);

/* Opens DIR's keystore and store (creating them when create is set);
 * prints a message and returns -1 on failure. Shared by the subcommands. */
struct store;
struct keystore;
int cli_open_data(const char *dir, int create, struct keystore **ks, struct store **st);

/* serve --acme-config (issue 8): loads the file, starts the ACME worker and
 * sets env->acm_public. NULL and *err when the file is wrong. */
struct aws_env;
struct cm_err;
struct serve_acme;
struct serve_acme *serve_acme_start(const char *path, struct aws_env *env, struct cm_err *err);
/* Stops the worker and frees the configuration; NULL-safe. */
void serve_acme_stop(struct serve_acme *a);

#endif
