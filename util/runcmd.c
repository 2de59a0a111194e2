/*
 * util/runcmd.c - run a command from an argv array and capture its output
 * (see runcmd.h).  The pty variant uses openpty(3) semantics through
 * posix_openpt/grantpt/unlockpt/ptsname, so no extra library is needed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "util/runcmd.h"

void
runcmd_result_init(struct runcmd_result *r)
{
	r->status = -1;
	r->timed_out = false;
	strbuf_init(&r->output);
}

void
runcmd_result_fini(struct runcmd_result *r)
{
	strbuf_fini(&r->output);
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
	s = open(name, O_RDWR | O_NOCTTY);
	if (s < 0) {
		close(m);
		return -1;
	}
	*master = m;
	*slave = s;
	return 0;
}

/* add_output - append N bytes, turning "\r\n" into "\n" */
static void
add_output(struct strbuf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && (i + 1 == n || p[i + 1] == '\n'))
			continue;
		strbuf_addch(out, p[i]);
	}
}

int
runcmd_run(const char *const argv[], unsigned flags, int timeout_ms,
	   struct runcmd_result *r, char *reason, size_t size)
{
	int rfd = -1, wfd = -1, pfd[2], status = 0;
	long long deadline;
	bool killed = false, exited = false, eof = false;
	pid_t pid;

	r->status = -1;
	r->timed_out = false;
	if (timeout_ms <= 0)
		timeout_ms = 60000;
	if (flags & RUNCMD_PTY) {
		if (open_pty(&rfd, &wfd) < 0) {
			snprintf(reason, size, "openpty: %s", strerror(errno));
			return -1;
		}
	} else {
		if (pipe2(pfd, O_CLOEXEC) < 0) {
			snprintf(reason, size, "pipe: %s", strerror(errno));
			return -1;
		}
		rfd = pfd[0];
		wfd = pfd[1];
	}
	pid = fork();
	if (pid < 0) {
		snprintf(reason, size, "fork: %s", strerror(errno));
		close(rfd);
		close(wfd);
		return -1;
	}
	if (pid == 0) {
		int devnull;

		if (flags & RUNCMD_PTY) {
			setsid();
			ioctl(wfd, TIOCSCTTY, 0);
			dup2(wfd, 0);
		} else {
			devnull = open("/dev/null", O_RDONLY);
			if (devnull >= 0)
				dup2(devnull, 0);
		}
		dup2(wfd, 1);
		dup2(wfd, 2);
		if (wfd > 2)
			close(wfd);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		dprintf(2, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(wfd);
	deadline = now_ms() + timeout_ms;
	/* read until the child has exited and its output is drained; a
	 * background grandchild (postfix reload starts postsuper) may keep the
	 * terminal open, so EOF alone does not end the wait */
	for (;;) {
		struct pollfd p = { .fd = rfd, .events = POLLIN };
		char buf[4096];
		ssize_t n;
		pid_t w;

		if (!exited) {
			w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				exited = true;
		}
		if (!exited && now_ms() >= deadline) {
			if (!killed) {
				kill(pid, SIGTERM);
				killed = true;
				r->timed_out = true;
				deadline = now_ms() + 2000;
			} else {
				kill(pid, SIGKILL);
				while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
					;
				exited = true;
			}
		}
		if (eof && exited)
			break;
		if (eof) {
			usleep(20000);
			continue;
		}
		if (poll(&p, 1, exited ? 50 : 100) < 0) {
			if (errno == EINTR)
				continue;
			eof = true;
			continue;
		}
		if (!p.revents) {
			if (exited)
				eof = true;     /* nothing more within 50 ms of the exit */
			continue;
		}
		n = read(rfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			eof = true;         /* EOF, or EIO on a pty whose slave side closed */
			continue;
		}
		add_output(&r->output, buf, (size_t)n);
	}
	close(rfd);
	if (WIFEXITED(status))
		r->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->status = 128 + WTERMSIG(status);
	return 0;
}
