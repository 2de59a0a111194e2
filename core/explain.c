/*
 * core/explain.c - evaluate smtpd's restriction lists for one RCPT TO.
 *
 * The structure follows Postfix 3.7's smtpd/smtpd_check.c so that the two
 * can be read side by side: smtpd_check_rcpt() runs the delayed client,
 * HELO and sender checks, then the relay and recipient lists;
 * smtpd_check_reject() formats the reply.  Postfix's longjmp for
 * configuration errors becomes a flag that unwinds the lists.
 *
 * This file keeps the state (struct explain, set up from main.cf and
 * master.cf), the trail, the replies, the stages and evaluate().  The rest
 * is split along smtpd_check.c's seams (shared types: explain_int.h):
 *   explain_restrict.c  generic_checks(): one restriction list, dispatched
 *   explain_access.c    check_table_result(), check_*_access, address
 *                       resolution, permit_auth_destination, recipient maps
 *   explain_lists.c     domain and name/address lists (mynetworks),
 *                       hostname checks (reject_invalid_*, reject_non_fqdn_*)
 *   explain_table.c     the table cache: open_table(), xt_find()
 *   explain_kv.c        the in-memory key store and the source line index
 *   explain_json.c      an answer as JSON (explain_result_json)
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <pwd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/access.h"
#include "core/explain.h"
#include "core/kvparse.h"
#include "core/maincf.h"
#include "core/pattern.h"
#include "core/explain_int.h"
#include "core/mastercf.h"
#include "core/restriction.h"
#include "maps/map.h"

/* cfget - parameter NAME as the service sees it: a master.cf -o override
 * (--service) or main.cf's value (maincf_get: set, default or "") */
const char *
cfget(struct explain *ex, const char *name, enum maincf_source *src)
{
	size_t i;

	for (i = 0; i < ex->nover; i++)
		if (strcmp(ex->over[i].name, name) == 0) {
			if (!ex->over[i].expanded
			    && maincf_expand(ex->cf, ex->over[i].raw, &ex->over[i].expanded) < 0)
				return "";
			if (src)
				*src = MAINCF_SET;
			return ex->over[i].expanded;
		}
	return maincf_get(ex->cf, name, src);
}

const char *
cfraw(struct explain *ex, const char *name, enum maincf_source *src)
{
	size_t i;

	for (i = 0; i < ex->nover; i++)
		if (strcmp(ex->over[i].name, name) == 0) {
			*src = MAINCF_SET;
			return ex->over[i].raw;
		}
	return maincf_raw(ex->cf, name, src);
}

static bool
cfbool(struct explain *ex, const char *name, bool def)
{
	size_t i;

	for (i = 0; i < ex->nover; i++)
		if (strcmp(ex->over[i].name, name) == 0) {
			const char *v = cfget(ex, name, NULL);

			if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0)
				return true;
			if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0)
				return false;
			return def;
		}
	return maincf_get_bool(ex->cf, name, def);
}

const char *
explain_decision_name(enum explain_decision d)
{
	static const char *const n[] = { "accept", "reject", "defer", "discard", "hold", "unknown" };

	return (unsigned)d < 6 ? n[d] : "?";
}

/* trail_fmt - FMT with only %s, %d, %u and %% formatted without printf
 * (the trail's most frequent lines); -1 at any other conversion, the
 * caller then formats the whole line with strbuf_vaddf */
static int
trail_fmt(struct strbuf *sb, const char *fmt, va_list ap)
{
	const char *p = fmt, *q;

	for (;;) {
		if ((q = strchr(p, '%')) == NULL)
			return strbuf_addstr(sb, p);
		if (q > p)
			strbuf_add(sb, p, (size_t)(q - p));
		switch (q[1]) {
		case 's': {
			const char *a = va_arg(ap, const char *);

			strbuf_addstr(sb, a ? a : "(null)");
			break;
		}
		case 'd': {
			int v = va_arg(ap, int);

			strbuf_add_num(sb, v < 0, v < 0 ? 0ULL - (unsigned long long)(long long)v
				: (unsigned long long)v);
			break;
		}
		case 'u':
			strbuf_add_num(sb, false, va_arg(ap, unsigned));
			break;
		case '%':
			strbuf_addch(sb, '%');
			break;
		default:
			return -1;
		}
		p = q + 2;
	}
}

void
trail(struct st *s, const char *fmt, ...)
{
	struct explain_result *r = s->r;
	va_list ap, ap2;
	size_t mark;
	int i;

	if (s->mute)
		return;
	if (r->ntrail == r->captrail) {
		size_t nc = r->captrail ? r->captrail * 2 : 32;
		char **nv = realloc(r->trail, nc * sizeof(*nv));
		size_t *no;

		if (!nv)
			return;
		r->trail = nv;
		if ((no = realloc(r->trail_off, nc * sizeof(*no))) == NULL)
			return;
		r->trail_off = no;
		r->captrail = nc;
	}
	/* one buffer for every line: pointers are set when the run ends */
	r->trail_off[r->ntrail] = r->trail_text.len;
	for (i = 0; i < s->indent && i < 20; i++)
		strbuf_add(&r->trail_text, "  ", 2);
	mark = r->trail_text.len;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	if (trail_fmt(&r->trail_text, fmt, ap) < 0) {
		strbuf_truncate(&r->trail_text, mark);
		strbuf_vaddf(&r->trail_text, fmt, ap2);
	}
	va_end(ap2);
	va_end(ap);
	strbuf_addch(&r->trail_text, 0);
	r->trail[r->ntrail++] = NULL;
}

/* trail_parts - a trail line made of five strings (no printf: the most
 * frequent lines, one per lookup) */
