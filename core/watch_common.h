/*
 * core/watch_common.h - what the core/watch.h backends (watch_inotify.c,
 * watch_kqueue.c) share.  Not for callers of core/watch.h.
 */
#ifndef CORE_WATCH_COMMON_H
#define CORE_WATCH_COMMON_H

#include <stddef.h>

/* watch_common_parent - a malloc'd copy of the directory PATH is in ("."
 * for a bare name, "/" for a file in the root); NULL with errno = ENOMEM
 * and REASON (if not NULL) "watch: out of memory" */
char *watch_common_parent(const char *path, char *reason, size_t size);

/* watch_common_alloc - malloc(N), or NULL with REASON as above */
void *watch_common_alloc(size_t n, char *reason, size_t size);

#endif
