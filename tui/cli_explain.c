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
#include "core/textsafe.h"
#include "util/safeopen.h"
#include "util/strbuf.h"
#include "util/utf8.h"
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

/* ---- a strict reader for flat JSON objects ------------------------------
 * One object per line (RFC 8259): members with string values are kept,
 * others (numbers, true/false/null, nested arrays/objects, checked for
 * syntax) read as absent.  Refused, with the reason for the per-line
 * error: anything after the closing brace, a duplicate member name, more
 * than JOBJ_MAX members, \u0000 or a raw control byte in a string, a lone
 * high surrogate, bytes that are not UTF-8, nesting deeper than 32.
 * \uDC80..\uDCFF alone is the byte 0x80..0xFF (the way feed --json writes
 * a byte that is not UTF-8), so events round-trip byte for byte. */

#define JOBJ_MAX 32

struct jfield {
	char *name;
	char *value;                /* NULL for null / non-string values */
};

/* the names and values point into ARENA (one buffer per object, reused
 * line after line: no malloc per string); a string may be changed in
 * place by its user */
struct jobj {
	struct jfield f[JOBJ_MAX];
	size_t n;
	const char *why;            /* reason of the last refusal */
	struct strbuf arena;        /* the strings, each NUL-terminated */
};

static void
jobj_init(struct jobj *o)
{
	o->n = 0;
	o->why = NULL;
	strbuf_init(&o->arena);
}

static void
jobj_fini(struct jobj *o)
{
	strbuf_fini(&o->arena);
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

/* hex4 - the 4 hex digits at S, or -1 */
static long
hex4(const char *s)
{
	long c = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char h = s[i];

		c <<= 4;
		if (h >= '0' && h <= '9')
			c |= h - '0';
		else if (h >= 'a' && h <= 'f')
			c |= h - 'a' + 10;
		else if (h >= 'A' && h <= 'F')
			c |= h - 'A' + 10;
		else
			return -1;
	}
	return c;
}

/* jplain - how many bytes from S can be copied as they are: printable
 * ASCII other than '"' and '\\' (so not the NUL) */
