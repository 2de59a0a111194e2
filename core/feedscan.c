/*
 * core/feedscan.c - feedstats_scan_file: count a whole file's events with
 * one thread per part of the file (see core/feed.h).  Kept apart from
 * core/feed.c so that the parser's fuzz harness needs no file reading.
 * Each thread has its own logsrc, filter copy and counters; the counters
 * are merged at the end.  Nothing prints.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/feed.h"
#include "core/logsrc.h"

struct part {
	pthread_t tid;
	const char *path;
	off_t start, end;
	struct feed_filter *filter;
	struct feedstats *st;
	struct logsrc_counts counts;
	int rc;
	char reason[512];
};

static bool
part_want(void *arg, const struct pf_event *ev)
{
	struct part *pt = arg;

	return feed_filter_match(pt->filter, ev);
}

static int
part_event(void *arg, const struct pf_event *ev)
{
	struct part *pt = arg;

	return feedstats_add(pt->st, ev);
}

static void *
part_run(void *arg)
{
	struct part *pt = arg;
	struct feed_sink sink = { pt, part_want, part_event, NULL, NULL };
	struct logsrc *ls = logsrc_open(pt->path, false, pt->reason, sizeof(pt->reason));

	pt->rc = -1;
	if (ls == NULL)
		return NULL;
	if (logsrc_set_range(ls, pt->start, pt->end, pt->reason, sizeof(pt->reason)) == 0)
		pt->rc = logsrc_read(ls, &sink, pt->reason, sizeof(pt->reason));
	if (pt->rc > 0) {
		/* only feedstats_add stops a part: it ran out of memory */
		snprintf(pt->reason, sizeof(pt->reason), "%s: out of memory", pt->path);
		pt->rc = -1;
	}
	logsrc_counts(ls, &pt->counts);
	logsrc_close(ls);
	return NULL;
}

int
feedstats_scan_file(const char *path, const struct feed_filter *f, struct feedstats *st,
		    unsigned nparts, struct logsrc_counts *counts, char *reason, size_t size)
{
	struct part parts[FEED_MAX_PARTS];
	struct stat sb;
	unsigned i, started = 0;
	int rc = 0;

	memset(counts, 0, sizeof(*counts));
	if (stat(path, &sb) < 0) {
		snprintf(reason, size, "stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (nparts < 1)
		nparts = 1;
	if (nparts > FEED_MAX_PARTS)
		nparts = FEED_MAX_PARTS;
	if (!S_ISREG(sb.st_mode))
		nparts = 1;
	memset(parts, 0, sizeof(parts));
	for (i = 0; i < nparts; i++) {
		struct part *pt = &parts[i];

		pt->path = path;
		pt->start = (off_t)((long double)sb.st_size * i / nparts);
		pt->end = i + 1 == nparts ? -1 : (off_t)((long double)sb.st_size * (i + 1) / nparts);
		pt->filter = f != NULL ? feed_filter_dup(f) : feed_filter_new();
		pt->st = feedstats_new();
		if (pt->filter == NULL || pt->st == NULL) {
			snprintf(reason, size, "%s: out of memory", path);
			rc = -1;
			goto done;
		}
	}
	/* the first part runs in this thread */
	for (i = 1; i < nparts; i++) {
		if (pthread_create(&parts[i].tid, NULL, part_run, &parts[i]) != 0)
			break;
		started = i;
	}
	part_run(&parts[0]);
	for (i = 1; i <= started; i++)
		pthread_join(parts[i].tid, NULL);
	/* parts that could not get a thread run here, one after the other */
	for (i = started + 1; i < nparts; i++)
		part_run(&parts[i]);
	for (i = 0; i < nparts; i++) {
		struct part *pt = &parts[i];

		if (pt->rc < 0 && rc == 0) {
			snprintf(reason, size, "%s", pt->reason);
			rc = -1;
		}
		if (rc == 0 && feedstats_merge(st, pt->st) < 0) {
			snprintf(reason, size, "%s: out of memory", path);
			rc = -1;
		}
		counts->lines += pt->counts.lines;
		counts->events += pt->counts.events;
		counts->junk += pt->counts.junk;
		counts->cut += pt->counts.cut;
	}
done:
	for (i = 0; i < nparts; i++) {
		feed_filter_free(parts[i].filter);
		feedstats_free(parts[i].st);
	}
	return rc;
}
