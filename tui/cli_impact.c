/*
 * tui/cli_impact.c - 'pfconsole impact' and 'pfconsole hits': the mail log
 * replayed against the tables.
 *
 * pfconsole impact [-c DIR] [--log FILE] [--since TIME] [--json] [--examples N]
 *     live (built indexes) against pending (table sources as saved), on
 *     every SMTP transaction of the log (core/replay.h, core/impact.h).
 * pfconsole hits [-c DIR] [--log FILE] [--since TIME] [--json] [TYPE:PATH...]
 *     per access-table line: transactions it decided, the last one's time,
 *     and the lines that decided nothing.
 *
 * Exit: 0 done (impact: no decision changes), 1 impact found changes or
 * an error (log or main.cf unreadable), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/feed.h"
#include "core/impact.h"
#include "core/kvparse.h"
#include "core/logsrc.h"
#include "core/maincf.h"
#include "core/replay.h"
#include "util/strbuf.h"
#include "core/tabledoc.h"
#include "core/textsafe.h"
#include "tui/cli.h"

struct args {
	const char *cmd;
	const char *dir;
	struct cli_logs logs;       /* --log, repeated (core/logmux), --host: only
	                             * these hosts' transactions */
	bool show_host;             /* several sources or --host: name each one's host */
	time_t since;
	bool json;
	size_t examples;
	unsigned threads;
	bool full;
	char **tables;
	int ntables;
};

static void
usage(FILE *fp, const char *cmd)
{
	if (strcmp(cmd, "hits") == 0)
		fprintf(fp,
			"usage: pfconsole hits [-c DIR] [--log SRC]... [--host NAMES] [--since TIME] [--json]\n"
			"                      [TYPE:PATH...]\n"
			"\n"
			"For every line of the access tables main.cf references (or only of the\n"
			"tables named): how many transactions of the mail log it decided with the\n"
			"tables as built now, and when the last one was.  Lines that decided\n"
			"nothing are listed last (absence from this log is no proof of disuse).\n"
			"SRC is what feed reads: a file, '-', 'journal', 'journal-dir:DIR',\n"
			"'journal-file:FILE' or a directory of per-host files; repeat --log for\n"
			"several MX hosts (merged in time order); --host keeps some hosts.\n");
	else
		fprintf(fp,
			"usage: pfconsole impact [-c DIR] [--log SRC]... [--host NAMES] [--since TIME] [--json]\n"
			"                        [--examples N] [--threads N] [--full]\n"
			"\n"
			"Replay every SMTP transaction of the mail log against the tables as Postfix\n"
			"uses them now (built indexes) and as Apply would put them live (sources as\n"
			"saved), and list what would change, grouped by the table line that decides.\n"
			"Transactions whose answer depends on what the log does not hold (the HELO\n"
			"name of accepted mail, DNS ...) are counted as not decidable, by reason.\n"
			"SRC is what feed reads: a file, '-', 'journal', 'journal-dir:DIR',\n"
			"'journal-file:FILE' or a directory of per-host files; repeat --log for\n"
			"several MX hosts (merged in time order); --host keeps some hosts.\n"
			"Exit status 1 when a decision would change.\n");
}

