/*
 * tui/main.c - pfconsole: the one command-line parser, --help/--version,
 * dispatch.
 *
 * pfconsole [GLOBAL...] [COMMAND] [OPTIONS|GLOBAL|ARGS...]
 * Global options (-c DIR, --no-color) may come before or after the
 * command; the command's options come after it (or, with no command
 * named, are the console's), in any order.  Only this file and the
 * cli_*.c files decide output and exit status.
 */
#include "config.h"
#include "gitcommit.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **, const struct cli_global *);
	const struct cli_options *opts;
	const char *summary;
} commands[] = {
	{ "check", cli_check, &cli_check_options, "validate main.cf and every table it references" },
	{ "build", cli_build, &cli_build_options, "validate, then rebuild stale indexed tables atomically" },
	{ "query", cli_query, &cli_query_options, "look up keys as postmap -q does" },
	{ "explain", cli_explain, &cli_explain_options, "what smtpd would answer, and which table line decided" },
	{ "feed", cli_feed, &cli_feed_options, "rejects and other actions from the mail log" },
	{ "impact", cli_impact, &cli_impact_options,
	  "replay the mail log: what the pending table changes would do" },
	{ "hits", cli_hits, &cli_impact_options, "per table line: transactions of the mail log it decided" },
	{ "reload", cli_reload, &cli_reload_options, "check everything, build, postfix check, postfix reload" },
	{ "migrate", cli_migrate, &cli_migrate_options,
	  "move hash tables to cdb or lmdb: build, rewrite main.cf/master.cf, reload" },
	{ "console", cli_console, &cli_console_options,
	  "the interactive console (the default; -l/--log FILE, -r/--read-only, -k/--keys)" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))
#define CONSOLE_CMD (NCOMMANDS - 1)

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp,
		"usage: pfconsole [-c DIR] [--no-color] [COMMAND] [OPTIONS] [ARGS]\n"
		"\n"
		"With no COMMAND, open the interactive console on DIR/main.cf.\n"
		"Global options may also come after the command; the command's options\n"
		"come after it, in any order.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
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

/* long_opt - the entry of TABLE for "--NAME[=...]" (A after the dashes),
 * or NULL; an unambiguous prefix matches as getopt_long allows */
static const struct option *
long_opt(const struct option *table, const char *a)
{
	size_t n = strcspn(a, "=");
	const struct option *o, *hit = NULL;
	int hits = 0;

	for (o = table; o && o->name; o++) {
		if (strncmp(o->name, a, n) != 0)
			continue;
		if (o->name[n] == '\0')
			return o;
		hit = o;
		hits++;
	}
	return hits == 1 ? hit : NULL;
}

/* short_takes_arg - the command's short option C takes an argument */
static int
short_takes_arg(const char *shortopts, int c)
{
	const char *p = shortopts ? strchr(shortopts, c) : NULL;

	return p && c != ':' && p[1] == ':';
}

/* skips_next - ARGV word A is a command option whose argument is the next word */
static int
skips_next(const struct cli_options *co, const char *a)
{
	if (a[1] == '-') {
		const struct option *o = long_opt(co->longopts, a + 2);

		return o && o->has_arg == required_argument && !strchr(a, '=');
	}
	for (a++; *a; a++)
		if (short_takes_arg(co->shortopts, (unsigned char)*a))
			return a[1] == '\0';
	return 0;
}

/* is_global - "-c", "-cDIR", "--config[=DIR]", "--no-color" (or a prefix
 * of a long one the command does not share) */
