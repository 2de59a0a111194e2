/*
 * core/pattern.c - regexp_table(5)/pcre_table(5) sources into map rules.
 * The contract is in core/pattern.h; the rules Postfix applies are in
 * postfix-reference.md 5.1-5.3 (dict_regexp.c, dict_pcre.c).
 *
 * Each kept rule owns one buffer (pos->line_text): the joined logical line,
 * then NUL-separated copies of pattern, flags, result, pattern2, flags2,
 * which the struct map_rule points into.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/pattern.h"
#include "util/readlline.h"
#include "util/strbuf.h"
#include "util/safeopen.h"

void
pattern_table_init(struct pattern_table *pt, enum pattern_dialect dialect)
{
	memset(pt, 0, sizeof(*pt));
	pt->dialect = dialect;
}

void
pattern_table_fini(struct pattern_table *pt)
{
	size_t i;

	for (i = 0; i < pt->n; i++)
		free(pt->pos[i].line_text);
	free(pt->rules);
	free(pt->pos);
	free(pt->store);
	pattern_table_init(pt, pt->dialect);
}

enum pattern_dialect
pattern_dialect_for_type(const char *type)
{
	return type && strcmp(type, "pcre") == 0 ? PATTERN_PCRE : PATTERN_REGEXP;
}

static bool
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* ---- logical lines: util/readlline.c ---- */

struct plines {
	pattern_line_fn *fn;
	void *ctx;
};

static int
pline(void *ctx, const struct rll_line *l)
{
	const struct plines *pl = ctx;

	/* nlines runs to the next logical line: trailing comments and blank
	 * lines are counted with the line before them */
	return pl->fn(pl->ctx, l->text, l->len, l->first, l->upto - l->first + 1, l->start, l->end,
		      l->indented);
}

int
pattern_lines(const char *buf, size_t len, pattern_line_fn *fn, void *ctx)
{
	struct plines pl = { fn, ctx };

	return readllines(buf, len, RLL_COPY, pline, &pl);
}

/* ---- one line ---- */

struct pctx {
	struct pattern_table *pt;
	const char *file;
	unsigned flags;
	struct diag_list *dl;
	unsigned *ifs;              /* lines of open IFs */
	size_t nifs, capifs;
	size_t *if_rule;            /* rule index of each open IF */
	int err;
};

/* column of byte OFF of the joined line T */
static unsigned
col_of(const char *t, size_t off)
{
	return diag_column(t, off);
}

static int
say(struct pctx *c, enum diag_code code, unsigned line, const char *t, size_t off,
    const char *fmt, const char *arg)
{
	const char *kind = c->pt->dialect == PATTERN_PCRE ? "pcre" : "regexp";

	if (c->dl == NULL)
		return 0;
	return diag_add(c->dl, code, c->file, line, col_of(t, off), fmt, kind, arg ? arg : "");
}

/*
 * get_pat - parse [!...]DpatD[flags] at T[*I]: pattern range, flags range.
 * Returns 0, or -1 with *WHY set (and *WHERE the offending offset).
 */
static int
get_pat(const char *t, size_t n, size_t *i, bool *negate, size_t *ps, size_t *pl,
	size_t *fs, size_t *fl, bool regexp, const char **why, size_t *where)
{
	size_t k = *i;
	char delim;

	*negate = false;
	while (k < n && (t[k] == '!' || is_ws((unsigned char)t[k]))) {
		if (t[k] == '!')
			*negate = !*negate;
		k++;
	}
	if (k >= n) {
		*why = "no regexp: skipping this rule";
		*where = k;
		return -1;
	}
	delim = t[k++];
	*ps = k;
	while (k < n && t[k] != delim) {
		if (t[k] == '\\' && k + 1 < n)
			k++;
		k++;
	}
	if (k >= n) {
		*why = "no closing regexp delimiter";
		*where = *ps - 1;
		return -1;
	}
	*pl = k - *ps;
	k++;
	*fs = k;
	while (k < n && !is_ws((unsigned char)t[k]) && !(regexp && t[k] == '!'))
		k++;
	*fl = k - *fs;
	*i = k;
	return 0;
}