static const struct option impact_longopts[] = {
	{ "log", required_argument, NULL, 'l' },
	{ "host", required_argument, NULL, 'H' },
	{ "since", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "examples", required_argument, NULL, 'e' },
	{ "threads", required_argument, NULL, 'T' },
	{ "full", no_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* impact and hits: main.c's parser reads this table (tui/cli.h) */
const struct cli_options cli_impact_options = { "l:H:s:je:h", impact_longopts };

static int
parse_args(int argc, char **argv, const struct cli_global *g, struct args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->cmd = argv[0];
	a->dir = g->config_dir;
	a->examples = 3;
	while ((c = getopt_long(argc, argv, cli_impact_options.shortopts,
				cli_impact_options.longopts, NULL)) != -1) {
		char *end;
		unsigned long v;

		switch (c) {
		case 'l':
			if (cli_logs_add(&a->logs, a->cmd, optarg) < 0)
				return 2;
			break;
		case 'H':
			a->logs.host = optarg;
			break;
		case 's':
			if (cli_parse_since(a->cmd, optarg, &a->since) < 0)
				return 2;
			break;
		case 'j':
			a->json = true;
			break;
		case 'F':
			a->full = true;
			break;
		case 'e':
		case 'T':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || v > 100000 || (c == 'T' && v > 64)) {
				fprintf(stderr, "pfconsole %s: --%s '%s': not a count\n", a->cmd,
					c == 'e' ? "examples" : "threads", optarg);
				return 2;
			}
			if (c == 'e')
				a->examples = v;
			else
				a->threads = (unsigned)v;
			break;
		case 'h':
			usage(stdout, a->cmd);
			return 0;
		default:
			usage(stderr, a->cmd);
			return 2;
		}
	}
	if (optind < argc && strcmp(a->cmd, "hits") != 0) {
		fprintf(stderr, "pfconsole %s: unexpected argument '%s'\n", a->cmd, argv[optind]);
		usage(stderr, a->cmd);
		return 2;
	}
	a->tables = argv + optind;
	a->ntables = argc - optind;
	return -1;
}

static int
load_log(struct args *a, struct replay_log **rl, char *spec, size_t size)
{
	char reason[1024];
	struct replay_opts ro = { a->since, a->threads };
	size_t i, o = 0;

	if (ro.threads == 0) {
		/* as impact_run: one thread per CPU (a big log is parsed in two halves) */
		long c = sysconf(_SC_NPROCESSORS_ONLN);

		ro.threads = c < 1 ? 1 : (unsigned)c;
	}

	if (cli_logs_default(&a->logs, a->cmd, a->dir) < 0)
		return -1;
	/* the sources, as the report names them */
	for (i = 0; i < a->logs.n && o < size; i++)
		o += (size_t)snprintf(spec + o, size - o, "%s%s", i ? ", " : "", a->logs.v[i]);
	if (replay_load_sources(a->logs.v, a->logs.n, a->logs.host, &ro, rl, reason,
				sizeof(reason)) < 0) {
		fprintf(stderr, "pfconsole %s: %s\n", a->cmd, reason);
		return -1;
	}
	/* several sources (a directory counts its files) or --host: name hosts */
	a->show_host = replay_sources(*rl) > 1 || (a->logs.host != NULL && *a->logs.host);
	return 0;
}

static void
safe(struct strbuf *sb, const char *s)
{
	textsafe_append(sb, s, strlen(s), TEXTSAFE_NOLIMIT, NULL, NULL);
}

static void
jstr(struct strbuf *sb, const char *name, const char *s, bool comma)
{
	strbuf_addf(sb, "%s\"%s\":", comma ? "," : "", name);
	if (s == NULL)
		strbuf_addstr(sb, "null");
	else
		strbuf_add_json_string(sb, s, strlen(s));
}

static void
fmt_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == 0 || localtime_r(&t, &tm) == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	/* RFC 3339 (+01:00, as feed --json writes times), not strftime's +0100 */
	if (strftime(buf, size, "%Y-%m-%dT%H:%M:%S%z", &tm) > 0) {
		size_t n = strlen(buf);

		if (n >= 5 && n + 2 <= size && (buf[n - 5] == '+' || buf[n - 5] == '-')) {
			memmove(buf + n - 1, buf + n - 2, 3);   /* "MM\0" one to the right */
			buf[n - 2] = ':';
		}
	}
}

