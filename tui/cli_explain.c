/*
 * tui/cli_explain.c - 'pfconsole explain': what smtpd would answer, and why.
 *
 * pfconsole [-c DIR] explain [-c DIR] --client ADDR[,NAME] [--helo NAME]
 *     --sender ADDR --recipient ADDR [--json] [--sources]
 *     [--assume-dns-ok] [--sasl-user NAME]
 * pfconsole explain [...] --batch FILE|-
 *
 * Text output: the reply line, the decision, the deciding table entry as
 * FILE:LINE, then the trail.  --json: one object (core/explain.h
 * explain_result_json).  --batch: one JSON probe per input line, one JSON
 * answer per output line; a probe is {"client":"ADDR[,NAME]" or
 * "client_addr"/"client_ip" + "client_name", "helo", "sender"/"from",
 * "recipient"/"to"} - so the event objects of 'pfconsole feed --json' are
 * probes too.  Exit: 0 evaluated, 1 main.cf unreadable or a bad batch line,
 * 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/explain.h"
#include "util/strbuf.h"
#include "tui/cli.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
		"usage: pfconsole explain [-c DIR] --client ADDR[,NAME] [--helo NAME]\n"
		"                         --sender ADDR --recipient ADDR [--json] [--sources]\n"
		"                         [--assume-dns-ok] [--sasl-user NAME] [--service NAME]\n"
		"       pfconsole explain [-c DIR] [--sources] --batch FILE|-\n"
		"\n"
		"What Postfix 3.7's smtpd would answer at RCPT TO with the configuration in\n"
		"DIR, and which table line decided.  The null sender is --sender '<>'; a\n"
		"client without NAME is 'unknown'.  --sources looks up table sources instead\n"
		"of built indexes and reports a stale index.  --batch reads one JSON probe\n"
		"per line ({\"client\":..,\"helo\":..,\"sender\":..,\"recipient\":..} or the\n"
		"events of 'pfconsole feed --json') and writes one JSON answer per line.\n");
}

/* ---- a minimal reader for flat JSON objects of strings ---------------- */

struct jfield {
	char *name;
	char *value;                /* NULL for null / non-string values */
};

struct jobj {
	struct jfield f[32];
	size_t n;
};

static void
jobj_free(struct jobj *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->f[i].name);
		free(o->f[i].value);
	}
	o->n = 0;
}

static void
skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

static int
put_utf8(struct strbuf *sb, unsigned long c)
{
	if (c < 0x80)
		return strbuf_addch(sb, (int)c);
	if (c < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | (c >> 6)));
		return strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	}
	if (c < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | (c >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
		return strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
	}
	strbuf_addch(sb, (int)(0xf0 | (c >> 18)));
	strbuf_addch(sb, (int)(0x80 | ((c >> 12) & 0x3f)));
	strbuf_addch(sb, (int)(0x80 | ((c >> 6) & 0x3f)));
	return strbuf_addch(sb, (int)(0x80 | (c & 0x3f)));
}

/* jstring - parse a JSON string at *P (at the quote); malloc'd result */
static char *
jstring(const char **p)
{
	struct strbuf sb;
	const char *s = *p + 1;

	strbuf_init(&sb);
	while (*s && *s != '"') {
		if (*s == '\\') {
			s++;
			switch (*s) {
			case 'n': strbuf_addch(&sb, '\n'); break;
			case 't': strbuf_addch(&sb, '\t'); break;
			case 'r': strbuf_addch(&sb, '\r'); break;
			case 'b': strbuf_addch(&sb, '\b'); break;
			case 'f': strbuf_addch(&sb, '\f'); break;
			case 'u': {
				unsigned long c = 0;
				int i;

				for (i = 1; i <= 4; i++) {
					char h = s[i];

					c <<= 4;
					if (h >= '0' && h <= '9')
						c |= (unsigned long)(h - '0');
					else if (h >= 'a' && h <= 'f')
						c |= (unsigned long)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						c |= (unsigned long)(h - 'A' + 10);
					else {
						strbuf_fini(&sb);
						return NULL;
					}
				}
				s += 4;
				if (c >= 0xd800 && c < 0xdc00 && s[1] == '\\' && s[2] == 'u') {
					unsigned long lo = strtoul((char[]){ s[3], s[4], s[5], s[6], 0 }, NULL, 16);

					if (lo >= 0xdc00 && lo < 0xe000) {
						c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
						s += 6;
					}
				}
				put_utf8(&sb, c);
				break;
			}
			case 0:
				strbuf_fini(&sb);
				return NULL;
			default:
				strbuf_addch(&sb, *s);
			}
			s++;
		} else {
			const char *run = s;

			while (*s && *s != '"' && *s != '\\')
				s++;
			strbuf_add(&sb, run, (size_t)(s - run));
		}
	}
	if (*s != '"') {
		strbuf_fini(&sb);
		return NULL;
	}
	*p = s + 1;
	return strbuf_export(&sb);
}

