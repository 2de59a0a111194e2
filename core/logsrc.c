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
 * poll.  After a rename/recreate the old descriptors are kept and drained
 * first on every poll for LOGSRC_DRAIN_SECS, because a writer may still
 * append to the old file until it reopens its log.  The files read so far
 * are remembered (struct known) by dev/inode with their offset and the
 * bytes before it, which tells a file seen before (resumed there) from a
 * new one (read from 0) when the rotated files next to the log are listed
 * (list_rotated) after a rotation or a truncation.
 *
 * Why one file of this size: the rotation cases (rename, create,
 * copytruncate, a flipping link, several rotations between two looks) all
 * act on the same follower state - the open file, the drained old ones and
 * the remembered ones - and each decision reads all three; split, every
 * piece would need the whole state.  The journalctl child (the last part)
 * is small and shares the line buffer and the poll loop.
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
#define DRAIN_MAX 16
#define KNOWN_MAX 4096

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
	time_t until;           /* draining: stop reading after this time */
};

/* a file of this log seen before: resume at OFF when the name (a symbolic
 * link flipping between files) comes back to it, and tell the rotated
 * files already read from new ones */
struct known {
	dev_t dev;
	ino_t ino;
	off_t off;
	unsigned char fp[FP_LEN];       /* the bytes before off */
	size_t fplen;
};