static void
txn_json(struct strbuf *sb, const struct replay_txn *t, bool show_host)
{
	char tb[64];

	fmt_time(t->time, tb, sizeof(tb));
	jstr(sb, "time", tb, false);
	jstr(sb, "client_name", t->client_name, true);
	jstr(sb, "client_ip", t->client_addr, true);
	jstr(sb, "helo", t->helo_known ? t->helo : NULL, true);
	strbuf_addf(sb, ",\"helo_logged\":%s", t->helo_known ? "true" : "false");
	jstr(sb, "sender", t->sender, true);
	jstr(sb, "recipient", t->recipient, true);
	jstr(sb, "sasl_username", t->sasl_user, true);
	jstr(sb, "queue_id", t->queue_id, true);
	strbuf_addf(sb, ",\"line\":%lu", t->line);
	if (show_host)
		jstr(sb, "host", t->host, true);
}

static void
answer_json(struct strbuf *sb, const char *name, const struct impact_answer *an)
{
	strbuf_addf(sb, ",\"%s\":{", name);
	jstr(sb, "decision", explain_decision_name(an->decision), false);
	strbuf_addf(sb, ",\"code\":%d", an->code);
	jstr(sb, "reply", an->reply, true);
	jstr(sb, "rule", an->rule, true);
	strbuf_addch(sb, '}');
}

static int
flush(struct strbuf *sb)
{
	if (sb->len && fwrite(sb->buf, 1, sb->len, stdout) != sb->len)
		return -1;
	strbuf_reset(sb);
	return 0;
}

/* impact_text - the report for people: summary, reasons, groups */
static void
impact_text(struct strbuf *sb, const struct args *a, const char *spec, const struct replay_log *rl,
	    const struct impact_report *rep)
{
	size_t i, j;
	bool *seen = calloc(rep->nchanges ? rep->nchanges : 1, sizeof(bool));

	strbuf_addstr(sb, "replayed ");
	strbuf_addf(sb, "%zu transaction%s from ", rep->replayed, rep->replayed == 1 ? "" : "s");
	safe(sb, spec);
	strbuf_addf(sb, " (%lu line%s): %zu decidable, %zu not decidable; %zu would change\n",
		    replay_lines(rl), replay_lines(rl) == 1 ? "" : "s", rep->replayed - rep->undecidable, rep->undecidable,
		    rep->nchanges);
	if (rep->live_vs_log)
		strbuf_addf(sb, "note: for %zu transaction%s the tables as built now answer otherwise "
				"than the log shows (changed since)\n", rep->live_vs_log,
			    rep->live_vs_log == 1 ? "" : "s");
	if (rep->nreasons) {
		strbuf_addstr(sb, "not decidable, depends on:\n");
		for (i = 0; i < rep->nreasons; i++) {
			strbuf_addf(sb, "  %7lu  ", rep->reasons[i].count);
			safe(sb, rep->reasons[i].key);
			strbuf_addch(sb, '\n');
		}
	}
	if (seen == NULL)
		return;
	/* groups in order of first appearance; likely-legitimate ones first */
	for (int pass = 0; pass < 2; pass++) {
		for (i = 0; i < rep->nchanges; i++) {
			const struct impact_change *c = &rep->changes[i];
			size_t n = 0, kinds[IMPACT_NKINDS] = { 0 }, shown = 0;
			unsigned long legit = 0, legit_msgs = 0;
			const char *legit_what = NULL;
			bool first = true;

			if (seen[i])
				continue;
			for (j = i; j < rep->nchanges; j++) {
				const struct impact_change *d = &rep->changes[j];

				if (strcmp(d->group, c->group) != 0)
					continue;
				n++;
				kinds[d->kind]++;
				if (d->kind == IMPACT_ACCEPT_TO_REJECT && (d->legit_to || d->legit_dom)) {
					const struct replay_txn *t = replay_at(rl, d->txn);
					const char *at = strrchr(t->sender, '@');

					legit++;
					if (d->legit_dom > legit_msgs) {
						legit_msgs = d->legit_dom;
						legit_what = at ? at + 1 : t->sender;
					}
				}
			}
			if ((pass == 0) != (legit > 0))
				continue;
			strbuf_addch(sb, '\n');
			safe(sb, c->group);
			strbuf_addf(sb, "\n  %zu transaction%s:", n, n == 1 ? "" : "s");
			for (j = 0; j < IMPACT_NKINDS; j++) {
				if (kinds[j]) {
					strbuf_addf(sb, "%s %zu %s", first ? "" : ",", kinds[j],
						    impact_kind_name((enum impact_kind)j));
					first = false;
				}
			}
			strbuf_addch(sb, '\n');
			if (legit) {
				strbuf_addf(sb, "  ! likely legitimate: would reject %lu message%s from ", legit,
					    legit == 1 ? "" : "s");
				safe(sb, legit_what);
				strbuf_addf(sb, ", to whom your users sent %lu message%s\n", legit_msgs,
					    legit_msgs == 1 ? "" : "s");
			}
			for (j = i; j < rep->nchanges; j++) {
				const struct impact_change *d = &rep->changes[j];
				const struct replay_txn *t;
				char tb[64];

				if (strcmp(d->group, c->group) != 0)
					continue;
				seen[j] = true;
				if (shown++ >= a->examples)
					continue;
				t = replay_at(rl, d->txn);
				fmt_time(t->time, tb, sizeof(tb));
				strbuf_addf(sb, "    %s ", tb);
				if (a->show_host) {
					safe(sb, t->host ? t->host : "-");
					strbuf_addch(sb, ' ');
				}
				safe(sb, t->client_name);
				strbuf_addch(sb, '[');
				safe(sb, t->client_addr);
				strbuf_addstr(sb, "] <");
				safe(sb, t->sender);
				strbuf_addstr(sb, "> -> <");
				safe(sb, t->recipient);
				strbuf_addstr(sb, ">\n      now:     ");
				if (d->live.decision == EXPLAIN_ACCEPT)
					strbuf_addstr(sb, "accept");
				else
					safe(sb, d->live.reply);
				strbuf_addstr(sb, "\n      pending: ");
				if (d->pending.decision == EXPLAIN_ACCEPT)
					strbuf_addstr(sb, "accept");
				else
					safe(sb, d->pending.reply);
				strbuf_addch(sb, '\n');
			}
			if (shown > a->examples)
				strbuf_addf(sb, "    ... and %zu more\n", shown - a->examples);
		}
	}
	free(seen);
}