enum { G_NONE, G_CONFIG, G_CONFIG_ARG, G_NOCOLOR };
static int
is_global(const struct cli_options *co, const char *a)
{
	size_t n;

	if (a[0] != '-')
		return G_NONE;
	if (a[1] == 'c')
		return a[2] ? G_CONFIG_ARG : G_CONFIG;
	if (a[1] != '-' || !a[2])
		return G_NONE;
	n = strcspn(a + 2, "=");
	if (co && long_opt(co->longopts, a + 2) && strncmp(a + 2, "config", n) != 0)
		return G_NONE;
	if (n >= 2 && strncmp(a + 2, "config", n) == 0 && n <= 6)
		return strchr(a, '=') ? G_CONFIG_ARG : G_CONFIG;
	if (n >= 3 && strncmp(a + 2, "no-color", n) == 0 && n <= 8 && !strchr(a, '='))
		return G_NOCOLOR;
	return G_NONE;
}

static int
command_index(const char *a)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(a, commands[i].name) == 0)
			return (int)i;
	return -1;
}

int
main(int argc, char **argv)
{
	struct cli_global g;
	const struct cli_options *co;
	const char *nc;
	char **av;
	int i, n, cmd = -1, cmd_at = -1, help = 0, version = 0;

	setlocale(LC_ALL, "");
	g.config_dir = "/etc/postfix";
	g.config_dir_given = false;
	nc = getenv("NO_COLOR");
	g.color = !(nc && *nc);

	/* 1. the command: the first word that names one and is no option's
	 * argument; -h/-V before it are pfconsole's own */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] == '-' && a[1]) {
			int k = is_global(NULL, a);

			if (k == G_CONFIG)
				i++;
			else if (k == G_NONE && (!strcmp(a, "-h") || !strcmp(a, "--help")))
				help = 1;
			else if (k == G_NONE && (!strcmp(a, "-V") || !strcmp(a, "--version")))
				version = 1;
			else if (k == G_NONE && skips_next(commands[CONSOLE_CMD].opts, a))
				i++;        /* pfconsole --log FILE: the console's */
			continue;
		}
		if ((cmd = command_index(a)) < 0) {
			fprintf(stderr, "pfconsole: unknown command '%s'\n", a);
			usage(stderr);
			return 2;
		}
		cmd_at = i;
		break;
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	if (version) {
		/* the git commit of the source when built from a git work tree
		 * (gitcommit.h, written by make) */
		if (PFCONSOLE_GIT_COMMIT[0])
			printf("pfconsole %s (git %s)\n", PACKAGE_VERSION, PFCONSOLE_GIT_COMMIT);
		else
			printf("pfconsole %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (cmd < 0)
		cmd = (int)CONSOLE_CMD;
	co = commands[cmd].opts;

	/* 2. the command's argv: its name, then every other word but the
	 * global options, which are taken wherever they are */
	av = calloc((size_t)argc + 1, sizeof(*av));
	if (!av) {
		fprintf(stderr, "pfconsole: out of memory\n");
		return 1;
	}
	n = 0;
	av[n++] = (char *)commands[cmd].name;
	for (i = 1; i < argc; i++) {
		char *a = argv[i];

		if (i == cmd_at)
			continue;
		if (strcmp(a, "--") == 0) {
			while (i < argc)
				av[n++] = argv[i++];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			av[n++] = a;
			continue;
		}
		switch (is_global(co, a)) {
		case G_CONFIG:
			if (i + 1 >= argc) {
				fprintf(stderr, "pfconsole: option '%s' requires an argument\n", a);
				usage(stderr);
				free(av);
				return 2;
			}
			g.config_dir = argv[++i];
			g.config_dir_given = true;
			continue;
		case G_CONFIG_ARG:
			g.config_dir = a[1] == 'c' ? a + 2 : strchr(a, '=') + 1;
			g.config_dir_given = true;
			continue;
		case G_NOCOLOR:
			g.color = false;
			continue;
		default:
			break;
		}
		av[n++] = a;
		if (skips_next(co, a) && i + 1 < argc)
			av[n++] = argv[++i];
	}
	av[n] = NULL;
	/* glibc resets getopt's state (the scan position inside a cluster,
	 * the permutation) only when optind is 0 */
	optind = 0;
	i = commands[cmd].fn(n, av, &g);
	free(av);
	return i;
}
