/*
 * core/logsrc.c - mail log sources: files (followed through rotation),
 * standard input, and the systemd journal via a journalctl child.
 *
 * Public: the functions of core/logsrc.h.  Owns its descriptors, its
 * watcher, the journalctl child and the line buffers.  Errors are returned
 * with errno and a reason; nothing prints.
 *
 * Files are read with pread() at a remembered offset, so the read position
 * never depends on the descriptor's own offset.  To notice a copytruncate
 * that was followed by enough new writes to make the file as long as before,
 * the last bytes before the offset are remembered and compared on each
 * poll.  After a rename/recreate the old descriptor is kept and drained
 * first on every poll for LOGSRC_DRAIN_SECS, because a writer may still
 * append to the old file until it reopens its log.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/logsrc.h"
#include "core/maincf.h"
#include "core/watch.h"
#include "util/runcmd.h"

#define READ_CHUNK (128 * 1024)     /* stays in L2 while it is parsed */
#define BACK_BLOCK (64 * 1024)
#define FP_LEN 64
#define LOGSRC_DRAIN_SECS 5

enum src_kind { SRC_FILE, SRC_PIPE };

/* one open file generation */
struct gen {
	int fd;
	dev_t dev;
	ino_t ino;
	off_t off;              /* bytes consumed (complete lines + partial) */
	unsigned char fp[FP_LEN];       /* the bytes just before off */
	size_t fplen;
	struct strbuf partial;  /* an incomplete last line (bytes before off) */
	bool skipping;          /* dropping the rest of an over-long line */
};

struct logsrc {
	char *name;
	enum src_kind kind;
	bool follow;
	struct gen cur;
	struct gen old;         /* previous file after a rotation, fd -1 when none */
	time_t old_until;
	bool gone;              /* the name is missing */
	off_t range_end;        /* logsrc_set_range: stop here; -1 = none */
	struct watch *w;
	pid_t child;
	bool eof;
	bool stopped;           /* the sink asked to stop */
	const volatile sig_atomic_t *cancel;  /* logsrc_set_cancel */
	struct logline_ctx ctx;
	struct logsrc_counts counts;
	char *buf;
	/* back-log of a pipe source: the last N events */
	struct pf_event **ring;
	size_t ring_n, ring_cap, ring_head;
};

static void
set_reason(char *reason, size_t size, const char *fmt, const char *a, int err)
{
	if (reason != NULL && size > 0)
		snprintf(reason, size, fmt, a, strerror(err));
}

const char *
logsrc_name(const struct logsrc *ls)
{
	return ls->name;
}

void
logsrc_counts(const struct logsrc *ls, struct logsrc_counts *c)
{
	*c = ls->counts;
}

bool
logsrc_eof(const struct logsrc *ls)
{
	return ls->eof;
}

int
logsrc_fd(const struct logsrc *ls)
{
	if (ls->kind == SRC_PIPE)
		return ls->eof ? -1 : ls->cur.fd;
	return ls->w != NULL ? watch_fd(ls->w) : -1;
}

int
logsrc_timeout_ms(const struct logsrc *ls)
{
	if (ls->kind == SRC_PIPE)
		return -1;
	/* a safety net with a watcher; the only means without one */
	return ls->w != NULL ? 1000 : 200;
}

static void
note(const struct feed_sink *sink, enum logsrc_note what, const char *text)
{
	if (sink != NULL && sink->note != NULL)
		sink->note(sink->arg, what, text);
}

/* journalctl_path - the configure-time path (JOURNALCTL_PATH), or the
 * absolute $PFCONSOLE_JOURNALCTL (tests; util/runcmd still refuses a
 * program that someone other than root could have changed) */
static const char *
journalctl_path(void)
{
	const char *e = getenv("PFCONSOLE_JOURNALCTL");

	return e && e[0] == '/' ? e : JOURNALCTL_PATH;
}

/* spawn_journal - start journalctl writing to a pipe we read (util/runcmd:
 * absolute path, own process group, clean environment) */
static int
spawn_journal(struct logsrc *ls, char *reason, size_t size)
{
	const char *av[12];
	char prog[PATH_MAX], where[PATH_MAX + 16];
	int i = 0;

	snprintf(prog, sizeof(prog), "%s", journalctl_path());
	if (access(prog, X_OK) < 0) {
		snprintf(reason, size, "journalctl: command not found (%s)", prog);
		errno = ENOENT;
		return -1;
	}
	av[i++] = prog;
	av[i++] = "-q";
	av[i++] = "--no-pager";
	av[i++] = "-o";
	av[i++] = "short-iso-precise";
	if (ls->follow) {
		av[i++] = "-f";
		av[i++] = "-n";
		av[i++] = "20000";
	}
	/* journal-remote's files: journal-dir:DIR, journal-file:FILE */
	if (strncmp(ls->name, "journal-dir:", 12) == 0) {
		snprintf(where, sizeof(where), "--directory=%s", ls->name + 12);
		av[i++] = where;
	} else if (strncmp(ls->name, "journal-file:", 13) == 0) {
		snprintf(where, sizeof(where), "--file=%s", ls->name + 13);
		av[i++] = where;
	}
	av[i++] = "SYSLOG_FACILITY=2";
	av[i] = NULL;
	return runcmd_spawn(av, NULL, &ls->child, &ls->cur.fd, reason, size);
}