static void
impact_json(struct strbuf *sb, const struct args *a, const char *spec, const struct replay_log *rl,
	    const struct impact_report *rep)
{
	size_t i;

	strbuf_addstr(sb, "{\"summary\":{");
	jstr(sb, "log", spec, false);
	strbuf_addf(sb, ",\"lines\":%lu,\"replayed\":%zu,\"decidable\":%zu,\"not_decidable\":%zu,"
			"\"changed\":%zu,\"live_differs_from_log\":%zu,\"outbound\":%lu,\"reasons\":[",
		    replay_lines(rl), rep->replayed, rep->replayed - rep->undecidable,
		    rep->undecidable, rep->nchanges, rep->live_vs_log, rep->outbound);
	for (i = 0; i < rep->nreasons; i++) {
		strbuf_addstr(sb, i ? ",{" : "{");
		jstr(sb, "reason", rep->reasons[i].key, false);
		strbuf_addf(sb, ",\"count\":%lu}", rep->reasons[i].count);
	}
	strbuf_addstr(sb, "]}}\n");
	for (i = 0; i < rep->nchanges; i++) {
		const struct impact_change *c = &rep->changes[i];

		strbuf_addch(sb, '{');
		jstr(sb, "change", impact_kind_name(c->kind), false);
		jstr(sb, "group", c->group, true);
		strbuf_addch(sb, ',');
		txn_json(sb, replay_at(rl, c->txn), a->show_host);
		answer_json(sb, "live", &c->live);
		answer_json(sb, "pending", &c->pending);
		strbuf_addf(sb, ",\"users_wrote_to_sender\":%lu,\"users_wrote_to_domain\":%lu}\n",
			    c->legit_to, c->legit_dom);
		if (sb->len > (1 << 20))
			flush(sb);
	}
	for (i = 0; i < rep->nundecided; i++) {
		strbuf_addch(sb, '{');
		jstr(sb, "not_decidable", rep->undecided[i].reason, false);
		strbuf_addch(sb, ',');
		txn_json(sb, replay_at(rl, rep->undecided[i].txn), a->show_host);
		strbuf_addstr(sb, "}\n");
		if (sb->len > (1 << 20))
			flush(sb);
	}
}

