/* tui/cli_query.c - placeholder until the 'query' command lands; replace whole. */
#include "config.h"

#include <stdio.h>

#include "tui/cli.h"

int
cli_query(int argc, char **argv, const struct cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	fprintf(stderr, "pfconsole: 'query' is not built yet\n");
	return 2;
}
