/*
 * core/watch_none.c - core/watch.h where the OS has neither inotify nor
 * kqueue: watch_new() fails with ENOSYS, so callers fall back to polling by
 * time (core/logsrc.c does, every 200 ms).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "core/watch.h"

const char *
watch_backend(void)
{
	return "none";
}

struct watch *
watch_new(char *reason, size_t size)
{
	if (reason)
		snprintf(reason, size, "no file watcher on this system (neither inotify nor kqueue)");
	errno = ENOSYS;
	return NULL;
}

void
watch_free(struct watch *w)
{
	(void)w;
}

int
watch_add_file(struct watch *w, const char *path, char *reason, size_t size)
{
	(void)w;
	(void)path;
	if (reason)
		snprintf(reason, size, "no file watcher on this system");
	errno = ENOSYS;
	return -1;
}

int
watch_fd(const struct watch *w)
{
	(void)w;
	return -1;
}

bool
watch_drain(struct watch *w)
{
	(void)w;
	return false;
}
