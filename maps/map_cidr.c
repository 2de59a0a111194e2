/*
 * maps/map_cidr.c - cidr: tables, as Postfix 3.7's dict_cidr.c and
 * cidr_match.c: the one place that knows cidr_table(5) syntax.
 *
 * The source (a file, or "{ {rule}, {rule} }" written in main.cf, split as
 * dict_stream.c does) is read in logical lines (util/readlline.c: comments,
 * blank lines, continuation lines that start with whitespace) and each
 * line parsed as dict_cidr_parse_rule: "[!...]network[/len] result",
 * "IF [!]network[/len]" ... "ENDIF".  A line Postfix cannot parse (bad
 * address, bad mask value or length, non-null host bits, no result,
 * ENDIF without IF ...) is skipped with Postfix's reason; the rest are
 * kept in file order.  A lookup is cidr_match_execute: the key's family
 * is IPv6 when it contains ':', else IPv4, inet_pton must accept it
 * (no brackets, no scope), and the first rule that matches answers; an IF
 * that does not match jumps past its ENDIF (to the end, not found, when
 * its ENDIF is missing).
 *
 * Callers that want the skipped rules (check, query) open through
 * map_cidr_open() with a note function; map_open("cidr", ...) drops them.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "maps/map_int.h"
#include "util/readlline.h"
#include "util/safeopen.h"

enum { OP_MATCH = 1, OP_IF, OP_ENDIF };

struct crule {
	unsigned char op;
	unsigned char match;        /* 1: positive, 0: negated by '!' */
	unsigned char v6;           /* address family: IPv6, else IPv4 */
	unsigned char nbytes;       /* 4 or 16 */
	unsigned char shift;        /* prefix length */
	unsigned wrapped;           /* the length as written when over 255 (read as shift) */
	unsigned char net[16], mask[16];
	size_t block_end;           /* OP_IF: index of its ENDIF, SIZE_MAX if none */
	unsigned line;
	char *pattern;              /* as written, '!'s and IF included */
	char *value;
};

struct cidr_map {
	struct map m;               /* first */
	struct crule *r;
	size_t n, cap;
};

/* ISSPACE/ISALNUM as Postfix's sys_defs.h: ASCII only */
static int
cspace(int c)
{
	return c >= 0 && c < 128 && (c == ' ' || (c >= '\t' && c <= '\r'));
}

static int
calnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* mask_addr - keep the first SHIFT bits of ADDR (N bytes) */
static void
mask_addr(unsigned char *addr, unsigned n, unsigned shift)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (shift >= 8)
			shift -= 8;
		else {
			addr[i] &= (unsigned char)(0xff00 >> shift);
			shift = 0;
		}
	}
}

/* parse_pattern - cidr_match_parse on PAT (modified); NULL, or the reason
 * in WHY */
static const char *
parse_pattern(struct crule *c, char *pat, int match, char *why, size_t wl)
{
	char *ms = pat, *mask, *slash;
	unsigned bits;

	if (*pat == '[') {
		char *rb = strchr(++pat, ']');

		if (rb == NULL) {
			snprintf(why, wl, "missing ']' character after \"[%s\"", pat);
			return why;
		}
		*rb = 0;
		ms = rb + 1;
		if (*ms != '/') {
			if (*ms != 0) {
				snprintf(why, wl, "garbage after \"[%s]\"", pat);
				return why;
			}
			ms = pat;
		}
	}
	c->v6 = strchr(pat, ':') != NULL;
	c->nbytes = c->v6 ? 16 : 4;
	bits = c->nbytes * 8u;
	if ((slash = strchr(ms, '/')) != NULL) {
		const char *e = NULL;
		size_t i;

		*slash = 0;
		mask = slash + 1;
		for (i = 0; mask[i] >= '0' && mask[i] <= '9'; i++)
			;
		if (i == 0 || mask[i] != 0)
			e = "bad mask value";
		/* atoi() into an unsigned char, as cidr_match.c: "/264" is /8 */
		else if ((c->shift = (unsigned char)(int)strtol(mask, NULL, 10)) > bits)
			e = "bad mask length";
		else if (inet_pton(c->v6 ? AF_INET6 : AF_INET, pat, c->net) != 1)
			e = "bad network value";
		if (e == NULL && (i > 3 || strtol(mask, NULL, 10) > 255))
			c->wrapped = (unsigned)(i > 9 ? 999999999 : strtol(mask, NULL, 10));
		if (e != NULL) {
			snprintf(why, wl, "%s in \"%s/%s\"", e, pat, mask);
			return why;
		}
		memset(c->mask, 0xff, c->nbytes);
		mask_addr(c->mask, c->nbytes, c->shift);
		for (i = 0; i < c->nbytes; i++)
			if (c->net[i] & ~c->mask[i]) {
				char a[INET6_ADDRSTRLEN];

				mask_addr(c->net, c->nbytes, c->shift);
				inet_ntop(c->v6 ? AF_INET6 : AF_INET, c->net, a, sizeof(a));
				snprintf(why, wl, "non-null host address bits in \"%s/%s\", "
					 "perhaps you should use \"%s/%d\" instead", pat, mask, a,
					 c->shift);
				return why;
			}
	} else {
		if (inet_pton(c->v6 ? AF_INET6 : AF_INET, pat, c->net) != 1) {
			snprintf(why, wl, "bad address pattern: \"%s\"", pat);
			return why;
		}
		c->shift = (unsigned char)bits;
		memset(c->mask, 0xff, c->nbytes);
	}
	c->op = OP_MATCH;
	c->match = (unsigned char)match;
	return NULL;
}

