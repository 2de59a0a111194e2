/*
 * core/logsrc.h - where mail log lines come from, and following them live.
 *
 * A logsrc reads one source - a file, standard input, or the systemd journal
 * through a journalctl child - and hands each complete line's event to an
 * event sink (struct feed_sink).  The same sink interface serves
 * `pfconsole feed` (prints) and the console's live feed pane (keeps rows).
 *
 * File following (logsrc_poll): the logsrc remembers dev/inode and offset.
 *  - new bytes: complete lines are delivered; a partial last line waits in a
 *    buffer until its newline arrives (a line written in several pieces is
 *    delivered once, whole);
 *  - rename rotation (logrotate "create"), delete + recreate, or a symbolic
 *    link switched to another file: the old file is read to its end first
 *    (writers may still append to it), then the new file; files the name
 *    held only between two polls (several rotations in a row) are found
 *    next to it (NAME.1, NAME-DATE ...) and read in between, in the order
 *    they were written;
 *  - every file read is remembered with its offset: a file the name comes
 *    back to (a flipping link) continues where reading stopped;
 *  - copytruncate: size < offset (or the bytes before the offset changed)
 *    means truncated; the lines not read yet are taken from the copies made
 *    since (any rotated name), then reading restarts at 0;
 *  - the name missing: the old file is kept open until a new one appears.
 * No line is lost or repeated by a rotation (except, for copytruncate, lines
 * written between the copy and the truncation: they are in neither file).
 * After a rotation the old files are still read for a few seconds, before
 * the new one in each poll, since a writer may append to them until it
 * reopens.  A line ends at a newline or at a NUL byte (a NUL run, a crash
 * hole, is skipped whatever its length).  Lines longer than LOGSRC_LINE_MAX
 * are cut (the rest up to the newline is skipped) and their events marked
 * truncated; lines that are not log lines (binary junk) are counted and
 * skipped without losing the lines after them.
 *
 * Back-log (logsrc_backlog): the last N wanted events are found by reading
 * the file backwards from its end in blocks, so the time to the first screen
 * does not grow with the log's size; then the events are delivered in log
 * order and the logsrc is positioned at the end, ready to follow.
 *
 * Poll loop integration: logsrc_fd() is readable when something may have
 * changed (inotify/kqueue watcher, or the journalctl pipe); call
 * logsrc_poll() then, and also when logsrc_timeout_ms() has passed (a slow
 * safety net for file systems that do not notify).
 *
 * Errors: -1 / NULL with errno and a reason text ("open /var/log/mail.log:
 * Permission denied").  Nothing prints, nothing exits.
 */
#ifndef CORE_LOGSRC_H
#define CORE_LOGSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "core/logline.h"
#include "util/strbuf.h"

#define LOGSRC_LINE_MAX LOGLINE_MAX    /* 64 KiB: longer lines are cut, marked truncated */

enum logsrc_note {
	LOGSRC_NOTE_OPENED,     /* started reading TEXT (a path, "journal") */
	LOGSRC_NOTE_ROTATED,    /* the name now refers to a new file */
	LOGSRC_NOTE_TRUNCATED,  /* the file shrank (copytruncate) */
	LOGSRC_NOTE_GONE,       /* the name disappeared; still reading the old file */
	LOGSRC_NOTE_ERROR,      /* a read/stat error; TEXT says which */
	LOGSRC_NOTE_EOF,        /* a non-file source ended (journalctl exited, stdin EOF) */
};

/*
 * The event sink.  Call order: note(OPENED) once, then any number of
 * want()/event() pairs and note()s.  EV and TEXT are borrowed: valid only
 * during the call (copy with pf_event_dup() to keep an event).
 *  - want (may be NULL = all): filter; events it refuses are neither
 *    delivered nor counted by the back-log;
 *  - event: an event in log order; return 0 to continue, non-zero to stop
 *    the current logsrc_* call early (it then returns 1);
 *  - note (may be NULL): source status for a status line;
 *  - other (may be NULL): a syslog-shaped line that is no event (LINE, N
 *    bytes, borrowed), as it is read, e.g. smtpd's "connect from".
 */
struct feed_sink {
	void *arg;
	bool (*want)(void *arg, const struct pf_event *ev);
	int (*event)(void *arg, const struct pf_event *ev);
	void (*note)(void *arg, enum logsrc_note what, const char *text);
	void (*other)(void *arg, const char *line, size_t n);
};

struct logsrc;

