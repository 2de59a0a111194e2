/*
 * tui/cli_check.c - pfconsole check [-c DIR] [--json] [[TYPE:]FILE...]
 *
 * Without FILE: check DIR/main.cf and every table it references.  With
 * FILEs: check just those table sources, each by the role main.cf gives it
 * (or guessed from its name); TYPE:FILE gives the type as main.cf does.  Output: sorted "FILE:LINE:COL: severity:
 * message [code]" lines, or one JSON object per line with --json.
 * Exit 0 no errors, 1 errors, 2 usage, 3 warnings with --strict.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"
#include "core/diag.h"
#include "core/maincf.h"
#include "core/postconf.h"
#include "util/safeopen.h"
#include "tui/cli.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
		"usage: pfconsole [-c DIR] check [--json] [--strict] [--type TYPE] [[TYPE:]FILE...]\n"
		"\n"
		"Check DIR/main.cf and every lookup table it references, or just the\n"
		"table sources FILE... (their role taken from main.cf, else guessed\n"
		"from the name; TYPE:FILE as in main.cf, e.g. cidr:/etc/postfix/clients).\n"
		"\n"
		"  --json        one JSON object per line\n"
		"  --strict      warnings count as errors (exit 3 when only warnings)\n"
		"  -t, --type T  table type for FILE... not referenced in main.cf\n"
		"                (hash, cdb, regexp, pcre ...)\n"
		"  --as PATH     check FILE with the role and type main.cf gives PATH\n"
		"                (a new version before it replaces PATH: Ansible's validate)\n"
		"  -c DIR        configuration directory (also before 'check')\n"
		"\n"
		"Exit status: 0 no errors, 1 errors found, 2 usage error, 3 warnings\n"
		"found with --strict (and no error).\n");
}

/* as_referenced - CF references the table PATH (as check_guess_role
 * matches it: the same name, or the same file name for a bare name) */
static bool
as_referenced(struct maincf *cf, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; cf && i < maincf_ref_count(cf); i++) {
		const struct maincf_ref *r = maincf_ref_at(cf, i);
		const char *rb = strrchr(r->name, '/');

		if (strcmp(r->name, path) == 0 ||
		    (rb && strchr(path, '/') == NULL && strcmp(rb + 1, base) == 0))
			return true;
	}
	return false;
}

/* split_ref - ARG is TYPE:FILE with a table type Postfix knows and no file
 * is named ARG: *TYPE gets TYPE (malloc'd) */
static bool
split_ref(const char *arg, char **type)
{
	const char *colon = strchr(arg, ':');
	struct stat st;

	*type = NULL;
	if (colon == NULL || colon == arg || colon[1] == 0 || stat(arg, &st) == 0)
		return false;
	if ((*type = strndup(arg, (size_t)(colon - arg))) == NULL)
		return false;
	if (!maincf_is_map_type(*type)) {
		free(*type);
		*type = NULL;
		return false;
	}
	return true;
}

/* verdict - the exit status for the findings in DL */
static int
verdict(const struct diag_list *dl, bool strict)
{
	if (diag_count(dl, DIAG_ERROR))
		return 1;
	return strict && diag_count(dl, DIAG_WARNING) ? 3 : 0;
}

/* print_diags - cli_print_diags, saying so when memory runs out */
static int
print_diags(struct diag_list *dl, bool json)
{
	if (cli_print_diags(dl, json) < 0) {
		fprintf(stderr, "pfconsole: check: out of memory\n");
		return -1;
	}
	return 0;
}

static const struct option check_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "type", required_argument, NULL, 't' },
	{ "as", required_argument, NULL, 'a' },
	{ "help", no_argument, NULL, 'h' },
	{ "strict", no_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

/* the parser in main.c reads this table to tell the command's options
 * (and their arguments) from the global ones */
const struct cli_options cli_check_options = { "t:h", check_longopts };

int
cli_check(int argc, char **argv, const struct cli_global *g)
{
	const char *dir = g->config_dir, *type_opt = NULL, *as_path = NULL;
	bool json = false, strict = false;
	int c, rc = 0, i;

	while ((c = getopt_long(argc, argv, cli_check_options.shortopts, cli_check_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			strict = true;
			break;
		case 'a':
			as_path = optarg;
			break;
		case 't':
			type_opt = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (type_opt && !maincf_is_map_type(type_opt)) {
		fprintf(stderr, "pfconsole: check: unknown table type '%s'\n", type_opt);
		return 2;
	}
	if (optind >= argc) {
		struct check_result res;

		check_result_init(&res);
		if (check_config(dir, 0, &res) < 0) {
			fprintf(stderr, "pfconsole: check: out of memory\n");
			check_result_fini(&res);
			return 1;
		}
		if (print_diags(&res.diags, json) < 0)
			rc = 1;
		else
			rc = verdict(&res.diags, strict);
		/* which Postfix the answers follow (core/postconf) */
		if (!json && postconf_describe())
			fprintf(stderr, "pfconsole: check: answers follow %s\n", postconf_describe());
		check_result_fini(&res);
		fflush(stdout);
		return rc;
	}
	{
		struct maincf *cf = NULL;
		struct diag_list dl;

		/* main.cf (if any) gives roles and classes; its own problems are not
		 * reported when FILEs are named */
		if (maincf_load(&cf, dir, NULL) < 0)
			cf = NULL;
		if (as_path && !as_referenced(cf, as_path)) {
			/* a mistyped --as would check every file with a guessed
			 * role and let it pass (Ansible's validate) */
			fprintf(stderr, "pfconsole: check: --as %s: %s/main.cf does not reference this "
				"table, so it gives it no role or type\n", as_path, dir);
			maincf_free(cf);
			return 2;
		}
		diag_list_init(&dl);
		for (i = optind; i < argc; i++) {
			const char *type = NULL, *path = argv[i];
			char *ref_type = NULL;
			enum maincf_role role;
			long n;

			/* TYPE:FILE (cidr:/etc/postfix/clients), as main.cf names it,
			 * unless a file of that name exists */
			if (!type_opt && split_ref(path, &ref_type))
				path = strchr(path, ':') + 1;
			role = check_guess_role(cf, as_path ? as_path : argv[i], &type);
			if (type_opt)
				type = type_opt;
			else if (ref_type)
				type = ref_type;
			n = check_table(type, path, role, cf, &dl, NULL);
			free(ref_type);
			if (n < 0) {
				if (errno == ENOMEM) {
					fprintf(stderr, "pfconsole: check: out of memory\n");
					rc = 1;
					break;
				}
				diag_add(&dl, DIAG_MISSING_MAP, argv[i], 0, 0, "cannot read %s: %s",
					 argv[i], safeopen_strerror(errno));
			}
		}
		if (print_diags(&dl, json) < 0)
			rc = 1;
		else if (rc == 0)
			rc = verdict(&dl, strict);
		diag_list_fini(&dl);
		maincf_free(cf);
		fflush(stdout);
		return rc;
	}
}