/* skip_value - skip a non-string JSON value (number, literal, nested) */
static int
skip_value(const char **p)
{
	int depth = 0;
	const char *s = *p;

	do {
		if (*s == 0)
			return -1;
		if (*s == '"') {
			char *x = jstring(&s);

			if (!x)
				return -1;
			free(x);
			continue;
		}
		if (*s == '{' || *s == '[')
			depth++;
		else if (*s == '}' || *s == ']') {
			if (depth == 0)
				break;
			depth--;
		} else if (*s == ',' && depth == 0)
			break;
		s++;
	} while (depth > 0 || (*s != ',' && *s != '}' && *s != ']'));
	*p = s;
	return 0;
}

static int
jobj_parse(const char *line, struct jobj *o)
{
	const char *p = line;

	o->n = 0;
	skip_ws(&p);
	if (*p++ != '{')
		return -1;
	skip_ws(&p);
	if (*p == '}')
		return 0;
	for (;;) {
		char *name, *val = NULL;

		skip_ws(&p);
		if (*p != '"' || (name = jstring(&p)) == NULL)
			return -1;
		skip_ws(&p);
		if (*p++ != ':') {
			free(name);
			return -1;
		}
		skip_ws(&p);
		if (*p == '"') {
			if ((val = jstring(&p)) == NULL) {
				free(name);
				return -1;
			}
		} else if (skip_value(&p) < 0) {
			free(name);
			return -1;
		}
		if (o->n < sizeof(o->f) / sizeof(o->f[0])) {
			o->f[o->n].name = name;
			o->f[o->n].value = val;
			o->n++;
		} else {
			free(name);
			free(val);
		}
		skip_ws(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}')
			return 0;
		return -1;
	}
}

static const char *
jget(const struct jobj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->f[i].name, name) == 0)
			return o->f[i].value;
	return NULL;
}

static bool
jhas(const struct jobj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->f[i].name, name) == 0)
			return true;
	return false;
}

/* ---- probes -------------------------------------------------------------- */

struct probe_buf {
	char *client;               /* owned copy of ADDR[,NAME] */
	struct explain_probe p;
};

/* split_client - "ADDR[,NAME]" into the probe (ADDR may be [v6]) */
static void
split_client(char *client, struct explain_probe *p)
{
	char *comma = strchr(client, ',');
	size_t n;

	if (comma) {
		*comma = 0;
		p->client_name = comma + 1;
	} else
		p->client_name = NULL;
	n = strlen(client);
	if (n > 2 && client[0] == '[' && client[n - 1] == ']') {
		client[n - 1] = 0;
		client++;
	}
	p->client_addr = client;
}

/* sender_arg - '<>' and "" are the null sender; <a@b> loses its brackets */
static const char *
addr_arg(char *a)
{
	size_t n = strlen(a);

	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		a[n - 1] = 0;
		return a + 1;
	}
	return a;
}

static void
print_text(const struct explain_result *r)
{
	size_t i;

	if (r->decision == EXPLAIN_UNKNOWN)
		printf("unknown: depends on %s\n", r->depends.buf);
	else
		printf("%d %s %s\n", r->code, r->dsn, r->text.buf);
	printf("decision: %s (at %s)\n", explain_decision_name(r->decision), r->stage);
	if (r->rule.table) {
		if (r->rule.line)
			printf("rule: %s:%u: %s %s (%s)\n", r->rule.file, r->rule.line, r->rule.key,
			       r->rule.value, r->rule.table);
		else
			printf("rule: %s: %s %s\n", r->rule.table, r->rule.key, r->rule.value);
	} else
		printf("rule: none (no table entry decided)\n");
	if (r->stale)
		printf("stale index: %s\n", r->stale_note.buf);
	printf("trail:\n");
	for (i = 0; i < r->ntrail; i++)
		printf("  %s\n", r->trail[i]);
}