static int
check_flags(struct pctx *c, unsigned line, const char *t, size_t fs, size_t fl)
{
	const char *ok = c->pt->dialect == PATTERN_PCRE ? "imxsAEUX" : "imx";
	size_t k;

	for (k = 0; k < fl; k++) {
		char f[2] = { t[fs + k], 0 };

		if (strchr(ok, t[fs + k]) == NULL || t[fs + k] == '\0') {
			say(c, DIAG_SYNTAX, line, t, fs + k,
			    "%s: unknown regexp option \"%s\": Postfix skips this rule", f);
			return -1;
		}
		if (t[fs + k] == 'X' && c->dl)
			diag_add_sev(c->dl, DIAG_WARNING, DIAG_SYNTAX, c->file, line,
				     col_of(t, fs + k), "pcre: flag X is obsolete and ignored");
	}
	return 0;
}

/* check_result - $N syntax in RESULT; returns -1 when Postfix skips the rule */
static int
check_result(struct pctx *c, unsigned line, const char *t, size_t rs, size_t rl, bool negate)
{
	size_t k;

	for (k = rs; k < rs + rl; k++) {
		size_t at = k, ns, ne;
		bool num = true;

		if (t[k] != '$')
			continue;
		if (k + 1 < rs + rl && t[k + 1] == '$') {
			k++;
			continue;
		}
		k++;
		if (k < rs + rl && (t[k] == '{' || t[k] == '(')) {
			char close = t[k] == '{' ? '}' : ')';

			ns = k + 1;
			ne = ns;
			while (ne < rs + rl && t[ne] != close)
				ne++;
			if (ne >= rs + rl) {
				say(c, DIAG_SYNTAX, line, t, at,
				    "%s: truncated macro reference%s: Postfix skips this rule", "");
				return -1;
			}
			k = ne;
		} else {
			ns = k;
			ne = k;
			while (ne < rs + rl && (isalnum((unsigned char)t[ne]) || t[ne] == '_'))
				ne++;
			k = ne ? ne - 1 : ne;
		}
		if (ne == ns) {
			/* a lone '$' is kept literally by Postfix's mac_parse */
			continue;
		}
		for (size_t q = ns; q < ne; q++)
			num &= isdigit((unsigned char)t[q]) != 0;
		if (!num) {
			char nm[64];
			size_t l = ne - ns < sizeof(nm) - 1 ? ne - ns : sizeof(nm) - 1;

			memcpy(nm, t + ns, l);
			nm[l] = '\0';
			say(c, DIAG_SYNTAX, line, t, at,
			    "%s: non-numeric replacement index \"%s\": Postfix skips this rule "
			    "(write $$ for a literal $)", nm);
			return -1;
		}
		if (ne - ns == 1 && t[ns] == '0') {
			say(c, DIAG_SYNTAX, line, t, at,
			    "%s: out-of-range replacement index \"0\": Postfix skips this rule%s", "");
			return -1;
		}
		if (negate) {
			say(c, DIAG_SYNTAX, line, t, at,
			    "%s: $number found in negative match replacement text: Postfix skips "
			    "this rule%s", "");
			return -1;
		}
		if (c->flags & PATTERN_NO_REGSUB) {
			say(c, DIAG_SYNTAX, line, t, at,
			    "%s: regular expression substitution is not allowed in a transport "
			    "table: Postfix skips this rule%s", "");
			return -1;
		}
	}
	return 0;
}