struct logsrc {
	char *name;
	enum src_kind kind;
	bool follow;
	struct gen cur;
	/* earlier files still read after a rotation, oldest first: the file
	 * the name left, the files the name held between two polls, a file a
	 * symbolic link pointed to before */
	struct gen drain[DRAIN_MAX];
	size_t ndrain;
	/* every file of this log read so far (or present at the start), by
	 * device and inode, with where reading stopped */
	struct known *known;
	size_t nknown, known_cap;
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

static void snapshot_rotated(struct logsrc *ls);

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
	ls->follow = follow;
	ls->cur.fd = -1;
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
				/* the rotated files there now are old: never read */
				snapshot_rotated(ls);
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
	for (i = 0; i < ls->ndrain; i++) {
		close(ls->drain[i].fd);
		strbuf_fini(&ls->drain[i].partial);
	}
	free(ls->known);
	if (ls->child > 0)
		runcmd_stop(ls->child, 2000);
	watch_free(ls->w);
	strbuf_fini(&ls->cur.partial);
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
			char *end, *q, *zl, *lnl;

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
			/* the last newline and NUL before q, each found again only
			 * once q has passed it: linear in the block */
			lnl = memrchr(win, '\n', (size_t)(end - win));
			zl = memrchr(win, '\0', (size_t)(end - win));
			for (;;) {
				char *nl, *ls_;

				if (lnl != NULL && lnl >= q)
					lnl = q > win ? memrchr(win, '\n', (size_t)(q - win)) : NULL;
				if (zl != NULL && zl >= q)
					zl = q > win ? memrchr(win, '\0', (size_t)(q - win)) : NULL;
				nl = zl != NULL && (lnl == NULL || zl > lnl) ? zl : lnl;
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
				/* a run of NULs ends no line but the one before it */
				while (*q == '\0' && q > win && q[-1] == '\0')
					q--;
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

/* holds_fp - FD's bytes just before OFF are FP (FPLEN bytes) */
static bool
holds_fp(int fd, off_t size, off_t off, const unsigned char *fp, size_t fplen)
{
	unsigned char now[FP_LEN];

	if (size < off || off < (off_t)fplen)
		return false;
	if (fplen == 0)
		return true;
	return pread(fd, now, fplen, off - (off_t)fplen) == (ssize_t)fplen &&
	       memcmp(now, fp, fplen) == 0;
}

/* known_put - remember where reading of G's file stopped */
static void
known_put(struct logsrc *ls, const struct gen *g)
{
	struct known *k = NULL;
	size_t i;

	for (i = 0; i < ls->nknown; i++)
		if (ls->known[i].dev == g->dev && ls->known[i].ino == g->ino)
			k = &ls->known[i];
	if (k == NULL) {
		if (ls->nknown == KNOWN_MAX) {
			/* the oldest goes */
			memmove(ls->known, ls->known + 1, (KNOWN_MAX - 1) * sizeof(*ls->known));
			ls->nknown--;
		}
		if (ls->nknown == ls->known_cap) {
			size_t nc = ls->known_cap ? ls->known_cap * 2 : 16;
			struct known *nk = realloc(ls->known, nc * sizeof(*nk));

			if (nk == NULL)
				return;
			ls->known = nk;
			ls->known_cap = nc;
		}
		k = &ls->known[ls->nknown++];
	}
	k->dev = g->dev;
	k->ino = g->ino;
	k->off = g->off;
	memcpy(k->fp, g->fp, g->fplen);
	k->fplen = g->fplen;
}

/* known_off - where to resume reading the file G (open, offset 0): the
 * remembered offset when its bytes there are still the ones we read; -1
 * when the file was never seen, or its bytes changed since (an inode number
 * reused by a new file, a file truncated or rewritten in place, e.g. a copy
 * made over the previous copy): a new file */
static off_t
known_off(const struct logsrc *ls, const struct gen *g, off_t size)
{
	size_t i;

	for (i = 0; i < ls->nknown; i++) {
		const struct known *k = &ls->known[i];

		if (k->dev == g->dev && k->ino == g->ino)
			return holds_fp(g->fd, size, k->off, k->fp, k->fplen) ? k->off : -1;
	}
	return -1;
}

/* resume_at - position the new gen G at OFF */
static void
resume_at(const struct logsrc *ls, struct gen *g, off_t off)
{
	size_t i;

	g->off = off;
	for (i = 0; i < ls->nknown; i++)
		if (ls->known[i].dev == g->dev && ls->known[i].ino == g->ino) {
			memcpy(g->fp, ls->known[i].fp, ls->known[i].fplen);
			g->fplen = off > 0 ? ls->known[i].fplen : 0;
		}
}

/* open_known - open PATH as a gen positioned where we stopped reading it
 * before (0 for a file never seen); *SEEN tells which */
static int
open_known(struct logsrc *ls, const char *path, struct gen *g, bool *seen, char *reason,
	   size_t size)
{
	struct stat st;
	off_t off;

	memset(g, 0, sizeof(*g));
	if (open_gen(g, path, reason, size) < 0)
		return -1;
	if (fstat(g->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		/* a rotated file, or the name after a rotation, is read with
		 * pread() at offsets: a regular file only (O_NONBLOCK: a FIFO
		 * put there cannot block open()) */
		set_reason(reason, size, "%s: %s", path, EINVAL);
		if (reason != NULL && size > 0)
			snprintf(reason, size, "%s: not a regular file", path);
		close(g->fd);
		g->fd = -1;
		return -1;
	}
	strbuf_init(&g->partial);
	off = known_off(ls, g, st.st_size);
	if (seen)
		*seen = off >= 0;
	resume_at(ls, g, off > 0 ? off : 0);
	return 0;
}

/* a rotated file of this log: NAME.1, NAME-20261203, NAME.0 ... */
struct rotated {
	char *path;
	struct stat st;
};

static int
rotated_cmp(const void *a, const void *b)
{
	const struct stat *x = &((const struct rotated *)a)->st, *y = &((const struct rotated *)b)->st;

	/* in the order they were last written; ties by change time, inode */
	if (x->st_mtim.tv_sec != y->st_mtim.tv_sec)
		return x->st_mtim.tv_sec < y->st_mtim.tv_sec ? -1 : 1;
	if (x->st_mtim.tv_nsec != y->st_mtim.tv_nsec)
		return x->st_mtim.tv_nsec < y->st_mtim.tv_nsec ? -1 : 1;
	if (x->st_ctim.tv_sec != y->st_ctim.tv_sec)
		return x->st_ctim.tv_sec < y->st_ctim.tv_sec ? -1 : 1;
	if (x->st_ctim.tv_nsec != y->st_ctim.tv_nsec)
		return x->st_ctim.tv_nsec < y->st_ctim.tv_nsec ? -1 : 1;
	return x->st_ino < y->st_ino ? -1 : x->st_ino > y->st_ino;
}

static void
rotated_free(struct rotated *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(r[i].path);
	free(r);
}

/* in_use - DEV/INO is the current file or one being drained */
static bool
in_use(const struct logsrc *ls, dev_t dev, ino_t ino)
{
	size_t i;

	if (ls->cur.fd >= 0 && ls->cur.dev == dev && ls->cur.ino == ino)
		return true;
	for (i = 0; i < ls->ndrain; i++)
		if (ls->drain[i].dev == dev && ls->drain[i].ino == ino)
			return true;
	return false;
}

/*
 * list_rotated - the regular files next to the log whose names are the
 * log's name followed by '.', '-' or '_' and more (not compressed: .gz,
 * .bz2, .xz, .zst ...), other than the current file, the files being
 * drained and the file the name now refers to (NOW_DEV/NOW_INO; 0 0:
 * none), oldest first.  The count (0 on any error).
 */
static size_t
list_rotated(const struct logsrc *ls, dev_t now_dev, ino_t now_ino, struct rotated **out)
{
	static const char *const zsfx[] = { ".gz", ".bz2", ".xz", ".zst", ".Z", ".lz4",
					    ".lzma", ".lz", ".zip", ".br" };
	char dir[4096], path[8192];
	const char *slash = strrchr(ls->name, '/'), *base;
	struct rotated *r = NULL;
	size_t n = 0, cap = 0, bl, i;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
		base = ls->name;
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - ls->name) + (slash == ls->name),
			 ls->name);
		base = slash + 1;
	}
	bl = strlen(base);
	if (bl == 0 || (d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		struct stat st;
		bool z = false;

		if (nl <= bl + 1 || memcmp(de->d_name, base, bl) != 0 ||
		    strchr(".-_", de->d_name[bl]) == NULL)
			continue;
		for (i = 0; i < sizeof(zsfx) / sizeof(zsfx[0]); i++) {
			size_t zl = strlen(zsfx[i]);

			if (nl > zl && strcmp(de->d_name + nl - zl, zsfx[i]) == 0)
				z = true;
		}
		if (z)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || in_use(ls, st.st_dev, st.st_ino) ||
		    (st.st_dev == now_dev && st.st_ino == now_ino))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct rotated *nr = realloc(r, nc * sizeof(*nr));

			if (nr == NULL)
				break;
			r = nr;
			cap = nc;
		}
		if ((r[n].path = strdup(path)) == NULL)
			break;
		r[n++].st = st;
	}
	closedir(d);
	if (n > 1)
		qsort(r, n, sizeof(*r), rotated_cmp);
	*out = r;
	return n;
}