static int
open_gen(struct gen *g, const char *path, char *reason, size_t size)
{
	struct stat st;

	g->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (g->fd < 0) {
		set_reason(reason, size, "open %s: %s", path, errno);
		return -1;
	}
	if (fstat(g->fd, &st) < 0) {
		int e = errno;

		close(g->fd);
		g->fd = -1;
		set_reason(reason, size, "fstat %s: %s", path, e);
		errno = e;
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(g->fd);
		g->fd = -1;
		set_reason(reason, size, "open %s: %s", path, EISDIR);
		errno = EISDIR;
		return -1;
	}
	g->dev = st.st_dev;
	g->ino = st.st_ino;
	g->off = 0;
	g->fplen = 0;
	g->skipping = false;
	return 0;
}

struct logsrc *
logsrc_open(const char *spec, bool follow, char *reason, size_t size)
{
	struct logsrc *ls = calloc(1, sizeof(*ls));
	struct stat st;

	if (ls == NULL || (ls->name = strdup(spec)) == NULL ||
	    (ls->buf = malloc(READ_CHUNK)) == NULL) {
		if (ls)
			free(ls->name);
		free(ls);
		set_reason(reason, size, "%s: %s", spec, ENOMEM);
		errno = ENOMEM;
		return NULL;
	}
	strbuf_init(&ls->cur.partial);
	strbuf_init(&ls->old.partial);
	ls->follow = follow;
	ls->cur.fd = ls->old.fd = -1;
	ls->child = -1;
	ls->range_end = -1;
	logline_ctx_init(&ls->ctx, 0);
	if (strcmp(spec, "-") == 0) {
		ls->kind = SRC_PIPE;
		ls->cur.fd = dup(0);
		if (ls->cur.fd < 0) {
			set_reason(reason, size, "%s: %s", "standard input", errno);
			goto fail;
		}
	} else if (strcmp(spec, "journal") == 0 || strcmp(spec, "journalctl") == 0 ||
		   strncmp(spec, "journal-dir:", 12) == 0 || strncmp(spec, "journal-file:", 13) == 0) {
		ls->kind = SRC_PIPE;
		if (spawn_journal(ls, reason, size) < 0)
			goto fail;
	} else {
		ls->kind = SRC_FILE;
		if (open_gen(&ls->cur, spec, reason, size) < 0)
			goto fail;
		if (fstat(ls->cur.fd, &st) == 0 && !S_ISREG(st.st_mode)) {
			/* a FIFO or character device: read it as a stream */
			ls->kind = SRC_PIPE;
		} else {
			/* year-less stamps: the file was last written at its mtime */
			if (!follow)
				ls->ctx.ref_time = st.st_mtime > 0 ? st.st_mtime : time(NULL);
			if (follow) {
				ls->w = watch_new(NULL, 0);
				if (ls->w != NULL && watch_add_file(ls->w, spec, NULL, 0) < 0) {
					watch_free(ls->w);
					ls->w = NULL;
				}
			}
		}
	}
	return ls;
fail:
	{
		int e = errno;

		logsrc_close(ls);
		errno = e;
	}
	return NULL;
}

void
logsrc_close(struct logsrc *ls)
{
	size_t i;

	if (ls == NULL)
		return;
	if (ls->cur.fd >= 0)
		close(ls->cur.fd);
	if (ls->old.fd >= 0)
		close(ls->old.fd);
	if (ls->child > 0)
		runcmd_stop(ls->child, 2000);
	watch_free(ls->w);
	strbuf_fini(&ls->cur.partial);
	strbuf_fini(&ls->old.partial);
	for (i = 0; i < ls->ring_cap; i++)
		pf_event_free(ls->ring ? ls->ring[i] : NULL);
	free(ls->ring);
	free(ls->buf);
	free(ls->name);
	free(ls);
}

/* deliver - one complete line (without newline) to the sink; CUT: it was
 * longer and these are its first LOGSRC_LINE_MAX bytes */
