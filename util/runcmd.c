/*
 * util/runcmd.c - run a helper program (see runcmd.h).  The pty variant
 * uses openpty(3) semantics through posix_openpt/grantpt/unlockpt/ptsname,
 * so no extra library is needed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/runcmd.h"

#define ENV_MAX 32                  /* PATH, the caller's entries, NULL */

void
runcmd_result_init(struct runcmd_result *r)
{
	r->status = -1;
	r->timed_out = false;
	r->truncated = false;
	strbuf_init(&r->output);
	strbuf_init(&r->errout);
}

void
runcmd_result_fini(struct runcmd_result *r)
{
	strbuf_fini(&r->output);
	strbuf_fini(&r->errout);
}

int
runcmd_format_argv(const char *const argv[], struct strbuf *out)
{
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i && strbuf_addch(out, ' ') < 0)
			return -1;
		if (strbuf_addstr(out, argv[i]) < 0)
			return -1;
	}
	return 0;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* open_pty - master and slave of a new pseudo-terminal */
static int
open_pty(int *master, int *slave)
{
	char *name;
	int m, s;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return -1;
	if (grantpt(m) < 0 || unlockpt(m) < 0 || !(name = ptsname(m))) {
		close(m);
		return -1;
	}
	s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0) {
		close(m);
		return -1;
	}
	*master = m;
	*slave = s;
	return 0;
}

/* untrusted_dir - DIR (and each directory above it) may be changed by
 * someone other than root or us: owned by another user, or writable by
 * group/others without the sticky bit; the offending directory into BAD */
static bool
untrusted_dir(const char *dir, char *bad, size_t size)
{
	char d[PATH_MAX];
	uid_t me = geteuid();

	if (snprintf(d, sizeof(d), "%s", dir) >= (int)sizeof(d))
		return true;
	for (;;) {
		struct stat st;
		char *slash;

		if (stat(d[0] ? d : "/", &st) < 0 || !S_ISDIR(st.st_mode)
		    || (st.st_uid != 0 && st.st_uid != me)
		    || ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))) {
			snprintf(bad, size, "%s", d[0] ? d : "/");
			return true;
		}
		if (d[0] == 0 || (slash = strrchr(d, '/')) == NULL)
			return false;
		*slash = 0;
	}
}

