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

#endif