/* logsrc_open - open SPEC: a file path, "-" for standard input, or
 * "journal" for `journalctl -o short-iso-precise SYSLOG_FACILITY=2`
 * ("journal-dir:DIR" adds --directory=DIR, "journal-file:FILE" --file=FILE:
 * the files systemd-journal-remote writes)
 * (FOLLOW adds -f).  Positioned at the start.  NULL on error with errno and
 * REASON (>= 256 bytes recommended). */
struct logsrc *logsrc_open(const char *spec, bool follow, char *reason, size_t size);
void logsrc_close(struct logsrc *ls);   /* NULL allowed; reaps a journalctl child */

/* logsrc_name - the path, "-" or "journal" */
const char *logsrc_name(const struct logsrc *ls);

/* logsrc_read - deliver every event from the current position to the
 * current end (for a pipe: until EOF unless following).  0 when the end was
 * reached, 1 when the sink stopped, -1 on a read error. */
int logsrc_read(struct logsrc *ls, const struct feed_sink *sink, char *reason, size_t size);

/* logsrc_backlog - deliver the last N wanted events (N = 0: none) and
 * position at the end.  Files are read backwards; pipes and the journal are
 * read to their current end keeping the last N in memory.  0, 1 or -1 as
 * logsrc_read. */
int logsrc_backlog(struct logsrc *ls, size_t n, const struct feed_sink *sink, char *reason,
		   size_t size);

/* logsrc_set_cancel - reading stops (as when the sink asks: 1 from
 * logsrc_read) once *FLAG is nonzero: checked before every chunk and when a
 * blocking read is interrupted by a signal, so a SIGINT handler that sets
 * FLAG ends a read of a stream that never ends.  FLAG NULL: never. */
#include <signal.h>
void logsrc_set_cancel(struct logsrc *ls, const volatile sig_atomic_t *flag);

/* logsrc_set_range - read only the lines that start in [START, END) of a
 * regular file (END -1: to the end).  Both bounds move forward to the next
 * line start, so ranges [0,a) [a,b) [b,-1) split a file into parts that hold
 * every line exactly once (for reading parts in parallel).  0 or -1. */
int logsrc_set_range(struct logsrc *ls, off_t start, off_t end, char *reason, size_t size);
/* logsrc_size - a regular file's current size, -1 for streams */
off_t logsrc_size(const struct logsrc *ls);

/* logsrc_seek_end - skip everything present now (follow new lines only) */
int logsrc_seek_end(struct logsrc *ls, char *reason, size_t size);

/* logsrc_fd - fd to poll for POLLIN, or -1 (then poll by time only) */
int logsrc_fd(const struct logsrc *ls);
/* logsrc_timeout_ms - call logsrc_poll at least this often (ms) */
int logsrc_timeout_ms(const struct logsrc *ls);
/* logsrc_poll - look again: handle rotation/truncation, deliver new
 * complete lines.  0, 1 (sink stopped) or -1 on a read error.  When a
 * stream ends it notes EOF and logsrc_eof() becomes true; it returns 0, or
 * -1 when it was journalctl and that failed ("journalctl: command not
 * found", "journalctl failed (exit status 1)").  A file that cannot be
 * stat'ed or reopened is noted (LOGSRC_NOTE_GONE/ERROR) and tried again on
 * the next poll: that is not an error. */
int logsrc_poll(struct logsrc *ls, const struct feed_sink *sink, char *reason, size_t size);
/* logsrc_eof - a pipe/journal source has ended for good */
bool logsrc_eof(const struct logsrc *ls);

/* counters since open */
struct logsrc_counts {
	unsigned long long lines;       /* complete lines seen */
	unsigned long long events;      /* events delivered */
	unsigned long long junk;        /* lines that were not log lines */
	unsigned long long cut;         /* lines longer than LOGSRC_LINE_MAX */
	unsigned rotations;             /* rename/recreate seen */
	unsigned truncations;           /* copytruncate seen */
};
void logsrc_counts(const struct logsrc *ls, struct logsrc_counts *c);

/*
 * logsrc_discover - choose the default source, in this order: main.cf's
 * maillog_file (CONFIG_DIR/main.cf, when set and not /dev/stdout),
 * /var/log/mail.log, /var/log/maillog, the systemd journal.  The first one
 * that can be read wins: its spec is copied to SPEC.  Every attempt and why
 * it failed is appended to TRIED as lines "PATH: reason" (for the error
 * message when none works).  0 found, -1 none.
 * ROOT (may be NULL) is prefixed to the fixed /var/log paths (tests).
 */
int logsrc_discover(const char *config_dir, const char *root, char *spec, size_t size,
		    struct strbuf *tried);

#endif