int
cli_impact(int argc, char **argv, const struct cli_global *g)
{
	struct args a;
	struct replay_log *rl = NULL;
	struct impact_report rep;
	struct impact_opts io;
	struct strbuf sb;
	char spec[4096], reason[1024];
	int rc;

	if ((rc = parse_args(argc, argv, g, &a)) >= 0)
		return rc;
	if (load_log(&a, &rl, spec, sizeof(spec)) < 0)
		return 1;
	memset(&io, 0, sizeof(io));
	io.dir = a.dir;
	io.pending = true;
	io.full = a.full;
	io.threads = a.threads;
	impact_report_init(&rep);
	if (impact_run(&io, rl, &rep, reason, sizeof(reason)) < 0) {
		fprintf(stderr, "pfconsole impact: %s\n", reason);
		replay_free(rl);
		return 1;
	}
	strbuf_init(&sb);
	if (a.json)
		impact_json(&sb, &a, spec, rl, &rep);
	else
		impact_text(&sb, &a, spec, rl, &rep);
	rc = rep.nchanges ? 1 : 0;
	if (flush(&sb) < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "pfconsole impact: write error: %s\n", strerror(errno));
		rc = 1;
	}
	strbuf_fini(&sb);
	impact_report_fini(&rep);
	replay_free(rl);
	return rc;
}

/* ---- hits ---------------------------------------------------------------- */

static bool
wanted(const struct args *a, const struct maincf_ref *r)
{
	int i;

	if (a->ntables == 0)
		return true;
	for (i = 0; i < a->ntables; i++) {
		const char *c = strchr(a->tables[i], ':');
		const char *name = c ? c + 1 : a->tables[i];

		if (strcmp(name, r->name) == 0)
			return true;
	}
	return false;
}

/* The lines that decided nothing, written as the tables are read (a
 * 1,000,000-line table is never held): the entries of one file come in
 * line order, and so do its hits (rep.hits is in file, line order). */
struct unused {
	struct strbuf out;
	size_t count;
	bool json;
	bool werr;                  /* JSON: a write failed */
	const char *file;
	struct strbuf head;         /* what starts each of this file's lines, made once */
	const struct impact_count *h, *he;  /* this file's hits, by line */
};

/* plain - N bytes at S are printable ASCII that textsafe_append (and, with
 * JSON, strbuf_add_json_string) copies as they are: the common case, added
 * without the per-character path (the same bytes either way) */
static bool
plain(const char *s, size_t n, bool json)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	for (; p < e; p++)
		if (*p < 0x20 || *p >= 0x7F || (json && (*p == '"' || *p == '\\')))
			return false;
	return true;
}

static void
add_text(struct strbuf *sb, const char *s, size_t n)
{
	if (plain(s, n, false))
		strbuf_add(sb, s, n);
	else
		textsafe_append(sb, s, n, TEXTSAFE_NOLIMIT, NULL, NULL);
}

static void
add_json(struct strbuf *sb, const char *s, size_t n)
{
	if (plain(s, n, true)) {
		strbuf_addch(sb, '"');
		strbuf_add(sb, s, n);
		strbuf_addch(sb, '"');
	} else {
		strbuf_add_json_string(sb, s, n);
	}
}