int
runcmd_trusted(const char *path, char *reason, size_t size)
{
	char real[PATH_MAX], bad[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	uid_t me = geteuid();
	const char *slash;

	if (path[0] != '/') {
		snprintf(reason, size, "%s: not an absolute path", path);
		errno = EINVAL;
		return -1;
	}
	if (realpath(path, real) == NULL || stat(real, &st) < 0)
		return 0;               /* missing: exec says so (status 127) */
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != me) || (st.st_mode & 022)) {
		snprintf(reason, size, "refusing to run %s: %s", path,
			 !S_ISREG(st.st_mode) ? "not a regular file"
			 : (st.st_mode & 022) ? "writable by group or others"
					      : "owned by another user than root");
		errno = EPERM;
		return -1;
	}
	/* the directories of the path as given and of the file it resolves to */
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (untrusted_dir(dir, bad, sizeof(bad))) {
		snprintf(reason, size, "refusing to run %s: directory %s is not root's alone", path, bad);
		errno = EPERM;
		return -1;
	}
	*strrchr(real, '/') = 0;
	if (untrusted_dir(real, bad, sizeof(bad))) {
		snprintf(reason, size, "refusing to run %s: directory %s is not root's alone", path, bad);
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* check_argv - ARGV[0] absolute and trusted, OPTS->env small enough */
static int
check_argv(const char *const argv[], const struct runcmd_opts *o, char *reason, size_t size)
{
	size_t n = 0;

	if (argv == NULL || argv[0] == NULL || argv[0][0] != '/') {
		snprintf(reason, size, "%s: not an absolute path", argv && argv[0] ? argv[0] : "(none)");
		errno = EINVAL;
		return -1;
	}
	if (runcmd_trusted(argv[0], reason, size) < 0)
		return -1;
	while (o && o->env && o->env[n])
		n++;
	if (n + 2 > ENV_MAX) {
		snprintf(reason, size, "%s: too many environment entries", argv[0]);
		errno = E2BIG;
		return -1;
	}
	return 0;
}

/* child - in the forked child: stdio from IN, OUT, ERR (-1: /dev/null),
 * own process group (own session with a pty), clean environment, exec */
static void
child(const char *const argv[], const struct runcmd_opts *o, bool pty, int in, int out, int err)
{
	const char *env[ENV_MAX];
	size_t n = 0, i;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (pty) {
		setsid();
		ioctl(out, TIOCSCTTY, 0);
	} else {
		setpgid(0, 0);
	}
	dup2(in >= 0 ? in : devnull, 0);
	dup2(out >= 0 ? out : devnull, 1);
	dup2(err >= 0 ? err : devnull, 2);
	signal(SIGPIPE, SIG_DFL);
	env[n++] = "PATH=" RUNCMD_SAFE_PATH;
	for (i = 0; o && o->env && o->env[i]; i++)
		env[n++] = o->env[i];
	env[n] = NULL;
	execve(argv[0], (char *const *)argv, (char *const *)env);
	dprintf(2, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* add_output - append N bytes to OUT up to CAP ("\r\n" -> "\n" with a pty) */
static void
add_output(struct runcmd_result *r, struct strbuf *out, const char *p, size_t n, bool pty,
	   size_t cap)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (pty && p[i] == '\r' && (i + 1 == n || p[i + 1] == '\n'))
			continue;
		if (out->len >= cap) {
			r->truncated = true;
			return;
		}
		strbuf_addch(out, p[i]);
	}
}

int
runcmd_stop(pid_t pid, int grace_ms)
{
	long long end = now_ms() + (grace_ms > 0 ? grace_ms : 0);
	int status;
	pid_t w;

	kill(-pid, SIGTERM);
	kill(pid, SIGTERM);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= end) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
				;
			if (w < 0)
				return -1;
			break;
		}
		usleep(10000);
	}
	return status;
}

int
runcmd_spawn(const char *const argv[], const struct runcmd_opts *opts, pid_t *pid, int *fd,
	     char *reason, size_t size)
{
	int p[2];

	if (check_argv(argv, opts, reason, size) < 0)
		return -1;
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(reason, size, "pipe for %s: %s", argv[0], strerror(errno));
		return -1;
	}
	*pid = fork();
	if (*pid < 0) {
		int e = errno;

		close(p[0]);
		close(p[1]);
		snprintf(reason, size, "fork %s: %s", argv[0], strerror(e));
		errno = e;
		return -1;
	}
	if (*pid == 0)
		child(argv, opts, false, -1, p[1], -1);
	setpgid(*pid, *pid);        /* as the child does: no race with a kill */
	close(p[1]);
	*fd = p[0];
	return 0;
}

int
runcmd_exec(const char *const argv[], const struct runcmd_opts *opts,
	    struct runcmd_result *r, char *reason, size_t size)
{
	unsigned flags = opts ? opts->flags : 0;
	bool pty = flags & RUNCMD_PTY, split = !pty && (flags & RUNCMD_SPLIT);
	size_t cap = opts && opts->output_cap ? opts->output_cap : RUNCMD_OUTPUT_CAP;
	int timeout_ms = opts && opts->timeout_ms > 0 ? opts->timeout_ms : RUNCMD_TIMEOUT_MS;
	int rfd[2] = { -1, -1 }, wfd[2] = { -1, -1 }, status = 0, nopen;
	long long deadline, drain = 0;
	useconds_t backoff = 1000;
	bool killed = false, exited = false;
	pid_t pid;
	int i;