static void
deliver(struct logsrc *ls, const char *p, size_t n, bool cut, const struct feed_sink *sink)
{
	struct pf_event ev;
	enum logline_result r;

	ls->counts.lines++;
	if (cut)
		ls->counts.cut++;
	r = logline_parse(p, n, &ls->ctx, &ev);
	if (r == LOGLINE_JUNK) {
		/* binary junk followed by a real line without a newline in
		 * between: look for a stamp further on (NUL runs, the usual
		 * crash hole, never get here: consume() ends a line at them) */
		size_t i, lim = n < 8192 ? n : 8192;

		for (i = 1; i < lim && r == LOGLINE_JUNK; i++) {
			unsigned char c = (unsigned char)p[i];

			if ((c >= 'A' && c <= 'S' && i + 3 < n && p[i + 3] == ' ') ||
			    (c == '2' && i + 4 < n && p[i + 4] == '-'))
				r = logline_parse(p + i, n - i, &ls->ctx, &ev);
		}
		if (r == LOGLINE_JUNK) {
			ls->counts.junk++;
			return;
		}
	}
	if (r != LOGLINE_EVENT) {
		if (sink->other != NULL && ls->ring == NULL)
			sink->other(sink->arg, p, n);
		return;
	}
	if (cut)
		logline_mark_truncated(&ev);
	if (sink->want != NULL && !sink->want(sink->arg, &ev))
		return;
	if (ls->ring != NULL) {
		/* collecting a back-log from a pipe: keep the last ring_cap events */
		struct pf_event *c = pf_event_dup(&ev);

		if (c == NULL)
			return;
		pf_event_free(ls->ring[ls->ring_head]);
		ls->ring[ls->ring_head] = c;
		ls->ring_head = (ls->ring_head + 1) % ls->ring_cap;
		if (ls->ring_n < ls->ring_cap)
			ls->ring_n++;
		return;
	}
	ls->counts.events++;
	if (sink->event(sink->arg, &ev) != 0)
		ls->stopped = true;
}

/* line_done - the line that G->partial plus P..END (END excluded) make is
 * complete: deliver it (cut to LOGSRC_LINE_MAX); AT_NUL: it ended at a NUL
 * byte, where an empty line is no line */
static void
line_done(struct logsrc *ls, struct gen *g, const char *p, const char *end, bool at_nul,
	  const struct feed_sink *sink)
{
	size_t len = (size_t)(end - p);

	if (g->skipping) {
		/* the rest of a line already delivered cut */
		g->skipping = false;
	} else if (g->partial.len > 0) {
		size_t room = LOGSRC_LINE_MAX - g->partial.len;
		bool cut = len > room;

		(void)strbuf_add(&g->partial, p, cut ? room : len);
		deliver(ls, g->partial.buf, g->partial.len, cut, sink);
		strbuf_reset(&g->partial);
	} else if (len > LOGSRC_LINE_MAX) {
		deliver(ls, p, LOGSRC_LINE_MAX, true, sink);
	} else if (len > 0 || !at_nul) {
		deliver(ls, p, len, false, sink);
	}
}

/*
 * consume - split DATA (N bytes, read from G) into lines; complete lines
 * are delivered, the tail is kept in G->partial.  A line ends at a newline
 * or at a NUL byte: no log line holds a NUL (syslog and postlogd write C
 * strings), and a run of NULs is a crash hole (blocks the file system
 * allocated but the writer never filled) or the hole a non-O_APPEND writer
 * leaves after a copytruncate.  The run is skipped, whatever its length,
 * and the line after it is read whole.  Returns the number of bytes of
 * DATA consumed when the sink stopped early, else N.
 */
static size_t
consume(struct logsrc *ls, struct gen *g, const char *data, size_t n,
	const struct feed_sink *sink)
{
	const char *p = data, *e = data + n, *nl, *z;

	z = memchr(p, '\0', n);
	while (p < e && !ls->stopped) {
		if (z != NULL && z < p)
			z = memchr(p, '\0', (size_t)(e - p));
		nl = memchr(p, '\n', (size_t)((z != NULL ? z : e) - p));
		if (nl == NULL && z == NULL) {
			/* no end yet: keep the start, up to the limit */
			size_t room = LOGSRC_LINE_MAX - g->partial.len;

			if (g->skipping)
				return n;
			if ((size_t)(e - p) > room) {
				/* over-long line: deliver its start, skip the rest */
				if (strbuf_add(&g->partial, p, room) == 0)
					deliver(ls, g->partial.buf, g->partial.len, true, sink);
				strbuf_reset(&g->partial);
				g->skipping = true;
				return n;
			}
			(void)strbuf_add(&g->partial, p, (size_t)(e - p));
			return n;
		}
		if (nl != NULL) {
			line_done(ls, g, p, nl, false, sink);
			p = nl + 1;
		} else {
			line_done(ls, g, p, z, true, sink);
			for (p = z; p < e && *p == '\0'; p++)
				;
		}
	}
	return (size_t)(p - data);
}

