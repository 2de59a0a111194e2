/*
 * core/watch.h - "look again" notifications for followed files.
 *
 * A watcher turns file system changes into one readable fd that the
 * caller's poll(2) loop waits on.  It does not say what changed: when the
 * fd is readable, call watch_drain() and then look at the files again
 * (core/logsrc.c stats and reads them).  Watching a file also watches its
 * directory, so creation, rename and deletion of the name are seen.
 *
 * One implementation per OS, chosen by configure (--with-watch, default
 * the system's): core/watch_inotify.c (Linux), core/watch_kqueue.c (BSD,
 * macOS), core/watch_none.c (neither, or --with-watch=none): there
 * watch_new() fails with ENOSYS and callers poll by time.
 *
 * Errors: -1 / NULL with errno; REASON (may be NULL, >= 256 bytes) gets
 * "inotify_init1: ...".  Nothing prints.
 */
#ifndef CORE_WATCH_H
#define CORE_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct watch;

/* watch_new - a watcher with nothing watched yet */
struct watch *watch_new(char *reason, size_t size);
/* watch_free - close it (NULL allowed) */
void watch_free(struct watch *w);
/* watch_add_file - watch PATH (its modifications) and its directory (names
 * created, moved, deleted).  PATH need not exist yet; its directory must.
 * Calling it again for the same path re-arms the file watch (after the file
 * was replaced).  0 or -1. */
int watch_add_file(struct watch *w, const char *path, char *reason, size_t size);
/* watch_fd - the fd to poll for POLLIN */
int watch_fd(const struct watch *w);
/* watch_drain - consume pending notifications without blocking; returns
 * true when at least one concerned a watched file or its directory entry. */
bool watch_drain(struct watch *w);
/* watch_backend - "inotify", "kqueue" or "none" */
const char *watch_backend(void);

#endif
