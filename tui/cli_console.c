/* tui/cli_console.c - placeholder until the 'console' command lands; replace whole. */
#include "config.h"

#include <stdio.h>

#include "tui/cli.h"

int
cli_console(int argc, char **argv, const struct cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	fprintf(stderr, "pfconsole: 'console' is not built yet\n");
	return 2;
}