/* snapshot_rotated - the rotated files present when following starts are
 * known at their current end: only what is written to them later is read */
static void
snapshot_rotated(struct logsrc *ls)
{
	struct rotated *r;
	size_t n = list_rotated(ls, 0, 0, &r), i;

	for (i = 0; i < n; i++) {
		struct gen g;

		memset(&g, 0, sizeof(g));
		if (open_gen(&g, r[i].path, NULL, 0) < 0)
			continue;
		g.off = r[i].st.st_size;
		load_fp(&g);
		known_put(ls, &g);
		close(g.fd);
	}
	rotated_free(r, n);
}

/* drain_add - keep reading G (opened; its buffers are taken over) after
 * the name has moved on, as the newest drained file */
static void
drain_add(struct logsrc *ls, struct gen *g, const struct feed_sink *sink)
{
	if (ls->ndrain == DRAIN_MAX) {
		/* the oldest: read to its end, then closed */
		struct gen *o = &ls->drain[0];

		(void)read_file(ls, o, -1, sink, NULL, 0);
		flush_partial(ls, o, sink);
		known_put(ls, o);
		close(o->fd);
		strbuf_fini(&o->partial);
		memmove(ls->drain, ls->drain + 1, (DRAIN_MAX - 1) * sizeof(*ls->drain));
		ls->ndrain--;
	}
	g->until = time(NULL) + LOGSRC_DRAIN_SECS;
	ls->drain[ls->ndrain++] = *g;
}

