/*
 * core/logline.c - one Postfix mail log line -> struct pf_event.
 *
 * logline_parse() works in two passes over the line: a cheap shape test
 * (stamp, host, tag, "QID: action: ") that rejects the vast majority of
 * lines without converting any time, then the full parse of an event:
 * client, reply code, enhanced status code, reason and the trailing
 * "from=<> to=<> proto= helo=<>" fields.  The trailing fields are found
 * from the left: the first "; " (smtpd), ", " separated list (postscreen) or
 * "ORIGIN;" (cleanup) after which the rest of the line parses as that field
 * list wins, because reply texts may themselves contain "; " and values
 * (HELO, addresses) may contain spaces and '>' (postfix-reference.md 8.3).
 *
 * Public: logline_parse, logline_head, logline_is_event, logline_ctx_init, event_to_json,
 * event_format_time, pf_event_dup, pf_event_free, pf_action_name,
 * pf_action_lookup, pf_span_eq.  Pure: no I/O, no allocation except in
 * pf_event_dup, never reads outside [line, line + len).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/logline.h"

static const char *const action_names[PF_NACTIONS] = {
	[PF_ACT_NONE] = "",
	[PF_ACT_REJECT] = "reject",
	[PF_ACT_DEFER] = "defer",
	[PF_ACT_REJECT_WARNING] = "reject_warning",
	[PF_ACT_WARN] = "warn",
	[PF_ACT_HOLD] = "hold",
	[PF_ACT_DISCARD] = "discard",
	[PF_ACT_INFO] = "info",
	[PF_ACT_FILTER] = "filter",
	[PF_ACT_REDIRECT] = "redirect",
	[PF_ACT_BCC] = "bcc",
	[PF_ACT_STRIP] = "strip",
	[PF_ACT_PREPEND] = "prepend",
	[PF_ACT_REPLACE] = "replace",
	[PF_ACT_PASS] = "pass",
	[PF_ACT_PERMIT] = "permit",
	[PF_ACT_HANGUP] = "hangup",
	[PF_ACT_FATAL] = "fatal",
	[PF_ACT_PANIC] = "panic",
	[PF_ACT_WARNING] = "warning",
};

/* The words Postfix logs after "QID: ", and what they mean. */
static const struct {
	const char *word;
	unsigned char len;
	enum pf_action act;
} logged_actions[] = {
	{ "reject", 6, PF_ACT_REJECT },
	{ "reject_warning", 14, PF_ACT_REJECT_WARNING },
	{ "warn", 4, PF_ACT_WARN },
	{ "warning", 7, PF_ACT_WARN },
	{ "hold", 4, PF_ACT_HOLD },
	{ "discard", 7, PF_ACT_DISCARD },
	{ "info", 4, PF_ACT_INFO },
	{ "filter", 6, PF_ACT_FILTER },
	{ "redirect", 8, PF_ACT_REDIRECT },
	{ "bcc", 3, PF_ACT_BCC },
	{ "strip", 5, PF_ACT_STRIP },
	{ "prepend", 7, PF_ACT_PREPEND },
	{ "replace", 7, PF_ACT_REPLACE },
	{ "pass", 4, PF_ACT_PASS },
	{ "permit", 6, PF_ACT_PERMIT },
	{ "hangup", 6, PF_ACT_HANGUP },
	{ "milter-reject", 13, PF_ACT_REJECT },
	{ "milter-hold", 11, PF_ACT_HOLD },
	{ "milter-discard", 14, PF_ACT_DISCARD },
};

const char *
pf_action_name(enum pf_action a)
{
	if ((unsigned)a >= PF_NACTIONS)
		return "";
	return action_names[a];
}

enum pf_action
pf_action_lookup(const char *name, size_t n)
{
	size_t i;

	for (i = 1; i < PF_NACTIONS; i++)
		if (strlen(action_names[i]) == n && memcmp(action_names[i], name, n) == 0)
			return (enum pf_action)i;
	return PF_ACT_NONE;
}

bool
pf_span_eq(struct pf_span sp, const char *s)
{
	size_t n = strlen(s);

	return sp.p != NULL && sp.n == n && memcmp(sp.p, s, n) == 0;
}

void
logline_ctx_init(struct logline_ctx *ctx, time_t ref_time)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->ref_time = ref_time ? ref_time : time(NULL);
	ctx->cache_key = -1;
}

static inline bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline bool
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static inline bool
is_alnum(int c)
{
	return is_digit(c) || is_upper(c) || is_lower(c);
}

static inline struct pf_span
span(const char *p, const char *e)
{
	struct pf_span s = { p, (size_t)(e - p) };
	return s;
}

static const char *
find2(const char *p, const char *e, char a, char b)
{
	while (p + 1 < e) {
		const char *q = memchr(p, a, (size_t)(e - p - 1));

		if (q == NULL)
			return NULL;
		if (q[1] == b)
			return q;
		p = q + 1;
	}
	return NULL;
}

static const char *
find_str(const char *p, const char *e, const char *s, size_t n)
{
	if (e - p < (ptrdiff_t)n)
		return NULL;
	return memmem(p, (size_t)(e - p), s, n);
}

static inline bool
has_prefix(const char *p, const char *e, const char *s, size_t n)
{
	size_t i;

	/* short constant prefixes: a loop beats a memcmp call */
	if ((size_t)(e - p) < n)
		return false;
	for (i = 0; i < n; i++)
		if (p[i] != s[i])
			return false;
	return true;
}