	r->status = -1;
	r->timed_out = false;
	r->truncated = false;
	if (check_argv(argv, opts, reason, size) < 0)
		return -1;
	for (i = 0; i < (split ? 2 : 1); i++) {
		int p[2];

		if (pty && open_pty(&rfd[0], &wfd[0]) < 0) {
			snprintf(reason, size, "openpty: %s", strerror(errno));
			return -1;
		}
		if (pty)
			break;
		if (pipe2(p, O_CLOEXEC) < 0) {
			snprintf(reason, size, "pipe: %s", strerror(errno));
			if (i)
				close(rfd[0]), close(wfd[0]);
			return -1;
		}
		rfd[i] = p[0];
		wfd[i] = p[1];
	}
	pid = fork();
	if (pid < 0) {
		snprintf(reason, size, "fork: %s", strerror(errno));
		for (i = 0; i < 2; i++)
			if (rfd[i] >= 0)
				close(rfd[i]), close(wfd[i]);
		return -1;
	}
	if (pid == 0)
		child(argv, opts, pty, pty ? wfd[0] : -1, wfd[0], split ? wfd[1] : wfd[0]);
	if (!pty)
		setpgid(pid, pid);
	for (i = 0; i < 2; i++)
		if (wfd[i] >= 0)
			close(wfd[i]);
	nopen = split ? 2 : 1;
	deadline = now_ms() + timeout_ms;
	/* read until the child has exited and its output is drained; a
	 * background grandchild (postfix reload starts postsuper) may keep the
	 * descriptor open, so EOF alone does not end the wait; after the exit
	 * we stop at the first 50 ms without output, and 2 s at the most */
	for (;;) {
		struct pollfd p[2];
		char buf[4096];
		int np = 0, pr;

		if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			drain = now_ms() + 2000;
		}
		if (!exited && now_ms() >= deadline) {
			if (!killed) {
				kill(-pid, SIGTERM);
				killed = true;
				r->timed_out = true;
				deadline = now_ms() + 2000;
			} else {
				kill(-pid, SIGKILL);
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				exited = true;
				drain = now_ms() + 2000;
			}
		}
		if (nopen == 0 && exited)
			break;
		if (exited && now_ms() >= drain)
			break;
		if (nopen == 0) {
			/* output closed: the exit is near (1, 2, 4 ... 32 ms) */
			usleep(backoff);
			if (backoff < 32000)
				backoff *= 2;
			continue;
		}
		for (i = 0; i < 2; i++)
			if (rfd[i] >= 0) {
				p[np].fd = rfd[i];
				p[np].events = POLLIN;
				p[np].revents = 0;
				np++;
			}
		pr = poll(p, (nfds_t)np, exited ? 50 : 100);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr == 0 && exited)
			break;      /* nothing more within 50 ms of the exit */
		if (pr <= 0)
			continue;
		for (i = 0; i < 2; i++) {
			ssize_t n;
			int k;

			if (rfd[i] < 0)
				continue;
			for (k = 0; k < np && p[k].fd != rfd[i]; k++)
				;
			if (k == np || !p[k].revents)
				continue;
			n = read(rfd[i], buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {       /* EOF, or EIO on a pty whose slave side closed */
				close(rfd[i]);
				rfd[i] = -1;
				nopen--;
				continue;
			}
			add_output(r, i ? &r->errout : &r->output, buf, (size_t)n, pty, cap);
		}
	}
	for (i = 0; i < 2; i++)
		if (rfd[i] >= 0)
			close(rfd[i]);
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->status = 128 + WTERMSIG(status);
	return 0;
}

int
runcmd_run(const char *const argv[], unsigned flags, int timeout_ms,
	   struct runcmd_result *r, char *reason, size_t size)
{
	struct runcmd_opts o = { .flags = flags, .timeout_ms = timeout_ms };

	return runcmd_exec(argv, &o, r, reason, size);
}