/* trim - remove trailing blanks of S (trimblanks) */
static void
trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && cspace((unsigned char)s[n - 1]))
		n--;
	s[n] = 0;
}

/* parse_rule - dict_cidr_parse_rule on the logical line P (modified).
 * NULL with C filled, or the reason in WHY; *AT gets the offset in P of
 * what the reason is about, *VAL the offset of the result */
static const char *
parse_rule(struct crule *c, char *p, int nesting, size_t *at, size_t *val, char *why,
	   size_t wl)
{
	char *line = p, *pattern;
	int match = 1;

	memset(c, 0, sizeof(*c));
	*at = *val = 0;
	if (strncasecmp(p, "IF", 2) == 0 && !calnum((unsigned char)p[2])) {
		for (p += 2; *p == '!' || cspace((unsigned char)*p); p++)
			if (*p == '!')
				match = !match;
		*at = (size_t)(p - line);
		if (*p == 0) {
			snprintf(why, wl, "no address pattern");
			return why;
		}
		trim(p);
		if (parse_pattern(c, p, match, why, wl) != NULL)
			return why;
		c->op = OP_IF;
		return NULL;
	}
	if (strncasecmp(p, "ENDIF", 5) == 0 && !calnum((unsigned char)p[5])) {
		for (p += 5; cspace((unsigned char)*p); p++)
			;
		if (*p != 0) {
			*at = (size_t)(p - line);
			snprintf(why, wl, "garbage after ENDIF");
			return why;
		}
		if (nesting == 0) {
			snprintf(why, wl, "ENDIF without IF");
			return why;
		}
		c->op = OP_ENDIF;
		return NULL;
	}
	for (; *p == '!' || cspace((unsigned char)*p); p++)
		if (*p == '!')
			match = !match;
	pattern = p;
	*at = (size_t)(p - line);
	while (*p && !cspace((unsigned char)*p))
		p++;
	if (*p)
		*p++ = 0;
	while (*p && cspace((unsigned char)*p))
		p++;
	*val = (size_t)(p - line);
	trim(p);
	if (*pattern == 0) {
		snprintf(why, wl, "no address pattern");
		return why;
	}
	if (parse_pattern(c, pattern, match, why, wl) != NULL)
		return why;
	if (*p == 0) {
		*at = *val;
		snprintf(why, wl, "no lookup result");
		return why;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* logical lines (util/readlline.c) and the inline form (dict_stream.c) */

/* llpos - physical line and byte column of offset OFF in the logical line */
static void
llpos(const struct rll_line *l, size_t off, unsigned *line, unsigned *col)
{
	size_t ls, so = rll_where(l, off, line, &ls);

	*col = (unsigned)(so - ls) + 1;
}

/* balpar - length of the balanced "{...}" at S, 0 if unbalanced */
static size_t
balpar(const char *s)
{
	size_t i, depth = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] == '{')
			depth++;
		else if (s[i] == '}' && depth > 0 && --depth == 0)
			return i + 1;
	}
	return 0;
}