void
trail_parts(struct st *s, const char *a, const char *b, const char *c, const char *d,
	    const char *e)
{
	struct explain_result *r = s->r;
	const char *part[5] = { a, b, c, d, e };
	size_t len[5], total = 0, k;
	struct strbuf *tt = &r->trail_text;
	char *w;
	int i;

	if (s->mute)
		return;
	if (r->ntrail == r->captrail) {
		trail(s, "%s%s%s%s%s", a, b, c, d, e);
		return;
	}

	/* most calls pass "" for the later parts: no strlen or memcpy call */
	for (k = 0; k < 5; k++)
		total += len[k] = *part[k] ? strlen(part[k]) : 0;
	i = s->indent < 20 ? s->indent : 20;
	if (i < 0)
		i = 0;
	r->trail_off[r->ntrail] = tt->len;
	/* one reservation for the whole line, its indent and its NUL */
	if (strbuf_reserve(tt, total + 2 * (size_t)i + 1) < 0)
		return;
	w = tt->buf + tt->len;
	memset(w, ' ', 2 * (size_t)i);
	w += 2 * (size_t)i;
	for (k = 0; k < 5; k++)
		if (len[k]) {
			memcpy(w, part[k], len[k]);
			w += len[k];
		}
	*w++ = 0;
	tt->len = (size_t)(w - tt->buf);
	tt->buf[tt->len] = 0;
	r->trail[r->ntrail++] = NULL;
}

void
hit_copy(struct hit *dst, const struct hit *src)
{
	memcpy(dst, src, sizeof(*dst));
}

int
reject_text(struct st *s, int eclass, int code, const char *dsn, const char *text, size_t tlen)
{
	struct explain *ex = s->ex;
	bool warn = s->warn_if_reject && eclass == EC_POLICY;
	struct access_reply rep;
	int c = code;

	if (c < 400 || c > 599) {
		trail(s, "warning: SMTP reply code configuration error: %d %s %.*s", code, dsn,
		      (int)tlen, text);
		c = 450;
		dsn = "4.7.1";
		text = "Service unavailable";
		tlen = strlen(text);
	}
	if (!warn && s->dir.active && c / 100 == 5) {
		s->warn_if_reject = 0;
		s->dir.active = false;
		trail(s, "defer_if_reject is active: the %d reject becomes the deferral", c);
		if (s->dir.have_rule) {
			hit_copy(&s->erule, &s->dir.rule);
			s->have_erule = true;
		}
		return reject_text(s, s->dir.class, s->dir.code, s->dir.dsn, s->dir.reason.buf,
				   s->dir.reason.len);
	}
	access_reply_init(&rep);
	access_reply_set(&rep, c, dsn, text, tlen, ex->soft_bounce);
	trail(s, "%s: %d %s %s", warn ? "reject_warning" : "reject", rep.code, rep.dsn,
	      rep.text.buf);
	if (!warn) {
		s->ecode = rep.code;
		scopy(s->edsn, sizeof(s->edsn), rep.dsn);
		strbuf_reset(&s->etext);
		strbuf_add(&s->etext, rep.text.buf, rep.text.len);
		if (s->depth > 0) {
			hit_copy(&s->erule, &s->stack[s->depth - 1]);
			s->have_erule = true;
		}
	}
	access_reply_fini(&rep);
	return warn ? ST_DUNNO : ST_REJECT;
}

/* smtpd_check_reject - format the reply as smtpd does; REJECT or DUNNO */

int
check_reject(struct st *s, int eclass, int code, const char *dsn, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	int ret;

	strbuf_init(&sb);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ret = reject_text(s, eclass, code, dsn, sb.buf, sb.len);
	strbuf_fini(&sb);
	return ret;
}

/* reject_server_error - 451 4.3.5, out of every list (Postfix longjmps) */
int
server_error(struct st *s)
{
	check_reject(s, EC_SOFTWARE, 451, "4.3.5", "Server configuration error");
	s->aborted = true;
	return ST_REJECT;
}

int
unknown(struct st *s, const char *fmt, ...)
{
	va_list ap;

	if (s->r->depends.len == 0) {
		va_start(ap, fmt);
		strbuf_vaddf(&s->r->depends, fmt, ap);
		va_end(ap);
		trail(s, "cannot know: %s", s->r->depends.buf);
	}
	s->aborted = true;
	return ST_UNKNOWN;
}

void
defer_if(struct st *s, struct defer *d, int eclass, int code, const char *dsn,
	 const char *fmt, ...)
{
	va_list ap;

	if (d->active)
		return;
	d->active = true;
	d->class = eclass;
	d->code = code;
	scopy(d->dsn, sizeof(d->dsn), dsn);
	strbuf_reset(&d->reason);
	va_start(ap, fmt);
	strbuf_vaddf(&d->reason, fmt, ap);
	va_end(ap);
	d->have_rule = s->depth > 0;
	if (d->have_rule)
		hit_copy(&d->rule, &s->stack[s->depth - 1]);
	trail(s, "%s raised: %d %s %s", d == &s->dip ? "defer_if_permit" : "defer_if_reject",
	      code, dsn, d->reason.buf);
}

/* DEFER_IF_PERMIT with warn_if_reject logs a reject_warning instead */
int
defer_if_permit(struct st *s, int code, const char *dsn, const char *fmt, const char *a1,
		const char *a2, const char *a3)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), fmt, a1, a2, a3);
	if (s->warn_if_reject == 0)
		defer_if(s, &s->dip, EC_POLICY, code, dsn, "%s", buf);
	else
		(void)check_reject(s, EC_POLICY, code, dsn, "%s", buf);
	return ST_DUNNO;
}

/* ------------------------------------------------------------------ */
/* the stages                                                           */

static void
check_reset(struct st *s)
{
	s->recursion = 0;
	s->warn_if_reject = 0;
	s->dir.active = false;
}

static int
run_list(struct st *s, const char *pname, struct words *list, const char *reply_name,
	 enum access_ctx ctx, const char *def_acl)
{
	int status;

	if (list->n == 0) {
		trail_parts(s, pname, " is empty", "", "", "");
		return ST_DUNNO;
	}
	trail_parts(s, pname, ":", "", "", "");
	s->indent++;
	status = generic_checks(s, list, reply_name, ctx, def_acl);
	s->indent--;
	/* smtpd's status is "reject" for 4xx replies too; the decision
	 * (and explain's answer) calls those defer */
	trail_parts(s, pname, ": ", status == ST_OK ? "permit" : status == ST_REJECT ?
		    (s->ecode / 100 == 4 ? "defer (a reject with a 4xx code)" : "reject")
		    : status == ST_UNKNOWN ? "unknown" : "no decision (DUNNO)", "", "");
	return status;
}