/* flush_partial - G's unfinished last line is final (the file was
 * replaced, or the stream ended): deliver it */
static void
flush_partial(struct logsrc *ls, struct gen *g, const struct feed_sink *sink)
{
	if (g->partial.len > 0 && !g->skipping)
		deliver(ls, g->partial.buf, g->partial.len, false, sink);
	strbuf_reset(&g->partial);
	g->skipping = false;
}

/* remember_fp - keep the FP_LEN bytes before G->off (they are in DATA) */
static void
remember_fp(struct gen *g, const char *data, size_t n)
{
	if (n >= FP_LEN) {
		memcpy(g->fp, data + n - FP_LEN, FP_LEN);
		g->fplen = FP_LEN;
	} else {
		size_t keep = g->fplen + n > FP_LEN ? FP_LEN - n : g->fplen;

		memmove(g->fp, g->fp + g->fplen - keep, keep);
		memcpy(g->fp + keep, data, n);
		g->fplen = keep + n;
	}
}

/* load_fp - remember the bytes just before G->off (after a seek) */
static void
load_fp(struct gen *g)
{
	off_t from = g->off > FP_LEN ? g->off - FP_LEN : 0;
	ssize_t n = g->off > 0 ? pread(g->fd, g->fp, (size_t)(g->off - from), from) : 0;

	g->fplen = n == (ssize_t)(g->off - from) ? (size_t)n : 0;
}

/* read_file - read G from its offset to the current end, or to LIMIT
 * when LIMIT >= 0; 0, or -1 */
static int
read_file(struct logsrc *ls, struct gen *g, off_t limit, const struct feed_sink *sink,
	  char *reason, size_t size)
{
	for (;;) {
		size_t want = READ_CHUNK;
		ssize_t n;
		size_t used;

		if (limit >= 0) {
			if (g->off >= limit)
				return 0;
			if ((off_t)want > limit - g->off)
				want = (size_t)(limit - g->off);
		}
		if (ls->cancel && *ls->cancel) {
			ls->stopped = true;
			return 0;
		}
		n = pread(g->fd, ls->buf, want, g->off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			set_reason(reason, size, "read %s: %s", ls->name, errno);
			return -1;
		}
		if (n == 0)
			return 0;
		used = consume(ls, g, ls->buf, (size_t)n, sink);
		if (ls->stopped) {
			/* resume after the line that stopped us */
			g->off += (off_t)used;
			strbuf_reset(&g->partial);
			load_fp(g);
			return 0;
		}
		remember_fp(g, ls->buf, (size_t)n);
		g->off += n;
		if ((size_t)n < want)
			return 0;
	}
}

/* read_pipe - read what the pipe has (blocking when WAIT) */
static int
read_pipe(struct logsrc *ls, const struct feed_sink *sink, bool wait, char *reason,
	  size_t size)
{
	for (;;) {
		ssize_t n;

		if (!wait) {
			struct pollfd pfd = { ls->cur.fd, POLLIN, 0 };

			if (poll(&pfd, 1, 0) <= 0)
				return 0;
		}
		if (ls->cancel && *ls->cancel) {
			ls->stopped = true;
			return 0;
		}
		n = read(ls->cur.fd, ls->buf, READ_CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;       /* the flag is looked at first */
			if (errno == EAGAIN)
				return 0;
			set_reason(reason, size, "read %s: %s", ls->name, errno);
			return -1;
		}
		if (n == 0) {
			flush_partial(ls, &ls->cur, sink);
			ls->eof = true;
			note(sink, LOGSRC_NOTE_EOF, ls->name);
			if (ls->child > 0) {
				/* journalctl closed its output: did it work? */
				int status = 0;
				pid_t r;

				while ((r = waitpid(ls->child, &status, 0)) < 0 && errno == EINTR)
					;
				ls->child = -1;
				if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127) {
					if (reason != NULL)
						snprintf(reason, size, "journalctl: command not found");
					errno = ENOENT;
					return -1;
				}
				if (r > 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
					if (reason != NULL)
						snprintf(reason, size, "journalctl failed (%s %d)",
							 WIFEXITED(status) ? "exit status" : "signal",
							 WIFEXITED(status) ? WEXITSTATUS(status)
									   : WTERMSIG(status));
					errno = EIO;
					return -1;
				}
			}
			return 0;
		}
		(void)consume(ls, &ls->cur, ls->buf, (size_t)n, sink);
		if (ls->stopped)
			return 0;
	}
}

void
logsrc_set_cancel(struct logsrc *ls, const volatile sig_atomic_t *flag)
{
	ls->cancel = flag;
}