/* extpar - strip "{...}" from *BP (extpar.c); NULL, or the reason */
static const char *
extpar(char **bp, bool strip, char *why, size_t wl)
{
	char *cp = *bp;
	size_t len;

	if (cp[0] != '{') {
		snprintf(why, wl, "no '{' at start of text in \"%s\"", cp);
		return why;
	}
	if ((len = balpar(cp)) == 0) {
		snprintf(why, wl, "missing '}' in \"%s\"", cp);
		return why;
	}
	if (cp[len] != 0) {
		snprintf(why, wl, "syntax error after '}' in \"%s\"", cp);
		return why;
	}
	cp[len - 1] = 0;
	cp++;
	if (strip) {
		trim(cp);
		while (cspace((unsigned char)*cp))
			cp++;
	}
	*bp = cp;
	return NULL;
}

/* inline_text - "{ {a b}, {c d} }" as "a b\nc d\n" (dict_inline_to_multiline);
 * 0, -1 with WHY filled ("cidr map: ..."), or -1 with errno ENOMEM */
static int
inline_text(const char *name, struct strbuf *out, char *why, size_t wl)
{
	char *copy = strdup(name), *bp = copy, *cp;
	char r[200];
	int ret = 0;

	errno = 0;
	if (copy == NULL)
		return -1;
	if (extpar(&bp, false, r, sizeof(r)) != NULL)
		ret = -1;
	while (ret == 0) {
		/* mystrtokq(&bp, ", \t\r\n", "{}") */
		size_t depth = 0;

		while (*bp && strchr(", \t\r\n", *bp))
			bp++;
		if (*bp == 0)
			break;
		for (cp = bp; *bp; bp++) {
			if (*bp == '{')
				depth++;
			else if (*bp == '}' && depth > 0)
				depth--;
			else if (depth == 0 && strchr(", \t\r\n", *bp))
				break;
		}
		if (*bp)
			*bp++ = 0;
		if (extpar(&cp, true, r, sizeof(r)) != NULL)
			ret = -1;
		else if (strbuf_addstr(out, cp) < 0 || strbuf_addch(out, '\n') < 0) {
			free(copy);
			return -1;
		}
	}
	if (ret < 0)
		snprintf(why, wl, "cidr map: %s", r);
	free(copy);
	return ret;
}

/* ------------------------------------------------------------------ */
/* parsing a whole source                                               */

static void
crule_free(struct crule *c)
{
	free(c->pattern);
	free(c->value);
}

/* parsing a whole source: the state across logical lines */
struct cparse {
	struct cidr_map *cm;        /* rules kept here (NULL: notes only) */
	map_cidr_fn *fn;
	void *ctx;
	size_t *stack, nesting, capstack, nkept;
	struct strbuf work;         /* the line, for parse_rule to cut up */
};