static void
unused_entry(struct unused *u, unsigned line, const char *key, size_t klen, const char *val,
	     size_t vlen)
{
	while (u->h < u->he && u->h->line < line)
		u->h++;
	if (u->h < u->he && u->h->line == line)
		return;
	u->count++;
	klen = strnlen(key, klen);
	vlen = strnlen(val, vlen);
	if (!u->json && plain(key, klen, false) && plain(val, vlen, false) &&
	    strbuf_reserve(&u->out, u->head.len + 16 + klen + vlen) == 0) {
		/* the common line in one piece: FILE:LINE: KEY VALUE */
		char num[16], *n = num + sizeof(num), *o = u->out.buf + u->out.len;
		unsigned v = line;

		do
			*--n = (char)('0' + v % 10);
		while ((v /= 10) != 0);
		memcpy(o, u->head.buf, u->head.len);
		o += u->head.len;
		memcpy(o, n, (size_t)(num + sizeof(num) - n));
		o += num + sizeof(num) - n;
		*o++ = ':';
		*o++ = ' ';
		memcpy(o, key, klen);
		o += klen;
		*o++ = ' ';
		memcpy(o, val, vlen);
		o += vlen;
		*o++ = '\n';
		*o = '\0';
		u->out.len = (size_t)(o - u->out.buf);
		return;
	}
	/* head: {"file":FILE,"line": (JSON) or FILE: (text) */
	strbuf_add(&u->out, u->head.buf, u->head.len);
	strbuf_add_num(&u->out, false, line);
	if (u->json) {
		strbuf_addstr(&u->out, ",\"key\":");
		add_json(&u->out, key, klen);
		strbuf_addstr(&u->out, ",\"value\":");
		add_json(&u->out, val, vlen);
		strbuf_addstr(&u->out, ",\"count\":0,\"last\":null}\n");
		if (u->out.len > (1 << 20) && flush(&u->out) < 0)
			u->werr = true;
	} else {
		strbuf_add(&u->out, ": ", 2);
		add_text(&u->out, key, klen);
		strbuf_addch(&u->out, ' ');
		add_text(&u->out, val, vlen);
		strbuf_addch(&u->out, '\n');
	}
}

static int
unused_kv(void *ctx, const struct kv_entry *e)
{
	unused_entry(ctx, e->line, e->key, e->klen, e->val, e->vlen);
	return 0;
}

/* unused_table - the entries of table file PATH that no hit names */
static void
unused_table(struct unused *u, const struct impact_report *rep, const char *path, const char *type)
{
	size_t i;

	u->file = path;
	u->h = u->he = NULL;
	strbuf_reset(&u->head);
	if (u->json) {
		strbuf_addstr(&u->head, "{\"file\":");
		strbuf_add_json_string(&u->head, path, strlen(path));
		strbuf_addstr(&u->head, ",\"line\":");
	} else {
		safe(&u->head, path);
		strbuf_addch(&u->head, ':');
	}
	for (i = 0; i < rep->nhits; i++) {
		const struct impact_count *h = &rep->hits[i];

		if (h->file == NULL || strcmp(h->file, path) != 0)
			continue;
		if (u->h == NULL)
			u->h = h;
		u->he = h + 1;
	}
	if (tabledoc_syntax_for_type(type) == TABLEDOC_KV) {
		struct diag_list dl;

		diag_list_init(&dl);
		(void)kvparse_file(path, unused_kv, u, &dl);
		diag_list_fini(&dl);
	} else {
		struct tabledoc *doc;
		struct map_error me;

		if (tabledoc_load(&doc, path, TABLEDOC_PATTERN, NULL, &me) != 0 || doc == NULL)
			return;
		for (i = 0; i < tabledoc_count(doc); i++) {
			const struct tabledoc_item *it = tabledoc_item(doc, i);

			if (it->kind == TABLEDOC_ENTRY)
				unused_entry(u, it->line, it->key, strlen(it->key), it->value,
					     strlen(it->value));
		}
		tabledoc_free(doc);
	}
}

