/*
 * tui/cli_common.c - pieces the cli_*.c commands share (see tui/cli.h).
 */
#include "config.h"

#include <stdio.h>

#include "core/diag.h"
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