static int
result(struct logsrc *ls, int rc)
{
	if (rc < 0)
		return -1;
	if (ls->stopped) {
		ls->stopped = false;
		return 1;
	}
	return 0;
}

int
logsrc_read(struct logsrc *ls, const struct feed_sink *sink, char *reason, size_t size)
{
	int rc;

	if (ls->kind == SRC_PIPE) {
		rc = read_pipe(ls, sink, !ls->follow, reason, size);
	} else {
		rc = read_file(ls, &ls->cur, ls->range_end, sink, reason, size);
		/* not following: an unfinished last line is as complete as it gets */
		if (rc == 0 && !ls->follow && !ls->stopped &&
		    (ls->range_end < 0 || ls->cur.off >= ls->range_end))
			flush_partial(ls, &ls->cur, sink);
	}
	return result(ls, rc);
}

/* line_start - the first line start at or after X (a line starts at 0 and
 * after each newline); the file's size when there is none */
static off_t
line_start(struct logsrc *ls, off_t x, off_t fsize)
{
	char buf[4096];
	off_t pos;

	if (x <= 0)
		return 0;
	if (x >= fsize)
		return fsize;
	for (pos = x - 1; pos < fsize;) {
		ssize_t n = pread(ls->cur.fd, buf, sizeof(buf), pos);
		const char *nl;

		if (n <= 0)
			return fsize;
		nl = memchr(buf, '\n', (size_t)n);
		if (nl != NULL)
			return pos + (nl - buf) + 1;
		pos += n;
	}
	return fsize;
}

int
logsrc_set_range(struct logsrc *ls, off_t start, off_t end, char *reason, size_t size)
{
	struct stat st;

	if (ls->kind != SRC_FILE) {
		if (reason != NULL)
			snprintf(reason, size, "%s: not a regular file", ls->name);
		errno = EINVAL;
		return -1;
	}
	if (fstat(ls->cur.fd, &st) < 0) {
		set_reason(reason, size, "fstat %s: %s", ls->name, errno);
		return -1;
	}
	ls->cur.off = line_start(ls, start, st.st_size);
	ls->range_end = end < 0 ? -1 : line_start(ls, end, st.st_size);
	ls->cur.fplen = 0;
	strbuf_reset(&ls->cur.partial);
	ls->cur.skipping = false;
	return 0;
}

off_t
logsrc_size(const struct logsrc *ls)
{
	struct stat st;

	if (ls->kind != SRC_FILE || fstat(ls->cur.fd, &st) < 0)
		return -1;
	return st.st_size;
}

/* backlog_counts - a backwards-scanned line that counts for the back-log */
static bool
backlog_counts(struct logsrc *ls, const char *p, size_t n, const struct feed_sink *sink)
{
	struct pf_event ev;
	if (!logline_is_event(p, n))
		return false;
	if (logline_parse(p, n, &ls->ctx, &ev) != LOGLINE_EVENT)
		return false;
	return sink->want == NULL || sink->want(sink->arg, &ev);
}

