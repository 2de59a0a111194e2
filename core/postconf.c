/*
 * core/postconf.c - the installed Postfix's defaults and table types
 * (postconf -d, postconf -m), cached by the binary's identity.  See
 * postconf.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/maincf.h"
#include "core/postconf.h"
#include "util/hash.h"
#include "util/runcmd.h"
#include "util/strbuf.h"

#define POSTCONF_TIMEOUT_MS 10000
#define CACHE_MAGIC "pfconsole postconf cache 1"

struct pc_param {
	char *name;
	char *value;
};

static struct {
	bool tried;                 /* postconf_use ran for BINARY */
	bool loaded;
	char *binary;               /* absolute path */
	struct pc_param *params;    /* sorted by name */
	size_t nparams;
	char **types;               /* postconf -m */
	size_t ntypes;
	bool have_types;
	char origin[1100];
	char describe[1200];
} pc;

void
postconf_reset(void)
{
	size_t i;

	for (i = 0; i < pc.nparams; i++) {
		free(pc.params[i].name);
		free(pc.params[i].value);
	}
	free(pc.params);
	for (i = 0; i < pc.ntypes; i++)
		free(pc.types[i]);
	free(pc.types);
	free(pc.binary);
	memset(&pc, 0, sizeof(pc));
}

static int
param_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pc_param *)a)->name, ((const struct pc_param *)b)->name);
}

static const struct pc_param *
find_param(const char *name)
{
	struct pc_param key = { (char *)name, NULL };

	if (pc.nparams == 0)
		return NULL;
	return bsearch(&key, pc.params, pc.nparams, sizeof(pc.params[0]), param_cmp);
}

const char *
postconf_default(const char *name)
{
	const struct pc_param *p = pc.loaded ? find_param(name) : NULL;

	return p ? p->value : NULL;
}

int
postconf_is_param(const char *name)
{
	if (!pc.loaded)
		return -1;
	return find_param(name) != NULL;
}

int
postconf_has_type(const char *type)
{
	size_t i;

	if (!pc.loaded || !pc.have_types)
		return -1;
	for (i = 0; i < pc.ntypes; i++)
		if (strcmp(pc.types[i], type) == 0)
			return 1;
	return 0;
}

const char *
postconf_version(void)
{
	const char *v = postconf_default("mail_version");

	if (v == NULL)
		v = maincf_builtin_default("mail_version");
	return v ? v : "?";
}

const char *
postconf_origin(void)
{
	return pc.loaded ? pc.origin : "built-in table";
}

const char *
postconf_describe(void)
{
	const char *env = getenv("PFCONSOLE_POSTCONF");

	if (env && strcmp(env, "builtin") == 0)
		return NULL;
	if (pc.loaded)
		snprintf(pc.describe, sizeof(pc.describe), "Postfix %s (defaults from %s)",
			 postconf_version(), pc.origin);
	else
		snprintf(pc.describe, sizeof(pc.describe), "Postfix %s (built-in defaults%s)",
			 postconf_version(), pc.tried ? "; postconf not usable" : "");
	return pc.describe;
}

/* ---- parsing postconf output --------------------------------------- */

/* add_param - "name = value" (value may be empty); other lines ignored
 * (warnings, the binary's own messages) */
