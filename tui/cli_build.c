/*
 * tui/cli_build.c - pfconsole build [-c DIR] [--json] [-f] [TYPE:PATH...]
 *
 * Validates, then rebuilds indexes atomically (core/build.h).  With no
 * TYPE:PATH, every stale indexed table DIR/main.cf references.
 * Diagnostics go to stdout as check prints them (text, or JSON lines with
 * --json); what was built goes to stderr.  Exit 0 built (or nothing to
 * do), 1 errors found (the tables with errors not written, the clean ones
 * built) or a build failed, 2 usage, 3 --strict: warnings kept tables
 * from being built (no error).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/build.h"
#include "core/diag.h"
#include "tui/cli.h"

static void
build_usage(FILE *fp)
{
	fprintf(fp,
		"usage: pfconsole build [-c DIR] [--json] [--strict] [-f] [TYPE:PATH...]\n"
		"\n"
		"Validate table sources, then rebuild their indexes atomically (cdb, hash\n"
		"natively; btree, lmdb through postmap).  Without TYPE:PATH, rebuild every\n"
		"stale indexed table that DIR/main.cf references.  A table with an error\n"
		"is not written; the clean ones are built.\n"
		"\n"
		"  -c DIR    Postfix configuration directory (default /etc/postfix)\n"
		"  --json    diagnostics as JSON lines\n"
		"  --strict  a table with warnings is not built either (exit 3)\n"
		"  -f        do not fold keys to lower case (postmap -f)\n");
}

static const struct option build_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ "strict", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

/* the parser in main.c reads this table to tell the command's options
 * (and their arguments) from the global ones */
const struct cli_options cli_build_options = { "fh", build_longopts };

int
cli_build(int argc, char **argv, const struct cli_global *g)
{
	const char *dir = g->config_dir;
	bool json = false, dir_given = g->config_dir_given;
	unsigned flags = 0;
	struct build_job job;
	size_t i, nerr;
	int c, r;

	while ((c = getopt_long(argc, argv, cli_build_options.shortopts, cli_build_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'f':
			flags |= BUILD_NOFOLD;
			break;
		case 's':
			flags |= BUILD_STRICT;
			break;
		case 'h':
			build_usage(stdout);
			return 0;
		default:
			build_usage(stderr);
			return 2;
		}
	}
	/* postmap (btree, lmdb ...) reads the same configuration */
	if (dir_given)
		setenv("MAIL_CONFIG", dir, 1);
	cli_helpers_from(dir);
	build_job_init(&job, flags);
	job.dir = dir;
	if (optind == argc) {
		if (build_job_add_config(&job, dir) < 0) {
			perror("pfconsole: build");
			build_job_fini(&job);
			return 1;
		}
	}
	for (i = (size_t)optind; i < (size_t)argc; i++) {
		if (build_job_add_ref(&job, argv[i]) < 0) {
			perror("pfconsole: build");
			build_job_fini(&job);
			return 1;
		}
	}
	r = build_job_run(&job);
	if (cli_print_diags(&job.diags, json) < 0 || fflush(stdout) != 0) {
		perror("pfconsole: build: stdout");
		build_job_fini(&job);
		return 1;
	}
	if (r < 0) {
		perror("pfconsole: build");
		build_job_fini(&job);
		return 1;
	}
	for (i = 0; i < job.n; i++) {
		struct build_target *t = &job.v[i];

		switch (t->state) {
		case BUILD_DONE:
			fprintf(stderr, "pfconsole: built %s from %s:%s (%zu entr%s%s)\n", t->index, t->type,
				t->path, t->stats.entries, t->stats.entries == 1 ? "y" : "ies",
				t->stats.duplicates ? ", duplicates dropped" : "");
			break;
		case BUILD_FAILED:
			fprintf(stderr, "pfconsole: build %s:%s failed: %s\n", t->type, t->path,
				t->error ? t->error : "unknown error");
			break;
		case BUILD_SKIPPED:
			fprintf(stderr, "pfconsole: %s:%s not built: %s found in it, %s left as it "
				"was\n", t->type, t->path, (flags & BUILD_STRICT) ? "errors or warnings (--strict)"
				: "errors", t->index ? t->index : "index");
			break;
		default:
			break;
		}
	}
	if (r == 1 && job.n == 0)
		fprintf(stderr, "pfconsole: errors found, nothing built\n");
	else if (r == 0 && job.n == 0)
		fprintf(stderr, "pfconsole: nothing to build: every indexed table of %s/main.cf "
			"is up to date\n", dir);
	nerr = diag_count(&job.diags, DIAG_ERROR);
	build_job_fini(&job);
	if (r == 1 && (flags & BUILD_STRICT) && nerr == 0)
		return 3;
	return r == 0 ? 0 : 1;
}