/* file_backlog - find the start of the N-th wanted event from the end */
static int
file_backlog(struct logsrc *ls, size_t want_n, const struct feed_sink *sink, char *reason,
	     size_t size)
{
	struct stat st;
	off_t pos, start, tail;
	char *win = NULL;       /* [block][carry] */
	size_t carry = 0, found = 0;
	int rc;

	if (fstat(ls->cur.fd, &st) < 0) {
		set_reason(reason, size, "fstat %s: %s", ls->name, errno);
		return -1;
	}
	ls->ctx.ref_time = time(NULL);
	/* ignore an unfinished last line: it is delivered once completed */
	tail = st.st_size;
	pos = tail;
	start = tail;
	win = malloc(BACK_BLOCK + LOGSRC_LINE_MAX + 1);
	if (win == NULL) {
		set_reason(reason, size, "%s: %s", ls->name, ENOMEM);
		return -1;
	}
	{
		bool first = true;

		while (pos > 0 && (first || found < want_n)) {
			size_t blk = pos > BACK_BLOCK ? BACK_BLOCK : (size_t)pos;
			ssize_t n;
			char *end, *q, *zl;

			memmove(win + blk, win + BACK_BLOCK, carry);
			pos -= (off_t)blk;
			n = pread(ls->cur.fd, win, blk, pos);
			if (n != (ssize_t)blk) {
				set_reason(reason, size, "read %s: %s", ls->name, n < 0 ? errno : EIO);
				free(win);
				return -1;
			}
			end = win + blk + carry;
			/* lines end at each '\n' from the right, and at each NUL
			 * (consume() does the same) */
			q = end;
			zl = memrchr(win, '\0', (size_t)(end - win));
			for (;;) {
				char *nl = q > win ? memrchr(win, '\n', (size_t)(q - win)) : NULL;
				char *ls_;

				if (zl != NULL && zl >= q)
					zl = q > win ? memrchr(win, '\0', (size_t)(q - win)) : NULL;
				if (zl != NULL && (nl == NULL || zl > nl))
					nl = zl;
				ls_ = nl ? nl + 1 : win;

				if (nl == NULL && pos > 0)
					break;  /* the line starts in an earlier block */
				if (first) {
					/* the segment after the last newline is unfinished */
					first = false;
					tail = pos + (off_t)(ls_ - win);
					start = tail;
					if (want_n == 0)
						break;
				} else if (backlog_counts(ls, ls_, (size_t)(q - ls_), sink)) {
					found++;
					start = pos + (off_t)(ls_ - win);
					if (found == want_n)
						break;
				}
				if (nl == NULL)
					break;
				q = nl;
			}
			if (!first && found == want_n)
				break;
			/* the unfinished start of the window becomes the carry */
			{
				char *nl = memchr(win, '\n', (size_t)(end - win));
				char *z = memchr(win, '\0', (size_t)((nl ? nl : end) - win));

				if (z != NULL)
					nl = z;
				carry = nl ? (size_t)(nl - win) : (size_t)(end - win);
				if (carry > LOGSRC_LINE_MAX)
					carry = 0;      /* over-long: never an event we show */
				memmove(win + BACK_BLOCK, win, carry);
			}
		}
	}
	free(win);
	(void)tail;
	ls->cur.off = start;
	load_fp(&ls->cur);
	strbuf_reset(&ls->cur.partial);
	ls->cur.skipping = false;
	rc = read_file(ls, &ls->cur, -1, sink, reason, size);
	return result(ls, rc);
}

static int
ignore_event(void *arg, const struct pf_event *ev)
{
	(void)arg;
	(void)ev;
	return 0;
}

int
logsrc_seek_end(struct logsrc *ls, char *reason, size_t size)
{
	static const struct feed_sink none = { NULL, NULL, ignore_event, NULL, NULL };

	if (ls->kind == SRC_PIPE)
		return 0;
	/* back-log of 0 events: positions at the start of an unfinished last
	 * line, so that it is delivered whole once its newline arrives */
	return file_backlog(ls, 0, &none, reason, size) < 0 ? -1 : 0;
}

int
logsrc_backlog(struct logsrc *ls, size_t n, const struct feed_sink *sink, char *reason,
	       size_t size)
{
	size_t i;
	int rc;

	if (ls->kind == SRC_FILE)
		return file_backlog(ls, n, sink, reason, size);
	/* a stream: read what is there now, keeping the last N */
	if (n == 0)
		return result(ls, read_pipe(ls, sink, false, reason, size));
	ls->ring = calloc(n, sizeof(*ls->ring));
	if (ls->ring == NULL) {
		set_reason(reason, size, "%s: %s", ls->name, ENOMEM);
		return -1;
	}
	ls->ring_cap = n;
	ls->ring_n = ls->ring_head = 0;
	if (ls->follow) {
		/* journalctl -f prints the recent entries at once: wait for a
		 * quiet moment, then treat what came as the back-log */
		rc = 0;
		for (;;) {
			struct pollfd pfd = { ls->cur.fd, POLLIN, 0 };

			if (poll(&pfd, 1, 300) <= 0)
				break;
			rc = read_pipe(ls, sink, false, reason, size);
			if (rc < 0 || ls->eof)
				break;
		}
	} else {
		rc = read_pipe(ls, sink, true, reason, size);
		while (rc == 0 && !ls->eof)
			rc = read_pipe(ls, sink, true, reason, size);
	}
	{
		struct pf_event **ring = ls->ring;
		size_t cap = ls->ring_cap, cnt = ls->ring_n, head = ls->ring_head;

		ls->ring = NULL;
		ls->ring_cap = 0;
		for (i = 0; i < cnt; i++) {
			struct pf_event *ev = ring[(head + cap - cnt + i) % cap];

			if (!ls->stopped) {
				ls->counts.events++;
				if (sink->event(sink->arg, ev) != 0)
					ls->stopped = true;
			}
		}
		for (i = 0; i < cap; i++)
			pf_event_free(ring[i]);
		free(ring);
	}
	return result(ls, rc);
}

/* truncated - G's file is shorter than our offset, or its bytes before
 * the offset changed (copytruncate followed by new writes) */
