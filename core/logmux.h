/*
 * core/logmux.h - several mail log sources read as one, in time order.
 *
 * Admins with several MX hosts centralise their logs with rsyslog
 * forwarding (a file per host: /var/log/remote/mx1.log, or a directory per
 * host) or systemd-journal-remote (/var/log/journal/remote/remote-mx1.journal).
 * A logmux opens several core/logsrc sources - each SPEC is what logsrc
 * takes (a file, "-", "journal", "journal-dir:DIR", "journal-file:FILE"), or
 * a directory, which stands for every regular file in it and in its
 * subdirectories (one level; *.journal files through journalctl --file,
 * compressed rotations (.gz .xz .bz2 .zst) skipped) - and hands their
 * events to one sink merged in time order (stable: equal stamps keep source
 * order).  Each event keeps the host its line names (struct pf_event.host);
 * logmux_set_host() keeps only the events of some hosts.
 *
 * With one source everything is passed straight to core/logsrc (no
 * buffering).  With several: logmux_read and logmux_backlog collect the
 * wanted events of every source (copies), sort them and deliver them;
 * logmux_poll delivers each round's new events sorted (sources are polled
 * together, so a late line of one host can only be out of order with lines
 * that arrived in an earlier round).
 *
 * This is the reader feed, the Live screen, impact and hits use for
 * several sources.  Errors: -1/NULL with REASON.  Nothing prints.
 */
#ifndef CORE_LOGMUX_H
#define CORE_LOGMUX_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/logsrc.h"

struct logmux;

/* logmux_open - open every SPEC (N >= 1; directories expanded).  NULL on
 * error (the first source that cannot be opened names itself in REASON). */
struct logmux *logmux_open(const char *const *specs, size_t n, bool follow, char *reason,
			   size_t size);
void logmux_close(struct logmux *m);

/* logmux_set_host - keep only events whose host is one of the HOSTS
 * (comma-separated, case-insensitive); NULL or "" keeps all.  0 or -1. */
int logmux_set_host(struct logmux *m, const char *hosts);
/* logmux_host_wanted - HOST (N bytes; NULL: a line without one) passes that
 * filter (impact and hits filter their transactions with it) */
bool logmux_host_wanted(const struct logmux *m, const char *host, size_t n);

/* the sources after directory expansion */
size_t logmux_count(const struct logmux *m);
struct logsrc *logmux_src(const struct logmux *m, size_t i);

/* as logsrc_read / logsrc_backlog / logsrc_poll, over every source */
int logmux_read(struct logmux *m, const struct feed_sink *sink, char *reason, size_t size);
int logmux_backlog(struct logmux *m, size_t n, const struct feed_sink *sink, char *reason,
		   size_t size);
int logmux_poll(struct logmux *m, const struct feed_sink *sink, char *reason, size_t size);

/* logmux_pollfds - the sources' descriptors (fd -1 for none), at most MAX;
 * returns how many were filled */
size_t logmux_pollfds(const struct logmux *m, struct pollfd *pfd, size_t max);
/* logmux_timeout_ms - the smallest of the sources' */
int logmux_timeout_ms(const struct logmux *m);
/* logmux_eof - every source has ended */
bool logmux_eof(const struct logmux *m);
/* logmux_counts - the sources' counters added up */
void logmux_counts(const struct logmux *m, struct logsrc_counts *c);

#endif