static int
push_rule(struct pctx *c, enum map_rule_kind kind, const char *t, size_t n, unsigned line,
	  bool negate, size_t ps, size_t pl, size_t fs, size_t fl, size_t rs, size_t rl,
	  bool has_result, size_t p2s, size_t p2l, size_t f2s, size_t f2l, bool has2)
{
	struct pattern_table *pt = c->pt;
	struct map_rule *r;
	struct pattern_pos *p;
	char *buf, *w;
	size_t need = n + 1 + pl + 1 + fl + 1 + rl + 1 + p2l + 1 + f2l + 1;

	if (pt->n == pt->cap) {
		size_t cap = pt->cap ? pt->cap * 2 : 16;
		struct map_rule *nr = realloc(pt->rules, cap * sizeof(*nr));
		struct pattern_pos *np;

		if (nr == NULL)
			return -1;
		pt->rules = nr;
		np = realloc(pt->pos, cap * sizeof(*np));
		if (np == NULL)
			return -1;
		pt->pos = np;
		pt->cap = cap;
	}
	buf = malloc(need);
	if (buf == NULL)
		return -1;
	w = buf;
	memcpy(w, t, n);
	w[n] = '\0';
	w += n + 1;
	r = &pt->rules[pt->n];
	p = &pt->pos[pt->n];
	memset(r, 0, sizeof(*r));
	memset(p, 0, sizeof(*p));
	p->line_text = buf;
	r->kind = kind;
	r->negate = negate;
	r->line = line;
	p->line = line;
	p->col = 1;
	if (kind != MAP_RULE_ENDIF) {
		memcpy(w, t + ps, pl);
		w[pl] = '\0';
		r->pattern = w;
		r->pattern_len = pl;
		w += pl + 1;
		memcpy(w, t + fs, fl);
		w[fl] = '\0';
		r->flags = w;
		w += fl + 1;
		p->pattern_col = col_of(t, ps);
		p->pattern_off = ps;
	}
	if (kind == MAP_RULE_MATCH) {
		memcpy(w, t + rs, rl);
		w[rl] = '\0';
		r->result = w;
		r->result_len = rl;
		w += rl + 1;
		p->result_col = has_result ? col_of(t, rs) : 0;
	}
	if (has2) {
		memcpy(w, t + p2s, p2l);
		w[p2l] = '\0';
		r->pattern2 = p->pattern2 = w;
		r->pattern2_len = p->pattern2_len = p2l;
		w += p2l + 1;
		memcpy(w, t + f2s, f2l);
		w[f2l] = '\0';
		r->flags2 = p->flags2 = w;
		p->pattern2_col = col_of(t, p2s);
	}
	pt->n++;
	return 0;
}