/* drain_take - the drained gen for DEV/INO, removed from the list (the
 * name came back to it); false when there is none */
static bool
drain_take(struct logsrc *ls, dev_t dev, ino_t ino, struct gen *out)
{
	size_t i;

	for (i = 0; i < ls->ndrain; i++) {
		if (ls->drain[i].dev == dev && ls->drain[i].ino == ino) {
			*out = ls->drain[i];
			memmove(ls->drain + i, ls->drain + i + 1,
				(ls->ndrain - i - 1) * sizeof(*ls->drain));
			ls->ndrain--;
			return true;
		}
	}
	return false;
}

/*
 * take_rotated - files of this log the name held only between two looks
 * (several rotations in a row), or a rotated file written since we last
 * looked: each is read from where we stopped (0 for a new one), in the
 * order they were written, before the current file - as drained files,
 * since a writer may still append to them until it reopens its log.
 */
static void
take_rotated(struct logsrc *ls, dev_t now_dev, ino_t now_ino, const struct feed_sink *sink)
{
	struct rotated *r;
	size_t n = list_rotated(ls, now_dev, now_ino, &r), i;

	for (i = 0; i < n; i++) {
		struct gen g;

		if (open_known(ls, r[i].path, &g, NULL, NULL, 0) < 0)
			continue;
		if (g.off >= r[i].st.st_size) {
			/* read before, nothing new */
			close(g.fd);
			strbuf_fini(&g.partial);
			continue;
		}
		drain_add(ls, &g, sink);
	}
	rotated_free(r, n);
}

/*
 * recover_copies - the current file was truncated (copytruncate), or it
 * holds data we have not read at all: the lines we had not read are in
 * the copies made since (logrotate: NAME.1, NAME-DATE ...; several when
 * it ran more than once between two looks).  Copies never seen before are
 * taken oldest first: the first is the copy of the file we were reading -
 * read from our offset when it holds the bytes we read last just before
 * it, not at all when it is no longer than our offset (we read past its
 * end before the truncation); the later ones are copies of what was
 * written after, read from their start.  Copies are remembered, so none
 * is read twice.  Returns the number of copies read.
 */
static unsigned
recover_copies(struct logsrc *ls, const struct feed_sink *sink)
{
	struct rotated *r;
	size_t n = list_rotated(ls, 0, 0, &r), i;
	bool anchored = ls->cur.fplen == 0;
	unsigned got = 0;

	for (i = 0; i < n; i++) {
		struct gen g;
		bool seen;

		if (open_known(ls, r[i].path, &g, &seen, NULL, 0) < 0)
			continue;
		if (!seen && !anchored && r[i].st.st_size <= ls->cur.off &&
		    !holds_fp(g.fd, r[i].st.st_size, ls->cur.off, ls->cur.fp, ls->cur.fplen)) {
			/* a copy no longer than what we read of our file: we
			 * read past its end before the truncation (a look between
			 * the copy and the truncation); copies after it are new */
			anchored = true;
			g.off = r[i].st.st_size;
			load_fp(&g);
		} else if (!seen && !anchored &&
		    holds_fp(g.fd, r[i].st.st_size, ls->cur.off, ls->cur.fp, ls->cur.fplen)) {
			/* our file's copy: continue where we stopped, with the
			 * unfinished line */
			anchored = true;
			g.off = ls->cur.off;
			memcpy(g.fp, ls->cur.fp, ls->cur.fplen);
			g.fplen = ls->cur.fplen;
			strbuf_fini(&g.partial);
			g.partial = ls->cur.partial;
			strbuf_init(&ls->cur.partial);
			g.skipping = ls->cur.skipping;
		}
		if (g.off < r[i].st.st_size) {
			(void)read_file(ls, &g, -1, sink, NULL, 0);
			flush_partial(ls, &g, sink);
			got++;
		}
		known_put(ls, &g);
		close(g.fd);
		strbuf_fini(&g.partial);
	}
	rotated_free(r, n);
	return got;
}