int
cli_hits(int argc, char **argv, const struct cli_global *g)
{
	struct args a;
	struct replay_log *rl = NULL;
	struct impact_report rep;
	struct impact_opts io;
	struct maincf *cf = NULL;
	struct strbuf sb;
	struct unused u;
	size_t i, j;
	char spec[4096], reason[1024];
	int rc = 0;
	bool werr = false;

	if ((rc = parse_args(argc, argv, g, &a)) >= 0)
		return rc;
	rc = 0;
	if (load_log(&a, &rl, spec, sizeof(spec)) < 0)
		return 1;
	memset(&io, 0, sizeof(io));
	io.dir = a.dir;
	io.hits = true;
	io.threads = a.threads;
	impact_report_init(&rep);
	if (impact_run(&io, rl, &rep, reason, sizeof(reason)) < 0) {
		fprintf(stderr, "pfconsole hits: %s\n", reason);
		replay_free(rl);
		return 1;
	}
	strbuf_init(&sb);
	if (a.json) {
		for (i = 0; i < rep.nhits; i++) {
			const struct impact_count *h = &rep.hits[i];
			char tb[64];

			fmt_time(h->last, tb, sizeof(tb));
			strbuf_addch(&sb, '{');
			jstr(&sb, "file", h->file, false);
			strbuf_addf(&sb, ",\"line\":%u", h->line);
			jstr(&sb, "rule", h->key, true);
			strbuf_addf(&sb, ",\"count\":%lu", h->count);
			jstr(&sb, "last", tb, true);
			strbuf_addstr(&sb, "}\n");
		}
		werr = flush(&sb) < 0;
	} else {
		unsigned long tot = 0;

		for (i = 0; i < rep.nhits; i++)
			tot += rep.hits[i].count;
		strbuf_addf(&sb, "%zu transaction%s from ", rep.replayed, rep.replayed == 1 ? "" : "s");
		safe(&sb, spec);
		strbuf_addf(&sb, " (%lu line%s); %lu decided by a table line\n", replay_lines(rl),
			    replay_lines(rl) == 1 ? "" : "s", tot);
		strbuf_addf(&sb, "%8s  %-25s  %s\n", "COUNT", "LAST", "LINE");
		for (i = 0; i < rep.nhits; i++) {
			const struct impact_count *h = &rep.hits[i];
			char tb[64];

			fmt_time(h->last, tb, sizeof(tb));
			strbuf_addf(&sb, "%8lu  %-25s  ", h->count, tb);
			safe(&sb, h->key);
			strbuf_addch(&sb, '\n');
		}
	}
	/* every entry of every access table main.cf references that decided
	 * nothing (JSON: written as found; text: after their count) */
	memset(&u, 0, sizeof(u));
	strbuf_init(&u.out);
	strbuf_init(&u.head);
	u.json = a.json;
	if (maincf_load(&cf, a.dir, NULL) == 0) {
		for (i = 0; i < maincf_ref_count(cf); i++) {
			const struct maincf_ref *r = maincf_ref_at(cf, i);
			bool dup = false;

			if (!maincf_role_is_access(r->role) || r->inline_body ||
			    !maincf_is_file_type(r->type) || !wanted(&a, r))
				continue;
			for (j = 0; j < i && !dup; j++) {
				const struct maincf_ref *o = maincf_ref_at(cf, j);

				dup = maincf_role_is_access(o->role) && !o->inline_body &&
				      maincf_is_file_type(o->type) && strcmp(o->name, r->name) == 0;
			}
			if (!dup)
				unused_table(&u, &rep, r->name, r->type);
		}
	}
	if (!a.json && u.count)
		strbuf_addf(&sb, "\ndecided nothing in this log (%zu line%s; absence here is no "
				 "proof they are unused):\n", u.count, u.count == 1 ? "" : "s");
	if (werr || u.werr || flush(&sb) < 0 || flush(&u.out) < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, "pfconsole hits: write error: %s\n", strerror(errno));
		rc = 1;
	}
	strbuf_fini(&sb);
	strbuf_fini(&u.out);
	strbuf_fini(&u.head);
	maincf_free(cf);
	impact_report_fini(&rep);
	replay_free(rl);
	return rc;
}
