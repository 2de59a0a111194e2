/*
 * tui/cli_common.c - pieces the cli_*.c commands share (see tui/cli.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/feed.h"
#include "core/logsrc.h"
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

int
cli_logs_add(struct cli_logs *l, const char *cmd, const char *spec)
{
	if (l->n == CLI_LOGS_MAX) {
		fprintf(stderr, "pfconsole %s: at most %d --log sources\n", cmd, CLI_LOGS_MAX);
		return -1;
	}
	l->v[l->n++] = spec;
	return 0;
}

int
cli_logs_default(struct cli_logs *l, const char *cmd, const char *dir)
{
	struct strbuf tried;
	const char *p, *nl;

	if (l->n > 0)
		return 0;
	strbuf_init(&tried);
	if (logsrc_discover(dir, getenv("PFCONSOLE_LOG_ROOT"), l->found, sizeof(l->found),
			    &tried) == 0) {
		strbuf_fini(&tried);
		l->v[l->n++] = l->found;
		return 0;
	}
	fprintf(stderr, "pfconsole %s: no mail log could be read; tried:\n", cmd);
	for (p = tried.buf ? tried.buf : ""; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(stderr, "  %.*s\n", (int)(nl - p), p);
	fprintf(stderr, "Name one with --log FILE (or --log journal, --log -).\n");
	strbuf_fini(&tried);
	return -1;
}

int
cli_parse_since(const char *cmd, const char *arg, time_t *t)
{
	if (feed_parse_time(arg, time(NULL), t) == 0)
		return 0;
	fprintf(stderr, "pfconsole %s: --since '%s': not a time "
			"(2026-11-02, 2026-11-02T13:03, 13:03[:01], -2h, 30m, 1d, today)\n", cmd, arg);
	return -1;
}