/* probes between two explain_release() calls when holding (about 1 ms) */
#define HOLD_PROBES 64

/* never_blocks - reading IN and writing stdout cannot wait on another
 * process: regular files (or /dev/null for output).  Then the tables may
 * keep their locks across probes (explain_hold), released every
 * HOLD_PROBES probes; a pipe or terminal may stall with the lock held. */
static bool
never_blocks(FILE *in)
{
	struct stat si, so, sn;

	if (fstat(fileno(in), &si) < 0 || !S_ISREG(si.st_mode) || fstat(STDOUT_FILENO, &so) < 0)
		return false;
	if (S_ISREG(so.st_mode))
		return true;
	return S_ISCHR(so.st_mode) && stat("/dev/null", &sn) == 0 && S_ISCHR(sn.st_mode)
		&& so.st_rdev == sn.st_rdev;
}

static int
run_batch(struct explain *ex, const char *file)
{
	FILE *fp = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct explain_result r;
	struct strbuf out;
	struct stat so;
	unsigned long lineno = 0, nheld = 0;
	int rc = 0;
	bool hold;

	if (!fp) {
		fprintf(stderr, "pfconsole: explain: open %s: %s\n", file, strerror(errno));
		return 1;
	}
	explain_result_init(&r);
	strbuf_init(&out);
	hold = never_blocks(fp);
	explain_hold(ex, hold);
	if (fstat(STDOUT_FILENO, &so) == 0 && S_ISREG(so.st_mode)) {
		/* to a file: 1 MiB writes instead of stdio's 4 KiB.  Answers are
		 * about 1 KB; on ext4 (Linux 6.18) 4 KiB writes cost 0.25 s of
		 * system time per 96 MB, 1 MiB writes 0.04 s.  glibc ignores the
		 * size unless it is given the buffer. */
		static char obuf[1 << 20];

		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (hold && ++nheld % HOLD_PROBES == 0)
			explain_release(ex);

		struct jobj o;
		struct explain_probe p;
		char *client = NULL, *sender = NULL, *rcpt = NULL;
		const char *v;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (n == 0)
			continue;
		strbuf_reset(&out);
		memset(&o, 0, sizeof(o));
		if (jobj_parse(line, &o) < 0) {
			jobj_free(&o);
			printf("{\"error\":\"line %lu: not a JSON object\"}\n", lineno);
			rc = 1;
			continue;
		}
		memset(&p, 0, sizeof(p));
		/* feed --json events: only smtpd decides at RCPT TO */
		if ((v = jget(&o, "service")) != NULL && strstr(v, "smtpd") == NULL) {
			printf("{\"skipped\":\"line %lu: not an smtpd event (%s)\"}\n", lineno,
			       strstr(v, "cleanup") ? "cleanup" : "other service");
			jobj_free(&o);
			continue;
		}
		if (jhas(&o, "action") && (!jget(&o, "to") || !jget(&o, "from"))) {
			printf("{\"skipped\":\"line %lu: the event has no sender or recipient\"}\n",
			       lineno);
			jobj_free(&o);
			continue;
		}
		if ((v = jget(&o, "client")) != NULL) {
			client = strdup(v);
			if (client)
				split_client(client, &p);
		} else {
			p.client_addr = jget(&o, "client_addr");
			if (!p.client_addr)
				p.client_addr = jget(&o, "client_ip");
			p.client_name = jget(&o, "client_name");
		}
		p.helo = jget(&o, "helo");
		v = jhas(&o, "sender") ? jget(&o, "sender") : jget(&o, "from");
		if (v && (sender = strdup(v)))
			p.sender = addr_arg(sender);
		v = jhas(&o, "recipient") ? jget(&o, "recipient") : jget(&o, "to");
		if (v && (rcpt = strdup(v)))
			p.recipient = addr_arg(rcpt);
		if (p.sender && strcmp(p.sender, "<>") == 0)
			p.sender = "";
		if (!p.client_addr || !p.recipient || !p.sender) {
			printf("{\"error\":\"line %lu: a probe needs client (or client_ip), sender "
			       "(or from) and recipient (or to)\"}\n", lineno);
			rc = 1;
		} else if (explain_run(ex, &p, &r) < 0) {
			printf("{\"error\":\"line %lu: out of memory\"}\n", lineno);
			rc = 1;
		} else {
			explain_result_json(&r, &out);
			strbuf_addch(&out, '\n');
			fwrite(out.buf, 1, out.len, stdout);
		}
		free(client);
		free(sender);
		free(rcpt);
		jobj_free(&o);
	}
	explain_hold(ex, false);
	free(line);
	if (fp != stdin)
		fclose(fp);
	strbuf_fini(&out);
	explain_result_fini(&r);
	fflush(stdout);
	return rc;
}

