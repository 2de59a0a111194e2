/*
 * tui/cli.h - the scriptable twins of the console's screens.
 *
 * Each command gets argv after the command name (argv[0] is the command)
 * and the global options; it prints and returns the exit status:
 * 0 success / nothing found, 1 problems found or lookup failed, 2 usage.
 */
#ifndef TUI_CLI_H
#define TUI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <time.h>

struct cli_global {
	const char *config_dir;     /* -c DIR, default SYSCONFDIR "/postfix" or /etc/postfix */
	bool config_dir_given;      /* -c was given on the command line */
	bool color;                 /* false when NO_COLOR is set or --no-color */
};

/* A command's own options: main.c's one parser takes the global options
 * (-c DIR, --no-color) from anywhere on the line and must know which of
 * the command's options take an argument; the command parses the rest
 * with getopt_long over the same table. */
struct cli_options {
	const char *shortopts;
	const struct option *longopts;
};
extern const struct cli_options cli_check_options, cli_build_options, cli_query_options,
	cli_explain_options, cli_feed_options, cli_reload_options, cli_console_options,
	cli_impact_options, cli_migrate_options;

int cli_check(int argc, char **argv, const struct cli_global *g);
int cli_build(int argc, char **argv, const struct cli_global *g);
int cli_query(int argc, char **argv, const struct cli_global *g);
int cli_explain(int argc, char **argv, const struct cli_global *g);
int cli_feed(int argc, char **argv, const struct cli_global *g);
int cli_impact(int argc, char **argv, const struct cli_global *g);
int cli_hits(int argc, char **argv, const struct cli_global *g);
int cli_reload(int argc, char **argv, const struct cli_global *g);
int cli_migrate(int argc, char **argv, const struct cli_global *g);
/* cli_console - the interactive console (no command given) */
int cli_console(int argc, char **argv, const struct cli_global *g);

/* The mail log sources a command reads (feed, impact, hits): --log as
 * often as needed, --host, and when no --log is given the log
 * logsrc_discover finds (main.cf maillog_file, the usual files, the
 * journal).  One place for the rules and their messages. */
#define CLI_LOGS_MAX 64
struct cli_logs {
	const char *v[CLI_LOGS_MAX];
	size_t n;
	const char *host;           /* --host, or NULL */
	char found[4096];           /* the source logsrc_discover found */
};
/* cli_logs_add - one --log SPEC; -1 past CLI_LOGS_MAX (said on stderr:
 * usage, exit 2) */
int cli_logs_add(struct cli_logs *l, const char *cmd, const char *spec);
/* cli_logs_default - no --log given: the source found from DIR; -1 when
 * none could be read, with the places tried on stderr (exit 1) */
int cli_logs_default(struct cli_logs *l, const char *cmd, const char *dir);
/* cli_parse_since - --since ARG as feed_parse_time reads it; -1 with the
 * accepted forms on stderr (usage, exit 2) */
int cli_parse_since(const char *cmd, const char *arg, time_t *t);

struct diag_list;

/* cli_print_diags - sort DL and print every diagnostic to stdout, one a
 * line, as text or (JSON) one JSON object a line; -1 with errno = ENOMEM
 * when one cannot be formatted (stdout is not flushed) */
int cli_print_diags(struct diag_list *dl, bool json);

/* cli_helpers_from - postmap (btree, lmdb ...) is DIR's main.cf
 * command_directory/postmap, by absolute path (util/runcmd refuses it
 * when anyone but root could change it) */
void cli_helpers_from(const char *dir);

#endif
