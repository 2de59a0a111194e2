/*
 * core/watch_kqueue.c - core/watch.h on BSD/macOS kqueue.
 *
 * kqueue watches open descriptors, not names: we keep the file and its
 * directory open with O_RDONLY (O_EVTONLY where it exists) and ask for
 * EVFILT_VNODE NOTE_WRITE | NOTE_EXTEND | NOTE_DELETE | NOTE_RENAME |
 * NOTE_ATTRIB.  A directory NOTE_WRITE covers names created, renamed or
 * removed in it.  watch_add_file() called again re-opens the file (after a
 * rotation the old descriptor watches the old file).  Compiled only where
 * configure found sys/event.h and no inotify.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/watch.h"
#include "core/watch_common.h"

#ifndef O_EVTONLY
#define O_EVTONLY O_RDONLY
#endif

struct watch {
	int kq;
	int dirfd, filefd;
};

const char *
watch_backend(void)
{
	return "kqueue";
}

struct watch *
watch_new(char *reason, size_t size)
{
	struct watch *w = watch_common_alloc(sizeof(*w), reason, size);

	if (w == NULL)
		return NULL;
	w->dirfd = w->filefd = -1;
	w->kq = kqueue();
	if (w->kq < 0) {
		int e = errno;

		if (reason)
			snprintf(reason, size, "kqueue: %s", strerror(e));
		free(w);
		errno = e;
		return NULL;
	}
	(void)fcntl(w->kq, F_SETFD, FD_CLOEXEC);
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	if (w->dirfd >= 0)
		close(w->dirfd);
	if (w->filefd >= 0)
		close(w->filefd);
	close(w->kq);
	free(w);
}

static int
arm(struct watch *w, int fd)
{
	struct kevent ev;

	EV_SET(&ev, fd, EVFILT_VNODE, EV_ADD | EV_CLEAR,
	       NOTE_WRITE | NOTE_EXTEND | NOTE_DELETE | NOTE_RENAME | NOTE_ATTRIB, 0, NULL);
	return kevent(w->kq, &ev, 1, NULL, 0, NULL);
}

int
watch_add_file(struct watch *w, const char *path, char *reason, size_t size)
{
	char *dir = watch_common_parent(path, reason, size);
	int e;

	if (dir == NULL)
		return -1;
	if (w->dirfd < 0) {
		w->dirfd = open(dir, O_EVTONLY | O_CLOEXEC);
		if (w->dirfd < 0 || arm(w, w->dirfd) < 0) {
			e = errno;
			if (reason)
				snprintf(reason, size, "kqueue watch %s: %s", dir, strerror(e));
			free(dir);
			errno = e;
			return -1;
		}
	}
	free(dir);
	if (w->filefd >= 0)
		close(w->filefd);   /* closing removes its kevent */
	w->filefd = open(path, O_EVTONLY | O_CLOEXEC);
	if (w->filefd >= 0)
		(void)arm(w, w->filefd);
	return 0;
}

int
watch_fd(const struct watch *w)
{
	return w->kq;
}

bool
watch_drain(struct watch *w)
{
	struct kevent evs[16];
	struct timespec zero = { 0, 0 };
	bool any = false;
	int n;

	while ((n = kevent(w->kq, NULL, 0, evs, 16, &zero)) > 0)
		any = true;
	return any;
}
