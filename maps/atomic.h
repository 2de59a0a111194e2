/*
 * maps/atomic.h - replace a file atomically and durably.
 *
 * atomic_begin() creates a new temporary file (O_CREAT|O_EXCL|O_NOFOLLOW,
 * mode 0600) in the target's directory, named ".BASE.pfctmp-PID-XXXXXX",
 * or, with ATOMIC_PRIVATE_DIR, a private directory of that name holding a
 * path BASE that does not exist yet (for Berkeley DB, which must create
 * its file itself).  Stale temporaries left by a killed pfconsole (their
 * PID no longer runs) are removed first.
 * atomic_commit() gives the temporary the owner and permission bits (never
 * set-id/sticky) of the regular file it replaces (lstat: a symlink, device
 * or other non-regular target gives nothing); else, from a regular SOURCE
 * as postmap does: owner of the source, mode 0644 minus the source's
 * missing group/other read bits; else the caller's owner and 0644,
 * fsyncs it, renames it over the target and fsyncs the directory.  A crash
 * at any moment leaves the old complete file or the new one.
 * atomic_abort() removes the temporary only; the target is never touched.
 * Errors: -1 with ERR filled ("rename X to Y: reason") and errno kept.
 */
#ifndef MAPS_ATOMIC_H
#define MAPS_ATOMIC_H

#include <stdbool.h>
#include <sys/types.h>

#include "maps/map.h"

enum { ATOMIC_PRIVATE_DIR = 1 };

struct atomic_file {
	char *target;       /* final path */
	char *source;       /* where owner/mode come from when target is absent; may be NULL */
	char *tmpdir;       /* private directory (ATOMIC_PRIVATE_DIR), else NULL */
	char *tmp;          /* the temporary file's path */
	int fd;             /* open temporary, or -1 (private-dir mode) */
};

/* atomic_begin - create the temporary; 0 or -1 */
int atomic_begin(struct atomic_file *af, const char *target, const char *source,
		 unsigned flags, struct map_error *err);
/* atomic_commit - owner/mode, fsync, rename, fsync dir; af is released either way */
int atomic_commit(struct atomic_file *af, struct map_error *err);
/* atomic_abort - remove the temporary; af is released; NULL-safe fields */
void atomic_abort(struct atomic_file *af);
/* atomic_temp_prefix - ".BASE.pfctmp-" for TARGET's basename, malloc'd (tests) */
char *atomic_temp_prefix(const char *target);

#endif
