/*
 * tui/cli_reload.c - `pfconsole reload`: the console's Apply key as a
 * command.  Validate everything (refuse with the list of errors), build
 * the stale indexes atomically, `postfix check`, then `postfix reload`
 * when Postfix is running (always, unless --if-needed: only when a change
 * needs it).  Prints each step, its command and that command's output.
 * Exit status: 0 done, 1 refused or a step failed, 2 usage, 3 refused by
 * --strict for warnings alone.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apply.h"
#include "core/textsafe.h"
#include "tui/cli.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
		"usage: pfconsole [-c DIR] reload [--if-needed] [--no-audit] [--strict] [--json]\n"
		"  validate main.cf and every table, build stale indexes, postfix check,\n"
		"  postfix reload when Postfix is running\n"
		"  --if-needed   reload only when a change needs it (main.cf, master.cf,\n"
		"                regexp/pcre/cidr/texthash tables)\n"
		"  --no-audit    do not write the audit line to syslog\n"
		"  --strict      refuse on warnings too (exit 3 when only warnings)\n"
		"  --json        the run as one JSON object (for Ansible/Salt handlers)\n");
}

static void
print_safe(const char *prefix, const char *text, size_t len)
{
	struct strbuf sb;
	size_t i = 0, j;

	strbuf_init(&sb);
	while (i < len) {
		for (j = i; j < len && text[j] != '\n'; j++)
			;
		strbuf_reset(&sb);
		textsafe_append(&sb, text + i, j - i, TEXTSAFE_NOLIMIT, NULL, NULL);
		printf("%s%s\n", prefix, sb.buf);
		i = j + 1;
	}
	strbuf_fini(&sb);
}

static const struct option reload_longopts[] = {
	{ "if-needed", no_argument, NULL, 'n' },
	{ "no-audit", no_argument, NULL, 'A' },
	{ "help", no_argument, NULL, 'h' },
	{ "strict", no_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

/* the parser in main.c reads this table to tell the command's options
 * (and their arguments) from the global ones */
const struct cli_options cli_reload_options = { "h", reload_longopts };

/* jstr - "name":"value" (JSON-escaped), with a leading comma unless FIRST */
static void
jstr(struct strbuf *sb, const char *name, const char *v, size_t n, bool first)
{
	strbuf_addf(sb, "%s\"%s\":", first ? "" : ",", name);
	strbuf_add_json_string(sb, v, n);
}

/* print_json - the run as one JSON object on one line (for configuration
 * management handlers): ok, refused, built, running, reloaded, exit, steps
 * [{name, state, command, detail, output}], errors [{file, line, col,
 * severity, code, message}], audit, git.  Returns the exit status. */
static int
print_json(const struct apply_result *res, int rc)
{
	struct strbuf sb, d;
	size_t i;
	int k, status = rc ? (res->refused && res->diags.n && !diag_count(&res->diags, DIAG_ERROR) ? 3 : 1) : 0;

	strbuf_init(&sb);
	strbuf_init(&d);
	strbuf_addf(&sb, "{\"ok\":%s,\"refused\":%s,\"built\":%s,\"running\":%s,\"reloaded\":%s,"
		    "\"exit\":%d,\"steps\":[", rc == 0 ? "true" : "false", res->refused ? "true" : "false",
		    res->built ? "true" : "false", res->running ? "true" : "false",
		    res->reloaded ? "true" : "false", status);
	for (k = 0; k < APPLY_NSTEPS; k++) {
		const struct apply_step *st = &res->steps[k];

		strbuf_addstr(&sb, k ? ",{" : "{");
		jstr(&sb, "name", st->name, strlen(st->name), true);
		jstr(&sb, "state", apply_state_name(st->state), strlen(apply_state_name(st->state)), false);
		jstr(&sb, "command", st->command.buf, st->command.len, false);
		jstr(&sb, "detail", st->detail.buf, st->detail.len, false);
		jstr(&sb, "output", st->output.buf, st->output.len, false);
		strbuf_addch(&sb, '}');
	}
	strbuf_addstr(&sb, "],\"errors\":[");
	for (i = 0; i < res->diags.n; i++) {
		strbuf_reset(&d);
		diag_format_json(&res->diags.v[i], &d);
		if (i)
			strbuf_addch(&sb, ',');
		strbuf_add(&sb, d.buf, d.len);
	}
	strbuf_addstr(&sb, "]");
	jstr(&sb, "audit", res->audit.buf, res->audit.len, false);
	jstr(&sb, "git", res->vcs.buf, res->vcs.len, false);
	strbuf_addstr(&sb, "}\n");
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_fini(&sb);
	strbuf_fini(&d);
	return fflush(stdout) == EOF ? 1 : status;
}

int
cli_reload(int argc, char **argv, const struct cli_global *g)
{
	struct apply_opts ao;
	struct apply_result res;
	struct strbuf sb;
	size_t i;
	int c, k, rc;
	bool json = false;

	memset(&ao, 0, sizeof(ao));
	ao.reload_always = true;
	while ((c = getopt_long(argc, argv, cli_reload_options.shortopts, cli_reload_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'n': ao.reload_always = false; break;
		case 'A': ao.no_audit = true; break;
		case 's': ao.strict = true; break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	ao.postfix = getenv("PFCONSOLE_POSTFIX");
	apply_result_init(&res);
	rc = apply_run(g->config_dir, &ao, &res);
	if (rc < 0) {
		fprintf(stderr, "pfconsole: reload: out of memory\n");
		apply_result_fini(&res);
		return 1;
	}
	if (json) {
		rc = print_json(&res, rc);
		apply_result_fini(&res);
		return rc;
	}
	strbuf_init(&sb);
	for (k = 0; k < APPLY_NSTEPS; k++) {
		const struct apply_step *st = &res.steps[k];

		if (st->state == APPLY_PENDING)
			continue;
		printf("%-8s %s", apply_state_name(st->state), st->name);
		if (st->command.len) {
			printf(": ");
			fflush(stdout);
			print_safe("", st->command.buf, st->command.len);
		} else {
			printf("\n");
		}
		print_safe("         ", st->detail.buf, st->detail.len);
		print_safe("         | ", st->output.buf, st->output.len);
		if (k == 0)
			for (i = 0; i < res.diags.n; i++) {
				strbuf_reset(&sb);
				diag_format_text(&res.diags.v[i], &sb);
				print_safe("         ", sb.buf, sb.len);
			}
	}
	if (res.audit.len) {
		printf("audit:   ");
		fflush(stdout);
		print_safe("", res.audit.buf, res.audit.len);
		if (res.audit_lost[0]) {
			printf("warning: syslog cannot be reached, the audit line was NOT logged: ");
			fflush(stdout);
			print_safe("", res.audit_lost, strlen(res.audit_lost));
		}
	}
	if (res.vcs.len) {
		/* the note starts with "git: " itself (the console shows it so) */
		size_t skip = strncmp(res.vcs.buf, "git: ", 5) == 0 ? 5 : 0;

		printf("git:     ");
		fflush(stdout);
		print_safe("", res.vcs.buf + skip, res.vcs.len - skip);
	}
	if (res.refused && ao.strict && diag_count(&res.diags, DIAG_ERROR) == 0) {
		printf("refused (--strict): fix the warnings above; nothing was built or "
		       "reloaded\n");
		rc = 3;
	} else if (res.refused)
		printf("refused: fix the errors above; nothing was built or reloaded\n");
	else if (rc)
		printf("stopped at the failed step; nothing after it ran\n");
	strbuf_fini(&sb);
	apply_result_fini(&res);
	return rc == 3 ? 3 : rc ? 1 : 0;
}