/* one_line - one logical line L: a rule, or a note; 0 or FN's/-1 (ENOMEM) */
static int
one_line(void *arg, const struct rll_line *l)
{
	struct cparse *st = arg;
	int ret = 0;
	struct map_cidr_note note;
	struct crule c;
	char why[512];
	size_t at, val;
	char *copy;

	if ((copy = strdup(l->text)) == NULL)
		return -1;
	memset(&note, 0, sizeof(note));
	if (l->indented) {
		/* readllines: "logical line must not start with whitespace" */
		llpos(l, 0, &note.line, &note.col);
		snprintf(why, sizeof(why), "logical line must not start with whitespace: "
			 "\"%.30s%s\"", l->text, l->len > 30 ? "..." : "");
		note.kind = MAP_CIDR_BAD_LINE;
		note.why = why;
		if (st->fn != NULL)
			ret = st->fn(st->ctx, &note);
		free(copy);
		return ret;
	}
	strbuf_reset(&st->work);
	if (strbuf_add(&st->work, l->text, l->len) < 0) {
		free(copy);
		return -1;
	}
	if (parse_rule(&c, st->work.buf, (int)st->nesting, &at, &val, why, sizeof(why)) != NULL) {
		llpos(l, at, &note.line, &note.col);
		note.kind = MAP_CIDR_SKIPPED;
		note.why = why;
		if (st->fn != NULL)
			ret = st->fn(st->ctx, &note);
		free(copy);
		return ret;
	}
	llpos(l, 0, &c.line, &note.col);
	c.block_end = SIZE_MAX;
	/* the pattern as written: the line up to the end of the pattern */
	copy[c.op == OP_MATCH ? strcspn(copy + at, " \t\n\v\f\r") + at : strlen(copy)] = 0;
	trim(copy);
	c.pattern = copy;
	c.value = strdup(c.op == OP_MATCH ? st->work.buf + val : "");
	if (c.value == NULL) {
		crule_free(&c);
		return -1;
	}
	if (c.op == OP_MATCH && st->fn != NULL) {
		note.kind = MAP_CIDR_RULE;
		note.line = c.line;
		note.col = 1;
		note.pattern = c.pattern;
		note.value = c.value;
		llpos(l, val, &note.vline, &note.vcol);
		if (c.wrapped) {
			/* Postfix keeps the low 8 bits of the number: what it does,
			 * hardly what was meant */
			char a[INET6_ADDRSTRLEN];

			inet_ntop(c.v6 ? AF_INET6 : AF_INET, c.net, a, sizeof(a));
			snprintf(why, sizeof(why), "prefix length /%u is read as /%u (Postfix "
				 "keeps its low 8 bits): this rule matches %s%s/%u",
				 c.wrapped, c.shift, c.match ? "" : "what is not in ", a, c.shift);
			note.why = why;
		}
		ret = st->fn(st->ctx, &note);
	}
	if (c.op == OP_IF) {
		if (st->nesting == st->capstack) {
			size_t nc = st->capstack ? st->capstack * 2 : 8;
			size_t *ns = realloc(st->stack, nc * sizeof(*ns));

			if (ns == NULL) {
				crule_free(&c);
				return -1;
			}
			st->stack = ns;
			st->capstack = nc;
		}
		st->stack[st->nesting++] = st->nkept;
	} else if (c.op == OP_ENDIF && st->cm != NULL) {
		st->cm->r[st->stack[--st->nesting]].block_end = st->nkept;
	} else if (c.op == OP_ENDIF)
		st->nesting--;
	if (st->cm == NULL) {
		crule_free(&c);
		st->nkept++;
		return ret;
	}
	if (st->cm->n == st->cm->cap) {
		size_t nc = st->cm->cap ? st->cm->cap * 2 : 16;
		struct crule *nr = realloc(st->cm->r, nc * sizeof(*nr));

		if (nr == NULL) {
			crule_free(&c);
			return -1;
		}
		st->cm->r = nr;
		st->cm->cap = nc;
	}
	st->cm->r[st->cm->n++] = c;
	st->nkept++;
	return ret;
}

/* parse_source - every logical line of SRC; rules kept into CM (may be
 * NULL: notes only).  0 or -1 (ENOMEM; or the note function's -1). */
static int
parse_source(const char *src, size_t len, struct cidr_map *cm, map_cidr_fn *fn, void *ctx)
{
	struct cparse st;
	int ret;

	memset(&st, 0, sizeof(st));
	st.cm = cm;
	st.fn = fn;
	st.ctx = ctx;
	strbuf_init(&st.work);
	ret = readllines(src, len, RLL_COPY, one_line, &st);
	/* "IF has no matching ENDIF": a warning; the IF stays, with no end */
	while (ret == 0 && st.nesting > 0) {
		struct map_cidr_note note;

		memset(&note, 0, sizeof(note));
		note.kind = MAP_CIDR_NO_ENDIF;
		note.why = "IF has no matching ENDIF";
		note.line = cm ? cm->r[st.stack[st.nesting - 1]].line : 0;
		note.col = 1;
		st.nesting--;
		if (fn != NULL && cm != NULL)
			ret = fn(ctx, &note);
	}
	free(st.stack);
	strbuf_fini(&st.work);
	return ret;
}

int
map_cidr_check(const char *src, size_t len, map_cidr_fn *fn, void *ctx)
{
	struct cidr_map cm;
	int ret;

	/* the rules are kept for "IF has no matching ENDIF" and its line */
	memset(&cm, 0, sizeof(cm));
	ret = parse_source(src, len, &cm, fn, ctx);
	while (cm.n > 0)
		crule_free(&cm.r[--cm.n]);
	free(cm.r);
	return ret;
}

/* ------------------------------------------------------------------ */
/* the backend                                                          */

static void
cidr_close(struct map *m)
{
	struct cidr_map *cm = (struct cidr_map *)m;

	while (cm->n > 0)
		crule_free(&cm->r[--cm->n]);
	free(cm->r);
	free(cm->m.name);
	free(cm);
}

