/*
 * tui/cli_query.c - pfconsole query [-c DIR] [-f] TYPE:PATH KEY...|-
 *
 * The same output and exit status as postmap -q: one KEY prints its value
 * and exits 0, or exits 1 when not found; several keys, or "-" (keys read
 * from stdin, one per line), print "key<TAB>value" per hit and exit 0 when
 * at least one was found.  Errors ("fatal:") exit 1 as postmap does, so
 * only stderr tells "absent" from "broken".  Usage errors exit 2.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/diag.h"
#include "core/query.h"
#include "tui/cli.h"

static void
query_usage(FILE *fp)
{
	fprintf(fp,
		"usage: pfconsole query [-c DIR] [-f] TYPE:PATH KEY...\n"
		"       pfconsole query [-c DIR] [-f] TYPE:PATH - <keys\n"
		"\n"
		"Look KEY up in TYPE:PATH exactly as postmap -q does: indexed tables from the\n"
		"built file, regexp/pcre/cidr from the source.  Prints the value (or key<TAB>value\n"
		"for several keys and for '-'); exit 0 found, 1 not found or error.\n"
		"\n"
		"  -c DIR   Postfix configuration directory (default /etc/postfix)\n"
		"  -f       do not fold the key to lower case (postmap -f)\n");
}

/* one - look up KEY; print; 1 found, 0 not, -1 fatal */
static int
one(struct query *q, const char *ref, const char *key, size_t klen, bool with_key)
{
	struct map_error err;
	struct map_hit hit;
	int r = query_lookup(q, key, klen, &hit, &err);

	if (r < 0) {
		fprintf(stderr, "pfconsole: fatal: table %s: query error: %s\n", ref, err.text);
		return -1;
	}
	if (query_warning(q)[0])
		fprintf(stderr, "pfconsole: warning: %s\n", query_warning(q));
	if (r == 0)
		return 0;
	if (hit.vlen == 0) {
		fprintf(stderr, "pfconsole: warning: table %s: key %.*s: empty string result is not allowed\n",
			ref, (int)klen, key);
		fprintf(stderr, "pfconsole: warning: table %s should return NO RESULT in case of NOT FOUND\n", ref);
	}
	if (with_key) {
		fwrite(key, 1, klen, stdout);
		putchar('\t');
	}
	fwrite(hit.val, 1, hit.vlen, stdout);
	putchar('\n');
	return 1;
}

static const struct option query_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* the parser in main.c reads this table to tell the command's options
 * (and their arguments) from the global ones */
const struct cli_options cli_query_options = { "fh", query_longopts };

int
cli_query(int argc, char **argv, const struct cli_global *g)
{
	const char *dir = g->config_dir, *ref, *colon;
	bool dir_given = g->config_dir_given;
	struct diag_list dl;
	struct map_error err;
	struct query *q;
	unsigned flags = 0;
	char *type;
	int c, i, found = 0, fatal = 0, r;

	while ((c = getopt_long(argc, argv, cli_query_options.shortopts, cli_query_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			flags |= QUERY_NOFOLD;
			break;
		case 'h':
			query_usage(stdout);
			return 0;
		default:
			query_usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 2) {
		query_usage(stderr);
		return 2;
	}
	if (dir_given)
		setenv("MAIL_CONFIG", dir, 1);
	cli_helpers_from(dir);
	ref = argv[optind++];
	if ((colon = strchr(ref, ':')) == NULL || colon == ref || colon[1] == 0) {
		fprintf(stderr, "pfconsole: query: expected TYPE:PATH, got '%s'\n", ref);
		return 2;
	}
	if ((type = strndup(ref, (size_t)(colon - ref))) == NULL) {
		perror("pfconsole: query");
		return 1;
	}
	diag_list_init(&dl);
	q = query_open(type, colon + 1, flags, &dl, &err);
	/* dropped pattern rules: postmap prints its warnings too */
	if (dl.n) {
		struct strbuf sb;
		size_t k;

		strbuf_init(&sb);
		diag_sort(&dl);
		for (k = 0; k < dl.n; k++) {
			strbuf_reset(&sb);
			if (diag_format_text(&dl.v[k], &sb) == 0)
				fprintf(stderr, "%s\n", sb.buf);
		}
		strbuf_fini(&sb);
	}
	diag_list_fini(&dl);
	if (q == NULL) {
		fprintf(stderr, "pfconsole: fatal: %s\n", err.text);
		free(type);
		return 1;
	}
	if (argc - optind == 1 && strcmp(argv[optind], "-") == 0) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		while ((n = getline(&line, &cap, stdin)) >= 0) {
			if (n > 0 && line[n - 1] == '\n')
				n--;
			if ((r = one(q, ref, line, (size_t)n, true)) < 0) {
				fatal = 1;
				break;
			}
			found |= r;
		}
		free(line);
	} else {
		bool with_key = argc - optind > 1;

		for (i = optind; i < argc; i++) {
			if ((r = one(q, ref, argv[i], strlen(argv[i]), with_key)) < 0) {
				fatal = 1;
				break;
			}
			found |= r;
		}
	}
	query_close(q);
	free(type);
	if (fflush(stdout) != 0) {
		perror("pfconsole: query: stdout");
		return 1;
	}
	return fatal ? 1 : found ? 0 : 1;
}
