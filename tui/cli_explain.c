/* tui/cli_explain.c - placeholder until the 'explain' command lands; replace whole. */
#include "config.h"

#include <stdio.h>

#include "tui/cli.h"

int
cli_explain(int argc, char **argv, const struct cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	fprintf(stderr, "pfconsole: 'explain' is not built yet\n");
	return 2;
}