struct map *
map_cidr_open(const char *name, map_cidr_fn *fn, void *ctx, struct map_error *err)
{
	struct cidr_map *cm;
	struct strbuf src;
	char why[512];
	int ret;

	if ((cm = calloc(1, sizeof(*cm))) == NULL || (cm->m.name = strdup(name)) == NULL) {
		free(cm);
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	strbuf_init(&src);
	if (name[0] == '{') {
		if (inline_text(name, &src, why, sizeof(why)) < 0) {
			int e = errno;

			strbuf_fini(&src);
			cidr_close(&cm->m);
			map_error_set(err, e, "%s", e ? strerror(e) : why);
			return NULL;
		}
	} else {
		FILE *fp = safeopen_fopen(name, SAFEOPEN_TABLE_MAX, NULL, 0);
		char tmp[8192];
		size_t n;

		if (fp == NULL) {
			int e = errno;

			strbuf_fini(&src);
			cidr_close(&cm->m);
			map_error_set(err, e, "open %s: %s", name, safeopen_strerror(e));
			return NULL;
		}
		while ((n = fread(tmp, 1, sizeof(tmp), fp)) > 0)
			if (strbuf_add(&src, tmp, n) < 0)
				break;
		if (ferror(fp) || n > 0) {
			int e = ferror(fp) ? errno : ENOMEM;

			fclose(fp);
			strbuf_fini(&src);
			cidr_close(&cm->m);
			map_error_set(err, e, "cidr map %s: read error: %s", name, strerror(e));
			return NULL;
		}
		fclose(fp);
	}
	ret = parse_source(src.buf, src.len, cm, fn, ctx);
	strbuf_fini(&src);
	if (ret < 0) {
		cidr_close(&cm->m);
		map_error_set(err, ENOMEM, "%s", strerror(ENOMEM));
		return NULL;
	}
	cm->m.ops = &map_cidr_ops;
	return &cm->m;
}

static struct map *
cidr_open(const struct map_ops *ops, const char *name, const struct map_rule *rules,
	  size_t nrules, unsigned open_flags, struct map_error *err)
{
	(void)ops;
	(void)rules;
	(void)nrules;
	(void)open_flags;
	return map_cidr_open(name, NULL, NULL, err);
}

/* entry_match - cidr_match_entry */
static bool
entry_match(const struct crule *c, const unsigned char *a)
{
	unsigned i;

	for (i = 0; i < c->nbytes; i++)
		if ((a[i] & c->mask[i]) != c->net[i])
			return !c->match;
	return c->match;
}

/* cidr_lookup - cidr_match_execute */
static int
cidr_lookup(struct map *m, const char *key, size_t klen, struct map_hit *hit,
	    struct map_error *err)
{
	struct cidr_map *cm = (struct cidr_map *)m;
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN + 64];
	bool v6;
	size_t i;

	(void)err;
	m->warning[0] = 0;
	if (klen >= sizeof(buf) || memchr(key, 0, klen) != NULL)
		return 0;
	memcpy(buf, key, klen);
	buf[klen] = 0;
	v6 = strchr(buf, ':') != NULL;
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, a) != 1)
		return 0;
	for (i = 0; i < cm->n; i++) {
		const struct crule *c = &cm->r[i];

		if (c->op == OP_MATCH) {
			if (c->v6 == v6 && entry_match(c, a)) {
				hit->val = c->value;
				hit->vlen = strlen(c->value);
				hit->rule = i;
				return 1;
			}
		} else if (c->op == OP_IF) {
			if (c->v6 == v6 && entry_match(c, a))
				continue;
			if (c->block_end == SIZE_MAX)
				return 0;
			i = c->block_end;
		}
	}
	return 0;
}

bool
map_cidr_rule(const struct map *m, size_t i, unsigned *line, const char **pattern)
{
	const struct cidr_map *cm = (const struct cidr_map *)m;

	if (m == NULL || m->ops != &map_cidr_ops || i >= cm->n)
		return false;
	*line = cm->r[i].line;
	*pattern = cm->r[i].pattern;
	return true;
}

const struct map_ops map_cidr_ops = {
	.type = "cidr",
	.suffix = NULL,
	.flags = MAP_SOURCE,
	.open = cidr_open,
	.lookup = cidr_lookup,
	.close = cidr_close,
};