static int
stage_client(struct st *s)
{
	int status;

	s->dip.active = false;
	check_reset(s);
	s->aborted = false;
	status = run_list(s, "smtpd_client_restrictions", &s->ex->client, s->namaddr,
			  ACCESS_CTX_CLIENT, "check_client_access");
	s->dip_client = s->dip.active;
	return status;
}

static int
stage_helo(struct st *s)
{
	int status;

	if (!s->helo_name) {
		trail(s, "smtpd_helo_restrictions: skipped, no HELO/EHLO");
		return ST_DUNNO;
	}
	s->dip.active = s->dip_client;
	check_reset(s);
	s->aborted = false;
	status = run_list(s, "smtpd_helo_restrictions", &s->ex->helo, s->helo_name,
			  ACCESS_CTX_HELO, "check_helo_access");
	s->dip_helo = s->dip.active;
	return status;
}

static int
stage_mail(struct st *s)
{
	int status;

	s->dip.active = s->dip_client || s->dip_helo;
	check_reset(s);
	s->aborted = false;
	status = run_list(s, "smtpd_sender_restrictions", &s->ex->mail, s->sender,
			  ACCESS_CTX_SENDER, "check_sender_access");
	s->dip_sender = s->dip.active;
	if (status != ST_REJECT && status != ST_UNKNOWN && !s->discard && *s->sender
	    && s->ex->reject_unlisted_sender)
		status = unknown(s, "whether the sender %s is a known address "
				 "(smtpd_reject_unlisted_sender = yes)", s->sender);
	return status;
}

/* footer_lookup - smtpd_expand_lookup(): the $names a reject footer may use;
 * NULL for a name smtpd does not know */
static const char *
footer_lookup(struct st *s, const char *name, struct strbuf *tmp)
{
	const char *addr = NULL, *suffix = NULL, *at;

	if (strcmp(name, "client") == 0)
		return s->namaddr;
	if (strcmp(name, "client_address") == 0)
		return s->addr;
	if (strcmp(name, "client_name") == 0)
		return s->name;
	if (strcmp(name, "helo_name") == 0)
		return s->helo_name ? s->helo_name : "";
	/* smtpd sends the reply after the check restored its state: the
	 * recipient (or the sender, for a MAIL reject) is no longer set */
	if (strncmp(name, "sender", 6) == 0) {
		addr = s->sender;
		suffix = name + 6;
	} else if (strncmp(name, "recipient", 9) == 0) {
		addr = s->recipient;
		suffix = name + 9;
	} else
		return NULL;
	if (addr == NULL)
		return *suffix == 0 || strcmp(suffix, "_name") == 0 || strcmp(suffix, "_domain") == 0
			? "" : NULL;
	at = strrchr(addr, '@');
	strbuf_reset(tmp);
	if (*suffix == 0)
		return *addr ? addr : "<>";
	if (strcmp(suffix, "_name") == 0) {
		if (!*addr)
			return "<>";
		strbuf_add(tmp, addr, at ? (size_t)(at - addr) : strlen(addr));
		return tmp->buf;
	}
	if (strcmp(suffix, "_domain") == 0)
		return *addr && at ? at + 1 : "";
	return NULL;
}

/* apply_footer - smtp_reply_footer(): smtpd_reject_footer appended to a
 * 4xx/5xx reply, one line per "\n" of the template ("\c" first: on the
 * last line); the text keeps the lines, each without code and DSN.
 * 0, or -1 when it uses a $name smtpd does not know (then unknown). */
static int
apply_footer(struct st *s, const char *tmpl)
{
	struct explain_result *r = s->r;
	struct strbuf tmp;
	const char *p = tmpl;
	bool first = true;

	strbuf_init(&tmp);
	while (1) {
		const char *nl = strstr(p, "\\n");
		const char *e = nl ? nl : p + strlen(p);

		if (first && strncmp(p, "\\c", 2) == 0)
			p += 2;
		else
			strbuf_addch(&r->text, '\n');
		first = false;
		while (p < e) {
			if (*p == '$' && p + 1 < e) {
				char name[64];
				size_t n = 0;
				const char *q = p + 1, *v;
				char close = 0;

				if (*q == '$') {
					strbuf_addch(&r->text, '$');
					p = q + 1;
					continue;
				}
				if (*q == '{' || *q == '(') {
					close = *q == '{' ? '}' : ')';
					q++;
				}
				while (q < e && n + 1 < sizeof(name)
				       && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')
					   || (*q >= '0' && *q <= '9') || *q == '_'))
					name[n++] = *q++;
				name[n] = 0;
				if (close) {
					if (q >= e || *q != close) {
						strbuf_fini(&tmp);
						return -1;
					}
					q++;
				}
				if ((v = footer_lookup(s, name, &tmp)) == NULL) {
					strbuf_fini(&tmp);
					unknown(s, "smtpd_reject_footer uses $%s", name);
					return -1;
				}
				strbuf_addstr(&r->text, v);
				p = q;
				continue;
			}
			strbuf_addch(&r->text, *p++);
		}
		if (!nl)
			break;
		p = nl + 2;
	}
	strbuf_fini(&tmp);
	return 0;
}

static void
fill_reject(struct st *s, const char *stage)
{
	struct explain_result *r = s->r;

	r->code = s->ecode;
	scopy(r->dsn, sizeof(r->dsn), s->edsn);
	strbuf_reset(&r->text);
	strbuf_add(&r->text, s->etext.buf, s->etext.len);
	r->decision = s->ecode >= 500 ? EXPLAIN_REJECT : EXPLAIN_DEFER;
	r->stage = stage;
}