static int
add_line(const char *line, size_t len, size_t *cap)
{
	const char *eq, *v;
	size_t nlen, i;

	eq = memchr(line, '=', len);
	if (eq == NULL || eq == line || eq[-1] != ' ')
		return 0;
	nlen = (size_t)(eq - 1 - line);
	for (i = 0; i < nlen; i++) {
		char c = line[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	if (nlen == 0)
		return 0;
	v = eq + 1;
	if (v < line + len && *v == ' ')
		v++;
	if (pc.nparams == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct pc_param *np = realloc(pc.params, ncap * sizeof(*np));

		if (np == NULL)
			return -1;
		pc.params = np;
		*cap = ncap;
	}
	pc.params[pc.nparams].name = strndup(line, nlen);
	pc.params[pc.nparams].value = strndup(v, (size_t)(line + len - v));
	if (!pc.params[pc.nparams].name || !pc.params[pc.nparams].value) {
		free(pc.params[pc.nparams].name);
		free(pc.params[pc.nparams].value);
		return -1;
	}
	pc.nparams++;
	return 0;
}

static int
add_type(const char *w, size_t len, size_t *cap)
{
	size_t i;

	for (i = 0; i < len; i++) {
		char c = w[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return 0;
	}
	if (len == 0)
		return 0;
	if (pc.ntypes == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		char **nt = realloc(pc.types, ncap * sizeof(*nt));

		if (nt == NULL)
			return -1;
		pc.types = nt;
		*cap = ncap;
	}
	if ((pc.types[pc.ntypes] = strndup(w, len)) == NULL)
		return -1;
	pc.ntypes++;
	return 0;
}

/* parse - the cache text: magic, key, "-d" lines, "-m" line of types */
static int
parse(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	size_t pcap = 0, tcap = 0;
	int section = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n == 2 && memcmp(p, "-d", 2) == 0)
			section = 1;
		else if (n == 2 && memcmp(p, "-m", 2) == 0) {
			section = 2;
			pc.have_types = true;
		} else if (section == 1) {
			if (add_line(p, n, &pcap) < 0)
				return -1;
		} else if (section == 2) {
			if (add_type(p, n, &tcap) < 0)
				return -1;
		}
		p += n + 1;
	}
	qsort(pc.params, pc.nparams, sizeof(pc.params[0]), param_cmp);
	return 0;
}

/* ---- the cache ----------------------------------------------------- */

static int
cache_dir(struct strbuf *dir)
{
	const char *x = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (x && x[0] == '/')
		return strbuf_addf(dir, "%s/pfconsole", x);
	if (home && home[0] == '/')
		return strbuf_addf(dir, "%s/.cache/pfconsole", home);
	errno = ENOENT;
	return -1;
}

/* read_file - at most 4 MiB of the regular file PATH (not a symlink) */
static int
read_file(const char *path, struct strbuf *out)
{
	char tmp[16384];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > 4 * 1024 * 1024) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (strbuf_add(out, tmp, (size_t)n) < 0) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	return 0;
}

/* cache_write - TEXT into PATH through an O_EXCL|O_NOFOLLOW temporary and a
 * rename; failure only costs the next start a postconf run */
