/*
 * core/access.c - access(5) results: parsing, problems, SMTP replies.
 *
 * Mirrors Postfix 3.7's check_table_result() (smtpd/smtpd_check.c),
 * dsn_valid()/dsn_split() (global/dsn_util.c), smtpd_dsn_fix()
 * (smtpd/smtpd_dsn_fix.c) and the final steps of smtpd_check_reject().
 * See core/access.h for the contract.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/access.h"
#include "core/restriction.h"
#include "util/utf8.h"

static const char *const kind_names[] = {
	[ACCESS_DUNNO] = "DUNNO",
	[ACCESS_REJECT] = "REJECT",
	[ACCESS_DEFER] = "DEFER",
	[ACCESS_HANGUP] = "HANGUP",
	[ACCESS_INFO] = "INFO",
	[ACCESS_WARN] = "WARN",
	[ACCESS_FILTER] = "FILTER",
	[ACCESS_HOLD] = "HOLD",
	[ACCESS_DISCARD] = "DISCARD",
	[ACCESS_REDIRECT] = "REDIRECT",
	[ACCESS_BCC] = "BCC",
	[ACCESS_DEFER_IF_PERMIT] = "DEFER_IF_PERMIT",
	[ACCESS_DEFER_IF_REJECT] = "DEFER_IF_REJECT",
	[ACCESS_PREPEND] = "PREPEND",
	[ACCESS_NUMERIC] = "numeric",
	[ACCESS_CODE] = "code",
	[ACCESS_OK] = "OK",
	[ACCESS_TABLE_REF] = "table-reference",
	[ACCESS_RESTRICTIONS] = "restrictions",
	[ACCESS_EMPTY] = "empty",
};

const char *
access_kind_name(enum access_kind kind)
{
	if ((unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[kind])
		return kind_names[kind];
	return "?";
}

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* ISSPACE as Postfix: space, tab, CR, LF, VT, FF */
static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* cmd_is - the first word equals WORD, case-insensitively, same length */
static bool
cmd_is(const char *value, size_t cmd_len, const char *word)
{
	return strlen(word) == cmd_len && strncasecmp(value, word, cmd_len) == 0;
}

static bool
all_digits(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++)
		if (!is_digit((unsigned char)s[i]))
			return false;
	return true;
}

static bool
has_byte(const char *s, size_t len, int c)
{
	return len > 0 && memchr(s, c, len) != NULL;
}

