/*
 * core/logmux.c - several log sources merged in time order (see logmux.h).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/logmux.h"
#include "util/strbuf.h"

struct held {
	struct pf_event *ev;
	size_t src;
	size_t seq;
};

struct logmux {
	struct logsrc **src;
	size_t n;
	char **hosts;               /* filter, NULL-terminated; NULL = all */
	/* collecting */
	struct held *held;
	size_t nheld, capheld, cursrc;
	const struct feed_sink *outer;
	bool oom;
};

/* ---- spec expansion ------------------------------------------------- */

static int
push(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		char **nv = realloc(*v, nc * sizeof(**v));

		if (nv == NULL)
			return -1;
		*v = nv;
		*cap = nc;
	}
	if (((*v)[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static bool
skipped_name(const char *name)
{
	static const char *const ext[] = { ".gz", ".xz", ".bz2", ".zst", ".journal~", NULL };
	size_t n = strlen(name), i;

	if (name[0] == '.')
		return true;
	for (i = 0; ext[i]; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(name + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* expand_dir - the regular files of DIR (and of its subdirectories when
 * DEPTH > 0), sorted; *.journal as journal-file: specs */
static int
expand_dir(const char *dir, int depth, char ***v, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t nn = 0, cn = 0, i;
	int rc = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (!skipped_name(de->d_name) && push(&names, &nn, &cn, de->d_name) < 0) {
			rc = -1;
			break;
		}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof(*names), name_cmp);
	for (i = 0; rc == 0 && i < nn; i++) {
		struct strbuf p;
		struct stat st;

		strbuf_init(&p);
		if (strbuf_addf(&p, "%s/%s", dir, names[i]) < 0 || stat(p.buf, &st) < 0) {
			strbuf_fini(&p);
			continue;
		}
		if (S_ISDIR(st.st_mode) && depth > 0) {
			rc = expand_dir(p.buf, depth - 1, v, n, cap);
		} else if (S_ISREG(st.st_mode)) {
			size_t l = strlen(names[i]);

			if (l > 8 && strcmp(names[i] + l - 8, ".journal") == 0) {
				struct strbuf j;

				strbuf_init(&j);
				rc = strbuf_addf(&j, "journal-file:%s", p.buf) < 0 ? -1
					: push(v, n, cap, j.buf);
				strbuf_fini(&j);
			} else {
				rc = push(v, n, cap, p.buf);
			}
		}
		strbuf_fini(&p);
	}
	for (i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return rc;
}

struct logmux *
logmux_open(const char *const *specs, size_t nspecs, bool follow, char *reason, size_t size)
{
	struct logmux *m = calloc(1, sizeof(*m));
	char **v = NULL;
	size_t n = 0, cap = 0, i;

	if (m == NULL) {
		snprintf(reason, size, "out of memory");
		return NULL;
	}
	for (i = 0; i < nspecs; i++) {
		struct stat st;
		size_t before = n;

		if (stat(specs[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (expand_dir(specs[i], 1, &v, &n, &cap) < 0) {
				snprintf(reason, size, "%s: %s", specs[i], strerror(errno));
				goto fail;
			}
			if (n == before) {
				snprintf(reason, size, "%s: no log files in this directory", specs[i]);
				goto fail;
			}
		} else if (push(&v, &n, &cap, specs[i]) < 0) {
			snprintf(reason, size, "out of memory");
			goto fail;
		}
	}
	m->src = calloc(n ? n : 1, sizeof(*m->src));
	if (m->src == NULL) {
		snprintf(reason, size, "out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++) {
		m->src[i] = logsrc_open(v[i], follow, reason, size);
		if (m->src[i] == NULL)
			goto fail;
		m->n++;
	}
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return m;
fail:
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	logmux_close(m);
	return NULL;
}

void
logmux_close(struct logmux *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		logsrc_close(m->src[i]);
	free(m->src);
	if (m->hosts)
		for (i = 0; m->hosts[i]; i++)
			free(m->hosts[i]);
	free(m->hosts);
	free(m->held);
	free(m);
}

int
logmux_set_host(struct logmux *m, const char *hosts)
{
	char **v = NULL;
	size_t n = 0, cap = 0, i;
	const char *p = hosts;

	if (m->hosts) {
		for (i = 0; m->hosts[i]; i++)
			free(m->hosts[i]);
		free(m->hosts);
		m->hosts = NULL;
	}
	if (hosts == NULL || *hosts == '\0')
		return 0;
	while (*p) {
		size_t len = strcspn(p, ", ");

		if (len) {
			char *w = strndup(p, len);

			if (w == NULL || push(&v, &n, &cap, w) < 0) {
				free(w);
				goto nomem;
			}
			free(w);
		}
		p += len;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (push(&v, &n, &cap, "") < 0)
		goto nomem;
	free(v[n - 1]);
	v[n - 1] = NULL;
	m->hosts = v;
	return 0;
nomem:
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -1;
}

size_t
logmux_count(const struct logmux *m)
{
	return m->n;
}

struct logsrc *
logmux_src(const struct logmux *m, size_t i)
{
	return i < m->n ? m->src[i] : NULL;
}

/* ---- the sink wrappers ---------------------------------------------- */

bool
logmux_host_wanted(const struct logmux *m, const char *host, size_t n)
{
	size_t i;

	if (m->hosts == NULL)
		return true;
	if (host == NULL)
		return false;
	for (i = 0; m->hosts[i]; i++)
		if (strlen(m->hosts[i]) == n && strncasecmp(m->hosts[i], host, n) == 0)
			return true;
	return false;
}

static bool
host_ok(const struct logmux *m, const struct pf_event *ev)
{
	return logmux_host_wanted(m, ev->host.p, ev->host.n);
}

static bool
w_want(void *arg, const struct pf_event *ev)
{
	struct logmux *m = arg;

	if (!host_ok(m, ev))
		return false;
	return m->outer->want == NULL || m->outer->want(m->outer->arg, ev);
}

/* straight through (one source) */
static int
w_event(void *arg, const struct pf_event *ev)
{
	struct logmux *m = arg;

	return m->outer->event(m->outer->arg, ev);
}

/* held for sorting (several sources) */
static int
w_hold(void *arg, const struct pf_event *ev)
{
	struct logmux *m = arg;
	struct pf_event *copy;

	if (m->nheld == m->capheld) {
		size_t nc = m->capheld ? m->capheld * 2 : 256;
		struct held *nh = realloc(m->held, nc * sizeof(*nh));

		if (nh == NULL) {
			m->oom = true;
			return -1;
		}
		m->held = nh;
		m->capheld = nc;
	}
	copy = pf_event_dup(ev);
	if (copy == NULL) {
		m->oom = true;
		return -1;
	}
	m->held[m->nheld].ev = copy;
	m->held[m->nheld].src = m->cursrc;
	m->held[m->nheld].seq = m->nheld;
	m->nheld++;
	return 0;
}

static void
w_note(void *arg, enum logsrc_note what, const char *text)
{
	struct logmux *m = arg;

	if (m->outer->note)
		m->outer->note(m->outer->arg, what, text);
}

/* lines that are no event go straight through (only their time matters) */
static void
w_other(void *arg, const char *line, size_t n)
{
	struct logmux *m = arg;

	if (m->outer->other)
		m->outer->other(m->outer->arg, line, n);
}

static void
wrap(struct logmux *m, const struct feed_sink *outer, bool hold, struct feed_sink *w)
{
	m->outer = outer;
	w->arg = m;
	w->want = w_want;
	w->event = hold ? w_hold : w_event;
	w->note = w_note;
	w->other = outer->other ? w_other : NULL;
}

static int
held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	long long tx = x->ev->has_time ? (long long)x->ev->time : 0;
	long long ty = y->ev->has_time ? (long long)y->ev->time : 0;
	int ux = x->ev->usec < 0 ? 0 : x->ev->usec, uy = y->ev->usec < 0 ? 0 : y->ev->usec;

	if (tx != ty)
		return tx < ty ? -1 : 1;
	if (ux != uy)
		return ux < uy ? -1 : 1;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* flush - sort what is held and deliver the last KEEP (all when KEEP is
 * (size_t)-1); 0, or 1 when the sink stopped */
static int
flush(struct logmux *m, const struct feed_sink *outer, size_t keep)
{
	size_t i, from = 0;
	int rc = 0;

	if (m->nheld > 1)
		qsort(m->held, m->nheld, sizeof(*m->held), held_cmp);
	if (keep != (size_t)-1 && m->nheld > keep)
		from = m->nheld - keep;
	for (i = from; i < m->nheld && rc == 0; i++)
		if (outer->event(outer->arg, m->held[i].ev) != 0)
			rc = 1;
	for (i = 0; i < m->nheld; i++)
		pf_event_free(m->held[i].ev);
	m->nheld = 0;
	return rc;
}

enum op { OP_READ, OP_BACKLOG, OP_POLL };

static int
run(struct logmux *m, enum op op, size_t n, const struct feed_sink *sink, char *reason,
    size_t size)
{
	struct feed_sink w;
	size_t i;
	int rc, worst = 0;

	if (m->n == 1) {
		wrap(m, sink, false, &w);
		if (op == OP_READ)
			return logsrc_read(m->src[0], &w, reason, size);
		if (op == OP_BACKLOG)
			return logsrc_backlog(m->src[0], n, &w, reason, size);
		return logsrc_poll(m->src[0], &w, reason, size);
	}
	wrap(m, sink, true, &w);
	m->oom = false;
	for (i = 0; i < m->n; i++) {
		m->cursrc = i;
		if (op == OP_READ)
			rc = logsrc_read(m->src[i], &w, reason, size);
		else if (op == OP_BACKLOG)
			rc = logsrc_backlog(m->src[i], n, &w, reason, size);
		else
			rc = logsrc_poll(m->src[i], &w, reason, size);
		if (rc < 0 || m->oom) {
			if (m->oom)
				snprintf(reason, size, "out of memory");
			worst = -1;
			break;
		}
	}
	rc = flush(m, sink, op == OP_BACKLOG ? n : (size_t)-1);
	return worst < 0 ? -1 : rc;
}

int
logmux_read(struct logmux *m, const struct feed_sink *sink, char *reason, size_t size)
{
	return run(m, OP_READ, 0, sink, reason, size);
}

int
logmux_backlog(struct logmux *m, size_t n, const struct feed_sink *sink, char *reason,
	       size_t size)
{
	return run(m, OP_BACKLOG, n, sink, reason, size);
}

int
logmux_poll(struct logmux *m, const struct feed_sink *sink, char *reason, size_t size)
{
	return run(m, OP_POLL, 0, sink, reason, size);
}

size_t
logmux_pollfds(const struct logmux *m, struct pollfd *pfd, size_t max)
{
	size_t i;

	for (i = 0; i < m->n && i < max; i++) {
		pfd[i].fd = logsrc_eof(m->src[i]) ? -1 : logsrc_fd(m->src[i]);
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	return i;
}

int
logmux_timeout_ms(const struct logmux *m)
{
	size_t i;
	int t = 1000;

	for (i = 0; i < m->n; i++) {
		int x = logsrc_timeout_ms(m->src[i]);

		if (x >= 0 && x < t)
			t = x;
	}
	return t;
}

bool
logmux_eof(const struct logmux *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!logsrc_eof(m->src[i]))
			return false;
	return true;
}

void
logmux_counts(const struct logmux *m, struct logsrc_counts *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < m->n; i++) {
		struct logsrc_counts x;

		logsrc_counts(m->src[i], &x);
		c->lines += x.lines;
		c->events += x.events;
		c->junk += x.junk;
		c->cut += x.cut;
		c->rotations += x.rotations;
		c->truncations += x.truncations;
	}
}
