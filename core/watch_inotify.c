/*
 * core/watch_inotify.c - core/watch.h on Linux inotify.
 *
 * Each watched file costs two watches: the file itself (IN_MODIFY,
 * IN_ATTRIB, IN_MOVE_SELF, IN_DELETE_SELF) and its directory (IN_CREATE,
 * IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE, IN_CLOSE_WRITE), so that a new file
 * under the same name is seen even before anything is written to it.  The
 * inotify fd is non-blocking; watch_drain() reads whatever is queued.
 * Public: the functions of core/watch.h.  Errors: -1/NULL with errno and a
 * reason naming the call and path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "core/watch.h"
#include "core/watch_common.h"

struct watch {
	int fd;
};

const char *
watch_backend(void)
{
	return "inotify";
}

struct watch *
watch_new(char *reason, size_t size)
{
	struct watch *w = watch_common_alloc(sizeof(*w), reason, size);

	if (w == NULL)
		return NULL;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		int e = errno;

		if (reason)
			snprintf(reason, size, "inotify_init1: %s", strerror(e));
		free(w);
		errno = e;
		return NULL;
	}
	return w;
}

void
watch_free(struct watch *w)
{
	if (w == NULL)
		return;
	close(w->fd);
	free(w);
}

int
watch_add_file(struct watch *w, const char *path, char *reason, size_t size)
{
	char *dir = watch_common_parent(path, reason, size);
	int e;

	if (dir == NULL)
		return -1;
	if (inotify_add_watch(w->fd, dir, IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
						  IN_CLOSE_WRITE | IN_MODIFY | IN_ONLYDIR) < 0) {
		e = errno;
		if (reason)
			snprintf(reason, size, "inotify_add_watch %s: %s", dir, strerror(e));
		free(dir);
		errno = e;
		return -1;
	}
	free(dir);
	/* the file may not exist (yet): the directory watch covers that */
	(void)inotify_add_watch(w->fd, path, IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF);
	return 0;
}

int
watch_fd(const struct watch *w)
{
	return w->fd;
}

bool
watch_drain(struct watch *w)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0)
		any = true;
	return any;
}
