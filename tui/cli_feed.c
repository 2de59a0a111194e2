/* tui/cli_feed.c - placeholder until the 'feed' command lands; replace whole. */
#include "config.h"

#include <stdio.h>

#include "tui/cli.h"

int
cli_feed(int argc, char **argv, const struct cli_global *g)
{
	(void)argc;
	(void)argv;
	(void)g;
	fprintf(stderr, "pfconsole: 'feed' is not built yet\n");
	return 2;
}