static int
parse_line(void *ctx, const char *text, size_t len, unsigned line, unsigned nlines,
	   size_t start, size_t end, bool indented)
{
	struct pctx *c = ctx;
	const char *t = text;
	size_t n = len, i = 0;
	bool regexp = c->pt->dialect == PATTERN_REGEXP;

	(void)start;
	(void)end;
	c->pt->nlines += nlines;
	while (n > 0 && is_ws((unsigned char)t[n - 1]))
		n--;
	if (indented) {
		if (say(c, DIAG_SYNTAX, line, t, 0,
			"%s: the first rule must not start with whitespace: Postfix ignores "
			"this line%s", "") < 0)
			return -1;
		return 0;
	}
	if (isalnum((unsigned char)t[0])) {
		size_t w = 0;

		while (w < n && isalnum((unsigned char)t[w]))
			w++;
		if (w == 2 && strncasecmp(t, "if", 2) == 0) {
			bool neg;
			size_t ps, pl, fs, fl, where;
			const char *why;

			i = 2;
			while (i < n && is_ws((unsigned char)t[i]))
				i++;
			if (get_pat(t, n, &i, &neg, &ps, &pl, &fs, &fl, regexp, &why, &where) < 0) {
				say(c, DIAG_SYNTAX, line, t, where, "%s: %s: Postfix skips this IF", why);
				return 0;
			}
			if (check_flags(c, line, t, fs, fl) < 0)
				return 0;
			while (i < n && is_ws((unsigned char)t[i]))
				i++;
			if (i < n) {
				char ex[64];
				size_t l = n - i < sizeof(ex) - 1 ? n - i : sizeof(ex) - 1;

				memcpy(ex, t + i, l);
				ex[l] = '\0';
				say(c, DIAG_SYNTAX, line, t, i,
				    "%s: ignoring extra text after IF statement: \"%s\"; Postfix keeps "
				    "the IF and loses this text (do not indent the rules between IF "
				    "and ENDIF)", ex);
			}
			if (push_rule(c, MAP_RULE_IF, t, n, line, neg, ps, pl, fs, fl, 0, 0, false,
				      0, 0, 0, 0, false) < 0)
				return -1;
			if (c->nifs == c->capifs) {
				size_t cap = c->capifs ? c->capifs * 2 : 8;
				unsigned *v = realloc(c->ifs, cap * sizeof(*v));
				size_t *r;

				if (v == NULL)
					return -1;
				c->ifs = v;
				r = realloc(c->if_rule, cap * sizeof(*r));
				if (r == NULL)
					return -1;
				c->if_rule = r;
				c->capifs = cap;
			}
			c->ifs[c->nifs] = line;
			c->if_rule[c->nifs++] = c->pt->n - 1;
			return 0;
		}
		if (w == 5 && strncasecmp(t, "endif", 5) == 0) {
			if (c->nifs == 0) {
				say(c, DIAG_SYNTAX, line, t, 0,
				    "%s: ignoring ENDIF without matching IF%s", "");
				return 0;
			}
			i = 5;
			while (i < n && is_ws((unsigned char)t[i]))
				i++;
			if (i < n)
				say(c, DIAG_SYNTAX, line, t, i,
				    "%s: ignoring extra text after ENDIF%s", "");
			c->nifs--;
			return push_rule(c, MAP_RULE_ENDIF, t, n, line, false, 0, 0, 0, 0, 0, 0,
					 false, 0, 0, 0, 0, false);
		}
		say(c, DIAG_SYNTAX, line, t, 0,
		    "%s: ignoring unrecognized request: a rule must start with a delimiter "
		    "such as /, or be if/endif%s", "");
		return 0;
	}
	{
		bool neg, neg2 = false, has2 = false;
		size_t ps, pl, fs, fl, p2s = 0, p2l = 0, f2s = 0, f2l = 0, rs, where;
		const char *why;

		if (get_pat(t, n, &i, &neg, &ps, &pl, &fs, &fl, regexp, &why, &where) < 0) {
			char d[2] = { t[where], 0 };

			if (strcmp(why, "no closing regexp delimiter") == 0)
				say(c, DIAG_SYNTAX, line, t, where,
				    "%s: no closing regexp delimiter \"%s\": Postfix skips this rule", d);
			else
				say(c, DIAG_SYNTAX, line, t, where, "%s: %s", why);
			return 0;
		}
		if (check_flags(c, line, t, fs, fl) < 0)
			return 0;
		if (regexp && i < n && t[i] == '!') {
			i++;
			if (get_pat(t, n, &i, &neg2, &p2s, &p2l, &f2s, &f2l, regexp, &why,
				    &where) < 0) {
				say(c, DIAG_SYNTAX, line, t, where,
				    "%s: %s (second pattern): Postfix skips this rule", why);
				return 0;
			}
			if (check_flags(c, line, t, f2s, f2l) < 0)
				return 0;
			has2 = true;
		}
		while (i < n && is_ws((unsigned char)t[i]))
			i++;
		rs = i;
		if (rs >= n) {
			if (c->dl && diag_add(c->dl, DIAG_NO_RESULT, c->file, line, col_of(t, 0),
					      "%s: rule without result (\"no replacement text: using "
					      "empty string\"): Postfix loads it, and smtpd answers "
					      "451 4.3.5 Server configuration error to every match: "
					      "add an action",
					      regexp ? "regexp" : "pcre") < 0)
				return -1;
		} else if (check_result(c, line, t, rs, n - rs, neg || has2) < 0) {
			return 0;
		}
		return push_rule(c, MAP_RULE_MATCH, t, n, line, neg, ps, pl, fs, fl, rs,
				 rs < n ? n - rs : 0, rs < n, p2s, p2l, f2s, f2l, has2);
	}
}

long
pattern_parse_buf(struct pattern_table *pt, const char *buf, size_t len, const char *file,
		  unsigned flags, struct diag_list *dl)
{
	struct pctx c;
	size_t before = pt->n, k;
	int rc;

	memset(&c, 0, sizeof(c));
	c.pt = pt;
	c.file = file;
	c.flags = flags;
	c.dl = dl;
	rc = pattern_lines(buf, len, parse_line, &c);
	if (rc == 0 && dl)
		for (k = 0; k < c.nifs; k++) {
			const struct pattern_pos *p = &pt->pos[c.if_rule[k]];

			if (diag_add(dl, DIAG_SYNTAX, file, c.ifs[k], p->col,
				     "%s: IF has no matching ENDIF: when this IF does not match, "
				     "Postfix stops the lookup here and no later rule is ever "
				     "reached: add endif", pt->dialect == PATTERN_PCRE ? "pcre"
				     : "regexp") < 0)
				rc = -1;
		}
	free(c.ifs);
	free(c.if_rule);
	if (rc < 0) {
		errno = ENOMEM;
		return -1;
	}
	return (long)(pt->n - before);
}