size_t
access_dsn_valid(const char *s, size_t len)
{
	size_t i = 0, n;

	if (len < 2 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.')
		return 0;
	i = 2;
	for (n = 0; i < len && is_digit((unsigned char)s[i]); i++, n++)
		;
	if (n < 1 || n > 3 || i >= len || s[i] != '.')
		return 0;
	i++;
	for (n = 0; i < len && is_digit((unsigned char)s[i]); i++, n++)
		;
	if (n < 1 || n > 3 || (i < len && !is_space((unsigned char)s[i])))
		return 0;
	return i;
}

/* split_dsn - dsn_split() on the text span of A: fill a->dsn and move
 * a->text past it (and past the one byte dsn_split skips, then blanks). */
static void
split_dsn(const char *value, size_t len, struct access_action *a, const char *def)
{
	const char *t = value + a->text.off;
	size_t tl = a->text.len, dl, skip;

	memcpy(a->dsn_default, def, 6);
	if ((dl = access_dsn_valid(t, tl)) == 0)
		return;
	a->dsn.off = a->text.off;
	a->dsn.len = dl;
	if (dl == tl) {
		/* 3.7.11 steps over the terminating NUL here */
		a->dsn_without_text = true;
		a->text.off = a->text.off + tl;
		a->text.len = 0;
		return;
	}
	skip = dl + 1;
	while (skip < tl && is_space((unsigned char)t[skip]))
		skip++;
	a->text.off += skip;
	a->text.len = tl - skip;
	(void)len;
}

void
access_parse(const char *value, size_t len, struct access_action *a)
{
	size_t cmd_len, p;

	memset(a, 0, sizeof(*a));
	for (cmd_len = 0; cmd_len < len && !is_blank((unsigned char)value[cmd_len]); cmd_len++)
		;
	a->cmd.off = 0;
	a->cmd.len = cmd_len;
	for (p = cmd_len; p < len && is_space((unsigned char)value[p]); p++)
		;
	a->text.off = p;
	a->text.len = len - p;

	if (cmd_is(value, cmd_len, "DUNNO"))
		a->kind = ACCESS_DUNNO;
	else if (cmd_is(value, cmd_len, "REJECT")) {
		a->kind = ACCESS_REJECT;
		split_dsn(value, len, a, "5.7.1");
	} else if (cmd_is(value, cmd_len, "DEFER")) {
		a->kind = ACCESS_DEFER;
		split_dsn(value, len, a, "4.7.1");
	} else if (cmd_is(value, cmd_len, "HANGUP"))
		a->kind = ACCESS_HANGUP;
	else if (cmd_is(value, cmd_len, "INFO"))
		a->kind = ACCESS_INFO;
	else if (cmd_is(value, cmd_len, "WARN"))
		a->kind = ACCESS_WARN;
	else if (cmd_is(value, cmd_len, "FILTER"))
		a->kind = ACCESS_FILTER;
	else if (cmd_is(value, cmd_len, "HOLD"))
		a->kind = ACCESS_HOLD;
	else if (cmd_is(value, cmd_len, "DISCARD"))
		a->kind = ACCESS_DISCARD;
	else if (cmd_is(value, cmd_len, "REDIRECT"))
		a->kind = ACCESS_REDIRECT;
	else if (cmd_is(value, cmd_len, "BCC"))
		a->kind = ACCESS_BCC;
	else if (cmd_is(value, cmd_len, "DEFER_IF_PERMIT")) {
		a->kind = ACCESS_DEFER_IF_PERMIT;
		split_dsn(value, len, a, "4.7.1");
	} else if (cmd_is(value, cmd_len, "DEFER_IF_REJECT")) {
		a->kind = ACCESS_DEFER_IF_REJECT;
		split_dsn(value, len, a, "4.7.1");
	} else if (cmd_is(value, cmd_len, "PREPEND"))
		a->kind = ACCESS_PREPEND;
	else if (all_digits(value, len))
		a->kind = ACCESS_NUMERIC;
	else if (cmd_len == 3 && a->text.len > 0 && (value[0] == '4' || value[0] == '5')
		 && is_digit((unsigned char)value[1]) && is_digit((unsigned char)value[2])) {
		char def[6] = "5.7.1";

		a->kind = ACCESS_CODE;
		a->code = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
		def[0] = value[0];
		split_dsn(value, len, a, def);
	} else if (cmd_is(value, cmd_len, "OK") || cmd_is(value, cmd_len, "RELAY"))
		a->kind = ACCESS_OK;
	else if (has_byte(value, len, ':'))
		a->kind = ACCESS_TABLE_REF;
	else {
		size_t pos = 0, off, wl;

		a->kind = access_next_word(value, len, &pos, &off, &wl)
			? ACCESS_RESTRICTIONS : ACCESS_EMPTY;
		a->text.off = 0;
		a->text.len = len;
	}
}

bool
access_decides(const struct access_action *a)
{
	switch (a->kind) {
	case ACCESS_OK:
	case ACCESS_NUMERIC:
	case ACCESS_DISCARD:
	case ACCESS_REJECT:
	case ACCESS_DEFER:
	case ACCESS_CODE:
	case ACCESS_TABLE_REF:
	case ACCESS_EMPTY:
	case ACCESS_HANGUP:
		return true;
	default:
		return false;
	}
}

bool
access_rejects(const struct access_action *a, const char *value, size_t len)
{
	size_t pos = 0, off, wl;

	switch (a->kind) {
	case ACCESS_REJECT:
	case ACCESS_DEFER:
	case ACCESS_CODE:
		return true;
	case ACCESS_RESTRICTIONS:
		if (!access_next_word(value, len, &pos, &off, &wl))
			return false;
		return cmd_is(value + off, wl, "reject") || cmd_is(value + off, wl, "defer")
			|| cmd_is(value + off, wl, "defer_if_permit");
	default:
		return false;
	}
}

/* ---- restriction names ------------------------------------------------- */

/* the names and their arguments: core/restrictions.h */
bool
access_restriction_takes_arg(const char *name, size_t len)
{
	return restriction_takes_arg(name, len);
}

bool
access_is_builtin_restriction(const char *name, size_t len)
{
	return restriction_find(name, len) != NULL;
}

static bool
is_sep(int c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
access_next_word(const char *value, size_t len, size_t *pos, size_t *off, size_t *wlen)
{
	size_t p = *pos, start;
	int depth = 0;

	while (p < len && is_sep((unsigned char)value[p]))
		p++;
	if (p >= len) {
		*pos = p;
		return false;
	}
	/* mystrtokq(): separators inside { } do not end the word */
	start = p;
	for (; p < len; p++) {
		if (value[p] == '{')
			depth++;
		else if (value[p] == '}' && depth > 0)
			depth--;
		else if (depth == 0 && is_sep((unsigned char)value[p]))
			break;
	}
	*off = start;
	*wlen = p - start;
	*pos = p;
	return true;
}

/* ---- problems ---------------------------------------------------------- */

static void
add_problem(struct access_problem *out, size_t max, size_t *n, enum diag_code code,
	    enum diag_severity sev, size_t off, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

static void
add_problem(struct access_problem *out, size_t max, size_t *n, enum diag_code code,
	    enum diag_severity sev, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (*n < max) {
		struct access_problem *p = &out[*n];

		p->code = code;
		p->severity = sev;
		p->off = off;
		p->len = len;
		va_start(ap, fmt);
		vsnprintf(p->message, sizeof(p->message), fmt, ap);
		va_end(ap);
	}
	(*n)++;
}

/* is_header - Postfix is_header(): a name of printable non-space non-colon
 * bytes, optional blanks, then ':' */
static bool
is_header(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (unsigned char)s[i] > ' ' && (unsigned char)s[i] < 0x7f && s[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < len && is_blank((unsigned char)s[i]))
		i++;
	return i < len && s[i] == ':';
}

static int
clip(size_t len)
{
	return len > 60 ? 60 : (int)len;
}

static void
check_dsn(const char *value, const struct access_action *a, int code_digit,
	  struct access_problem *out, size_t max, size_t *n)
{
	const char *t = value + a->text.off;

	if (a->dsn_without_text)
		add_problem(out, max, n, DIAG_BAD_CODE, DIAG_ERROR, a->dsn.off, a->dsn.len,
			    "enhanced status code '%.*s' without text: Postfix 3.7 then "
			    "sends garbage as the reply text; add a text",
			    (int)a->dsn.len, value + a->dsn.off);
	else if (a->dsn.len && value[a->dsn.off] != code_digit)
		add_problem(out, max, n, DIAG_BAD_CODE, DIAG_WARNING, a->dsn.off, a->dsn.len,
			    "enhanced status code '%.*s' disagrees with the reply code; "
			    "Postfix sends %c%.*s",
			    (int)a->dsn.len, value + a->dsn.off, code_digit,
			    (int)a->dsn.len - 1, value + a->dsn.off + 1);
	else if (!a->dsn.len && a->text.len >= 5 && (t[0] == '2' || t[0] == '4' || t[0] == '5')
		 && t[1] == '.' && is_digit((unsigned char)t[2])) {
		size_t wl = 0;

		while (wl < a->text.len && !is_space((unsigned char)t[wl]))
			wl++;
		add_problem(out, max, n, DIAG_BAD_CODE, DIAG_WARNING, a->text.off, wl,
			    "'%.*s' is not a valid enhanced status code; Postfix sends it "
			    "as text after %s",
			    clip(wl), t, a->dsn_default);
	}
}

static void
check_restrictions(const char *value, size_t len, access_class_fn *is_class, void *ctx,
		   struct access_problem *out, size_t max, size_t *n)
{
	size_t pos = 0, off, wl;

	while (access_next_word(value, len, &pos, &off, &wl)) {
		const char *w = value + off;

		if (access_is_builtin_restriction(w, wl)) {
			if (access_restriction_takes_arg(w, wl)) {
				size_t aoff, al, save = pos;

				if (!access_next_word(value, len, &pos, &aoff, &al)) {
					pos = save;
					add_problem(out, max, n, DIAG_BAD_ACTION, DIAG_ERROR, off, wl,
						    "restriction '%.*s' needs an argument; smtpd "
						    "answers 451 4.3.5 Server configuration error",
						    clip(wl), w);
				}
			}
			continue;
		}
		if (is_class == NULL)
			continue;
		if (is_class(ctx, w, wl))
			continue;
		add_problem(out, max, n, DIAG_UNDEFINED_CLASS, DIAG_ERROR, off, wl,
			    "'%.*s' is neither an smtpd restriction nor a restriction class "
			    "(names are case-sensitive; list it in smtpd_restriction_classes "
			    "and define it): smtpd answers 451 4.3.5 Server configuration error",
			    clip(wl), w);
	}
}

size_t
access_check(const char *value, size_t len, const struct access_action *a,
	     access_class_fn *is_class, void *ctx, struct access_problem *out, size_t max)
{
	size_t n = 0;
	const char *t = value + a->text.off;

	switch (a->kind) {
	case ACCESS_REJECT:
	case ACCESS_DEFER:
		check_dsn(value, a, a->kind == ACCESS_REJECT ? '5' : '4', out, max, &n);
		if (a->text.len >= 3 && is_digit((unsigned char)t[0]) && is_digit((unsigned char)t[1])
		    && is_digit((unsigned char)t[2])
		    && (a->text.len == 3 || is_space((unsigned char)t[3])))
			add_problem(out, max, &n, DIAG_REJECT_TEXT_LOOKS_LIKE_CODE, DIAG_WARNING,
				    a->text.off, 3,
				    "'%.*s' after %.*s is reply text, not a code: smtpd replies "
				    "'%s ... rejected: %.*s'; write '%.*s' without %.*s to use that code",
				    3, t, (int)a->cmd.len, value,
				    a->kind == ACCESS_REJECT ? "554 5.7.1" : "450 4.7.1",
				    clip(a->text.len), t, clip(a->text.len), t,
				    (int)a->cmd.len, value);
		break;
	case ACCESS_DEFER_IF_PERMIT:
	case ACCESS_DEFER_IF_REJECT:
		check_dsn(value, a, '4', out, max, &n);
		break;
	case ACCESS_CODE:
		check_dsn(value, a, value[0], out, max, &n);
		break;
	case ACCESS_NUMERIC:
		if (len == 3 && (value[0] == '4' || value[0] == '5'))
			add_problem(out, max, &n, DIAG_BAD_CODE, DIAG_ERROR, 0, len,
				    "a reply code without text is an all-digit value, which "
				    "PERMITS the mail; write '%.3s text' or 'REJECT'", value);
		break;
	case ACCESS_FILTER:
		if (a->text.len == 0)
			add_problem(out, max, &n, DIAG_BAD_ACTION, DIAG_ERROR, a->cmd.off, a->cmd.len,
				    "FILTER without a value is ignored (smtpd warns and goes on); "
				    "write FILTER transport:destination");
		else if (!has_byte(t, a->text.len, ':'))
			add_problem(out, max, &n, DIAG_BAD_ACTION, DIAG_ERROR, a->text.off,
				    a->text.len,
				    "FILTER '%.*s' needs transport:destination; smtpd ignores it",
				    clip(a->text.len), t);
		break;
	case ACCESS_REDIRECT:
	case ACCESS_BCC:
		if (!has_byte(t, a->text.len, '@'))
			add_problem(out, max, &n, DIAG_BAD_ACTION, DIAG_ERROR,
				    a->text.len ? a->text.off : a->cmd.off,
				    a->text.len ? a->text.len : a->cmd.len,
				    "%.*s needs a user@domain target; smtpd ignores it",
				    (int)a->cmd.len, value);
		break;
	case ACCESS_PREPEND:
		if (a->text.len == 0 || !is_header(t, a->text.len))
			add_problem(out, max, &n, DIAG_BAD_ACTION, DIAG_ERROR,
				    a->text.len ? a->text.off : a->cmd.off,
				    a->text.len ? a->text.len : a->cmd.len,
				    "PREPEND needs 'Header-Name: value'; smtpd ignores it");
		break;
	case ACCESS_TABLE_REF:
		add_problem(out, max, &n, DIAG_BAD_ACTION, DIAG_ERROR, 0, len,
			    "a lookup table inside an access result is refused: smtpd answers "
			    "451 4.3.5 Server configuration error; define a restriction class "
			    "in main.cf and use its name");
		break;
	case ACCESS_RESTRICTIONS:
		if (a->cmd.len == 3 && all_digits(value, 3))
			add_problem(out, max, &n, DIAG_BAD_CODE, DIAG_ERROR, 0, 3,
				    "'%.3s' is not a 4xx/5xx reply code: the words are run as "
				    "restriction names and smtpd answers 451 4.3.5 Server "
				    "configuration error", value);
		else
			check_restrictions(value, len, is_class, ctx, out, max, &n);
		break;
	case ACCESS_EMPTY:
		add_problem(out, max, &n, DIAG_BAD_ACTION, DIAG_WARNING, 0, len,
			    "an empty result means OK (with a warning)");
		break;
	default:
		break;
	}
	return n;
}

/* ---- replies ----------------------------------------------------------- */

static const char *const ctx_class[] = {
	[ACCESS_CTX_CLIENT] = "Client host",
	[ACCESS_CTX_REV_CLIENT] = "Unverified Client host",
	[ACCESS_CTX_HELO] = "Helo command",
	[ACCESS_CTX_SENDER] = "Sender address",
	[ACCESS_CTX_RECIPIENT] = "Recipient address",
	[ACCESS_CTX_ETRN] = "Etrn command",
	[ACCESS_CTX_DATA] = "Data command",
	[ACCESS_CTX_EOD] = "End-of-data",
};

const char *
access_ctx_class(enum access_ctx ctx)
{
	if ((unsigned)ctx < sizeof(ctx_class) / sizeof(ctx_class[0]))
		return ctx_class[ctx];
	return "?";
}

void
access_reply_init(struct access_reply *r)
{
	r->code = 0;
	r->dsn[0] = 0;
	strbuf_init(&r->text);
}

void
access_reply_fini(struct access_reply *r)
{
	strbuf_fini(&r->text);
}

/* smtpd_dsn_fix() micro code table: sender, recipient replacements */
static const struct {
	const char *micro;
	const char *sender;
	const char *rcpt;
} dsn_map[] = {
	/* Postfix 3.7 (postfix-reference.md 3.4, checked against smtpd) */
	{ "1", "4.1.7", "4.1.1" },
	{ "2", "4.1.8", "4.1.2" },
	{ "3", "4.1.7", "4.1.3" },
	{ "4", "4.1.7", "4.1.4" },
	{ "5", "4.1.0", "4.1.5" },
	{ "6", "4.1.7", "4.1.6" },
	{ "7", "4.1.7", "4.1.3" },
	{ "8", "4.1.8", "4.1.2" },
	{ NULL, "4.1.0", "4.1.0" },
};

/* dsn_copy - snprintf(DST, 12, "%s", SRC) without printf */
static void
dsn_copy(char *dst, const char *src)
{
	size_t n;

	for (n = 0; n < 11 && src[n]; n++)
		dst[n] = src[n];
	dst[n] = 0;
}

void
access_dsn_fix(const char *dsn, enum access_ctx ctx, char *out)
{
	size_t i;
	const char *res;

	if (is_digit((unsigned char)dsn[0]) && strncmp(dsn + 1, ".1.", 3) == 0) {
		if (ctx == ACCESS_CTX_SENDER || ctx == ACCESS_CTX_RECIPIENT) {
			for (i = 0; dsn_map[i].micro; i++)
				if (strcmp(dsn + 4, dsn_map[i].micro) == 0)
					break;
			res = ctx == ACCESS_CTX_SENDER ? dsn_map[i].sender : dsn_map[i].rcpt;
		} else
			res = "4.0.0";
		/* the caller's first digit stays until smtpd_check_reject forces it */
		snprintf(out, 12, "%c%s", dsn[0], res + 1);
		return;
	}
	dsn_copy(out, dsn);
}

int
access_reply_set(struct access_reply *r, int code, const char *dsn, const char *text,
		 size_t tlen, bool soft_bounce)
{
	size_t i;

	strbuf_reset(&r->text);
	if (code < 400 || code > 599) {
		r->code = 450;
		snprintf(r->dsn, sizeof(r->dsn), "4.7.1");
		return strbuf_addstr(&r->text, "Service unavailable");
	}
	r->code = code;
	dsn_copy(r->dsn, dsn);
	if (strbuf_reserve(&r->text, tlen) < 0)
		return -1;
	/* printable(): control bytes and invalid UTF-8 (strict: overlong
	 * forms and surrogates too) become spaces */
	for (i = 0; i < tlen;) {
		unsigned char c = (unsigned char)text[i];
		size_t ul;

		if (c >= 0x20 && c < 0x7f) {
			/* a run of printable ASCII in one copy */
			size_t j = i + 1;

			while (j < tlen && (unsigned char)text[j] >= 0x20 && (unsigned char)text[j] < 0x7f)
				j++;
			strbuf_add(&r->text, text + i, j - i);
			i = j;
		} else if (c >= 0x80 && (ul = utf8_decode((const unsigned char *)text + i, tlen - i, NULL))) {
			strbuf_add(&r->text, text + i, ul);
			i += ul;
		} else {
			strbuf_addch(&r->text, ' ');
			i++;
		}
	}
	if (soft_bounce && r->code >= 500)
		r->code -= 100;
	r->dsn[0] = (char)('0' + r->code / 100);
	return 0;
}

int
access_reply_for(struct access_reply *r, const char *value, size_t len,
		 const struct access_action *a, enum access_ctx ctx, const char *name,
		 int reject_code, int defer_code)
{
	char dsn[12], fixed[12];
	const char *deftext;
	int code, ret;
	struct strbuf t;

	(void)len;
	switch (a->kind) {
	case ACCESS_REJECT:
		code = reject_code;
		deftext = "Access denied";
		break;
	case ACCESS_DEFER:
		code = defer_code;
		deftext = "Access denied";
		break;
	case ACCESS_CODE:
		code = a->code;
		deftext = "Access denied";
		break;
	case ACCESS_DEFER_IF_PERMIT:
	case ACCESS_DEFER_IF_REJECT:
		code = defer_code;
		deftext = "Service unavailable";
		break;
	default:
		return 0;
	}
	if (a->dsn.len) {
		size_t dl = a->dsn.len < sizeof(dsn) - 1 ? a->dsn.len : sizeof(dsn) - 1;

		memcpy(dsn, value + a->dsn.off, dl);
		dsn[dl] = 0;
	} else
		dsn_copy(dsn, a->dsn_default);
	access_dsn_fix(dsn, ctx, fixed);
	strbuf_init(&t);
	if (strbuf_addch(&t, '<') < 0 || strbuf_addstr(&t, name ? name : "(null)") < 0
	    || strbuf_addstr(&t, ">: ") < 0 || strbuf_addstr(&t, access_ctx_class(ctx)) < 0
	    || strbuf_addstr(&t, " rejected: ") < 0
	    || (a->text.len ? strbuf_add(&t, value + a->text.off, a->text.len)
		: a->dsn_without_text ? 0 : strbuf_addstr(&t, deftext)) < 0) {
		strbuf_fini(&t);
		return -1;
	}
	ret = access_reply_set(r, code, fixed, t.buf, t.len, false);
	strbuf_fini(&t);
	return ret < 0 ? -1 : 1;
}
