/*
 * tui/cli_common.c - pieces the cli_*.c commands share (see tui/cli.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/diag.h"
#include "core/maincf.h"
#include "maps/map.h"
#include "util/strbuf.h"
#include "tui/cli.h"

int
cli_print_diags(struct diag_list *dl, bool json)
{
	struct strbuf sb;
	size_t i;

	diag_sort(dl);
	strbuf_init(&sb);
	for (i = 0; i < dl->n; i++) {
		strbuf_reset(&sb);
		if ((json ? diag_format_json(&dl->v[i], &sb) : diag_format_text(&dl->v[i], &sb)) < 0) {
			strbuf_fini(&sb);
			return -1;
		}
		fwrite(sb.buf, 1, sb.len, stdout);
		fputc('\n', stdout);
	}
	strbuf_fini(&sb);
	return 0;
}

void
cli_helpers_from(const char *dir)
{
	struct maincf *cf = NULL;
	const char *cmd;
	char path[4200];

	if (maincf_load(&cf, dir, NULL) < 0)
		return;
	cmd = maincf_get(cf, "command_directory", NULL);
	if (cmd && cmd[0] == '/') {
		snprintf(path, sizeof(path), "%s/postmap", cmd);
		map_postmap_set_program(path);
	}
	maincf_free(cf);
}
