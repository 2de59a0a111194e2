/*
 * core/mastercf.c - the one reader of DIR/master.cf (see mastercf.h).
 * check (core/maincf.c: services, -o overrides) and explain (core/explain.c:
 * --service, the note about smtpd services with overrides) read it here.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mastercf.h"
#include "util/readlline.h"
#include "util/safeopen.h"

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* a logical line being joined: its bytes with the line and column of each */
struct logical {
	char *text;
	unsigned *line, *col;
	size_t len, cap;
	unsigned first;
};

static int
logical_add(struct logical *l, const char *s, size_t n, unsigned line)
{
	size_t i;

	if (l->len + n + 1 > l->cap) {
		size_t nc = (l->len + n + 1) * 2;
		char *t = realloc(l->text, nc);
		unsigned *ln, *cl;

		if (t == NULL)
			return -1;
		l->text = t;
		if ((ln = realloc(l->line, nc * sizeof(*ln))) == NULL)
			return -1;
		l->line = ln;
		if ((cl = realloc(l->col, nc * sizeof(*cl))) == NULL)
			return -1;
		l->col = cl;
		l->cap = nc;
	}
	for (i = 0; i < n; i++) {
		l->text[l->len] = s[i];
		l->line[l->len] = line;
		l->col[l->len] = (unsigned)i + 1;
		l->len++;
	}
	l->text[l->len] = 0;
	return 0;
}

static int
add_option(struct mastercf_service *s, const char *o, unsigned line, unsigned col)
{
	char *item, *name, *val, *eq, *e;
	struct mastercf_option *v;

	if ((item = strdup(o)) == NULL)
		return -1;
	name = item;
	if (*name == '{') {
		name++;
		col++;
		if ((e = strrchr(name, '}')) != NULL)
			*e = 0;
	}
	if ((eq = strchr(name, '=')) == NULL) {
		free(item);
		return 0;
	}
	*eq = 0;
	val = eq + 1;
	while (is_space((unsigned char)*name))
		name++;
	for (e = name + strlen(name); e > name && is_space((unsigned char)e[-1]);)
		*--e = 0;
	while (is_space((unsigned char)*val))
		val++;
	for (e = val + strlen(val); e > val && is_space((unsigned char)e[-1]);)
		*--e = 0;
	v = realloc(s->opt, (s->nopt + 1) * sizeof(*v));
	if (v == NULL) {
		free(item);
		return -1;
	}
	s->opt = v;
	v[s->nopt].name = strdup(name);
	v[s->nopt].value = strdup(val);
	v[s->nopt].line = line;
	v[s->nopt].col = col;
	free(item);
	if (v[s->nopt].name == NULL || v[s->nopt].value == NULL) {
		free(v[s->nopt].name);
		free(v[s->nopt].value);
		return -1;
	}
	s->nopt++;
	return 0;
}

/* split - the fields of logical line L (mystrtokq with "{}"), then the -o
 * options after the command */
static int
split(struct mastercf *m, const struct logical *l)
{
	struct mastercf_service *sv, *s;
	const char *p = l->text, *end = l->text + l->len;
	size_t i;

	sv = realloc(m->v, (m->n + 1) * sizeof(*sv));
	if (sv == NULL)
		return -1;
	m->v = sv;
	s = &sv[m->n++];
	memset(s, 0, sizeof(*s));
	s->line = l->first;
	while (p < end) {
		const char *st;
		int depth = 0;
		struct mastercf_field *f;

		while (p < end && is_space((unsigned char)*p))
			p++;
		if (p == end)
			break;
		for (st = p; p < end; p++) {
			if (*p == '{')
				depth++;
			else if (*p == '}' && depth > 0)
				depth--;
			else if (depth == 0 && is_space((unsigned char)*p))
				break;
		}
		f = realloc(s->f, (s->nf + 1) * sizeof(*f));
		if (f == NULL)
			return -1;
		s->f = f;
		f[s->nf].line = l->line[st - l->text];
		f[s->nf].col = l->col[st - l->text];
		if ((f[s->nf].text = strndup(st, (size_t)(p - st))) == NULL)
			return -1;
		s->nf++;
	}
	for (i = 8; i < s->nf; i++) {
		const struct mastercf_field *f = &s->f[i];
		int r = 0;

		if (strcmp(f->text, "-o") == 0 && i + 1 < s->nf) {
			f = &s->f[++i];
			r = add_option(s, f->text, f->line, f->col);
		} else if (strncmp(f->text, "-o", 2) == 0 && f->text[2])
			r = add_option(s, f->text + 2, f->line, f->col + 2);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* service_line - one logical line of master.cf (util/readlline: Postfix's
 * master_ent.c reads it with readllines): a service entry; an indented one
 * Postfix warns about and skips */
static int
service_line(void *ctx, const struct rll_line *rl)
{
	struct mastercf *m = ctx;
	struct logical l = { NULL, NULL, NULL, 0, 0, rl->first };
	size_t i;
	int rc = 0;

	if (rl->indented)
		return 0;
	for (i = 0; rc == 0 && i < rl->nseg; i++) {
		size_t end = i + 1 < rl->nseg ? rl->seg[i + 1].joff : rl->len;

		rc = logical_add(&l, rl->text + rl->seg[i].joff, end - rl->seg[i].joff,
				 rl->seg[i].line);
	}
	if (rc == 0 && l.len)
		rc = split(m, &l);
	free(l.text);
	free(l.line);
	free(l.col);
	return rc;
}

int
mastercf_read(struct mastercf *m, const char *dir)
{
	char *buf = NULL, tmp[8192];
	size_t len = 0, n;
	FILE *fp;
	int rc = 0, e = 0;

	memset(m, 0, sizeof(*m));
	if (asprintf(&m->path, "%s/master.cf", dir) < 0) {
		m->path = NULL;
		errno = ENOMEM;
		return -1;
	}
	if ((fp = safeopen_fopen(m->path, SAFEOPEN_CONFIG_MAX, NULL, 0)) == NULL)
		return -1;
	while (rc == 0 && (n = fread(tmp, 1, sizeof(tmp), fp)) > 0) {
		char *nb = realloc(buf, len + n);

		if (nb == NULL) {
			rc = -1;
			e = ENOMEM;
			break;
		}
		buf = nb;
		memcpy(buf + len, tmp, n);
		len += n;
	}
	if (rc == 0 && ferror(fp)) {
		rc = -1;
		e = errno ? errno : EIO;
	}
	fclose(fp);
	if (rc == 0 && readllines(buf ? buf : "", len, RLL_COPY, service_line, m) != 0) {
		rc = -1;
		e = ENOMEM;
	}
	free(buf);
	if (rc < 0)
		errno = e;
	return rc;
}

void
mastercf_free(struct mastercf *m)
{
	size_t i, k;

	for (i = 0; i < m->n; i++) {
		for (k = 0; k < m->v[i].nf; k++)
			free(m->v[i].f[k].text);
		for (k = 0; k < m->v[i].nopt; k++) {
			free(m->v[i].opt[k].name);
			free(m->v[i].opt[k].value);
		}
		free(m->v[i].f);
		free(m->v[i].opt);
	}
	free(m->v);
	free(m->path);
	memset(m, 0, sizeof(*m));
}

const char *
mastercf_command(const struct mastercf_service *s)
{
	return s->nf >= 8 ? s->f[7].text : "";
}