static void
set_rule(struct explain_result *r, const struct hit *h)
{
	free(r->rule.file);
	free(r->rule.key);
	free(r->rule.table);
	free(r->rule.value);
	r->rule.file = xstrdup(h->src ? h->src : h->table);
	r->rule.line = h->line;
	r->rule.key = xstrdup(h->key);
	r->rule.table = xstrdup(h->table);
	r->rule.value = xstrdup(h->value);
}

/* internal_form - smtpd keeps addresses unquoted ("a b"@x -> a b@x): that is
 * what replies show; lookups quote them again (find_addr).  Into SB;
 * NULL when out of memory. */
static char *
internal_form(struct strbuf *sb, const char *addr)
{
	const char *p = addr;

	strbuf_reset(sb);
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1])
				p++;
			strbuf_addch(sb, *p++);
		}
		if (*p == '"')
			p++;
	}
	if (strbuf_addstr(sb, p) < 0)
		return NULL;
	return sb->buf;
}

/* st_free - the probes' state, with struct explain (explain_free) */
static void
st_free(struct st *s)
{
	if (!s)
		return;
	strbuf_fini(&s->isender_sb);
	strbuf_fini(&s->ircpt_sb);
	strbuf_fini(&s->etext);
	strbuf_fini(&s->dip.reason);
	strbuf_fini(&s->dir.reason);
	free(s);
}

/* st_new - the state of one probe: the client as smtpd sees it, the
 * sender and recipient in smtpd's internal (unquoted) form.  One struct
 * per struct explain, cleared (up to namaddr) and reused by every probe.
 * NULL when out of memory. */
static struct st *
st_new(struct explain *ex, const struct explain_probe *p, struct explain_result *r)
{
	struct st *s = ex->st;
	struct strbuf keep[5];

	if (!ex->stack && (ex->stack = malloc(STACK_MAX * sizeof(*ex->stack))) == NULL)
		return NULL;
	if (!s) {
		if ((s = ex->st = calloc(1, sizeof(*s))) == NULL)
			return NULL;
		strbuf_init(&s->etext);
		strbuf_init(&s->dip.reason);
		strbuf_init(&s->dir.reason);
		strbuf_init(&s->isender_sb);
		strbuf_init(&s->ircpt_sb);
	}
	/* the buffers survive the clearing, emptied */
	keep[0] = s->etext;
	keep[1] = s->dip.reason;
	keep[2] = s->dir.reason;
	keep[3] = s->isender_sb;
	keep[4] = s->ircpt_sb;
	memset(s, 0, offsetof(struct st, namaddr));
	s->etext = keep[0];
	s->dip.reason = keep[1];
	s->dir.reason = keep[2];
	s->isender_sb = keep[3];
	s->ircpt_sb = keep[4];
	strbuf_reset(&s->etext);
	strbuf_reset(&s->dip.reason);
	strbuf_reset(&s->dir.reason);
	s->stack = ex->stack;
	s->ex = ex;
	s->r = r;
	s->mute = r->brief;
	s->addr = p->client_addr ? p->client_addr : "";
	/* smtpd sees the address in canonical form (and a v4-mapped v6
	 * address as IPv4): tables and networks are matched against that */
	if (explain_client_addr(s->addr, s->addrbuf, sizeof(s->addrbuf)) == 0)
		s->addr = s->addrbuf;
	s->name = p->client_name && *p->client_name ? p->client_name : "unknown";
	{
		/* snprintf(namaddr, size, "%s[%s]", name, addr) without printf */
		size_t nl = strlen(s->name), al = strlen(s->addr), cap = sizeof(s->namaddr) - 1;
		size_t k = 0;

		memcpy(s->namaddr, s->name, nl < cap ? nl : cap);
		k = nl < cap ? nl : cap;
		if (k < cap)
			s->namaddr[k++] = '[';
		memcpy(s->namaddr + k, s->addr, al < cap - k ? al : cap - k);
		k += al < cap - k ? al : cap - k;
		if (k < cap)
			s->namaddr[k++] = ']';
		s->namaddr[k] = 0;
	}
	s->where = "RCPT";
	s->isender = internal_form(&s->isender_sb, p->sender ? p->sender : "");
	s->ircpt = internal_form(&s->ircpt_sb, p->recipient ? p->recipient : "");
	if (!s->isender || !s->ircpt)
		return NULL;
	return s;
}

/* decisive - a status that answers the probe (no later list runs) */
static bool
decisive(int status)
{
	return status == ST_REJECT || status == ST_UNKNOWN;
}

/* at_command - list STAGE_FN at its own command WHERE (smtpd_delay_reject
 * = no); *STAGE = WHERE when it answers */
static int
at_command(struct st *s, const char *where, int (*stage_fn)(struct st *), const char **stage)
{
	int status;

	s->where = where;
	if (decisive(status = stage_fn(s)))
		*stage = where;
	return status;
}

/* stages_before_rcpt - the client, HELO and sender lists: each at its own
 * command (smtpd_delay_reject = no: *stage is where one rejected), or all
 * at RCPT TO.  Sets the HELO name, sender and recipient smtpd knows by
 * RCPT TO. */
static int
stages_before_rcpt(struct st *s, const struct explain_probe *p, const char **stage)
{
	int status;

	if (!s->ex->delay_reject) {
		/* each list at its own command; the first reject answers */
		trail(s, "smtpd_delay_reject = no: each list runs at its own command");
		if (decisive(status = at_command(s, "CONNECT", stage_client, stage)))
			return status;
		s->helo_name = p->helo;
		if (decisive(status = at_command(s, "HELO", stage_helo, stage)))
			return status;
		s->sender = s->isender;
		if (decisive(status = at_command(s, "MAIL", stage_mail, stage)))
			return status;
		s->recipient = s->ircpt;
		s->where = "RCPT";
		return status;
	}
	s->helo_name = p->helo;
	s->sender = s->isender;
	s->recipient = s->ircpt;
	trail(s, "smtpd_delay_reject = yes: client, HELO and sender lists run at RCPT TO");
	if (decisive(status = stage_client(s)))
		return status;
	if (decisive(status = stage_helo(s)))
		return status;
	return stage_mail(s);
}

