/*
 * core/vcs.c - commit the files Apply wrote when the configuration is in a
 * git work tree (etckeeper's /etc or a repository of its own).  See vcs.h.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/vcs.h"
#include "util/runcmd.h"

#define GIT_TIMEOUT_MS 30000
#define MAX_ARGS 64

const char *
vcs_git(void)
{
	static const char *const cand[] = { "/usr/bin/git", "/bin/git", "/usr/local/bin/git", NULL };
	size_t i;

	for (i = 0; cand[i]; i++)
		if (access(cand[i], X_OK) == 0)
			return cand[i];
	return NULL;
}

/* git - run git -C TOP ARGS... (NULL-terminated, at most MAX_ARGS)
 * through util/runcmd (clean environment plus HOME, for the user's git
 * identity; deadline); output into OUT (reset first).  Exit status, or -1
 * when it could not run or timed out. */
static int
git(const char *top, struct strbuf *out, const char *const *args)
{
	const char *argv[MAX_ARGS + 4];
	const char *home = getenv("HOME");
	struct runcmd_result r;
	struct runcmd_opts o;
	struct strbuf h;
	char reason[256];
	size_t n = 0, i;
	int rc = -1;

	strbuf_init(&h);
	strbuf_addf(&h, "HOME=%s", home && home[0] == '/' ? home : "/");
	{
		const char *env[] = { h.buf, NULL };

		argv[n++] = vcs_git();
		argv[n++] = "-C";
		argv[n++] = top;
		for (i = 0; args[i] && i < MAX_ARGS; i++)
			argv[n++] = args[i];
		argv[n] = NULL;
		memset(&o, 0, sizeof(o));
		o.timeout_ms = GIT_TIMEOUT_MS;
		o.env = env;
		strbuf_reset(out);
		runcmd_result_init(&r);
		if (runcmd_exec(argv, &o, &r, reason, sizeof(reason)) == 0 && !r.timed_out) {
			rc = r.status;
			strbuf_add(out, r.output.buf, r.output.len);
		} else {
			strbuf_addstr(out, r.timed_out ? "timed out" : reason);
		}
		runcmd_result_fini(&r);
	}
	strbuf_fini(&h);
	return rc;
}

static void
chomp(struct strbuf *sb)
{
	while (sb->len && (sb->buf[sb->len - 1] == '\n' || sb->buf[sb->len - 1] == '\r'))
		strbuf_truncate(sb, sb->len - 1);
}

static bool
is_index(const char *path)
{
	static const char *const ext[] = { ".db", ".cdb", ".lmdb", ".dir", ".pag", ".lock", NULL };
	size_t n = strlen(path), i;

	for (i = 0; ext[i]; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(path + n - e, ext[i]) == 0)
			return true;
	}
	return false;
}

/* first_line - the first line of OUT (for a note) */
static const char *
first_line(struct strbuf *out)
{
	char *nl = memchr(out->buf, '\n', out->len);

	if (nl)
		*nl = '\0';
	return out->len ? out->buf : "no output";
}

int
vcs_commit(const char *dir, const char *const *files, size_t n, const char *message,
	   struct strbuf *note)
{
	struct strbuf out, top, others;
	char **rel = NULL;          /* paths relative to TOP, changed ones */
	size_t nrel = 0, i, nother = 0;
	int rc = 0;

