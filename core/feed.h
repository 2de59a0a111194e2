/*
 * core/feed.h - what to show from the event stream: filters and statistics.
 *
 * Filter: --since TIME, --grep RE, --exclude RE (PCRE2, matched against the
 * whole event: the complete log line).  Statistics (--stats): counts by
 * action and stage, by reason, top sender domains, clients and recipients.
 * Both are shared by `pfconsole feed` and the console's feed pane.
 *
 * Ownership: a feed_filter / feedstats owns copies of everything it keeps.
 * Errors: -1 with a reason (bad regex: "--grep: missing ) at offset 3").
 */
#ifndef CORE_FEED_H
#define CORE_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/logline.h"
#include "util/strbuf.h"

struct feed_filter;

struct feed_filter *feed_filter_new(void);     /* matches everything; NULL on ENOMEM */
void feed_filter_free(struct feed_filter *f);  /* NULL allowed */
/* feed_filter_grep / _exclude - add a PCRE2 pattern the line must (grep) /
 * must not (exclude) match; several of each: any grep must match, no exclude
 * may match.  0 or -1 with REASON. */
int feed_filter_grep(struct feed_filter *f, const char *re, char *reason, size_t size);
int feed_filter_exclude(struct feed_filter *f, const char *re, char *reason, size_t size);
/* feed_filter_since - keep events at or after T (events without a time are kept) */
void feed_filter_since(struct feed_filter *f, time_t t);
/* feed_filter_match - EV passes */
bool feed_filter_match(const struct feed_filter *f, const struct pf_event *ev);
/* feed_filter_dup - an independent copy (its own PCRE2 match data: one
 * filter must not be used by two threads at once).  NULL on ENOMEM. */
struct feed_filter *feed_filter_dup(const struct feed_filter *f);

/* feed_parse_time - parse a --since value relative to NOW:
 *   "2026-11-02", "2026-11-02 13:03[:01]", "2026-11-02T13:03:01[.frac][Z|+01:00]"
 *   (no zone: local time), "13:03" (today), "-2h" / "2h" / "30m" / "1d" /
 *   "45s" (that long ago), "today", "yesterday".  0 or -1 (EINVAL). */
int feed_parse_time(const char *s, time_t now, time_t *out);

struct feedstats;

struct feedstats *feedstats_new(void);         /* NULL on ENOMEM */
void feedstats_free(struct feedstats *st);     /* NULL allowed */
/* feedstats_add - count EV.  0 or -1 (ENOMEM). */
int feedstats_add(struct feedstats *st, const struct pf_event *ev);
/* feedstats_total - events counted */
unsigned long long feedstats_total(const struct feedstats *st);
/* feedstats_merge - add SRC's counts to DST.  0 or -1 (ENOMEM). */
int feedstats_merge(struct feedstats *dst, const struct feedstats *src);

/* feedstats_scan_file - count the events of the file PATH that pass F (may
 * be NULL) into ST, reading NPARTS parts of the file in parallel threads
 * (split at line boundaries; a stream or NPARTS 1: one pass).  Counting does
 * not depend on order, so the result is the same as one pass.  COUNTS gets
 * the logsrc counters summed.  0, or -1 with REASON. */
#define FEED_MAX_PARTS 8
struct logsrc_counts;
int feedstats_scan_file(const char *path, const struct feed_filter *f, struct feedstats *st,
			unsigned nparts, struct logsrc_counts *counts, char *reason, size_t size);

/* feedstats_report_text - human-readable report, TOP entries per list;
 * every logged string goes through textsafe.  0 or -1. */
int feedstats_report_text(const struct feedstats *st, size_t top, struct strbuf *out);
/* feedstats_report_json - one JSON object:
 * {"total":N,"by_action_stage":[{"action":..,"stage":..,"count":N}..],
 *  "by_reason":[{"reason":..,"count":N}..],"sender_domains":[{"domain":..,"count":N}..],
 *  "clients":[{"client":..,"count":N}..],"recipients":[{"recipient":..,"count":N}..]} */
int feedstats_report_json(const struct feedstats *st, size_t top, struct strbuf *out);

/* feed_reason_key - the reason with a leading "<address>: " removed, so
 * that "Sender address rejected: ..." groups across addresses */
struct pf_span feed_reason_key(struct pf_span reason);

/* feed_event_text - the one-line text form of EV (no newline), every field
 * through textsafe:
 *   "2026-11-02T13:03:01+01:00 reject RCPT 550 5.7.1 unknown[203.0.113.5]
 *    from=<a@b> to=<c@d> helo=<x>: Sender address rejected: ..." */
int feed_event_text(const struct pf_event *ev, struct strbuf *out);

#endif