long
pattern_parse_file(struct pattern_table *pt, const char *path, unsigned flags,
		   struct diag_list *dl)
{
	struct strbuf sb;
	char tmp[65536];
	ssize_t n;
	long rc;
	int fd, e;

	fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, NULL, NULL, 0);
	if (fd < 0)
		return -1;
	strbuf_init(&sb);
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = errno;
			close(fd);
			strbuf_fini(&sb);
			errno = e;
			return -1;
		}
		if (strbuf_add(&sb, tmp, (size_t)n) < 0) {
			close(fd);
			strbuf_fini(&sb);
			errno = ENOMEM;
			return -1;
		}
	}
	close(fd);
	rc = pattern_parse_buf(pt, sb.buf, sb.len, path, flags, dl);
	strbuf_fini(&sb);
	return rc;
}

long
pattern_compile_check(const struct pattern_table *pt, const char *type, const char *file,
		      struct diag_list *dl)
{
	size_t i;
	long bad = 0;

	if (map_find_type(type) == NULL) {
		errno = ENOSYS;
		return -1;
	}
	for (i = 0; i < pt->n; i++) {
		struct map_rule r = pt->rules[i];
		const struct pattern_pos *p = &pt->pos[i];
		struct map_error err;
		struct map *m;
		unsigned col;
		enum diag_code code = DIAG_BAD_REGEX;

		if (r.kind == MAP_RULE_ENDIF)
			continue;
		if (r.kind == MAP_RULE_IF) {
			r.kind = MAP_RULE_MATCH;
			r.result = "x";
			r.result_len = 1;
		}
		if (r.result_len == 0) {
			r.result = "x";
			r.result_len = 1;
		}
		memset(&err, 0, sizeof(err));
		m = map_open(type, file, &r, 1, 0, &err);
		if (m) {
			map_close(m);
			continue;
		}
		bad++;
		switch (err.where) {
		case MAP_ERR_PATTERN2:
			col = p->pattern2_col + (unsigned)err.offset;
			break;
		case MAP_ERR_FLAGS:
			col = p->pattern_col + (unsigned)r.pattern_len + 1 + (unsigned)err.offset;
			code = DIAG_SYNTAX;
			break;
		case MAP_ERR_RESULT:
			col = p->result_col + (unsigned)err.offset;
			code = DIAG_SYNTAX;
			break;
		default:
			col = p->pattern_col + (unsigned)err.offset;
			break;
		}
		if (dl && diag_add(dl, code, file, p->line, col,
				   "%s: %s: Postfix skips this rule and loads the rest",
				   type, err.text) < 0)
			return -1;
	}
	return bad;
}

struct map *
pattern_open(const struct pattern_table *pt, const char *type, const char *name,
	     struct map_error *err)
{
	return map_open(type, name, pt->rules, pt->n, MAP_OPEN_SKIP_BAD, err);
}

void
pattern_rule_text(const struct pattern_table *pt, size_t i, char *buf, size_t size)
{
	const struct map_rule *r = &pt->rules[i];
	const struct pattern_pos *p = &pt->pos[i];
	char d = '/';

	if (p->line_text && p->pattern_off > 0)
		d = p->line_text[p->pattern_off - 1];
	snprintf(buf, size, "%s%c%.*s%c%s", r->negate ? "!" : "", d, (int)r->pattern_len,
		 r->pattern, d, r->flags ? r->flags : "");
	if (r->pattern2) {
		size_t n = strlen(buf);

		if (n < size)
			snprintf(buf + n, size - n, "!%c%.*s%c%s", d, (int)r->pattern2_len,
				 r->pattern2, d, r->flags2 ? r->flags2 : "");
	}
}