	if (vcs_git() == NULL || n == 0)
		return 0;
	strbuf_init(&out);
	strbuf_init(&top);
	strbuf_init(&others);
	{
		const char *a[] = { "rev-parse", "--show-toplevel", NULL };

		if (git(dir, &out, a) != 0)
			goto done;  /* not in a work tree: nothing changes */
		chomp(&out);
		if (strbuf_add(&top, out.buf, out.len) < 0)
			goto nomem;
	}
	rel = calloc(n, sizeof(*rel));
	if (rel == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		char abs[PATH_MAX], buf[PATH_MAX];
		const char *p = files[i];
		size_t tl = top.len;

		if (p[0] != '/') {
			snprintf(buf, sizeof(buf), "%s/%s", dir, p);
			p = buf;
		}
		if (is_index(p) || !realpath(p, abs))
			continue;
		if (strncmp(abs, top.buf, tl) != 0 || abs[tl] != '/')
			continue;
		/* changed or new, and not ignored? */
		{
			const char *a[] = { "status", "--porcelain=v1", "--untracked-files=all",
					    "--ignored=no", "--", abs + tl + 1, NULL };

			if (git(top.buf, &out, a) != 0 || out.len < 4)
				continue;
		}
		{
			size_t k;
			bool dup = false;

			for (k = 0; k < nrel; k++)
				if (strcmp(rel[k], abs + tl + 1) == 0)
					dup = true;
			if (dup)
				continue;
		}
		if ((rel[nrel] = strdup(abs + tl + 1)) == NULL)
			goto nomem;
		if (out.buf[0] == '?') {
			/* new file: git commit --only needs it known to git */
			const char *a[] = { "add", "--", rel[nrel], NULL };

			if (git(top.buf, &out, a) != 0) {
				strbuf_addf(note, "git: could not add %s: %s", rel[nrel], first_line(&out));
				free(rel[nrel]);
				rc = -1;
				goto done;
			}
		}
		nrel++;
	}
	if (nrel == 0)
		goto done;
	{
		const char *a[MAX_ARGS + 1];
		size_t k = 0, j;
		bool ident;

		{
			const char *c[] = { "config", "user.email", NULL };

			ident = git(top.buf, &out, c) == 0;
		}
		if (!ident) {
			static char email[300];
			char host[256] = "localhost";

			gethostname(host, sizeof(host) - 1);
			snprintf(email, sizeof(email), "user.email=root@%s", host);
			a[k++] = "-c";
			a[k++] = "user.name=pfconsole";
			a[k++] = "-c";
			a[k++] = email;
		}
		a[k++] = "commit";
		a[k++] = "--quiet";
		a[k++] = "--only";
		a[k++] = "-m";
		a[k++] = message;
		a[k++] = "--";
		for (j = 0; j < nrel && k < MAX_ARGS - 1; j++)
			a[k++] = rel[j];
		a[k] = NULL;
		if (git(top.buf, &out, a) != 0) {
			strbuf_addf(note, "git: commit in %s failed: %s", top.buf, first_line(&out));
			rc = -1;
			goto done;
		}
	}
	{
		/* the admin's other changes, the first three named; untracked
		 * indexes and FILE~ backups (what pfconsole itself leaves next
		 * to the sources) are not counted; -z: paths as they are */
		const char *a[] = { "status", "--porcelain=v1", "-z", "--untracked-files=normal", NULL };
		size_t off = 0;

		if (git(top.buf, &out, a) == 0)
			while (off + 3 < out.len) {
				const char *ent = out.buf + off;        /* "XY PATH" */
				const char *path = ent + 3;
				size_t plen = strnlen(path, out.len - off - 3);

				off += 3 + plen + 1;
				if ((ent[0] == 'R' || ent[0] == 'C') && off < out.len)
					off += strnlen(out.buf + off, out.len - off) + 1;  /* old name */
				if (ent[0] == '?' && (is_index(path) || (plen && path[plen - 1] == '~')))
					continue;
				if (nother < 3)
					strbuf_addf(&others, "%s%s", nother ? ", " : "", path);
				else if (nother == 3)
					strbuf_addstr(&others, ", ...");
				nother++;
			}
	}
	{
		const char *a[] = { "rev-parse", "--short", "HEAD", NULL };

		git(top.buf, &out, a);
		chomp(&out);
	}
	strbuf_addf(note, "git: committed %zu file%s in %s (%s)", nrel, nrel == 1 ? "" : "s",
		    top.buf, out.buf);
	if (nother)
		strbuf_addf(note, "; %zu other change%s left uncommitted: %s", nother,
			    nother == 1 ? "" : "s", others.buf);
	rc = 1;
	goto done;
nomem:
	strbuf_addstr(note, "git: out of memory");
	rc = -1;
done:
	for (i = 0; i < nrel; i++)
		free(rel[i]);
	free(rel);
	strbuf_fini(&out);
	strbuf_fini(&top);
	strbuf_fini(&others);
	return rc;
}

/* add_paths - the lines of TEXT (HEADERS: only "PATH:" lines, colon cut)
 * appended to *V (strdup'ed) */
static int
add_paths(const char *text, bool headers, char ***v, size_t *n, size_t *cap)
{
	const char *p = text, *nl;

	while (p && *p) {
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (headers) {
			/* "PATH:" headers; "+line"/"-line" are the changes */
			if (len > 1 && p[0] != '+' && p[0] != '-' && p[len - 1] == ':')
				len--;
			else
				len = 0;
		}
		if (len) {
			if (*n == *cap) {
				size_t nc = *cap ? *cap * 2 : 8;
				char **nv = realloc(*v, nc * sizeof(**v));

				if (nv == NULL)
					return -1;
				*v = nv;
				*cap = nc;
			}
			if (((*v)[*n] = strndup(p, len)) == NULL)
				return -1;
			(*n)++;
		}
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

int
vcs_commit_apply(const char *dir, const char *changes, const char *built, const char *message,
		 struct strbuf *note)
{
	char **v = NULL;
	size_t n = 0, cap = 0, i;
	int rc;

	if (add_paths(changes, true, &v, &n, &cap) < 0 || add_paths(built, false, &v, &n, &cap) < 0)
		rc = -1;
	else
		rc = vcs_commit(dir, (const char *const *)v, n, message, note);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}