/* rcpt_lists - smtpd_check_rcpt(): smtpd_relay_restrictions and
 * smtpd_recipient_restrictions in the order compatibility_level and
 * smtpd_relay_before_recipient_restrictions give them */
static int
rcpt_lists(struct st *s)
{
	struct explain *ex = s->ex;
	struct words *lists[2];
	const char *names[2];
	int n, status = ST_DUNNO, rcpt_index = ex->relay_first && !ex->fake_relay ? 1 : 0;

	lists[rcpt_index] = &ex->rcpt;
	names[rcpt_index] = "smtpd_recipient_restrictions";
	lists[!rcpt_index] = &ex->relay;
	names[!rcpt_index] = ex->fake_relay ? "smtpd_relay_restrictions (compatibility_level < 1: "
		"empty, never rejects)" : "smtpd_relay_restrictions";
	for (n = 0; n < 2; n++) {
		s->aborted = false;
		if (lists[n] == &ex->relay && ex->fake_relay) {
			trail(s, "%s", names[n]);
			status = ST_DUNNO;
			continue;
		}
		status = run_list(s, names[n], lists[n], s->ircpt, ACCESS_CTX_RECIPIENT,
				  "check_recipient_access");
		if (decisive(status))
			break;
	}
	return status;
}

/* stage_rcpt - RCPT TO: the two lists, then a pending defer_if_permit,
 * then smtpd_reject_unlisted_recipient */
static int
stage_rcpt(struct st *s)
{
	int status;

	s->dip.active = s->dip_sender;
	check_reset(s);
	s->rcptmap_checked = false;
	if ((status = rcpt_lists(s)) == ST_UNKNOWN)
		return status;
	if (status != ST_REJECT && s->dip.active) {
		trail(s, "a defer_if_permit is pending: the permit becomes a deferral");
		s->depth = 0;
		if (s->dip.have_rule) {
			s->stack[0] = s->dip.rule;
			s->depth = 1;
		}
		status = reject_text(s, s->dip.class, s->dip.code, s->dip.dsn, s->dip.reason.buf,
				     s->dip.reason.len);
		s->depth = 0;
	}
	if (s->ex->reject_unlisted_rcpt && status != ST_REJECT && !s->rcptmap_checked
	    && !s->discard) {
		trail(s, "smtpd_reject_unlisted_recipient = yes:");
		s->indent++;
		status = check_rcpt_maps(s, s->ircpt, ACCESS_CTX_RECIPIENT);
		s->indent--;
	}
	return status;
}

/* reply_reject - the 4xx/5xx reply of a reject at stage, with
 * smtpd_reject_footer; unknown when the footer is one explain cannot
 * build */
static void
reply_reject(struct st *s, const char *stage)
{
	struct explain *ex = s->ex;
	struct explain_result *r = s->r;
	const char *footer = ex->reject_footer;

	fill_reject(s, stage);
	/* the command's own argument is popped before the reply is sent */
	if (strcmp(stage, "RCPT") == 0)
		s->recipient = NULL;
	else if (strcmp(stage, "MAIL") == 0)
		s->sender = NULL;
	else if (strcmp(stage, "HELO") == 0)
		s->helo_name = NULL;
	if (footer && *footer && apply_footer(s, footer) < 0) {
		r->decision = EXPLAIN_UNKNOWN;
		return;
	}
	if (ex->reject_footer_maps) {
		unknown(s, "smtpd_reject_footer_maps (a footer chosen by the reply text)");
		r->decision = EXPLAIN_UNKNOWN;
		return;
	}
	if (s->have_erule && s->erule.table)
		set_rule(r, &s->erule);
}

/* reply_accept - 250 2.1.5 Ok: accepted, discarded or held, with the rule
 * that decided */
static void
reply_accept(struct st *s)
{
	struct explain_result *r = s->r;

	r->code = 250;
	scopy(r->dsn, sizeof(r->dsn), "2.1.5");
	strbuf_reset(&r->text);
	strbuf_addstr(&r->text, "Ok");
	r->stage = "RCPT";
	if (s->discard) {
		r->decision = EXPLAIN_DISCARD;
		if (s->have_hrule)
			set_rule(r, &s->hrule);
	} else if (s->hold) {
		r->decision = EXPLAIN_HOLD;
		if (s->have_hrule)
			set_rule(r, &s->hrule);
	} else {
		r->decision = EXPLAIN_ACCEPT;
		if (s->have_prule)
			set_rule(r, &s->prule);
	}
}

/* run_probe - what smtpd answers at the end of RCPT TO (or earlier, when a
 * list rejects at its own command) */
static void
run_probe(struct st *s, const struct explain_probe *p)
{
	struct explain *ex = s->ex;
	struct explain_result *r = s->r;
	const char *stage = "RCPT";
	int status;

	if (ex->service_note)
		trail(s, "note: %s", ex->service_note);
	if (ex->startup_error) {
		strbuf_addstr(&r->depends, ex->startup_error);
		trail(s, "smtpd cannot start, no reply (the daemon exits, the client sees the "
		      "connection close): %s", ex->startup_error);
		r->decision = EXPLAIN_UNKNOWN;
		return;
	}
	if (strcasecmp(s->ircpt, "postmaster") == 0) {
		trail(s, "RCPT TO:<postmaster> skips every restriction (RFC 5321)");
		reply_accept(s);
		return;
	}
	if (!decisive(status = stages_before_rcpt(s, p, &stage)))
		status = stage_rcpt(s);
	if (status == ST_UNKNOWN) {
		r->decision = EXPLAIN_UNKNOWN;
		r->stage = stage;
	} else if (status == ST_REJECT)
		reply_reject(s, stage);
	else
		reply_accept(s);
}

static int
evaluate(struct explain *ex, const struct explain_probe *p, struct explain_result *r)
{
	struct st *s = st_new(ex, p, r);

	if (!s)
		return -1;
	run_probe(s, p);
	return 0;
}

/* ------------------------------------------------------------------ */
/* setup                                                                */