/* digits - parse exactly N digits at P (< E); -1 if not */
static int
digits(const char *p, const char *e, int n)
{
	int v = 0, i;

	if (e - p < n)
		return -1;
	for (i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* days_from_civil - days since 1970-01-01 of Y-M-D (proleptic Gregorian) */
static long long
days_from_civil(long long y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, yy, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

/* local_time - epoch seconds of local Y-M-D H:MI:S; sets *OFF (east of UTC) */
static time_t
local_time(struct logline_ctx *ctx, int y, int mo, int d, int h, int mi, int s, int *off)
{
	long long utc = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + s;
	int key = ((y % 10000) * 12 + (mo - 1)) * 31 * 24 + (d - 1) * 24 + h;
	time_t base;

	if (ctx != NULL && ctx->cache_key == key) {
		base = ctx->cache_base;
	} else {
		struct tm tm;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_isdst = -1;
		base = mktime(&tm);
		if (base == (time_t)-1)
			base = (time_t)(utc - mi * 60 - s);
		if (ctx != NULL) {
			ctx->cache_key = key;
			ctx->cache_base = base;
		}
	}
	*off = (int)(utc - ((long long)base + mi * 60 + s));
	return base + mi * 60 + s;
}


/* month_of - 1..12 for "Jan".."Dec", 0 if not (called for every line) */
static int
month_of(const char *p)
{
	int m = 0;

	switch (p[0]) {
	case 'J':
		m = p[1] == 'a' ? (p[2] == 'n') * 1 : p[1] == 'u' ? (p[2] == 'n' ? 6 : p[2] == 'l' ? 7 : 0) : 0;
		break;
	case 'F':
		m = p[1] == 'e' && p[2] == 'b' ? 2 : 0;
		break;
	case 'M':
		m = p[1] == 'a' ? (p[2] == 'r' ? 3 : p[2] == 'y' ? 5 : 0) : 0;
		break;
	case 'A':
		m = p[1] == 'p' && p[2] == 'r' ? 4 : p[1] == 'u' && p[2] == 'g' ? 8 : 0;
		break;
	case 'S':
		m = p[1] == 'e' && p[2] == 'p' ? 9 : 0;
		break;
	case 'O':
		m = p[1] == 'c' && p[2] == 't' ? 10 : 0;
		break;
	case 'N':
		m = p[1] == 'o' && p[2] == 'v' ? 11 : 0;
		break;
	case 'D':
		m = p[1] == 'e' && p[2] == 'c' ? 12 : 0;
		break;
	default:
		break;
	}
	return m;
}

/* Where the stamp is and what kind it is; time conversion comes later. */
struct stamp {
	const char *p, *e;
	bool iso;
};

/* skip_stamp - recognise a stamp at P; returns the byte after it (a space
 * must follow) or NULL */
static const char *
skip_stamp(const char *p, const char *e, struct stamp *st)
{
	const char *q;

	st->p = p;
	if (p < e && is_digit(*p)) {
		/* 2026-11-02T13:03:01[.frac](Z|+hh:mm|+hhmm) */
		if (e - p < 20 || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' ||
		    p[16] != ':')
			return NULL;
		q = memchr(p, ' ', (size_t)(e - p));
		if (q == NULL || q - p > 40)
			return NULL;
		st->iso = true;
		st->e = q;
		return q;
	}
	/* "Nov  2 13:03:01" / "Nov 02 13:03:01[.frac]" */
	if (e - p < 15 || month_of(p) == 0 || p[3] != ' ')
		return NULL;
	q = p + 4;
	if (*q == ' ')
		q++;
	if (q >= e || !is_digit(*q))
		return NULL;
	q++;
	if (q < e && is_digit(*q))
		q++;
	if (e - q < 10 || *q != ' ' || q[3] != ':' || q[6] != ':')
		return NULL;
	q += 9;
	if (*q == '.') {
		q++;
		while (q < e && is_digit(*q))
			q++;
	}
	if (q >= e || *q != ' ')
		return NULL;
	st->iso = false;
	st->e = q;
	return q;
}

/* frac_usec - ".123456" -> microseconds (more digits truncated, fewer padded) */
static int
frac_usec(const char **pp, const char *e)
{
	const char *p = *pp;
	int us = 0, n = 0;

	if (p >= e || *p != '.')
		return -1;
	p++;
	while (p < e && is_digit(*p)) {
		if (n < 6) {
			us = us * 10 + (*p - '0');
			n++;
		}
		p++;
	}
	while (n > 0 && n < 6) {
		us *= 10;
		n++;
	}
	*pp = p;
	return us;
}

/* convert_stamp - fill ev->time/usec/tzoff/has_time from ST */
static void
convert_stamp(const struct stamp *st, struct logline_ctx *ctx, struct pf_event *ev)
{
	const char *p = st->p, *e = st->e;
	int y, mo, d, h, mi, s, off = 0;

	ev->has_time = false;
	ev->usec = -1;
	if (st->iso) {
		y = digits(p, e, 4);
		mo = digits(p + 5, e, 2);
		d = digits(p + 8, e, 2);
		h = digits(p + 11, e, 2);
		mi = digits(p + 14, e, 2);
		s = digits(p + 17, e, 2);
		if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
		    mi > 59 || s < 0 || s > 60)
			return;
		p += 19;
		if (p < e && *p == '.')
			ev->usec = frac_usec(&p, e);
		if (p < e && *p == 'Z') {
			off = 0;
			p++;
		} else if (p < e && (*p == '+' || *p == '-')) {
			int sign = *p == '-' ? -1 : 1, oh, om;

			oh = digits(p + 1, e, 2);
			if (oh < 0)
				return;
			if (p + 3 < e && p[3] == ':')
				om = digits(p + 4, e, 2), p += 6;
			else
				om = digits(p + 3, e, 2), p += 5;
			if (om < 0 || oh > 23 || om > 59)
				return;
			off = sign * (oh * 3600 + om * 60);
		} else if (p == e) {
			/* no zone: local time */
			ev->time = local_time(ctx, y, mo, d, h, mi, s, &ev->tzoff);
			ev->has_time = true;
			return;
		} else {
			return;
		}
		if (p != e)
			return;
		ev->time = (time_t)(days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + s -
				    off);
		ev->tzoff = off;
		ev->has_time = true;
		return;
	}
	mo = month_of(p);
	p += 4;
	if (*p == ' ')
		p++;
	d = *p++ - '0';
	if (p < e && is_digit(*p))
		d = d * 10 + (*p++ - '0');
	p++;
	h = digits(p, e, 2);
	mi = digits(p + 3, e, 2);
	s = digits(p + 6, e, 2);
	if (d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return;
	p += 8;
	if (p < e && *p == '.')
		ev->usec = frac_usec(&p, e);
	{
		time_t ref = ctx != NULL ? ctx->ref_time : time(NULL);
		int ry, rm, rd;
		time_t t;

		civil_from_days((long long)ref / 86400, &ry, &rm, &rd);
		y = ry;
		t = local_time(ctx, y, mo, d, h, mi, s, &off);
		if (t > ref + 7 * 86400) {
			y--;
			t = local_time(ctx, y, mo, d, h, mi, s, &off);
		} else if (t < ref - 358 * 86400LL) {
			y++;
			t = local_time(ctx, y, mo, d, h, mi, s, &off);
		}
		ev->time = t;
		ev->tzoff = off;
		ev->has_time = true;
	}
}

/* The shape every syslog line has. */
struct prefix {
	struct stamp st;
	const char *host, *host_e;
	const char *tag, *tag_e;        /* "postfix/smtpd[4711]" */
	const char *msg;                /* after ": " */
};

static bool
parse_prefix(const char *p, const char *e, struct prefix *px)
{
	const char *q;

	q = skip_stamp(p, e, &px->st);
	if (q == NULL)
		return false;
	while (q < e && *q == ' ')
		q++;
	px->host = q;
	while (q < e && *q != ' ')
		q++;
	if (q >= e || q == px->host)
		return false;
	px->host_e = q;
	q++;
	px->tag = q;
	/* the tag ends at ": "; it holds no space */
	{
		size_t lim = (size_t)(e - q) < 256 ? (size_t)(e - q) : 256;
		const char *c = memchr(q, ':', lim), *s;

		if (c == NULL || c == px->tag || c + 1 >= e || c[1] != ' ')
			return false;
		s = memchr(q, ' ', (size_t)(c - q));
		if (s != NULL)
			return false;
		q = c;
	}
	px->tag_e = q;
	px->msg = q + 2;
	return true;
}

/* event_shape - "QID: action: " at P; returns the text after it and the action */
static const char *
event_shape(const char *p, const char *e, const char **qid_e, size_t *act)
{
	const char *q = p, *w;
	size_t i, n;

	/* "warning: reject: ..." is a daemon warning, "connect from" no
	 * event: queue ids start with a digit or an upper-case letter */
	if (p >= e || !(is_upper(*p) || is_digit(*p)))
		return NULL;
	while (q < e && is_alnum(*q))
		q++;
	if (q - p < 5 || e - q < 4 || q[0] != ':' || q[1] != ' ')
		return NULL;
	*qid_e = q;
	w = q + 2;
	q = w;
	while (q < e && (is_lower(*q) || *q == '_' || *q == '-'))
		q++;
	if (e - q < 2 || q[0] != ':' || q[1] != ' ')
		return NULL;
	n = (size_t)(q - w);
	for (i = 0; i < sizeof(logged_actions) / sizeof(logged_actions[0]); i++) {
		if (logged_actions[i].len == n && memcmp(logged_actions[i].word, w, n) == 0) {
			*act = i;
			return q + 2;
		}
	}
	return NULL;
}

/* failure_shape - Postfix's own failure at P ("fatal: ...", "panic: ...",
 * or a warning that means mail is not being handled); the action, with
 * *TEXT at the text after "fatal: " etc.  PF_ACT_NONE otherwise. */
static enum pf_action
failure_shape(const char *p, const char *e, const char **text)
{
	static const char *const warnings[] = { "bad command startup -- throttling",
		" is unavailable", " lookup error", " exit status ", " killed by signal " };
	size_t i;

	if (has_prefix(p, e, "fatal: ", 7)) {
		*text = p + 7;
		return PF_ACT_FATAL;
	}
	if (has_prefix(p, e, "panic: ", 7)) {
		*text = p + 7;
		return PF_ACT_PANIC;
	}
	if (!has_prefix(p, e, "warning: ", 9))
		return PF_ACT_NONE;
	*text = p + 9;
	if (has_prefix(*text, e, "connect to ", 11))
		return PF_ACT_WARNING;
	for (i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++)
		if (find_str(*text, e, warnings[i], strlen(warnings[i])) != NULL)
			return (i < 3 || has_prefix(*text, e, "process ", 8)) ? PF_ACT_WARNING
									       : PF_ACT_NONE;
	return PF_ACT_NONE;
}

bool
logline_is_event(const char *line, size_t len)
{
	struct prefix px;
	const char *e = line + (len > LOGLINE_MAX ? LOGLINE_MAX : len), *qe;
	size_t act;

	if (!parse_prefix(line, e, &px))
		return false;
	if (event_shape(px.msg, e, &qe, &act) != NULL)
		return true;
	return failure_shape(px.msg, e, &qe) != PF_ACT_NONE;
}

enum field_style { FS_SMTPD, FS_PSC, FS_CLEANUP };

enum { F_FROM, F_TO, F_PROTO, F_HELO, F_N };
static const struct {
	const char *key;
	size_t len;
	bool angle;
} fields[F_N] = {
	{ "from=<", 6, true },
	{ "to=<", 4, true },
	{ "proto=", 6, false },
	{ "helo=<", 6, true },
};

/* key_at - index of the field key at P among fields FIRST.., or -1 */
static int
key_at(const char *p, const char *e, int first)
{
	int k;

	if (p >= e)
		return -1;
	switch (*p) {
	case 'f':
		k = F_FROM;
		break;
	case 't':
		k = F_TO;
		break;
	case 'p':
		k = F_PROTO;
		break;
	case 'h':
		k = F_HELO;
		break;
	default:
		return -1;
	}
	if (k < first || !has_prefix(p, e, fields[k].key, fields[k].len))
		return -1;
	return k;
}

/* ends_ok - can the field list end, or continue after field F, at P? */
static bool
ends_ok(const char *p, const char *e, enum field_style fs, int f, const char *sep, size_t seplen)
{
	if (p == e)
		return true;
	if (fs == FS_CLEANUP && has_prefix(p, e, ": ", 2))
		return true;
	return has_prefix(p, e, sep, seplen) && key_at(p + seplen, e, f + 1) >= 0;
}

/*
 * parse_fields - the field list starting at P (at a key) must run to E, or
 * (cleanup) to ": TEXT".  On success fill EV's from/to/proto/helo and set
 * *TEXT to the cleanup text (NULL when none).
 */
static bool
parse_fields(const char *p, const char *e, enum field_style fs, struct pf_event *ev,
	     const char **text)
{
	const char *sep = fs == FS_PSC ? ", " : " ";
	size_t seplen = fs == FS_PSC ? 2 : 1;
	struct pf_span got[F_N];
	int f = -1, k, i;

	memset(got, 0, sizeof(got));
	*text = NULL;
	for (;;) {
		const char *v, *q;

		k = key_at(p, e, f + 1);
		if (k < 0)
			return false;
		f = k;
		v = p + fields[k].len;
		if (fields[k].angle) {
			q = v;
			for (;;) {
				q = memchr(q, '>', (size_t)(e - q));
				if (q == NULL)
					return false;
				if (ends_ok(q + 1, e, fs, f, sep, seplen))
					break;
				q++;
			}
			got[k] = span(v, q);
			p = q + 1;
		} else {
			q = v;
			while (q < e && *q != ' ' && *q != ',' && *q != ';')
				q++;
			if (!ends_ok(q, e, fs, f, sep, seplen))
				return false;
			got[k] = span(v, q);
			p = q;
		}
		if (p == e)
			break;
		if (fs == FS_CLEANUP && has_prefix(p, e, ": ", 2)) {
			*text = p + 2;
			break;
		}
		p += seplen;
	}
	for (i = 0; i < F_N; i++)
		if (got[i].p == NULL)
			got[i].n = 0;
	ev->from = got[F_FROM];
	ev->to = got[F_TO];
	ev->proto = got[F_PROTO];
	ev->helo = got[F_HELO];
	return true;
}

/*
 * The field list as Postfix writes it (smtpd_check.c log_whatsup,
 * cleanup_message.c cleanup_act_log): at the END of the line, the fixed
 * order " from=<S>", " to=<R>", " proto=P", " helo=<H>", each optional,
 * then (cleanup) ": TEXT".  S and R are in external form: a local part
 * with a space, "<", ">", ";", "\"" ... is quoted ("..." with backslash
 * escapes), so outside quotes they hold none of these; P is a word; H is
 * the HELO argument with smtpd's NEUTER_CHARACTERS (space < > ( ) \ " ; @)
 * turned into '?' (smtpd.c helo_cmd and XCLIENT), so it holds none of them.  Every way the
 * line can be read with that shape is enumerated (fl_walk); the caller
 * decides between them.
 */
static void split_reply(const char *p, const char *e, struct pf_event *ev);

#define FL_MAX 8                /* distinct readings kept */
#define FL_STEPS 20000          /* '>' positions tried per line */

struct fl_read {
	struct pf_span f[F_N];
	const char *start;          /* the "; " (smtpd) or " from" (cleanup) */
	const char *text;           /* cleanup ": TEXT", else NULL */
	struct pf_span client_name, client_ip, client_port;     /* cleanup */
};

struct fl_enum {
	enum field_style fs;
	const char *e;
	struct fl_read cur;
	struct fl_read v[FL_MAX];
	size_t n;
	unsigned steps;
	bool overflow;              /* too many readings or steps: ambiguous */
};

/* addr_ok - V..Q is an address as Postfix logs it (external form) */
static bool
addr_ok(const char *v, const char *q)
{
	const char *p = v;

	if (p < q && *p == '"') {
		for (p++; p < q && *p != '"'; p++)
			if (*p == '\\')
				p++;
		if (p >= q)
			return false;
		p++;
		if (p < q && *p != '@')
			return false;
	}
	for (; p < q; p++)
		if (*p == ' ' || *p == '<' || *p == '>' || *p == '"')
			return false;
	return true;
}

static void
fl_init(struct fl_enum *en, enum field_style fs, const char *e)
{
	en->fs = fs;
	en->e = e;
	en->n = 0;
	en->steps = 0;
	en->overflow = false;
	memset(&en->cur, 0, sizeof(en->cur));
}

/* helo_ok - V..Q holds none of the characters smtpd neuters in a HELO */
static bool
helo_ok(const char *v, const char *q)
{
	for (; v < q; v++)
		if (strchr(" <>()\\\";@", *v) != NULL && *v != 0)
			return false;
	return true;
}

static bool
span_same(struct pf_span a, struct pf_span b)
{
	if ((a.p == NULL) != (b.p == NULL))
		return false;
	return a.p == NULL || (a.n == b.n && memcmp(a.p, b.p, a.n) == 0);
}

/* fl_same - two readings give the same values (fields and client) */
static bool
fl_same(const struct fl_read *a, const struct fl_read *b)
{
	int i;

	for (i = 0; i < F_N; i++)
		if (!span_same(a->f[i], b->f[i]))
			return false;
	return span_same(a->client_ip, b->client_ip) && span_same(a->client_name, b->client_name)
	       && span_same(a->client_port, b->client_port);
}

static void
fl_record(struct fl_enum *en, const char *text)
{
	size_t i;

	en->cur.text = text;
	for (i = 0; i < en->n; i++)
		if (fl_same(&en->v[i], &en->cur))
			return;
	if (en->n == FL_MAX) {
		en->overflow = true;
		return;
	}
	en->v[en->n++] = en->cur;
}

/* fl_after - the field list may end, or go on, at NEXT (after field K) */
static void fl_walk(struct fl_enum *en, const char *p, int first);

static void
fl_after(struct fl_enum *en, const char *next, int k)
{
	const char *e = en->e;

	if (next == e)
		fl_record(en, NULL);
	else if (en->fs == FS_CLEANUP && has_prefix(next, e, ": ", 2))
		fl_record(en, next + 2);
	if (next < e && *next == ' ' && k + 1 < F_N)
		fl_walk(en, next + 1, k + 1);
}

/* fl_walk - every reading of the fields from P (at a key >= FIRST) */
static void
fl_walk(struct fl_enum *en, const char *p, int first)
{
	const char *e = en->e, *v, *q;
	int k = key_at(p, e, first);

	if (k < 0)
		return;
	v = p + fields[k].len;
	if (!fields[k].angle) {
		for (q = v; q < e && *q != ' ' && *q != ':'; q++)
			if (!is_alnum(*q) && *q != '-')
				return;
		if (q == v)
			return;
		en->cur.f[k] = span(v, q);
		fl_after(en, q, k);
		en->cur.f[k].p = NULL;
		en->cur.f[k].n = 0;
		return;
	}
	for (q = v; (q = memchr(q, '>', (size_t)(e - q))) != NULL; q++) {
		if (++en->steps > FL_STEPS) {
			en->overflow = true;
			return;
		}
		if ((k == F_FROM || k == F_TO) && !addr_ok(v, q))
			continue;
		if (k == F_HELO && !helo_ok(v, q))
			return;         /* a later '>' only adds more of the same */
		en->cur.f[k] = span(v, q);
		fl_after(en, q + 1, k);
		en->cur.f[k].p = NULL;
		en->cur.f[k].n = 0;
	}
}

/* internal_eq - the logged (external form) address A.N is ADDR.ALEN once
 * the quotes of its local part are taken away, as smtpd shows it in a reply */
static bool
internal_eq(struct pf_span a, const char *addr, size_t alen)
{
	const char *p = a.p, *e = a.p + a.n;
	size_t j = 0;
	bool q = false;

	if (p == NULL)
		return false;
	for (; p < e; p++) {
		if (*p == '"') {
			q = !q;
			continue;
		}
		if (q && *p == '\\' && p + 1 < e)
			p++;
		if (j >= alen || addr[j] != *p)
			return false;
		j++;
	}
	return j == alen;
}

/* reply_agrees - smtpd's reply "CODE DSN <ADDR>: ..." names the sender,
 * recipient, HELO or client it rejects (smtpd_check.c): the reading R is
 * possible only if one "<ADDR>: " at the start of its reply (any '>: '
 * can end ADDR) is one of R's values.  A reply not of that form agrees. */
static bool
reply_agrees(const struct fl_read *r, const char *t, const struct pf_event *ev)
{
	struct pf_event tmp = *ev;
	const char *a, *q, *e = r->start;

	split_reply(t, e, &tmp);
	a = tmp.reason.p;
	if (a == NULL || a >= e || *a != '<')
		return true;
	for (q = a + 1; (q = find_str(q, e, ">: ", 3)) != NULL; q++) {
		size_t n = (size_t)(q - a - 1);

		if (internal_eq(r->f[F_FROM], a + 1, n) || internal_eq(r->f[F_TO], a + 1, n)
		    || (r->f[F_HELO].p && r->f[F_HELO].n == n && memcmp(r->f[F_HELO].p, a + 1, n) == 0))
			return true;
		/* "<name[addr]>: Client host rejected" */
		if (ev->client_ip.p && n == ev->client_name.n + ev->client_ip.n + 2
		    && (ev->client_name.n == 0 || memcmp(a + 1, ev->client_name.p, ev->client_name.n) == 0)
		    && a[1 + ev->client_name.n] == '['
		    && memcmp(a + 2 + ev->client_name.n, ev->client_ip.p, ev->client_ip.n) == 0)
			return true;
	}
	return false;
}

/* fl_choose - one reading from EN: the only one, or the only one whose
 * reply agrees (smtpd; T = reply start); else the values all readings
 * share, the others absent, and EV->ambiguous.  Returns the reading whose
 * start and text the caller uses (the leftmost start). */
static const struct fl_read *
fl_choose(struct fl_enum *en, const char *t, struct pf_event *ev)
{
	const struct fl_read *best = &en->v[0], *agree = NULL;
	size_t i, nagree = 0;
	int k;

	if (en->n == 0) {
		/* the walk gave up (too many steps) before any reading: no
		 * field, no start (v[0] was never written) */
		ev->ambiguous = true;
		memset(&en->cur, 0, sizeof(en->cur));
		return &en->cur;
	}
	for (i = 1; i < en->n; i++)
		if (en->v[i].start < best->start)
			best = &en->v[i];
	if (en->n == 1 && !en->overflow)
		return best;
	if (t != NULL && !en->overflow) {
		for (i = 0; i < en->n; i++)
			if (reply_agrees(&en->v[i], t, ev)) {
				if (agree == NULL || !fl_same(agree, &en->v[i]))
					nagree++;
				agree = &en->v[i];
			}
		if (nagree == 1)
			return agree;
	}
	/* still more than one reading: keep what they all say */
	ev->ambiguous = true;
	en->cur = *best;
	for (i = 0; i < en->n; i++) {
		for (k = 0; k < F_N; k++)
			if (!span_same(en->cur.f[k], en->v[i].f[k]))
				en->cur.f[k].p = NULL, en->cur.f[k].n = 0;
		if (!span_same(en->cur.client_ip, en->v[i].client_ip)
		    || !span_same(en->cur.client_name, en->v[i].client_name)
		    || !span_same(en->cur.client_port, en->v[i].client_port)) {
			memset(&en->cur.client_ip, 0, sizeof(en->cur.client_ip));
			memset(&en->cur.client_name, 0, sizeof(en->cur.client_name));
			memset(&en->cur.client_port, 0, sizeof(en->cur.client_port));
		}
	}
	if (en->overflow)
		for (k = 0; k < F_N; k++)
			en->cur.f[k].p = NULL, en->cur.f[k].n = 0;
	if (t == NULL)
		/* cleanup: its ": TEXT" and the end of the matched line are
		 * the last ones any reading found (Postfix writes them last) */
		for (i = 0; i < en->n; i++) {
			if (en->v[i].start > en->cur.start)
				en->cur.start = en->v[i].start;
			if (en->v[i].text > en->cur.text)
				en->cur.text = en->v[i].text;
		}
	return &en->cur;
}

/* split_reply - "550 5.7.1 text" into code, dsn, reason (any part may be absent) */
static void
split_reply(const char *p, const char *e, struct pf_event *ev)
{
	const char *q;

	ev->code = 0;
	ev->dsn.p = NULL;
	ev->dsn.n = 0;
	if (e - p >= 3 && p[0] >= '2' && p[0] <= '5' && is_digit(p[1]) && is_digit(p[2]) &&
	    (e - p == 3 || p[3] == ' ' || p[3] == '-')) {
		ev->code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (p < e)
			p++;
	}
	/* enhanced status code: class.subject.detail, 1-3 digits each */
	q = p;
	if (q < e && *q >= '2' && *q <= '5' && q + 1 < e && q[1] == '.') {
		const char *r = q + 2;
		int n = 0;

		while (r < e && is_digit(*r) && n < 3)
			r++, n++;
		if (n > 0 && r < e && *r == '.') {
			r++;
			n = 0;
			while (r < e && is_digit(*r) && n < 3)
				r++, n++;
			if (n > 0 && (r == e || *r == ' ')) {
				ev->dsn = span(q, r);
				p = r < e ? r + 1 : r;
			}
		}
	}
	ev->reason = span(p, e);
}

/* parse_client - "name[addr]", "name[addr]:port" or "[addr]:port" at P;
 * returns the byte after it */
static const char *
parse_client(const char *p, const char *e, struct pf_event *ev)
{
	const char *lb, *rb, *q;

	lb = p;
	while (lb < e && *lb != '[' && *lb != ' ' && *lb != ';')
		lb++;
	if (lb >= e || *lb != '[')
		return NULL;
	rb = memchr(lb, ']', (size_t)(e - lb));
	if (rb == NULL)
		return NULL;
	if (lb > p)
		ev->client_name = span(p, lb);
	ev->client_ip = span(lb + 1, rb);
	q = rb + 1;
	if (q < e && *q == ':' && q + 1 < e && is_digit(q[1])) {
		const char *d = q + 1;

		while (d < e && is_digit(*d))
			d++;
		ev->client_port = span(q + 1, d);
		q = d;
	}
	return q;
}

/* smtpd_event - "STAGE from CLIENT: TEXT; fields" (smtpd, postscreen, milter); FS: the field separator style */
static bool
smtpd_event(const char *p, const char *e, struct pf_event *ev, enum field_style fs)
{
	const char *q = p, *c, *t, *s;

	if (q >= e || !is_upper(*q))
		return false;
	while (q < e && (is_upper(*q) || is_digit(*q) || *q == '-'))
		q++;
	ev->stage = span(p, q);
	if (!has_prefix(q, e, " from ", 6))
		return false;
	c = parse_client(q + 6, e, ev);
	if (c == NULL || !has_prefix(c, e, ": ", 2))
		return false;
	t = c + 2;
	if (fs == FS_SMTPD) {
		/* every "; " from which the rest reads as the field list */
		struct fl_enum enb, *en = &enb;
		const struct fl_read *r;

		fl_init(en, fs, e);
		for (s = t; (s = find2(s, e, ';', ' ')) != NULL && !en->overflow; s++) {
			en->cur.start = s;
			fl_walk(en, s + 2, 0);
		}
		if (en->n == 0 && !en->overflow) {
			split_reply(t, e, ev);
			return true;
		}
		r = fl_choose(en, t, ev);
		ev->from = r->f[F_FROM];
		ev->to = r->f[F_TO];
		ev->proto = r->f[F_PROTO];
		ev->helo = r->f[F_HELO];
		split_reply(t, r->start ? r->start : e, ev);
		return true;
	}
	/* postscreen: leftmost "; " + ", "-separated fields that parse */
	for (s = t; (s = find2(s, e, ';', ' ')) != NULL; s++) {
		const char *text;

		if (parse_fields(s + 2, e, fs, ev, &text)) {
			split_reply(t, s, ev);
			return true;
		}
	}
	split_reply(t, e, ev);
	return true;
}

/* cleanup_event - "header|body LINE from ORIGIN;[ fields][: TEXT]" */
static bool
cleanup_event(const char *p, const char *e, struct pf_event *ev)
{
	const char *q = p, *s, *limit;

	while (q < e && is_lower(*q))
		q++;
	if (q == p || q >= e || *q != ' ')
		return false;
	ev->stage = span(p, q);
	q++;
	/* LINE is at most 200 bytes (cleanup logs %.200s) and attacker-chosen:
	 * it may hold a whole fake " from CLIENT; from=<> ...".  Every
	 * " from ORIGIN;" in reach from which the rest reads as the field
	 * list is a reading; the rightmost wins (a fake can only come before
	 * it, unless the table's text echoes the header with $1); readings
	 * from it that still differ: fl_choose keeps what they agree on. */
	limit = e - q > 200 + 6 ? q + 200 + 6 : e;
	{
		struct fl_enum enb, *en = &enb;
		const struct fl_read *r;

		fl_init(en, FS_CLEANUP, e);
		for (s = q; (s = find_str(s, limit, " from ", 6)) != NULL && !en->overflow; s++) {
			const char *o = s + 6, *oe;
			struct pf_event tmp = *ev;

			memset(&en->cur, 0, sizeof(en->cur));
			en->cur.start = s;
			if (has_prefix(o, e, "local;", 6)) {
				oe = o + 5;
			} else {
				tmp.client_name.p = tmp.client_ip.p = tmp.client_port.p = NULL;
				tmp.client_name.n = tmp.client_ip.n = tmp.client_port.n = 0;
				oe = parse_client(o, e, &tmp);
				if (oe == NULL || oe >= e || *oe != ';')
					continue;
				en->cur.client_name = tmp.client_name;
				en->cur.client_ip = tmp.client_ip;
				en->cur.client_port = tmp.client_port;
			}
			oe++;   /* past ';' */
			if (oe == e)
				fl_record(en, NULL);
			else if (has_prefix(oe, e, ": ", 2))
				fl_record(en, oe + 2);
			else if (*oe == ' ')
				fl_walk(en, oe + 1, 0);
		}
		if (en->n == 0 && !en->overflow)
			return false;
		/* the matched line comes first and the field list last: the
		 * rightmost " from ORIGIN;" that reads is cleanup's own (what
		 * follows it is ours: fields and the table's text) */
		{
			size_t i, j = 0;
			const char *last = NULL;

			for (i = 0; i < en->n; i++)
				if (last == NULL || en->v[i].start > last)
					last = en->v[i].start;
			for (i = 0; i < en->n; i++)
				if (en->v[i].start == last)
					en->v[j++] = en->v[i];
			en->n = j;
		}
		r = fl_choose(en, NULL, ev);
		ev->client_name = r->client_name;
		ev->client_ip = r->client_ip;
		ev->client_port = r->client_port;
		ev->from = r->f[F_FROM];
		ev->to = r->f[F_TO];
		ev->proto = r->f[F_PROTO];
		ev->helo = r->f[F_HELO];
		ev->text = span(q, r->start ? r->start : q);
		if (r->text != NULL) {
			if (ev->action == PF_ACT_REJECT)
				split_reply(r->text, e, ev);
			else
				ev->reason = span(r->text, e);
		}
		return true;
	}
}

/* fill_head - zero EV and fill what every syslog line has: line, message,
 * host, service, program, pid */
static void
fill_head(const char *line, const char *e, const struct prefix *px, struct pf_event *ev)
{
	const char *t, *br;

	memset(ev, 0, sizeof(*ev));
	ev->pid = -1;
	ev->line = span(line, e);
	ev->message = span(px->msg, e);
	ev->host = span(px->host, px->host_e);
	t = px->tag_e;
	br = memchr(px->tag, '[', (size_t)(t - px->tag));
	if (br != NULL && t[-1] == ']') {
		const char *d = br + 1;
		long pid = 0;

		while (d < t - 1 && is_digit(*d) && pid < 100000000)
			pid = pid * 10 + (*d++ - '0');
		if (d == t - 1 && d > br + 1)
			ev->pid = pid;
		t = br;
	}
	ev->service = span(px->tag, t);
	{
		const char *sl = t;

		while (sl > px->tag && sl[-1] != '/')
			sl--;
		ev->program = span(sl, t);
	}
}

/* line_end - the end of LINE (LEN bytes) without its "\n" or "\r\n" */
static const char *
line_end(const char *line, size_t len)
{
	const char *e = line + len;

	if (e > line && e[-1] == '\n')
		e--;
	if (e > line && e[-1] == '\r')
		e--;
	return e;
}

enum logline_result
logline_head(const char *line, size_t len, struct logline_ctx *ctx, bool want_time,
	     struct pf_event *ev)
{
	struct prefix px;
	const char *e;

	if (line == NULL)
		return LOGLINE_JUNK;
	if (len > LOGLINE_MAX)
		len = LOGLINE_MAX;
	e = line_end(line, len);
	if (!parse_prefix(line, e, &px))
		return LOGLINE_JUNK;
	fill_head(line, e, &px, ev);
	if (want_time)
		convert_stamp(&px.st, ctx, ev);
	return LOGLINE_OTHER;
}

enum logline_result
logline_parse(const char *line, size_t len, struct logline_ctx *ctx, struct pf_event *ev)
{
	struct prefix px;
	const char *e, *rest, *qe;
	size_t ai;
	enum pf_action act;
	enum logline_result r;

	if (line == NULL)
		return LOGLINE_JUNK;
	if (len > LOGLINE_MAX) {
		r = logline_parse(line, LOGLINE_MAX, ctx, ev);
		if (r == LOGLINE_EVENT)
			logline_mark_truncated(ev);
		return r;
	}
	e = line_end(line, len);
	if (!parse_prefix(line, e, &px))
		return LOGLINE_JUNK;
	rest = event_shape(px.msg, e, &qe, &ai);
	if (rest == NULL) {
		const char *text;

		if ((act = failure_shape(px.msg, e, &text)) == PF_ACT_NONE)
			return LOGLINE_OTHER;
		fill_head(line, e, &px, ev);
		ev->action = act;
		ev->action_word = span(px.msg, text - 2);
		ev->reason = span(text, e);
		convert_stamp(&px.st, ctx, ev);
		return LOGLINE_EVENT;
	}

	fill_head(line, e, &px, ev);
	if (!(qe - px.msg == 7 && memcmp(px.msg, "NOQUEUE", 7) == 0))
		ev->queue_id = span(px.msg, qe);
	act = logged_actions[ai].act;
	ev->action = act;
	ev->action_word = span(qe + 2, rest - 2);

	/* postscreen separates its fields with ", " (postfix-reference.md 8.5) */
	if (!smtpd_event(rest, e, ev, pf_span_eq(ev->program, "postscreen") ? FS_PSC : FS_SMTPD)) {
		struct pf_event save = *ev;

		if (!cleanup_event(rest, e, ev)) {
			*ev = save;
			return LOGLINE_OTHER;
		}
	}
	/* reject with a 4xx code (or 4.x.x DSN and no code) is a deferral */
	if (ev->action == PF_ACT_REJECT) {
		if ((ev->code >= 400 && ev->code < 500) ||
		    (ev->code == 0 && ev->dsn.p != NULL && ev->dsn.p[0] == '4'))
			ev->action = PF_ACT_DEFER;
	}
	convert_stamp(&px.st, ctx, ev);
	return LOGLINE_EVENT;
}

void
event_format_time(const struct pf_event *ev, char *buf, size_t size)
{
	long long local;
	int y, mo, d, h, mi, s, off, n;
	char frac[16] = "";

	if (size == 0)
		return;
	buf[0] = '\0';
	if (!ev->has_time)
		return;
	local = (long long)ev->time + ev->tzoff;
	civil_from_days(local >= 0 ? local / 86400 : (local - 86399) / 86400, &y, &mo, &d);
	{
		long long sod = local % 86400;

		if (sod < 0)
			sod += 86400;
		h = (int)(sod / 3600);
		mi = (int)(sod % 3600 / 60);
		s = (int)(sod % 60);
	}
	if (ev->usec >= 0)
		snprintf(frac, sizeof(frac), ".%06d", ev->usec % 1000000);
	off = ev->tzoff;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%s%c%02d:%02d", y, mo, d, h, mi, s,
		     frac, off < 0 ? '-' : '+', abs(off) / 3600, abs(off) % 3600 / 60);
	(void)n;
}

static int
json_field(struct strbuf *out, const char *name, struct pf_span sp, bool comma)
{
	if (strbuf_addf(out, "%s\"%s\":", comma ? "," : "", name) < 0)
		return -1;
	if (sp.p == NULL)
		return strbuf_addstr(out, "null");
	return strbuf_add_json_string(out, sp.p, sp.n);
}

int
event_to_json(const struct pf_event *ev, struct strbuf *out)
{
	char tb[64];
	size_t mark = out->len;
	struct pf_span act = { pf_action_name(ev->action), strlen(pf_action_name(ev->action)) };
	struct pf_span none = { NULL, 0 };

	event_format_time(ev, tb, sizeof(tb));
	if (strbuf_addstr(out, "{\"time\":") < 0)
		goto fail;
	if (ev->has_time ? strbuf_addf(out, "\"%s\"", tb) : strbuf_addstr(out, "null"))
		goto fail;
	if (json_field(out, "host", ev->host, true) || json_field(out, "service", ev->service, true))
		goto fail;
	if (ev->pid >= 0 ? strbuf_addf(out, ",\"pid\":%ld", ev->pid) :
			   strbuf_addstr(out, ",\"pid\":null"))
		goto fail;
	if (json_field(out, "queue_id", ev->queue_id, true) ||
	    json_field(out, "action", ev->action != PF_ACT_NONE ? act : none, true) ||
	    json_field(out, "stage", ev->stage, true) ||
	    json_field(out, "client_name", ev->client_name, true) ||
	    json_field(out, "client_ip", ev->client_ip, true))
		goto fail;
	if (ev->code ? strbuf_addf(out, ",\"code\":%d", ev->code) :
		       strbuf_addstr(out, ",\"code\":null"))
		goto fail;
	if (json_field(out, "dsn", ev->dsn, true) || json_field(out, "reason", ev->reason, true) ||
	    json_field(out, "from", ev->from, true) || json_field(out, "to", ev->to, true) ||
	    json_field(out, "proto", ev->proto, true) || json_field(out, "helo", ev->helo, true) ||
	    json_field(out, "text", ev->text, true) ||
	    (ev->ambiguous && strbuf_addstr(out, ",\"ambiguous\":true") < 0) ||
	    (ev->truncated && strbuf_addstr(out, ",\"truncated\":true") < 0) || strbuf_addch(out, '}'))
		goto fail;
	return 0;
fail:
	strbuf_truncate(out, mark);
	return -1;
}

void
logline_mark_truncated(struct pf_event *ev)
{
	static const struct pf_span none = { NULL, 0 };

	ev->truncated = true;
	ev->from = ev->to = ev->proto = ev->helo = none;
	if (ev->text.p != NULL) {
		/* cleanup: "header TEXT from ORIGIN; ...": ORIGIN follows the
		 * attacker's text */
		ev->text = ev->client_name = ev->client_ip = ev->client_port = none;
	}
}

/* rebase - move span SP from the block at OLD to the copy at NEW */
static struct pf_span
rebase(struct pf_span sp, const char *old, char *new_)
{
	if (sp.p != NULL)
		sp.p = new_ + (sp.p - old);
	return sp;
}

struct pf_event *
pf_event_dup(const struct pf_event *ev)
{
	struct pf_event *c;
	char *blk;
	const char *old = ev->line.p;

	c = malloc(sizeof(*c) + ev->line.n + 1);
	if (c == NULL)
		return NULL;
	*c = *ev;
	blk = (char *)(c + 1);
	if (ev->line.n)
		memcpy(blk, ev->line.p, ev->line.n);
	blk[ev->line.n] = '\0';
	if (old == NULL) {
		/* an event not parsed from a line: nothing to rebase */
		return c;
	}
#define REB(f) c->f = rebase(ev->f, old, blk)
	REB(host);
	REB(service);
	REB(program);
	REB(queue_id);
	REB(action_word);
	REB(stage);
	REB(client_name);
	REB(client_ip);
	REB(client_port);
	REB(dsn);
	REB(reason);
	REB(from);
	REB(to);
	REB(proto);
	REB(helo);
	REB(text);
	REB(line);
	REB(message);
#undef REB
	return c;
}

void
pf_event_free(struct pf_event *ev)
{
	free(ev);
}