static void
cache_write(const char *dir, const char *path, const struct strbuf *text)
{
	struct strbuf tmp;
	int fd;

	strbuf_init(&tmp);
	{
		/* mkdir -p: ~/.cache may not exist yet */
		char *p, *d = strdup(dir);

		if (d == NULL)
			goto out;
		for (p = d + 1; *p; p++)
			if (*p == '/') {
				*p = '\0';
				mkdir(d, 0700);
				*p = '/';
			}
		free(d);
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		goto out;
	if (strbuf_addf(&tmp, "%s.%ld.tmp", path, (long)getpid()) < 0)
		goto out;
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (write(fd, text->buf, text->len) != (ssize_t)text->len || close(fd) < 0 ||
	    rename(tmp.buf, path) < 0)
		unlink(tmp.buf);
out:
	strbuf_fini(&tmp);
}

/* run - BINARY ARG through util/runcmd (clean environment, plus
 * MAIL_CONFIG=CONFIG_DIR unless NULL; deadline); its standard output
 * appended to OUT (stderr, warnings, kept apart).  0 when it exited 0. */
static int
run(const char *binary, const char *arg, const char *config_dir, struct strbuf *out)
{
	struct runcmd_result r;
	struct runcmd_opts o;
	struct strbuf mc;
	char reason[256];
	int rc = -1;

	strbuf_init(&mc);
	runcmd_result_init(&r);
	if (strbuf_addf(&mc, "MAIL_CONFIG=%s", config_dir ? config_dir : "") == 0) {
		const char *argv[] = { binary, arg, NULL };
		const char *env[] = { mc.buf, NULL };

		memset(&o, 0, sizeof(o));
		o.flags = RUNCMD_SPLIT;
		o.timeout_ms = POSTCONF_TIMEOUT_MS;
		o.output_cap = (size_t)4 << 20;
		o.env = config_dir ? env : NULL;
		if (runcmd_exec(argv, &o, &r, reason, sizeof(reason)) == 0 && r.status == 0 &&
		    !r.timed_out && !r.truncated && strbuf_add(out, r.output.buf, r.output.len) == 0)
			rc = 0;
	}
	runcmd_result_fini(&r);
	strbuf_fini(&mc);
	return rc;
}

int
postconf_use(const char *command_dir, const char *config_dir)
{
	struct strbuf binary, key, cdir, cpath, text, fresh;
	const char *env = getenv("PFCONSOLE_POSTCONF");
	char host[256] = "";
	struct stat st, dm;
	int rc = -1;

	if (env && strcmp(env, "builtin") == 0)
		return -1;
	if (command_dir == NULL || command_dir[0] != '/')
		return -1;
	strbuf_init(&binary);
	strbuf_init(&key);
	strbuf_init(&cdir);
	strbuf_init(&cpath);
	strbuf_init(&text);
	strbuf_init(&fresh);
	if (strbuf_addf(&binary, "%s/postconf", command_dir) < 0)
		goto out;
	if (pc.tried && pc.binary && strcmp(pc.binary, binary.buf) == 0) {
		rc = pc.loaded ? 0 : -1;
		goto out;
	}
	postconf_reset();
	pc.tried = true;
	if ((pc.binary = strdup(binary.buf)) == NULL)
		goto out;
	if (stat(binary.buf, &st) < 0 || !S_ISREG(st.st_mode) || access(binary.buf, X_OK) < 0)
		goto out;
	gethostname(host, sizeof(host) - 1);
	/* postconf -m follows dynamicmaps.cf (built-in meta_directory) */
	memset(&dm, 0, sizeof(dm));
	if (stat("/etc/postfix/dynamicmaps.cf", &dm) < 0)
		memset(&dm, 0, sizeof(dm));
	if (strbuf_addf(&key, "%s\nkey %s %llu %llu %lld %lld.%09ld %s %lld.%09ld\n", CACHE_MAGIC,
			binary.buf, (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			(long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, host,
			(long long)dm.st_mtim.tv_sec, dm.st_mtim.tv_nsec) < 0)
		goto out;
	if (cache_dir(&cdir) == 0 &&
	    strbuf_addf(&cpath, "%s/postconf-%016llx", cdir.buf,
			(unsigned long long)hash_fnv1a(binary.buf, binary.len)) == 0 &&
	    read_file(cpath.buf, &text) == 0 && text.len > key.len &&
	    memcmp(text.buf, key.buf, key.len) == 0) {
		if (parse(text.buf + key.len, text.len - key.len) < 0 || pc.nparams == 0)
			goto fail;
	} else {
		if (strbuf_add(&fresh, key.buf, key.len) < 0 || strbuf_addstr(&fresh, "-d\n") < 0 ||
		    run(binary.buf, "-d", NULL, &fresh) < 0)
			goto fail;
		if (fresh.len && fresh.buf[fresh.len - 1] != '\n' && strbuf_addch(&fresh, '\n') < 0)
			goto fail;
		{
			size_t mark = fresh.len;

			/* postconf -m needs a readable main.cf (-d does not, and
			 * with MAIL_CONFIG it would add that master.cf's service
			 * parameters); without one the types stay built-in */
			if (strbuf_addstr(&fresh, "-m\n") < 0)
				goto fail;
			if (run(binary.buf, "-m", config_dir ? config_dir : "/etc/postfix", &fresh) < 0)
				strbuf_truncate(&fresh, mark);
		}
		if (parse(fresh.buf + key.len, fresh.len - key.len) < 0 || pc.nparams == 0 ||
		    !find_param("mail_version"))
			goto fail;
		if (cpath.len)
			cache_write(cdir.buf, cpath.buf, &fresh);
	}
	if (!find_param("mail_version"))
		goto fail;
	snprintf(pc.origin, sizeof(pc.origin), "%s -d", binary.buf);
	pc.loaded = true;
	rc = 0;
	goto out;
fail:
	{
		char *b = pc.binary;

		pc.binary = NULL;
		postconf_reset();
		pc.binary = b;
		pc.tried = true;
	}
out:
	strbuf_fini(&binary);
	strbuf_fini(&key);
	strbuf_fini(&cdir);
	strbuf_fini(&cpath);
	strbuf_fini(&text);
	strbuf_fini(&fresh);
	return rc;
}