int
code_param(struct maincf *cf, const char *name, int def)
{
	const char *v = maincf_get(cf, name, NULL);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end ? def : (int)n;
}

/* policy_startup_check - smtpd_check_parse() registers the word after each
 * check_policy_service at startup; a malformed service is fatal */
static void
policy_startup_check(struct explain *ex, const struct words *w)
{
	char why[600];
	size_t i;

	for (i = 1; i < w->n && !ex->startup_error; i++)
		if (strcasecmp(w->v[i - 1], "check_policy_service") == 0
		    && restriction_policy_endpoint_error(w->v[i], why, sizeof(why)))
			ex->startup_error = xstrdup(why);
}

static int
load_list(struct explain *ex, const char *param, struct words *w)
{
	const char *v = cfget(ex, param, NULL);

	return v ? words_split(w, v) : 0;
}

/* compat_below - compatibility_level < LEVEL (dotted, numerically) */
static bool
compat_below(struct explain *ex, const char *level)
{
	const char *v = cfget(ex, "compatibility_level", NULL);
	unsigned a[3] = { 0, 0, 0 }, b[3] = { 0, 0, 0 };
	int i;

	if (!v)
		v = "0";
	sscanf(v, "%u.%u.%u", &a[0], &a[1], &a[2]);
	sscanf(level, "%u.%u.%u", &b[0], &b[1], &b[2]);
	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return false;
}

static bool
has_required(struct explain *ex, struct words *w, int depth)
{
	static const char *const req[] = { "reject_unauth_destination", "defer_unauth_destination",
		"reject", "defer", "defer_if_permit", "check_relay_domains", NULL };
	size_t i, k;
	struct words *cl;

	if (depth > 20)
		return false;
	for (i = 0; i < w->n; i++) {
		if (strcasecmp(w->v[i], "warn_if_reject") == 0 && i + 1 < w->n) {
			i++;
			continue;
		}
		if (strcasecmp(w->v[i], "permit") == 0)
			return false;
		for (k = 0; req[k]; k++)
			if (strcasecmp(w->v[i], req[k]) == 0)
				return true;
		if ((cl = find_class(ex, w->v[i])) && has_required(ex, cl, depth + 1))
			return true;
	}
	return false;
}

/* master_cf_note - which smtpd services of DIR/master.cf override what
 * explain evaluates (-o name=value): the answer is for main.cf's values,
 * i.e. the plain "smtp inet ... smtpd" service (postfix-reference.md 7.3) */
static char *
master_cf_note(const char *dir)
{
	struct mastercf m;
	struct strbuf note;
	size_t i, k;

	if (mastercf_read(&m, dir) < 0) {
		mastercf_free(&m);
		return NULL;
	}
	strbuf_init(&note);
	for (i = 0; i < m.n; i++) {
		const struct mastercf_service *sv = &m.v[i];
		struct strbuf over;

		if (strcmp(mastercf_command(sv), "smtpd") != 0)
			continue;
		strbuf_init(&over);
		for (k = 0; k < sv->nopt; k++) {
			const char *o = sv->opt[k].name;

			if (strstr(o, "restrictions") || strncmp(o, "mynetworks", 10) == 0
			    || strncmp(o, "smtpd_delay_reject", 18) == 0
			    || strncmp(o, "relay_domains", 13) == 0
			    || strncmp(o, "smtpd_restriction_classes", 25) == 0
			    || strncmp(o, "smtpd_sasl_auth_enable", 22) == 0)
				strbuf_addf(&over, "%s%s", over.len ? ", " : "", o);
		}
		if (over.len)
			strbuf_addf(&note, "%smaster.cf service %s overrides %s", note.len ? "; " : "",
				    sv->f[0].text, over.buf);
		strbuf_fini(&over);
	}
	mastercf_free(&m);
	if (!note.len) {
		strbuf_fini(&note);
		return NULL;
	}
	strbuf_addstr(&note, " (this answer uses main.cf's values)");
	return strbuf_export(&note);
}

/* service_overrides - the -o name=value options of smtpd service SERVICE
 * ("name" or "name/type") in DIR/master.cf, into ex->over.  0, or -1 with
 * *WHY set when there is no such smtpd service. */
static int
service_overrides(struct explain *ex, const char *dir, const char *service, const char **why)
{
	struct mastercf m;
	size_t i, k;
	int found = -1;

	*why = "no such service in master.cf";
	if (mastercf_read(&m, dir) < 0) {
		mastercf_free(&m);
		*why = "master.cf cannot be read";
		return -1;
	}
	for (i = 0; i < m.n && found < 0; i++) {
		const struct mastercf_service *sv = &m.v[i];
		char nt[512];

		if (sv->nf < 8)
			continue;
		snprintf(nt, sizeof(nt), "%s/%s", sv->f[0].text, sv->f[1].text);
		if (strcmp(sv->f[0].text, service) != 0 && strcmp(nt, service) != 0)
			continue;
		if (strcmp(mastercf_command(sv), "smtpd") != 0) {
			*why = "that master.cf service does not run smtpd";
			continue;
		}
		found = 0;
		for (k = 0; k < sv->nopt; k++) {
			struct override *no = realloc(ex->over, (ex->nover + 1) * sizeof(*no));

			if (!no)
				continue;
			ex->over = no;
			no[ex->nover].name = xstrdup(sv->opt[k].name);
			no[ex->nover].raw = xstrdup(sv->opt[k].value);
			no[ex->nover].expanded = NULL;
			if (no[ex->nover].name && no[ex->nover].raw)
				ex->nover++;
			else {
				free(no[ex->nover].name);
				free(no[ex->nover].raw);
			}
		}
	}
	mastercf_free(&m);
	return found;
}

