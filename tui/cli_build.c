/* tui/cli_build.c - placeholder until the 'build' command lands; replace whole. */
#include "config.h"

#include <stdio.h>

#include "tui/cli.h"

int
cli_build(int argc, char **argv, const struct cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	fprintf(stderr, "pfconsole: 'build' is not built yet\n");
	return 2;
}