static size_t
jplain(const char *s)
{
	const unsigned char *q = (const unsigned char *)s;

	while (*q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
		q++;
	return (size_t)(q - (const unsigned char *)s);
}

/* jstring - parse a JSON string at *P (at the quote) onto the end of
 * O->arena, NUL-terminated; its offset there, or -1 with O->why set (the
 * arena is then left as it was) */
static long
jstring(const char **p, struct jobj *o)
{
	struct strbuf *sbp = &o->arena;
	size_t start = sbp->len;
	const char *s = *p + 1;

#define sb (*sbp)
	while (*s != '"') {
		unsigned char c = (unsigned char)*s;
		size_t run = jplain(s);

		if (run) {
			/* the common case: a run of plain ASCII in one copy */
			strbuf_add(&sb, s, run);
			s += run;
			continue;
		}

		if (c == 0) {
			o->why = "unterminated string";
			goto bad;
		}
		if (c < 0x20) {
			o->why = "raw control character in a string";
			goto bad;
		}
		if (c >= 0x80) {
			size_t l = utf8_decode((const unsigned char *)s, strlen(s), NULL);

			if (l == 0) {
				o->why = "not UTF-8";
				goto bad;
			}
			strbuf_add(&sb, s, l);
			s += l;
			continue;
		}
		if (c != '\\') {
			strbuf_addch(&sb, c);
			s++;
			continue;
		}
		s++;
		switch (*s) {
		case '"': case '\\': case '/': strbuf_addch(&sb, *s); break;
		case 'n': strbuf_addch(&sb, '\n'); break;
		case 't': strbuf_addch(&sb, '\t'); break;
		case 'r': strbuf_addch(&sb, '\r'); break;
		case 'b': strbuf_addch(&sb, '\b'); break;
		case 'f': strbuf_addch(&sb, '\f'); break;
		case 'u': {
			long u = hex4(s + 1), lo;

			if (u < 0) {
				o->why = "bad \\u escape";
				goto bad;
			}
			s += 4;
			if (u == 0) {
				o->why = "\\u0000 in a string";
				goto bad;
			}
			if (u >= 0xd800 && u < 0xdc00) {
				if (s[1] != '\\' || s[2] != 'u' || (lo = hex4(s + 3)) < 0xdc00 || lo >= 0xe000) {
					o->why = "lone high surrogate";
					goto bad;
				}
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				s += 6;
			} else if (u >= 0xdc00 && u < 0xe000) {
				if (u < 0xdc80 || u > 0xdcff) {
					o->why = "lone low surrogate";
					goto bad;
				}
				/* a byte that is not UTF-8, as feed --json writes it */
				strbuf_addch(&sb, (int)(u - 0xdc00));
				break;
			}
			put_utf8(&sb, (unsigned long)u);
			break;
		}
		default:
			o->why = "bad escape";
			goto bad;
		}
		s++;
	}
	*p = s + 1;
	if (strbuf_addch(&sb, 0) < 0) {
		o->why = "out of memory";
		goto bad;
	}
	return (long)start;
bad:
	strbuf_truncate(&sb, start);
	return -1;
#undef sb
}

/* skip_value - check and skip a value that is not a string */
static int
skip_value(const char **p, struct jobj *o, int depth)
{
	const char *s = *p;

	if (depth > 32) {
		o->why = "nested too deeply";
		return -1;
	}
	if (*s == '"') {
		size_t mark = o->arena.len;

		if (jstring(&s, o) < 0)
			return -1;
		strbuf_truncate(&o->arena, mark);
	} else if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';

		s++;
		skip_ws(&s);
		if (*s == close) {
			*p = s + 1;
			return 0;
		}
		for (;;) {
			skip_ws(&s);
			if (close == '}') {
				size_t mark = o->arena.len;

				if (*s != '"' || jstring(&s, o) < 0) {
					o->why = o->why ? o->why : "bad member name";
					return -1;
				}
				strbuf_truncate(&o->arena, mark);
				skip_ws(&s);
				if (*s++ != ':') {
					o->why = "':' expected";
					return -1;
				}
				skip_ws(&s);
			}
			if (skip_value(&s, o, depth + 1) < 0)
				return -1;
			skip_ws(&s);
			if (*s == ',') {
				s++;
				continue;
			}
			if (*s == close)
				break;
			o->why = "',' or closing bracket expected";
			return -1;
		}
		s++;
	} else if (strncmp(s, "true", 4) == 0 || strncmp(s, "null", 4) == 0) {
		s += 4;
	} else if (strncmp(s, "false", 5) == 0) {
		s += 5;
	} else {
		/* number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
		if (*s == '-')
			s++;
		if (*s == '0')
			s++;
		else if (*s >= '1' && *s <= '9')
			while (*s >= '0' && *s <= '9')
				s++;
		else {
			o->why = "bad value";
			return -1;
		}
		if (*s == '.') {
			s++;
			if (!(*s >= '0' && *s <= '9')) {
				o->why = "bad number";
				return -1;
			}
			while (*s >= '0' && *s <= '9')
				s++;
		}
		if (*s == 'e' || *s == 'E') {
			s++;
			if (*s == '+' || *s == '-')
				s++;
			if (!(*s >= '0' && *s <= '9')) {
				o->why = "bad number";
				return -1;
			}
			while (*s >= '0' && *s <= '9')
				s++;
		}
	}
	*p = s;
	return 0;
}

/* jobj_parse - LINE (LEN bytes) as one flat object; 0, or -1 with O->why */
static int
jobj_parse(const char *line, size_t len, struct jobj *o)
{
	const char *p = line;
	long noff[JOBJ_MAX], voff[JOBJ_MAX];
	size_t k;

	o->n = 0;
	o->why = NULL;
	strbuf_reset(&o->arena);
	if (strlen(line) != len) {
		o->why = "NUL byte in the line";
		return -1;
	}
	skip_ws(&p);
	if (*p++ != '{') {
		o->why = "not a JSON object";
		return -1;
	}
	skip_ws(&p);
	if (*p == '}') {
		p++;
		goto end;
	}
	for (;;) {
		long name, val = -1;
		size_t i;

		skip_ws(&p);
		if (*p != '"' || (name = jstring(&p, o)) < 0) {
			o->why = o->why ? o->why : "member name expected";
			o->n = 0;
			return -1;
		}
		skip_ws(&p);
		if (*p++ != ':') {
			o->why = "':' expected";
			o->n = 0;
			return -1;
		}
		skip_ws(&p);
		if (*p == '"') {
			if ((val = jstring(&p, o)) < 0) {
				o->n = 0;
				return -1;
			}
		} else if (skip_value(&p, o, 0) < 0) {
			o->n = 0;
			return -1;
		}
		for (i = 0; i < o->n; i++)
			if (strcmp(o->arena.buf + noff[i], o->arena.buf + name) == 0)
				break;
		if (i < o->n || o->n == JOBJ_MAX) {
			o->why = i < o->n ? "duplicate member" : "more than 32 members";
			o->n = 0;
			return -1;
		}
		noff[o->n] = name;
		voff[o->n] = val;
		o->n++;
		skip_ws(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '}') {
			p++;
			break;
		}
		o->why = "',' or '}' expected";
		o->n = 0;
		return -1;
	}
end:
	skip_ws(&p);
	if (*p) {
		o->why = "text after the object";
		o->n = 0;
		return -1;
	}
	/* the arena no longer moves: offsets become pointers */
	for (k = 0; k < o->n; k++) {
		o->f[k].name = o->arena.buf + noff[k];
		o->f[k].value = voff[k] < 0 ? NULL : o->arena.buf + voff[k];
	}
	return 0;
}

static const char *
jget(const struct jobj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->f[i].name[0] == name[0] && strcmp(o->f[i].name, name) == 0)
			return o->f[i].value;
	return NULL;
}

static bool
jhas(const struct jobj *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (o->f[i].name[0] == name[0] && strcmp(o->f[i].name, name) == 0)
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

/* put_safe - S through core/textsafe (the feed's sanitizer): controls,
 * newlines, bidi overrides and bytes that are not UTF-8 become visible
 * escapes, so an argument or table text cannot fake output lines */
static void
put_safe(struct strbuf *sb, const char *s)
{
	if (s == NULL)
		s = "(null)";
	textsafe_append(sb, s, strlen(s), TEXTSAFE_NOLIMIT, NULL, NULL);
}

static void
print_text(const struct explain_result *r)
{
	struct strbuf sb;
	size_t i;

	strbuf_init(&sb);
	if (r->decision == EXPLAIN_UNKNOWN) {
		strbuf_addstr(&sb, "unknown: depends on ");
		put_safe(&sb, r->depends.buf);
	} else {
		strbuf_addf(&sb, "%d ", r->code);
		put_safe(&sb, r->dsn);
		strbuf_addch(&sb, ' ');
		put_safe(&sb, r->text.buf);
	}
	strbuf_addf(&sb, "\ndecision: %s (at ", explain_decision_name(r->decision));
	put_safe(&sb, r->stage);
	strbuf_addstr(&sb, ")\n");
	if (r->rule.table) {
		strbuf_addstr(&sb, "rule: ");
		if (r->rule.line) {
			put_safe(&sb, r->rule.file);
			strbuf_addf(&sb, ":%u: ", r->rule.line);
			put_safe(&sb, r->rule.key);
			strbuf_addch(&sb, ' ');
			put_safe(&sb, r->rule.value);
			strbuf_addstr(&sb, " (");
			put_safe(&sb, r->rule.table);
			strbuf_addch(&sb, ')');
		} else {
			put_safe(&sb, r->rule.table);
			strbuf_addstr(&sb, ": ");
			put_safe(&sb, r->rule.key);
			strbuf_addch(&sb, ' ');
			put_safe(&sb, r->rule.value);
		}
		strbuf_addch(&sb, '\n');
	} else
		strbuf_addstr(&sb, "rule: none (no table entry decided)\n");
	if (r->stale) {
		strbuf_addstr(&sb, "stale index: ");
		put_safe(&sb, r->stale_note.buf);
		strbuf_addch(&sb, '\n');
	}
	strbuf_addstr(&sb, "trail:\n");
	for (i = 0; i < r->ntrail; i++) {
		strbuf_addstr(&sb, "  ");
		put_safe(&sb, r->trail[i]);
		strbuf_addch(&sb, '\n');
	}
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_fini(&sb);
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

/* a probe is a few hundred bytes; a feed --json event at most ~400 KiB
 * (a 64 KiB line, escaped) */
#define BATCH_LINE_MAX (1 << 20)

/* the batch input, read in 64 KiB blocks (memchr finds the line ends:
 * getc per byte was a twentieth of a probe's time) */
struct lreader {
	int fd;
	char buf[1 << 16];
	size_t start, end;
	bool eof;
};

/* line_add - N bytes at P onto *LINE (length *N, capacity *CAP), at most
 * BATCH_LINE_MAX in all (*TOO_LONG when some are dropped); -1 out of memory */
static int
line_add(char **line, size_t *n, size_t *cap, const char *p, size_t len, bool *too_long)
{
	if (*n + len > BATCH_LINE_MAX) {
		*too_long = true;
		len = BATCH_LINE_MAX - *n;
	}
	if (*n + len + 1 > *cap) {
		size_t nc = *cap < 4096 ? 4096 : *cap;
		char *nl;

		while (nc < *n + len + 1)
			nc *= 2;
		if ((nl = realloc(*line, nc)) == NULL)
			return -1;
		*line = nl;
		*cap = nc;
	}
	memcpy(*line + *n, p, len);
	*n += len;
	return 0;
}

/* batch_line - the next line of R into *LINE (NUL-terminated, without its
 * newline; NUL bytes inside are kept and counted), at most BATCH_LINE_MAX
 * bytes: the rest of a longer line is read and dropped and *TOO_LONG set,
 * so no input (`--batch - </dev/zero`) makes memory grow without bound.
 * The length, or -1 at the end of the input (or a read error). */
static ssize_t
batch_line(struct lreader *r, char **line, size_t *cap, bool *too_long)
{
	size_t n = 0;
	bool any = false;

	*too_long = false;
	for (;;) {
		const char *p = r->buf + r->start;
		size_t avail = r->end - r->start;
		const char *nl = avail ? memchr(p, '\n', avail) : NULL;

		if (nl) {
			any = true;
			if (line_add(line, &n, cap, p, (size_t)(nl - p), too_long) < 0)
				return -1;
			r->start += (size_t)(nl - p) + 1;
			break;
		}
		if (avail) {
			any = true;
			if (line_add(line, &n, cap, p, avail, too_long) < 0)
				return -1;
			r->start = r->end;
		}
		if (r->eof)
			break;
		{
			ssize_t got;

			do
				got = read(r->fd, r->buf, sizeof(r->buf));
			while (got < 0 && errno == EINTR);
			r->start = 0;
			r->end = got > 0 ? (size_t)got : 0;
			if (got <= 0)
				r->eof = true;
		}
	}
	if (!any)
		return -1;
	if (*line == NULL && (*line = malloc(*cap = 16)) == NULL)
		return -1;
	(*line)[n] = '\0';
	return (ssize_t)n;
}

/* the answers to a regular file: gathered in ACC and written 1 MiB at a
 * time straight from it (no copy through stdio's buffer: 100 MB per
 * 100,000 answers).  Anything else the batch prints goes through stdio:
 * flush_acc() first keeps the order. */
#define ACC_FLUSH (1 << 20)

static void
flush_acc(struct strbuf *acc)
{
	size_t off = 0;

	if (acc->len == 0)
		return;
	fflush(stdout);
	while (off < acc->len) {
		ssize_t w = write(STDOUT_FILENO, acc->buf + off, acc->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;          /* as fwrite's errors before: not reported */
		off += (size_t)w;
	}
	strbuf_reset(acc);
}

static int
run_batch(struct explain *ex, const char *file)
{
	char why[600];
	/* a named file through util/safeopen: a FIFO or device is refused
	 * (O_NONBLOCK: no hang in open()); its size is bounded by the table
	 * bound, since it is read line by line, each line bounded */
	FILE *fp = strcmp(file, "-") == 0 ? stdin
		   : safeopen_fopen(file, SAFEOPEN_TABLE_MAX, why, sizeof(why));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool too_long;
	struct explain_result r;
	struct strbuf out, acc;
	struct jobj o;
	struct lreader *rd;
	struct stat so;
	unsigned long lineno = 0, nheld = 0;
	char abuf[64];
	int rc = 0;
	bool hold, direct = false;

	if (!fp) {
		fprintf(stderr, "pfconsole: explain: --batch %s\n", why);
		return 1;
	}
	if ((rd = malloc(sizeof(*rd))) == NULL) {
		fprintf(stderr, "pfconsole: explain: --batch: out of memory\n");
		if (fp != stdin)
			fclose(fp);
		return 1;
	}
	rd->fd = fileno(fp);
	rd->start = rd->end = 0;
	rd->eof = false;
	explain_result_init(&r);
	strbuf_init(&out);
	strbuf_init(&acc);
	jobj_init(&o);
	hold = never_blocks(fp);
	explain_hold(ex, hold);
	if (fstat(STDOUT_FILENO, &so) == 0 && S_ISREG(so.st_mode)) {
		/* to a file: 1 MiB writes instead of stdio's 4 KiB.  Answers are
		 * about 1 KB; on ext4 (Linux 6.18) 4 KiB writes cost 0.25 s of
		 * system time per 96 MB, 1 MiB writes 0.04 s.  glibc ignores the
		 * size unless it is given the buffer. */
		static char obuf[1 << 20];

		setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
		direct = true;
	}
	while ((n = batch_line(rd, &line, &cap, &too_long)) >= 0) {
		if (hold && ++nheld % HOLD_PROBES == 0)
			explain_release(ex);

		struct explain_probe p;
		char *mv;
		const char *v;

		lineno++;
		if (too_long) {
			flush_acc(&acc);
			printf("{\"error\":\"line %lu: longer than %d bytes\"}\n", lineno, BATCH_LINE_MAX);
			rc = 1;
			continue;
		}
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		if (n == 0)
			continue;
		strbuf_reset(&out);
		if (jobj_parse(line, (size_t)n, &o) < 0) {
			{
				char msg[160];

				snprintf(msg, sizeof(msg), "line %lu: %s%s", lineno,
					 strcmp(o.why, "not a JSON object") == 0 ? "" : "invalid JSON: ",
					 o.why);
				strbuf_addstr(&out, "{\"error\":");
				strbuf_add_json_string(&out, msg, strlen(msg));
				strbuf_addstr(&out, "}\n");
				flush_acc(&acc);
				fwrite(out.buf, 1, out.len, stdout);
			}
			rc = 1;
			continue;
		}
		memset(&p, 0, sizeof(p));
		/* feed --json events: only smtpd decides at RCPT TO */
		if ((v = jget(&o, "service")) != NULL && strstr(v, "smtpd") == NULL) {
			flush_acc(&acc);
			printf("{\"skipped\":\"line %lu: not an smtpd event (%s)\"}\n", lineno,
			       strstr(v, "cleanup") ? "cleanup" : "other service");
			continue;
		}
		if (jhas(&o, "action") && (!jget(&o, "to") || !jget(&o, "from"))) {
			flush_acc(&acc);
			printf("{\"skipped\":\"line %lu: the event has no sender or recipient\"}\n",
			       lineno);
			continue;
		}
		/* the strings are the object's own (its arena): changed in place */
		if ((mv = (char *)jget(&o, "client")) != NULL) {
			split_client(mv, &p);
		} else {
			p.client_addr = jget(&o, "client_addr");
			if (!p.client_addr)
				p.client_addr = jget(&o, "client_ip");
			p.client_name = jget(&o, "client_name");
		}
		p.helo = jget(&o, "helo");
		mv = (char *)(jhas(&o, "sender") ? jget(&o, "sender") : jget(&o, "from"));
		if (mv)
			p.sender = addr_arg(mv);
		mv = (char *)(jhas(&o, "recipient") ? jget(&o, "recipient") : jget(&o, "to"));
		if (mv)
			p.recipient = addr_arg(mv);
		if (p.sender && strcmp(p.sender, "<>") == 0)
			p.sender = "";
		if (!p.client_addr || !p.recipient || !p.sender) {
			flush_acc(&acc);
			printf("{\"error\":\"line %lu: a probe needs client (or client_ip), sender "
			       "(or from) and recipient (or to)\"}\n", lineno);
			rc = 1;
		} else if (explain_client_addr(p.client_addr, abuf, sizeof(abuf)) < 0) {
			strbuf_reset(&out);
			strbuf_addf(&out, "{\"error\":\"line %lu: the client address is not an IPv4 "
				    "or IPv6 address as smtpd sees one\",\"client\":", lineno);
			strbuf_add_json_string(&out, p.client_addr, strlen(p.client_addr));
			strbuf_addstr(&out, "}\n");
			flush_acc(&acc);
			fwrite(out.buf, 1, out.len, stdout);
			rc = 1;
		} else if (explain_run(ex, &p, &r) < 0) {
			flush_acc(&acc);
			printf("{\"error\":\"line %lu: out of memory\"}\n", lineno);
			rc = 1;
		} else if (direct) {
			explain_result_json(&r, &acc);
			strbuf_addch(&acc, '\n');
			if (acc.len >= ACC_FLUSH)
				flush_acc(&acc);
		} else {
			explain_result_json(&r, &out);
			strbuf_addch(&out, '\n');
			fwrite(out.buf, 1, out.len, stdout);
		}
	}
	flush_acc(&acc);
	strbuf_fini(&acc);
	explain_hold(ex, false);
	free(rd);
	free(line);
	if (fp != stdin)
		fclose(fp);
	strbuf_fini(&out);
	jobj_fini(&o);
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
	cli_helpers_from(dir);
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
		{
			char abuf[64];

			if (explain_client_addr(p.client_addr, abuf, sizeof(abuf)) < 0) {
				struct strbuf m;

				strbuf_init(&m);
				textsafe_append(&m, p.client_addr, strlen(p.client_addr), 200, NULL, NULL);
				fprintf(stderr, "pfconsole: explain: --client %s: not an IPv4 or IPv6 "
					"address as smtpd sees one (no scope, no name)\n", m.buf);
				strbuf_fini(&m);
				explain_free(ex);
				rc = 2;
				goto out;
			}
		}
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
