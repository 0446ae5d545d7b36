/*
 * cli.h - the command front: one function per subcommand, and the few
 * helpers they share. Commands parse options, fill a conf, call the library
 * and map its rk_err_t to an exit status. No business logic lives here.
 */
#ifndef RK_CLI_H
#define RK_CLI_H

#include "core/err.h"

/* Exit statuses of the contract. */
enum { RK_EXIT_OK = 0, RK_EXIT_ERROR = 1, RK_EXIT_USAGE = 2 };

/* A subcommand: argv[0] is the command name. Returns an exit status. */
typedef int (*rk_cmd_fn)(int argc, char **argv);

int rk_cmd_broker(int argc, char **argv);

/* Prints "rakiza <cmd>: <msg>" on stderr and returns the exit status
 * for err (RK_EXIT_USAGE for RK_ERR_USAGE, RK_EXIT_ERROR otherwise). */
int rk_cli_fail(const char *cmd, rk_err_t err, const char *msg);

/* Prints a usage error with a hint to --help and returns RK_EXIT_USAGE. */
int rk_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

int rk_cmd_segment(int argc, char **argv);
int rk_cmd_features(int argc, char **argv);
int rk_cmd_classify(int argc, char **argv);
int rk_cmd_run(int argc, char **argv);
int rk_cmd_train(int argc, char **argv);
int rk_cmd_eval(int argc, char **argv);
int rk_cmd_model(int argc, char **argv);
int rk_cmd_normalize(int argc, char **argv);
int rk_cmd_report(int argc, char **argv);
int rk_cmd_review(int argc, char **argv);
int rk_cmd_learn(int argc, char **argv);
int rk_cmd_config(int argc, char **argv);

struct rk_model_s;
/* Loads the model at path, or the shipped default when path is NULL;
 * prints the error and returns an exit status (0 on success). */
int rk_cli_load_model(const char *cmd, const char *path,
                      struct rk_model_s **out);

/* A progress callback (train, eval, classify): a bar with rate and ETA on
 * stderr when it is a terminal, nothing otherwise. opaque is a label. */
void rk_cli_progress(void *opaque, size_t done, size_t total);

#endif