struct explain *
explain_new(const char *dir, const struct explain_opts *opts, struct diag_list *dl)
{
	struct explain *ex = calloc(1, sizeof(*ex));
	const char *v;
	enum maincf_source src;
	size_t i;

	if (!ex)
		return NULL;
	if (opts)
		ex->opts = *opts;
	ex->dir = xstrdup(dir);
	{
		struct diag_list own;
		size_t k;
		int r;

		diag_list_init(&own);
		r = maincf_load(&ex->cf, dir, &own);
		if (r < 0) {
			int e = errno;

			diag_list_fini(&own);
			free(ex->dir);
			free(ex);
			errno = e;
			return NULL;
		}
		/* a main.cf line without '=' is fatal for every Postfix program */
		for (k = 0; k < own.n; k++) {
			if (own.v[k].code == DIAG_MAINCF_SYNTAX && !ex->startup_error) {
				char buf[512];

				snprintf(buf, sizeof(buf), "fatal: %s, line %u: %s", own.v[k].file,
					 own.v[k].line, own.v[k].message);
				ex->startup_error = xstrdup(buf);
			}
			if (dl)
				diag_add_sev(dl, own.v[k].severity, own.v[k].code, own.v[k].file,
					     own.v[k].line, own.v[k].col, "%s", own.v[k].message);
		}
		diag_list_fini(&own);
	}
	if (ex->opts.service) {
		const char *why;

		if (service_overrides(ex, dir, ex->opts.service, &why) < 0 && !ex->startup_error) {
			char buf[600];

			snprintf(buf, sizeof(buf), "service %s: %s", ex->opts.service, why);
			ex->startup_error = xstrdup(buf);
		}
	}
	if (load_list(ex, "smtpd_client_restrictions", &ex->client) < 0
	    || load_list(ex, "smtpd_helo_restrictions", &ex->helo) < 0
	    || load_list(ex, "smtpd_sender_restrictions", &ex->mail) < 0
	    || load_list(ex, "smtpd_relay_restrictions", &ex->relay) < 0
	    || load_list(ex, "smtpd_recipient_restrictions", &ex->rcpt) < 0)
		goto nomem;
	{
		/* smtpd_check_init parses these lists before the classes */
		struct words etrn = { 0 }, data = { 0 }, eod = { 0 };
		const struct words *all[] = { &ex->client, &ex->helo, &ex->mail, &ex->relay,
			&ex->rcpt, &etrn, &data, &eod };

		if (load_list(ex, "smtpd_etrn_restrictions", &etrn) < 0
		    || load_list(ex, "smtpd_data_restrictions", &data) < 0
		    || load_list(ex, "smtpd_end_of_data_restrictions", &eod) < 0) {
			words_free(&etrn);
			words_free(&data);
			words_free(&eod);
			goto nomem;
		}
		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			policy_startup_check(ex, all[i]);
		words_free(&etrn);
		words_free(&data);
		words_free(&eod);
	}
	(void)cfraw(ex, "smtpd_relay_restrictions", &src);
	ex->fake_relay = src != MAINCF_SET && compat_below(ex, "1");
	ex->relay_first = cfbool(ex, "smtpd_relay_before_recipient_restrictions",
					  !compat_below(ex, "3.6"));
	ex->delay_reject = cfbool(ex, "smtpd_delay_reject", true);
	ex->soft_bounce = cfbool(ex, "soft_bounce", false);
	ex->allow_untrusted_routing = cfbool(ex, "allow_untrusted_routing", false);
	ex->reject_unlisted_rcpt = cfbool(ex, "smtpd_reject_unlisted_recipient", true);
	ex->reject_unlisted_sender = cfbool(ex, "smtpd_reject_unlisted_sender", false);
	ex->append_dot_mydomain = cfbool(ex, "append_dot_mydomain", compat_below(ex, "1"));
	ex->sasl_enable = cfbool(ex, "smtpd_sasl_auth_enable", false);
	{
		enum maincf_source fsrc;

		/* a raw parameter: $names are the footer's, not main.cf's */
		ex->reject_footer = cfraw(ex, "smtpd_reject_footer", &fsrc);
		ex->reject_footer_maps = *cfget(ex, "smtpd_reject_footer_maps", NULL) != 0;
	}
	ex->parent_style = maincf_in_list(ex->cf, "parent_domain_matches_subdomains", "smtpd_access_maps");
	ex->relay_parent = maincf_in_list(ex->cf, "parent_domain_matches_subdomains", "relay_domains");
	ex->map_reject_code = code_param(ex->cf, "access_map_reject_code", 554);
	ex->map_defer_code = code_param(ex->cf, "access_map_defer_code", 450);
	ex->reject_code = code_param(ex->cf, "reject_code", 554);
	ex->defer_code = code_param(ex->cf, "defer_code", 450);
	ex->relay_code = code_param(ex->cf, "relay_domains_reject_code", 554);
	ex->non_fqdn_code = code_param(ex->cf, "non_fqdn_reject_code", 504);
	ex->bad_name_code = code_param(ex->cf, "invalid_hostname_reject_code", 501);
	ex->unk_client_code = code_param(ex->cf, "unknown_client_reject_code", 450);
	ex->plaintext_code = code_param(ex->cf, "plaintext_reject_code", 450);
	ex->mul_rcpt_code = code_param(ex->cf, "multi_recipient_bounce_reject_code", 550);
	ex->virt_alias_code = code_param(ex->cf, "unknown_virtual_alias_reject_code", 550);
	v = cfget(ex, "smtpd_null_access_lookup_key", NULL);
	ex->null_key = xstrdup(v && *v ? v : "<>");
	v = cfget(ex, "recipient_delimiter", NULL);
	ex->rcpt_delim = xstrdup(v ? v : "");
	v = cfget(ex, "myorigin", NULL);
	ex->myorigin = xstrdup(v ? v : "");
	v = cfget(ex, "mydomain", NULL);
	ex->mydomain = xstrdup(v ? v : "");
	v = cfget(ex, "local_recipient_maps", NULL);
	ex->local_rcpt_maps = xstrdup(v ? v : "");
	if (!ex->null_key || !ex->rcpt_delim || !ex->myorigin || !ex->mydomain || !ex->local_rcpt_maps)
		goto nomem;
	lower(ex->myorigin);

	v = cfget(ex, "smtpd_restriction_classes", NULL);
	if (v && words_split(&ex->classes, v) < 0)
		goto nomem;
	ex->class_lists = calloc(ex->classes.n + 1, sizeof(*ex->class_lists));
	if (!ex->class_lists)
		goto nomem;
	for (i = 0; i < ex->classes.n; i++) {
		const char *def = cfget(ex, ex->classes.v[i], &src);

		if (!def || !*def || src == MAINCF_UNSET) {
			char buf[300];

			snprintf(buf, sizeof(buf), "fatal: restriction class `%s' needs a definition",
				 ex->classes.v[i]);
			if (!ex->startup_error)
				ex->startup_error = xstrdup(buf);
			continue;
		}
		if (words_split(&ex->class_lists[i], def) < 0)
			goto nomem;
		policy_startup_check(ex, &ex->class_lists[i]);
	}
	if (!ex->opts.service)
		ex->service_note = master_cf_note(dir);
	if (!ex->startup_error && !has_required(ex, &ex->rcpt, 0)
	    && (ex->fake_relay || !has_required(ex, &ex->relay, 0)))
		ex->startup_error = xstrdup("fatal: in parameter smtpd_relay_restrictions or "
					    "smtpd_recipient_restrictions, specify at least one working "
					    "instance of: reject_unauth_destination, defer_unauth_destination, "
					    "reject, defer, defer_if_permit or check_relay_domains");
	return ex;
nomem:
	explain_free(ex);
	errno = ENOMEM;
	return NULL;
}

