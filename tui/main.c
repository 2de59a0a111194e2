/*
 * tui/main.c - pfconsole: global options, --help/--version, dispatch.
 *
 * pfconsole [-c DIR] [--no-color] [COMMAND [ARGS...]]
 * Only this file and the cli_*.c files decide output and exit status.
 */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, const struct cli_global *);
	const char *summary;
} commands[] = {
	{ "check", cli_check, "validate main.cf and every table it references" },
	{ "build", cli_build, "validate, then rebuild stale indexed tables atomically" },
	{ "query", cli_query, "look up keys as postmap -q does" },
	{ "explain", cli_explain, "what smtpd would answer, and which table line decided" },
	{ "feed", cli_feed, "rejects and other actions from the mail log" },
	{ "impact", cli_impact, "replay the mail log: what the pending table changes would do" },
	{ "hits", cli_hits, "per table line: transactions of the mail log it decided" },
	{ "reload", cli_reload, "check everything, build, postfix check, postfix reload" },
	{ "console", cli_console, "the interactive console (the default; --log FILE, --read-only)" },
};

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
		"usage: pfconsole [-c DIR] [--no-color] [COMMAND [OPTIONS] [ARGS]]\n"
		"\n"
		"With no COMMAND, open the interactive console on DIR/main.cf.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(fp,
		"\n"
		"Global options:\n"
		"  -c, --config DIR\n"
		"                Postfix configuration directory (default /etc/postfix)\n"
		"  --no-color    no colours (also when NO_COLOR is set)\n"
		"  -h, --help    this help; 'pfconsole COMMAND --help' for a command\n"
		"  -V, --version print the version\n"
		"\n"
		"Exit status: 0 success, 1 problems found or a step failed, 2 usage error.\n"
		"See pfconsole(1).\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "no-color", no_argument, NULL, 'N' },
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_global g;
	const char *nc;
	size_t i;
	int c;

	setlocale(LC_ALL, "");
	g.config_dir = "/etc/postfix";
	g.config_dir_given = false;
	nc = getenv("NO_COLOR");
	g.color = !(nc && *nc);

	/* '+': stop at the first non-option, the command */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			g.config_dir = optarg;
			g.config_dir_given = true;
			break;
		case 'N':
			g.color = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("pfconsole %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		char *av[] = { (char *)"console", NULL };

		optind = 1;
		return cli_console(1, av, &g);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 1;
			return commands[i].fn(argc, argv, &g);
		}
	}
	fprintf(stderr, "pfconsole: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}
