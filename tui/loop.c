/*
 * tui/loop.c - the poll(2) loop (see loop.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tui/loop.h"
#include "tui/term.h"

static int sigpipe_fd[2] = { -1, -1 };
static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	got_signal = sig;
	if (sigpipe_fd[1] >= 0)
		(void)!write(sigpipe_fd[1], &c, 1);
	errno = saved;
}

/* SIGWINCH: curses' own handler (it makes the next read report
 * KEY_RESIZE) runs first; the byte in the pipe wakes poll(), so a resize
 * that comes while the loop is busy (not inside poll) is not left until the
 * next key */
static struct sigaction curses_winch;
static volatile sig_atomic_t got_winch;

static void
on_winch(int sig)
{
	int saved = errno;
	char c = 'W';

	if (curses_winch.sa_handler != SIG_DFL && curses_winch.sa_handler != SIG_IGN &&
	    curses_winch.sa_handler)
		curses_winch.sa_handler(sig);
	got_winch = 1;
	if (sigpipe_fd[1] >= 0)
		(void)!write(sigpipe_fd[1], &c, 1);
	errno = saved;
}

static void
winch_chain(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGWINCH, &sa, &curses_winch) == 0 && curses_winch.sa_handler == on_winch)
		curses_winch.sa_handler = SIG_DFL;      /* installed twice */
}

int
loop_signals_install(void)
{
	struct sigaction sa;
	int i;

	if (pipe(sigpipe_fd) < 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(sigpipe_fd[i], F_SETFL, fcntl(sigpipe_fd[i], F_GETFL) | O_NONBLOCK);
		fcntl(sigpipe_fd[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

long long
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Timing for tests/bench/tui.sh: with PFCONSOLE_TIMING=FILE, one line per
 * event, "first-screen MS" (since the process started), "key US cpu US" (a
 * key read to its screen drawn; the loop thread's CPU time) and "source US
 * cpu US" (a descriptor's handler that used 0.1 ms of CPU or more:
 * background results, the log, file watches, work put off until after a
 * draw). */
static FILE *timing;

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* thread_cpu_us - CPU time of the loop's thread: with 8 processes on 2
 * cores the wall time of a key says more about the machine than about us */
static long long
thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long
process_start_us(void)
{
	struct timespec ts;

	/* CPU time is a lower bound of the wall time since exec; the bench
	 * measures wall time from outside as well */
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return now_us() - ((long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

static void
draw(struct app *app, struct rows *rows)
{
	int w, h;

	term_size(&w, &h);
	app_render(app, rows, w, h);
	term_draw(rows);
}

int
loop_run(struct app *app)
{
	struct pollfd pfd[2 + APP_MAX_SOURCES];
	struct rows rows;
	long long next_tick = loop_now_ms() + 1000;
	unsigned fl = APP_REDRAW;
	int i, n, key, timeout, sig = 0;
	long long start_us = process_start_us(), key_us = 0, key_cpu = 0;
	bool first = true;

	rows_init(&rows);
	winch_chain();
	if (getenv("PFCONSOLE_TIMING"))
		timing = fopen(getenv("PFCONSOLE_TIMING"), "a");
	while (!app->quit) {
		if (fl & APP_QUIT)
			break;
		if (fl & APP_REDRAW)
			draw(app, &rows);
		if (timing) {
			if (first) {
				fprintf(timing, "first-screen %.1f\n",
					(double)(now_us() - start_us) / 1000.0);
				first = false;
			} else if (key_us) {
				fprintf(timing, "key %lld cpu %lld\n", now_us() - key_us,
					thread_cpu_us() - key_cpu);
			}
			fflush(timing);
			key_us = 0;
		}
		fl = 0;
		n = 0;
		pfd[n].fd = term_input_fd();
		pfd[n++].events = POLLIN;
		pfd[n].fd = sigpipe_fd[0];
		pfd[n++].events = POLLIN;
		for (i = 0; i < app->nsources; i++) {
			pfd[n].fd = app->sources[i].fd;
			pfd[n++].events = POLLIN;
		}
		timeout = (int)(next_tick - loop_now_ms());
		if (timeout < 0)
			timeout = 0;
		if (poll(pfd, (nfds_t)n, timeout) < 0) {
			if (errno != EINTR)
				break;
			/* SIGWINCH (curses' handler) or SIGCONT: curses reports
			 * KEY_RESIZE through the next read */
			pfd[0].revents = POLLIN;
			for (i = 1; i < n; i++)
				pfd[i].revents = 0;
		}
		if (pfd[1].revents & POLLIN) {
			char c;

			while (read(sigpipe_fd[0], &c, 1) == 1)
				;
			if (got_winch) {
				got_winch = 0;
				pfd[0].revents |= POLLIN;       /* term_key() reports the resize */
			}
			if (got_signal == SIGINT && app->hooks && app->hooks->quit_all &&
			    app->prompt.kind == PROMPT_NONE) {
				/* Ctrl-C is Q: it asks first when edits are unsaved; a
				 * second Ctrl-C at that question leaves */
				got_signal = 0;
				fl |= app->hooks->quit_all(app) | APP_REDRAW;
				if (fl & APP_QUIT)
					break;
			} else if (got_signal) {
				sig = got_signal;
				break;
			}
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			int count = 0;

			if (timing) {
				key_us = now_us();
				key_cpu = thread_cpu_us();
			}

			while ((key = term_key()) != TKEY_NONE) {
				if (key == TKEY_CTRL('l')) {
					term_redraw_all();
					fl |= APP_REDRAW;
				}
				fl |= app_key(app, key);
				if (fl & APP_QUIT || ++count > 512)
					break;
			}
			if (pfd[0].revents & (POLLHUP | POLLERR) && count == 0)
				break;      /* the terminal went away */
		}
		for (i = 2; i < n; i++) {
			if (pfd[i].revents) {
				struct app_source *src = &app->sources[i - 2];

				if (i - 2 < app->nsources && src->fd == pfd[i].fd && src->ready) {
					long long s_us = timing ? now_us() : 0, s_cpu = timing ? thread_cpu_us() : 0;

					fl |= src->ready(app, src->ctx);
					/* only handlers that did work: the log follower
					 * watches its directory, which may hold this file */
					if (timing && thread_cpu_us() - s_cpu >= 100)
						fprintf(timing, "source %lld cpu %lld\n", now_us() - s_us,
							thread_cpu_us() - s_cpu);
				}
			}
		}
		if (loop_now_ms() >= next_tick) {
			fl |= app_tick(app);
			next_tick = loop_now_ms() + 1000;
		}
	}
	rows_fini(&rows);
	if (timing)
		fclose(timing);
	timing = NULL;
	return sig;
}