static bool
truncated(struct gen *g, off_t size)
{
	unsigned char now[FP_LEN];

	if (size < g->off)
		return true;
	if (g->fplen == 0 || g->off < (off_t)g->fplen)
		return false;
	if (pread(g->fd, now, g->fplen, g->off - (off_t)g->fplen) != (ssize_t)g->fplen)
		return true;
	return memcmp(now, g->fp, g->fplen) != 0;
}

/*
 * recover_copy - after a copytruncate, the lines we had not read yet are
 * in the copy (logrotate: NAME.1, or NAME.0).  A copy is ours when it is
 * at least as long as our offset and holds the bytes we last read just
 * before it; then read it from our offset to its end.
 */
static void
recover_copy(struct logsrc *ls, const struct feed_sink *sink)
{
	static const char *const sfx[] = { ".1", ".0" };
	unsigned char now[FP_LEN];
	char path[4096];
	size_t i;

	if (ls->cur.fplen == 0 || ls->cur.off < (off_t)ls->cur.fplen)
		return;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		struct gen g;
		struct stat st;

		memset(&g, 0, sizeof(g));
		snprintf(path, sizeof(path), "%s%s", ls->name, sfx[i]);
		if (open_gen(&g, path, NULL, 0) < 0)
			continue;
		if (fstat(g.fd, &st) < 0 || st.st_size < ls->cur.off ||
		    pread(g.fd, now, ls->cur.fplen, ls->cur.off - (off_t)ls->cur.fplen) !=
			    (ssize_t)ls->cur.fplen ||
		    memcmp(now, ls->cur.fp, ls->cur.fplen) != 0) {
			close(g.fd);
			continue;
		}
		g.off = ls->cur.off;
		g.partial = ls->cur.partial;    /* the unfinished line continues there */
		g.skipping = ls->cur.skipping;
		(void)read_file(ls, &g, -1, sink, NULL, 0);
		flush_partial(ls, &g, sink);
		ls->cur.partial = g.partial;
		ls->cur.skipping = false;
		close(g.fd);
		return;
	}
}

/* close_old - stop reading the previous file */
static void
close_old(struct logsrc *ls, const struct feed_sink *sink)
{
	if (ls->old.fd < 0)
		return;
	flush_partial(ls, &ls->old, sink);
	close(ls->old.fd);
	ls->old.fd = -1;
}

/*
 * logsrc_poll - one look at the file.  Order matters for "every line once,
 * in order" while a writer still appends to the old file after a rename:
 *  1. the name refers to a new file: the current one becomes "old";
 *  2. note the current file's size S (a truncation resets the offset);
 *  3. read the old file to its end;
 *  4. read the current file up to S only.
 * A writer writes to the new file only after its last write to the old
 * one, so whatever is in the new file below S was preceded by old-file
 * lines that step 3 has already delivered.
 */
int
logsrc_poll(struct logsrc *ls, const struct feed_sink *sink, char *reason, size_t size)
{
	struct stat st;
	off_t limit = -1;
	int rc;

	ls->ctx.ref_time = time(NULL);
	if (ls->kind == SRC_PIPE) {
		if (ls->eof)
			return 0;
		return result(ls, read_pipe(ls, sink, false, reason, size));
	}
	if (ls->w != NULL)
		(void)watch_drain(ls->w);
	/* 1. the name: gone, or a new file */
	if (stat(ls->name, &st) < 0) {
		if (!ls->gone) {
			ls->gone = true;
			note(sink, LOGSRC_NOTE_GONE, ls->name);
		}
	} else if (st.st_dev != ls->cur.dev || st.st_ino != ls->cur.ino) {
		struct gen ng;

		memset(&ng, 0, sizeof(ng));
		if (open_gen(&ng, ls->name, reason, size) < 0) {
			note(sink, LOGSRC_NOTE_ERROR, reason);
		} else {
			if (ls->old.fd >= 0) {
				/* a second rotation while draining the first */
				(void)read_file(ls, &ls->old, -1, sink, reason, size);
				close_old(ls, sink);
			}
			strbuf_fini(&ls->old.partial);
			ls->old = ls->cur;
			ls->old_until = time(NULL) + LOGSRC_DRAIN_SECS;
			ls->cur = ng;
			strbuf_init(&ls->cur.partial);
			ls->gone = false;
			ls->counts.rotations++;
			if (ls->w != NULL)
				(void)watch_add_file(ls->w, ls->name, NULL, 0);
			note(sink, LOGSRC_NOTE_ROTATED, ls->name);
		}
	}
	/* 2. the current file's size; truncated? */
	if (fstat(ls->cur.fd, &st) == 0) {
		if (truncated(&ls->cur, st.st_size)) {
			recover_copy(ls, sink);
			ls->cur.off = 0;
			ls->cur.fplen = 0;
			strbuf_reset(&ls->cur.partial);
			ls->cur.skipping = false;
			ls->counts.truncations++;
			note(sink, LOGSRC_NOTE_TRUNCATED, ls->name);
		}
		limit = st.st_size;
	}
	/* 3. the previous file, which a writer may still be appending to */
	if (ls->old.fd >= 0) {
		off_t before = ls->old.off;

		rc = read_file(ls, &ls->old, -1, sink, reason, size);
		if (rc < 0 || ls->stopped)
			return result(ls, rc);
		if (ls->old.off != before)
			ls->old_until = time(NULL) + LOGSRC_DRAIN_SECS;
		if (time(NULL) >= ls->old_until)
			close_old(ls, sink);
	}
	/* 4. new lines of the current file */
	rc = read_file(ls, &ls->cur, limit, sink, reason, size);
	return result(ls, rc);
}