static const struct option explain_longopts[] = {
	{ "client", required_argument, NULL, 'C' },
	{ "helo", required_argument, NULL, 'H' },
	{ "sender", required_argument, NULL, 'S' },
	{ "recipient", required_argument, NULL, 'R' },
	{ "json", no_argument, NULL, 'j' },
	{ "sources", no_argument, NULL, 's' },
	{ "batch", required_argument, NULL, 'b' },
	{ "assume-dns-ok", no_argument, NULL, 'D' },
	{ "sasl-user", required_argument, NULL, 'U' },
	{ "service", required_argument, NULL, 'P' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* the parser in main.c reads this table to tell the command's options
 * (and their arguments) from the global ones */
const struct cli_options cli_explain_options = { "h", explain_longopts };

int
cli_explain(int argc, char **argv, const struct cli_global *g)
{
	const char *dir = g->config_dir;
	char *client = NULL, *sender = NULL, *rcpt = NULL;
	const char *helo = NULL, *batch = NULL;
	bool json = false;
	struct explain_opts eo;
	struct explain *ex;
	struct diag_list dl;
	int c, rc = 0;

	memset(&eo, 0, sizeof(eo));
	while ((c = getopt_long(argc, argv, cli_explain_options.shortopts, cli_explain_options.longopts, NULL)) != -1) {
		switch (c) {
		case 'C': free(client); client = strdup(optarg); break;
		case 'H': helo = optarg; break;
		case 'S': free(sender); sender = strdup(optarg); break;
		case 'R': free(rcpt); rcpt = strdup(optarg); break;
		case 'j': json = true; break;
		case 's': eo.sources = true; break;
		case 'b': batch = optarg; break;
		case 'D': eo.assume_dns_ok = true; break;
		case 'U': eo.sasl_user = optarg; break;
		case 'P': eo.service = optarg; break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			rc = 2;
			goto out;
		}
	}
	if (optind < argc || (!batch && (!client || !sender || !rcpt))) {
		if (optind < argc)
			fprintf(stderr, "pfconsole: explain: unexpected argument '%s'\n", argv[optind]);
		else
			fprintf(stderr, "pfconsole: explain: --client, --sender and --recipient are "
				"required (or --batch)\n");
		usage(stderr);
		rc = 2;
		goto out;
	}
	/* postmap -q (btree, lmdb) must read this configuration, not /etc/postfix */
	if (!getenv("MAIL_CONFIG"))
		setenv("MAIL_CONFIG", dir, 1);
	diag_list_init(&dl);
	ex = explain_new(dir, &eo, &dl);
	diag_list_fini(&dl);
	if (!ex) {
		fprintf(stderr, "pfconsole: explain: %s/main.cf: %s\n", dir, strerror(errno));
		rc = 1;
		goto out;
	}
	if (batch)
		rc = run_batch(ex, batch);
	else {
		struct explain_probe p;
		struct explain_result r;

		memset(&p, 0, sizeof(p));
		split_client(client, &p);
		p.helo = helo;
		p.sender = addr_arg(sender);
		if (strcmp(p.sender, "<>") == 0)
			p.sender = "";
		p.recipient = addr_arg(rcpt);
		explain_result_init(&r);
		if (explain_run(ex, &p, &r) < 0) {
			fprintf(stderr, "pfconsole: explain: out of memory\n");
			rc = 1;
		} else if (json) {
			struct strbuf out;

			strbuf_init(&out);
			explain_result_json(&r, &out);
			printf("%s\n", out.buf);
			strbuf_fini(&out);
		} else
			print_text(&r);
		explain_result_fini(&r);
	}
	explain_free(ex);
out:
	free(client);
	free(sender);
	free(rcpt);
	return rc;
}
