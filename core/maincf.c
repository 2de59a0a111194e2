/*
 * core/maincf.c - the main.cf model: reading main.cf into parameters
 * (logical lines, the position of every byte of a value), splitting lists,
 * construction, the accessors, master.cf's service names.  The contract is
 * in core/maincf.h.  The rest of main.cf's meaning is beside it:
 * core/maincf_expand.c (defaults and $name expansion, inline tables) and
 * core/maincf_refs.c (roles, table references, restriction lists and
 * classes, master.cf -o overrides, unknown parameters); what they share is
 * core/maincf_int.h.
 *
 * The source text is kept whole; each parameter remembers the segments of
 * its logical line (joined offset -> physical line and byte) so that list
 * items and table references can be located at their main.cf line/column
 * even on continuation lines.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/access.h"
#include "core/maincf.h"
#include "core/maincf_int.h"
#include "core/mastercf.h"
#include "core/postconf.h"
#include "util/readlline.h"
#include "util/strbuf.h"
#include "util/safeopen.h"

/* ---- small helpers ---- */

char *
mcf_own(struct maincf *cf, const char *s, size_t n)
{
	char *p;

	if (cf->nstrs == cf->capstrs) {
		size_t cap = cf->capstrs ? cf->capstrs * 2 : 64;
		char **v = realloc(cf->strs, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		cf->strs = v;
		cf->capstrs = cap;
	}
	p = malloc(n + 1);
	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	cf->strs[cf->nstrs++] = p;
	return p;
}

char *
mcf_own_str(struct maincf *cf, const char *s)
{
	return mcf_own(cf, s, strlen(s));
}

bool
mcf_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

bool
mcf_is_name_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* ---- list splitting ---- */

void
maincf_list_init(struct maincf_list *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void
maincf_list_fini(struct maincf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	maincf_list_init(l);
}

int
mcf_list_push(struct maincf_list *l, const char *s, size_t n, bool braced, unsigned line,
	  unsigned col)
{
	struct maincf_item *it;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct maincf_item *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	it = &l->v[l->n];
	it->text = malloc(n + 1);
	if (it->text == NULL)
		return -1;
	memcpy(it->text, s, n);
	it->text[n] = '\0';
	it->braced = braced;
	it->line = line;
	it->col = col;
	l->n++;
	return 0;
}

/*
 * split_cb - the tokenizer behind maincf_split and maincf_param_items:
 * calls FN(ctx, text, len, braced, token offset) per item.
 */
typedef int split_fn(void *ctx, const char *s, size_t n, bool braced, size_t off);

static int
split_text(const char *text, size_t len, split_fn *fn, void *ctx)
{
	size_t pos = 0, start, n;

	/* words as smtpd's mystrtokq() finds them (access_next_word) */
	while (access_next_word(text, len, &pos, &start, &n)) {
		size_t end = start + n;

		if (text[start] == '{' && end - start >= 2 && text[end - 1] == '}') {
			/* a braced group: strip braces and trim */
			size_t a = start + 1, b = end - 1;
			size_t ia;

			while (a < b && mcf_is_space((unsigned char)text[a]))
				a++;
			while (b > a && mcf_is_space((unsigned char)text[b - 1]))
				b--;
			ia = a;
			if (fn(ctx, text + ia, b - ia, true, ia) < 0)
				return -1;
		} else if (fn(ctx, text + start, end - start, false, start) < 0) {
			return -1;
		}
	}
	return 0;
}

static int
split_to_list(void *ctx, const char *s, size_t n, bool braced, size_t off)
{
	(void)off;
	return mcf_list_push(ctx, s, n, braced, 0, 0);
}

int
maincf_split(const char *text, struct maincf_list *l)
{
	return split_text(text, strlen(text), split_to_list, l);
}

/* ---- positions ---- */

void
mcf_pos_of(const struct maincf *cf, size_t pi, size_t joff, unsigned *line, unsigned *col)
{
	const struct pinfo *inf = &cf->pinfo[pi];
	size_t k = 0, j;

	for (j = 0; j < inf->nsegs; j++)
		if (inf->segs[j].joff <= joff)
			k = j;
	if (inf->nsegs == 0 || cf->src == NULL) {
		*line = cf->params[pi].line;
		*col = 1;
		return;
	}
	{
		const struct seg *s = &inf->segs[k];
		size_t boff = s->src + (joff - s->joff) - s->line_start;
		/* diag_column needs a NUL-free prefix; the source may hold NULs,
		 * so compute on a bounded copy */
		const char *ls = cf->src + s->line_start;
		size_t ll = 0;
		char buf[4096];

		while (s->line_start + ll < cf->srclen && ls[ll] != '\n')
			ll++;
		if (boff > ll)
			boff = ll;
		*line = s->line;
		if (boff < sizeof(buf)) {
			memcpy(buf, ls, boff);
			buf[boff] = '\0';
			*col = diag_column(buf, boff);
		} else {
			*col = (unsigned)boff + 1;
		}
	}
}

struct items_ctx {
	const struct maincf *cf;
	size_t pi;
	size_t base;
	struct maincf_list *l;
};

static int
split_to_items(void *ctx, const char *s, size_t n, bool braced, size_t off)
{
	struct items_ctx *c = ctx;
	unsigned line = 0, col = 0;

	if (c->cf)
		mcf_pos_of(c->cf, c->pi, c->base + off, &line, &col);
	return mcf_list_push(c->l, s, n, braced, line, col);
}

/* param_index - index of P in CF, or (size_t)-1 */
size_t
mcf_param_index(const struct maincf *cf, const struct maincf_param *p)
{
	if (cf && p >= cf->params && p < cf->params + cf->nparams)
		return (size_t)(p - cf->params);
	return (size_t)-1;
}

int
maincf_param_items(const struct maincf *cf, const struct maincf_param *p, struct maincf_list *l)
{
	struct items_ctx c;
	size_t pi = mcf_param_index(cf, p);

	c.cf = pi == (size_t)-1 ? NULL : cf;
	c.pi = pi;
	c.base = pi == (size_t)-1 ? 0 : cf->pinfo[pi].value_joff;
	c.l = l;
	if (c.cf == NULL) {
		size_t before = l->n, i;

		if (split_text(p->value, strlen(p->value), split_to_items, &c) < 0)
			return -1;
		for (i = before; i < l->n; i++) {
			l->v[i].line = p->value_line;
			l->v[i].col = p->value_col;
		}
		return 0;
	}
	return split_text(p->value, strlen(p->value), split_to_items, &c);
}

/* ---- loading ---- */

static int
add_param(struct maincf *cf, const char *joined, size_t jlen, struct seg *segs, size_t nsegs,
	  unsigned nlines, size_t start, size_t end)
{
	struct maincf_param *p;
	struct pinfo *inf;
	size_t i = 0, nend, v, vend;
	unsigned line, col;

	/* name runs to whitespace or '=' */
	while (i < jlen && !mcf_is_space((unsigned char)joined[i]) && joined[i] != '=')
		i++;
	nend = i;
	while (i < jlen && mcf_is_space((unsigned char)joined[i]))
		i++;
	if (nend == 0 || i >= jlen || joined[i] != '=') {
		if (cf->dl) {
			size_t show = jlen;
			char *t;

			while (show > 0 && mcf_is_space((unsigned char)joined[show - 1]))
				show--;
			t = strndup(joined, show);
			diag_add(cf->dl, DIAG_MAINCF_SYNTAX, cf->path, segs[0].line, 1,
				 "missing '=' after attribute name: \"%s\"; every Postfix command "
				 "(postconf, postfix reload, smtpd) stops with a fatal error here: "
				 "write \"name = value\" or make it a comment", t ? t : "");
			free(t);
		}
		free(segs);
		return 0;
	}
	v = i + 1;
	while (v < jlen && mcf_is_space((unsigned char)joined[v]))
		v++;
	vend = jlen;
	while (vend > v && mcf_is_space((unsigned char)joined[vend - 1]))
		vend--;

	if (cf->nparams == cf->capparams) {
		size_t cap = cf->capparams ? cf->capparams * 2 : 32;
		struct maincf_param *np = realloc(cf->params, cap * sizeof(*np));
		struct pinfo *ni;

		if (np == NULL)
			goto nomem;
		cf->params = np;
		ni = realloc(cf->pinfo, cap * sizeof(*ni));
		if (ni == NULL)
			goto nomem;
		cf->pinfo = ni;
		cf->capparams = cap;
	}
	p = &cf->params[cf->nparams];
	inf = &cf->pinfo[cf->nparams];
	memset(p, 0, sizeof(*p));
	memset(inf, 0, sizeof(*inf));
	p->name = strndup(joined, nend);
	p->value = strndup(joined + v, vend - v);
	if (p->name == NULL || p->value == NULL) {
		free(p->name);
		free(p->value);
		goto nomem;
	}
	inf->segs = segs;
	inf->nsegs = nsegs;
	inf->value_joff = v;
	p->line = segs[0].line;
	p->col = 1;
	p->nlines = nlines;
	p->start = start;
	p->end = end;
	cf->nparams++;
	mcf_pos_of(cf, cf->nparams - 1, v, &line, &col);
	p->value_line = line;
	p->value_col = col;
	/* an earlier line with the same name is overridden */
	for (i = 0; i + 1 < cf->nparams; i++) {
		struct maincf_param *q = &cf->params[i];

		if (!q->overridden && strcmp(q->name, p->name) == 0) {
			q->overridden = true;
			if (cf->dl)
				diag_add(cf->dl, DIAG_DUPLICATE_PARAMETER, cf->path, p->line, 1,
					 "%s is set again here; Postfix uses this value and ignores "
					 "the one on line %u: remove one of them", p->name, q->line);
		}
	}
	return 0;
nomem:
	free(segs);
	return -1;
}

/* param_line - one logical line of main.cf (util/readlline: Postfix reads
 * main.cf with readllines, as its tables): "name = value", or a line it
 * drops with a warning */
static int
param_line(void *ctx, const struct rll_line *l)
{
	struct maincf *cf = ctx;
	struct seg *segs;
	size_t i;

	if (l->indented) {
		if (cf->dl)
			diag_add(cf->dl, DIAG_MAINCF_SYNTAX, cf->path, l->first, 1,
				 "logical line must not start with whitespace; Postfix "
				 "ignores this line: remove the indentation");
		return 0;
	}
	if ((segs = malloc(l->nseg * sizeof(*segs))) == NULL)
		return -1;
	for (i = 0; i < l->nseg; i++) {
		segs[i].joff = l->seg[i].joff;
		segs[i].src = segs[i].line_start = l->seg[i].soff;
		segs[i].line = l->seg[i].line;
	}
	/* add_param owns SEGS */
	return add_param(cf, l->text, l->len, segs, l->nseg, l->upto - l->first + 1, l->start,
			 l->end) < 0 ? -1 : 0;
}

static int
load_text(struct maincf *cf)
{
	return readllines(cf->src, cf->srclen, RLL_COPY, param_line, cf) == 0 ? 0 : -1;
}

/* ---- construction ---- */

static struct maincf *
cf_alloc(const char *path, const char *dir)
{
	struct maincf *cf = calloc(1, sizeof(*cf));

	if (cf == NULL)
		return NULL;
	cf->path = strdup(path ? path : "main.cf");
	cf->dir = strdup(dir ? dir : ".");
	if (cf->path == NULL || cf->dir == NULL) {
		maincf_free(cf);
		return NULL;
	}
	return cf;
}

struct maincf *
maincf_new_empty(const char *dir)
{
	struct maincf *cf;
	struct strbuf p;

	strbuf_init(&p);
	if (strbuf_addf(&p, "%s/main.cf", dir ? dir : ".") < 0)
		return NULL;
	cf = cf_alloc(p.buf, dir);
	strbuf_fini(&p);
	return cf;
}

/* macro_check - every parameter Postfix expands (one it knows, or a
 * restriction class) must expand in finite time: a $name loop or nesting
 * past 100 levels makes postconf and every daemon stop ("unreasonable macro
 * call nesting", then "fatal: dictionary mail_dict: macro processing
 * error"); a doubling chain makes them hang.  One error per parameter
 * whose expansion fails, at its line.  0 or -1 (ENOMEM). */
static int
macro_check(struct maincf *cf)
{
	size_t i, k;

	if (cf->dl == NULL)
		return 0;
	for (i = 0; i < cf->nparams; i++) {
		const struct maincf_param *p = &cf->params[i];
		bool is_class = false;
		char *x;

		if (p->overridden || strchr(p->value, '$') == NULL)
			continue;
		for (k = 0; k < cf->nclasses; k++)
			is_class |= strcmp(cf->classes[k].name, p->name) == 0;
		if (!is_class && !mcf_is_postfix_param(p->name))
			continue;
		if (maincf_expand(cf, p->value, &x) < 0)
			return -1;
		free(x);
		if (cf->xerr == 0)
			continue;
		if (diag_add(cf->dl, DIAG_MACRO_NESTING, cf->path, p->line, 1,
			     "%s = %s: %s; postconf and every Postfix program %s; break the "
			     "loop or shorten the chain", p->name, p->value, cf->xwhy,
			     cf->xerr == XERR_SIZE ? "hang expanding it"
			     : "stop with \"fatal: dictionary mail_dict: macro processing error\"") < 0)
			return -1;
	}
	cf->xerr = 0;
	return 0;
}

int
maincf_parse(struct maincf **out, const char *buf, size_t len, const char *file,
	     const char *dir, struct diag_list *dl)
{
	struct maincf *cf = cf_alloc(file, dir);

	*out = NULL;
	if (cf == NULL)
		return -1;
	cf->src = malloc(len + 1);
	if (cf->src == NULL) {
		maincf_free(cf);
		return -1;
	}
	memcpy(cf->src, buf, len);
	cf->src[len] = '\0';
	cf->srclen = len;
	cf->dl = dl;
	if (load_text(cf) < 0)
		goto nomem;
	/* the installed Postfix's defaults (postconf -d in command_directory)
	 * before anything expands a default */
	if (dir)
		postconf_use(maincf_get(cf, "command_directory", NULL), dir);
	if (mcf_scan_refs(cf) < 0 || mcf_scan_master(cf) < 0) {
nomem:
		cf->dl = NULL;
		maincf_free(cf);
		errno = ENOMEM;
		return -1;
	}
	mcf_unknown_params(cf);
	if (macro_check(cf) < 0) {
		cf->dl = NULL;
		maincf_free(cf);
		errno = ENOMEM;
		return -1;
	}
	cf->dl = NULL;
	*out = cf;
	return 0;
}

int
maincf_load(struct maincf **out, const char *dir, struct diag_list *dl)
{
	struct strbuf path, data;
	int fd, rc, e;
	char tmp[65536];
	ssize_t n;

	*out = NULL;
	strbuf_init(&path);
	strbuf_init(&data);
	if (strbuf_addf(&path, "%s/main.cf", dir) < 0)
		return -1;
	fd = safeopen_read(path.buf, SAFEOPEN_CONFIG_MAX, NULL, NULL, 0);
	if (fd < 0) {
		e = errno;
		strbuf_fini(&path);
		errno = e;
		return -1;
	}
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if ((off_t)(data.len + (size_t)n) > SAFEOPEN_CONFIG_MAX) {
			errno = EFBIG;
			goto fail;
		}
		if (strbuf_add(&data, tmp, (size_t)n) < 0)
			goto fail;
	}
	close(fd);
	rc = maincf_parse(out, data.buf, data.len, path.buf, dir, dl);
	e = errno;
	strbuf_fini(&path);
	strbuf_fini(&data);
	errno = e;
	return rc;
fail:
	e = errno;
	close(fd);
	strbuf_fini(&path);
	strbuf_fini(&data);
	errno = e;
	return -1;
}

void
maincf_free(struct maincf *cf)
{
	size_t i;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->nparams; i++) {
		free(cf->params[i].name);
		free(cf->params[i].value);
		free(cf->pinfo[i].segs);
		free(cf->pinfo[i].expanded);
	}
	free(cf->params);
	free(cf->pinfo);
	free(cf->xstack);
	for (i = 0; i < cf->nstrs; i++)
		free(cf->strs[i]);
	free(cf->strs);
	free(cf->refs);
	free(cf->classes);
	for (i = 0; i < cf->nrlists; i++) {
		size_t k;

		for (k = 0; k < cf->rlists[i].nstrs; k++)
			free(cf->rlists[i].strs[k]);
		free(cf->rlists[i].strs);
		free(cf->rlists[i].v);
		free(cf->rlists[i].name);
	}
	free(cf->rlists);
	for (i = 0; i < cf->ndcache; i++) {
		free(cf->dcache[i].name);
		free(cf->dcache[i].value);
	}
	free(cf->dcache);
	for (i = 0; i < cf->nservices; i++)
		free(cf->services[i]);
	free(cf->services);
	free(cf->src);
	free(cf->path);
	free(cf->dir);
	free(cf);
}