void
explain_free(struct explain *ex)
{
	struct xtable *t, *n;
	size_t i;

	if (!ex)
		return;
	for (t = ex->tables; t; t = n) {
		n = t->next;
		xt_free(t);
	}
	words_free(&ex->client);
	words_free(&ex->helo);
	words_free(&ex->mail);
	words_free(&ex->relay);
	words_free(&ex->rcpt);
	if (ex->class_lists)
		for (i = 0; i < ex->classes.n; i++)
			words_free(&ex->class_lists[i]);
	free(ex->class_lists);
	words_free(&ex->classes);
	free(ex->null_key);
	free(ex->rcpt_delim);
	free(ex->myorigin);
	free(ex->mydomain);
	free(ex->local_rcpt_maps);
	free(ex->startup_error);
	free(ex->service_note);
	for (i = 0; i < ex->nover; i++) {
		free(ex->over[i].name);
		free(ex->over[i].raw);
		free(ex->over[i].expanded);
	}
	free(ex->over);
	free(ex->stack);
	st_free(ex->st);
	for (i = 0; i < ex->npcache; i++) {
		free(ex->pcache[i].name);
		words_free(&ex->pcache[i].w);
	}
	free(ex->dir);
	if (ex->cf)
		maincf_free(ex->cf);
	free(ex);
}

void
explain_result_init(struct explain_result *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->text);
	strbuf_init(&r->depends);
	strbuf_init(&r->stale_note);
	strbuf_init(&r->trail_text);
}

static void
result_clear(struct explain_result *r)
{
	size_t i;

	(void)i;
	r->ntrail = 0;
	strbuf_reset(&r->trail_text);
	free(r->rule.file);
	free(r->rule.key);
	free(r->rule.table);
	free(r->rule.value);
	memset(&r->rule, 0, sizeof(r->rule));
	strbuf_reset(&r->text);
	strbuf_reset(&r->depends);
	strbuf_reset(&r->stale_note);
	r->stale = false;
	r->code = 0;
	r->dsn[0] = 0;
	r->stage = "RCPT";
	r->decision = EXPLAIN_UNKNOWN;
}

void
explain_result_fini(struct explain_result *r)
{
	result_clear(r);
	free(r->trail);
	free(r->trail_off);
	strbuf_fini(&r->trail_text);
	strbuf_fini(&r->text);
	strbuf_fini(&r->depends);
	strbuf_fini(&r->stale_note);
}

/* ipv4_canonical - ADDR is a dotted quad as inet_ntop writes it (four
 * decimal numbers 0-255 without leading zeros): copied to OUT (at least 16
 * bytes) as it is, the answer inet_pton + inet_ntop would give, without
 * them (a sprintf per octet: about a tenth of a probe's instructions) */
static bool
ipv4_canonical(const char *addr, char *out)
{
	const char *p = addr;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, nd = 0;

		if (part && *p++ != '.')
			return false;
		while (*p >= '0' && *p <= '9' && nd < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			nd++;
		}
		if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && p[-(int)nd] == '0'))
			return false;
	}
	if (*p)
		return false;
	memcpy(out, addr, (size_t)(p - addr) + 1);
	return true;
}

int
explain_client_addr(const char *addr, char *out, size_t size)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (addr == NULL || size < INET6_ADDRSTRLEN)
		return -1;
	if (ipv4_canonical(addr, out))
		return 0;
	if (inet_pton(AF_INET, addr, &a4) == 1)
		return inet_ntop(AF_INET, &a4, out, (socklen_t)size) ? 0 : -1;
	if (inet_pton(AF_INET6, addr, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, a6.s6_addr + 12, 4);
		return inet_ntop(AF_INET, &a4, out, (socklen_t)size) ? 0 : -1;
	}
	return inet_ntop(AF_INET6, &a6, out, (socklen_t)size) ? 0 : -1;
}

int
explain_run(struct explain *ex, const struct explain_probe *p, struct explain_result *r)
{
	size_t i;
	int ret;

	result_clear(r);
	ret = evaluate(ex, p, r);
	if (!ex->hold)
		explain_release(ex);    /* MAP_OPEN_BATCH: no table held past a probe */
	for (i = 0; i < r->ntrail; i++)
		r->trail[i] = r->trail_text.buf + r->trail_off[i];
	return ret;
}

void
explain_hold(struct explain *ex, bool hold)
{
	ex->hold = hold;
	if (!hold)
		explain_release(ex);
}

void
explain_release(struct explain *ex)
{
	struct xtable *t;

	for (t = ex->tables; t; t = t->next) {
		map_release(t->m);
		map_release(t->index);
	}
}