/* maincf_maillog_file - DIR/main.cf's maillog_file, expanded as Postfix
 * does (core/maincf.h) */
static int
maincf_maillog_file(const char *dir, char *val, size_t size, char *why, size_t wsize)
{
	struct maincf *cf = NULL;
	enum maincf_source src;
	const char *v;

	if (maincf_load(&cf, dir, NULL) < 0) {
		snprintf(why, wsize, "%s/main.cf: %s", dir, strerror(errno));
		return -1;
	}
	v = maincf_get(cf, "maillog_file", &src);
	if (v == NULL || *v == '\0' || src != MAINCF_SET) {
		snprintf(why, wsize, "%s/main.cf: maillog_file is not set (Postfix logs through syslog)",
			 dir);
		maincf_free(cf);
		return -1;
	}
	snprintf(val, size, "%s", v);
	maincf_free(cf);
	return 0;
}

static bool
readable(const char *path, char *why, size_t wsize)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	if (fd < 0) {
		snprintf(why, wsize, "%s: %s", path, strerror(errno));
		return false;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(why, wsize, "%s: %s", path, strerror(EISDIR));
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

int
logsrc_discover(const char *config_dir, const char *root, char *spec, size_t size,
		struct strbuf *tried)
{
	char why[4608], val[4096], path[4096];
	static const char *const fixed[] = { "/var/log/mail.log", "/var/log/maillog" };
	size_t i;

	if (root == NULL)
		root = "";
	/* 1. main.cf maillog_file */
	val[0] = '\0';
	if (maincf_maillog_file(config_dir, val, sizeof(val), why, sizeof(why)) == 0) {
		if (strchr(val, '$') != NULL) {
			snprintf(why, sizeof(why), "%s/main.cf: maillog_file = %s: a $name that cannot be expanded",
				 config_dir, val);
		} else if (strncmp(val, "/dev/stdout", 11) == 0 || strncmp(val, "/dev/stderr", 11) == 0) {
			snprintf(why, sizeof(why), "%s/main.cf: maillog_file = %s: not a file we can read",
				 config_dir, val);
		} else if (readable(val, why, sizeof(why))) {
			snprintf(spec, size, "%s", val);
			return 0;
		} else {
			size_t wl = strlen(why);

			snprintf(why + wl, sizeof(why) - wl, " (maillog_file in main.cf)");
		}
	}
	if (tried)
		(void)strbuf_addf(tried, "%s\n", why);
	/* 2, 3. the usual syslog files */
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, fixed[i]);
		if (readable(path, why, sizeof(why))) {
			snprintf(spec, size, "%s", path);
			return 0;
		}
		if (tried)
			(void)strbuf_addf(tried, "%s\n", why);
	}
	/* 4. the journal */
	{
		char jp[4096];
		struct stat st;
		bool have = false;
		const char *dirs[] = { "/run/systemd/journal", "/var/log/journal" };
		bool tool = access(journalctl_path(), X_OK) == 0;

		/* journald runs (its socket directory), or a persistent journal
		 * holds something */
		for (i = 0; i < 2; i++) {
			snprintf(jp, sizeof(jp), "%s%s", root, dirs[i]);
			if (stat(jp, &st) == 0 && S_ISDIR(st.st_mode)) {
				if (i == 0) {
					have = true;
				} else {
					DIR *d = opendir(jp);
					struct dirent *de;

					while (d != NULL && (de = readdir(d)) != NULL)
						if (de->d_name[0] != '.')
							have = true;
					if (d != NULL)
						closedir(d);
				}
			}
		}
		if (have && tool && root[0] == '\0') {
			snprintf(spec, size, "journal");
			return 0;
		}
		if (tried)
			(void)strbuf_addf(tried, "systemd journal: %s\n",
					  !tool ? "journalctl is not installed"
						: "journald is not running (no /run/systemd/journal) and /var/log/journal holds no journal");
	}
	errno = ENOENT;
	return -1;
}