/* drain_close - stop reading the drained file I */
static void
drain_close(struct logsrc *ls, size_t i, const struct feed_sink *sink)
{
	struct gen *g = &ls->drain[i];

	flush_partial(ls, g, sink);
	known_put(ls, g);
	close(g->fd);
	strbuf_fini(&g->partial);
	memmove(ls->drain + i, ls->drain + i + 1, (ls->ndrain - i - 1) * sizeof(*ls->drain));
	ls->ndrain--;
}

/*
 * logsrc_poll - one look at the file.  Order matters for "every line once,
 * in order" while a writer still appends to the old file after a rename:
 *  1. the name refers to another file: the current one is drained, then
 *     the files the name held in between (found next to it by name, in the
 *     order they were written), then the new one is current - where we
 *     stopped reading it, if we read it before (a symbolic link flipping
 *     between files);
 *  2. note the current file's size S; truncated (copytruncate)? then the
 *     unread lines are taken from the copies, and reading restarts at 0;
 *  3. read the drained files to their end, oldest first;
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
	size_t i;
	int rc;

	ls->ctx.ref_time = time(NULL);
	if (ls->kind == SRC_PIPE) {
		if (ls->eof)
			return 0;
		return result(ls, read_pipe(ls, sink, false, reason, size));
	}
	if (ls->w != NULL)
		(void)watch_drain(ls->w);
	/* 1. the name: gone, or another file */
	if (stat(ls->name, &st) < 0) {
		if (!ls->gone) {
			ls->gone = true;
			note(sink, LOGSRC_NOTE_GONE, ls->name);
		}
	} else if (st.st_dev != ls->cur.dev || st.st_ino != ls->cur.ino) {
		struct gen ng;

		if (drain_take(ls, st.st_dev, st.st_ino, &ng)) {
			/* back to a file still being drained (a link flipped back) */
			drain_add(ls, &ls->cur, sink);
			ls->cur = ng;
		} else if (open_known(ls, ls->name, &ng, NULL, reason, size) < 0) {
			note(sink, LOGSRC_NOTE_ERROR, reason);
		} else {
			drain_add(ls, &ls->cur, sink);
			take_rotated(ls, ng.dev, ng.ino, sink);
			ls->cur = ng;
		}
		if (ls->cur.dev == st.st_dev && ls->cur.ino == st.st_ino) {
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
			(void)recover_copies(ls, sink);
			ls->cur.off = 0;
			ls->cur.fplen = 0;
			strbuf_reset(&ls->cur.partial);
			ls->cur.skipping = false;
			ls->counts.truncations++;
			note(sink, LOGSRC_NOTE_TRUNCATED, ls->name);
		} else if (ls->cur.off == 0 && ls->cur.fplen == 0 && st.st_size > 0 &&
			   recover_copies(ls, sink) > 0) {
			/* truncated before we read anything: its copy holds
			 * what we never saw */
			ls->counts.truncations++;
			note(sink, LOGSRC_NOTE_TRUNCATED, ls->name);
		}
		limit = st.st_size;
	}
	/* 3. the earlier files, which a writer may still be appending to */
	for (i = 0; i < ls->ndrain;) {
		struct gen *g = &ls->drain[i];
		off_t before = g->off;

		rc = read_file(ls, g, -1, sink, reason, size);
		if (rc < 0 || ls->stopped)
			return result(ls, rc);
		if (g->off != before)
			g->until = time(NULL) + LOGSRC_DRAIN_SECS;
		if (time(NULL) >= g->until)
			drain_close(ls, i, sink);
		else
			i++;
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