const char *
maincf_path(const struct maincf *cf)
{
	return cf->path;
}

const char *
maincf_dir(const struct maincf *cf)
{
	return cf->dir;
}

size_t
maincf_param_count(const struct maincf *cf)
{
	return cf->nparams;
}

const struct maincf_param *
maincf_param_at(const struct maincf *cf, size_t i)
{
	return i < cf->nparams ? &cf->params[i] : NULL;
}

size_t
maincf_ref_count(const struct maincf *cf)
{
	return cf->nrefs;
}

const struct maincf_ref *
maincf_ref_at(const struct maincf *cf, size_t i)
{
	return i < cf->nrefs ? &cf->refs[i] : NULL;
}

size_t
maincf_class_count(const struct maincf *cf)
{
	return cf->nclasses;
}

const struct maincf_class *
maincf_class_at(const struct maincf *cf, size_t i)
{
	return i < cf->nclasses ? &cf->classes[i] : NULL;
}

const struct maincf_class *
maincf_find_class(const struct maincf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nclasses; i++)
		if (strcmp(cf->classes[i].name, name) == 0)
			return &cf->classes[i];
	return NULL;
}

/* read_master - the service names of DIR/master.cf */
static int
read_master(struct maincf *cf)
{
	struct mastercf m;
	size_t i;
	int rc = mastercf_read(&m, cf->dir);

	for (i = 0; rc == 0 && i < m.n; i++) {
		char **v = realloc(cf->services, (cf->nservices + 1) * sizeof(*v));

		if (v == NULL)
			break;
		cf->services = v;
		v[cf->nservices] = strdup(m.v[i].nf ? m.v[i].f[0].text : "");
		if (v[cf->nservices] == NULL)
			break;
		cf->nservices++;
	}
	mastercf_free(&m);
	return rc;
}

int
maincf_master_service(struct maincf *cf, const char *name)
{
	size_t i;

	if (cf->master_state == 0)
		cf->master_state = read_master(cf) == 0 ? 1 : -1;
	if (cf->master_state < 0)
		return -1;
	for (i = 0; i < cf->nservices; i++) {
		if (strcmp(cf->services[i], name) == 0)
			return 1;
	}
	return 0;
}
