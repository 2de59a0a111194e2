/*
 * tui/cli_migrate.c - pfconsole migrate [-c DIR] [--dry-run] [--remove-old] FROM TO
 *
 * Moves main.cf's and master.cf's FROM tables (hash) to TO (cdb, lmdb):
 * prints the plan (the lines that change, the indexes to build, what is
 * left alone and why); without --dry-run builds the new indexes, writes
 * main.cf/master.cf atomically, runs validate + postfix check + reload
 * (core/apply) and keeps the old indexes unless --remove-old and the
 * reload succeeded; then the audit line (syslog unless --no-audit) and, in
 * a git work tree, one commit of main.cf/master.cf with it (core/vcs).
 * Exit 0 done (or planned), 1 a step failed, 2 usage.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/migrate.h"
#include "core/textsafe.h"
#include "tui/cli.h"

static const struct option migrate_longopts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "remove-old", no_argument, NULL, 'R' },
	{ "no-audit", no_argument, NULL, 'A' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

const struct cli_options cli_migrate_options = { "nh", migrate_longopts };

static void
usage(FILE *fp)
{
	fprintf(fp,
		"usage: pfconsole [-c DIR] migrate [-n|--dry-run] [--remove-old] [--no-audit] FROM TO\n"
		"\n"
		"Move the FROM tables (hash, btree, dbm) of main.cf and master.cf to TO (cdb,\n"
		"lmdb): build the new indexes, rewrite the references atomically, postfix\n"
		"check, reload.  The old indexes stay unless --remove-old (and only after a\n"
		"successful reload).  In a git work tree main.cf/master.cf are committed\n"
		"with the audit line as the message (never the indexes).\n"
		"  -n, --dry-run   print the plan only\n"
		"  --remove-old    remove the old indexes once Postfix was reloaded\n"
		"  --no-audit      no audit line in the system log\n");
}

/* put - TEXT through core/textsafe, each line prefixed */
static void
put(const char *prefix, const char *text)
{
	struct strbuf sb;
	const char *p = text, *nl;

	strbuf_init(&sb);
	while (p && *p) {
		nl = strchr(p, '\n');
		strbuf_reset(&sb);
		textsafe_append(&sb, p, nl ? (size_t)(nl - p) : strlen(p), TEXTSAFE_NOLIMIT, NULL, NULL);
		printf("%s%s\n", prefix, sb.buf);
		p = nl ? nl + 1 : NULL;
	}
	strbuf_fini(&sb);
}

int
cli_migrate(int argc, char **argv, const struct cli_global *g)
{
	struct migrate_plan plan;
	struct apply_opts ao;
	struct apply_result res;
	struct strbuf note;
	bool dry = false, remove_old = false;
	char reason[512];
	size_t i;
	int c, rc, k;

	memset(&ao, 0, sizeof(ao));
	while ((c = getopt_long(argc, argv, cli_migrate_options.shortopts,
				cli_migrate_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'n': dry = true; break;
		case 'R': remove_old = true; break;
		case 'A': ao.no_audit = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	cli_helpers_from(g->config_dir);
	migrate_plan_init(&plan);
	if (migrate_plan(g->config_dir, argv[optind], argv[optind + 1], &plan, reason,
			 sizeof(reason)) < 0) {
		fprintf(stderr, "pfconsole migrate: %s\n", reason);
		migrate_plan_fini(&plan);
		return strstr(reason, "cannot migrate") ? 2 : 1;
	}
	printf("plan: %s -> %s in %s\n", plan.from, plan.to, g->config_dir);
	for (i = 0; i < plan.nlines; i++) {
		printf("%s:%u:\n", plan.lines[i].file, plan.lines[i].line);
		put("  - ", plan.lines[i].old_text);
		put("  + ", plan.lines[i].new_text);
	}
	for (i = 0; i < plan.ntables; i++) {
		struct stat src, idx;

		printf("build %s (the old %s stays until the reload succeeded)\n",
		       plan.tables[i].new_ref, plan.tables[i].old_index);
		/* the new index is built from the source: when the old one is
		 * stale, what Postfix answers changes with the migration */
		if (stat(plan.tables[i].source, &src) == 0 &&
		    stat(plan.tables[i].old_index, &idx) == 0 && src.st_mtime > idx.st_mtime)
			printf("  note: %s is older than its source: the new index holds the "
			       "source's entries, which Postfix does not use now (stale-index)\n",
			       plan.tables[i].old_index);
	}
	if (plan.skipped.len)
		put("left alone: ", plan.skipped.buf);
	if (plan.nlines == 0) {
		printf("nothing to migrate\n");
		migrate_plan_fini(&plan);
		return 0;
	}
	if (dry) {
		printf("dry run: nothing written\n");
		migrate_plan_fini(&plan);
		return 0;
	}
	ao.postfix = getenv("PFCONSOLE_POSTFIX");
	apply_result_init(&res);
	strbuf_init(&note);
	rc = migrate_apply(g->config_dir, &plan, remove_old ? MIGRATE_REMOVE_OLD : 0, &ao, &res,
			   &note);
	for (k = 0; k < APPLY_NSTEPS; k++) {
		const struct apply_step *st = &res.steps[k];

		if (st->state == APPLY_PENDING)
			continue;
		printf("%-8s %s%s", apply_state_name(st->state), st->name, st->command.len ? ": " : "\n");
		if (st->command.len)
			put("", st->command.buf);
		put("         ", st->detail.buf);
		put("         | ", st->output.buf);
	}
	for (i = 0; i < res.diags.n; i++)
		if (res.diags.v[i].severity == DIAG_ERROR)
			printf("         %s:%u: %s\n", res.diags.v[i].file, res.diags.v[i].line,
			       res.diags.v[i].message);
	put("", note.buf);
	if (res.audit.len)
		put("audit:   ", res.audit.buf);
	if (res.vcs.len)   /* the note starts with "git: " itself */
		put("git:     ", res.vcs.buf + (strncmp(res.vcs.buf, "git: ", 5) == 0 ? 5 : 0));
	if (rc < 0)
		fprintf(stderr, "pfconsole migrate: out of memory\n");
	strbuf_fini(&note);
	apply_result_fini(&res);
	migrate_plan_fini(&plan);
	return rc == 0 ? 0 : 1;
}
