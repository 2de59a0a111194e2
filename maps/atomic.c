/*
 * maps/atomic.c - temporary file next to the target, owner/mode copy,
 * fsync, rename, fsync of the directory.  See atomic.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maps/atomic.h"
#include "maps/map_int.h"

/* split_path - directory (malloc'd, "." if none) and basename pointer */
static char *
split_path(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*base = path;
		return map_strndup(".", 1);
	}
	*base = slash + 1;
	if (slash == path)
		return map_strndup("/", 1);
	return map_strndup(path, (size_t)(slash - path));
}

/* atomic_temp_prefix - ".BASE.pfctmp-" */
char *
atomic_temp_prefix(const char *target)
{
	const char *base;
	char *dir = split_path(target, &base);
	char *p;
	size_t n;

	if (dir == NULL)
		return NULL;
	free(dir);
	n = strlen(base) + 16;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, ".%s.pfctmp-", base);
	return p;
}

/* remove_tree1 - remove PATH: a file, or a directory holding files */
static void
remove_tree1(int dfd, const char *name)
{
	int fd;
	DIR *d;
	struct dirent *de;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return;
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		unlinkat(fd, de->d_name, 0);
	}
	closedir(d);
	unlinkat(dfd, name, AT_REMOVEDIR);
}

/* remove_stale - remove temporaries of TARGET left by dead processes */
static void
remove_stale(const char *dir, const char *prefix)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || *end != '-' || pid <= 0)
			continue;
		if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		remove_tree1(dirfd(d), de->d_name);
	}
	closedir(d);
}

static void
af_release(struct atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	free(af->target);
	free(af->source);
	free(af->tmpdir);
	free(af->tmp);
	af->target = af->source = af->tmpdir = af->tmp = NULL;
}

/* atomic_begin - create the temporary file or private directory */
int
atomic_begin(struct atomic_file *af, const char *target, const char *source,
	     unsigned flags, struct map_error *err)
{
	static unsigned long counter;
	const char *base;
	char *dir, *prefix;
	size_t n;
	int tries;

	memset(af, 0, sizeof(*af));
	af->fd = -1;
	if ((dir = split_path(target, &base)) == NULL || (prefix = atomic_temp_prefix(target)) == NULL) {
		free(dir);
		return map_error_set(err, ENOMEM, "%s: %s", target, strerror(ENOMEM));
	}
	remove_stale(dir, prefix);
	af->target = map_strndup(target, strlen(target));
	af->source = source ? map_strndup(source, strlen(source)) : NULL;
	n = strlen(dir) + strlen(prefix) + strlen(base) + 64;
	if (af->target == NULL || (source && af->source == NULL)
	    || (af->tmp = malloc(n)) == NULL || ((flags & ATOMIC_PRIVATE_DIR) && (af->tmpdir = malloc(n)) == NULL)) {
		free(dir);
		free(prefix);
		af_release(af);
		return map_error_set(err, ENOMEM, "%s: %s", target, strerror(ENOMEM));
	}
	for (tries = 0; tries < 100; tries++) {
		unsigned long r = ((unsigned long)time(NULL) * 2654435761UL) ^ ((unsigned long)getpid() << 16)
				  ^ (++counter * 40503UL) ^ (unsigned long)clock();
		char *path = (flags & ATOMIC_PRIVATE_DIR) ? af->tmpdir : af->tmp;

		snprintf(path, n, "%s/%s%ld-%06lx", dir, prefix, (long)getpid(), r & 0xffffff);
		if (flags & ATOMIC_PRIVATE_DIR) {
			if (mkdir(path, 0700) == 0) {
				snprintf(af->tmp, n, "%s/%s", path, base);
				break;
			}
		} else {
			af->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (af->fd >= 0)
				break;
		}
		if (errno != EEXIST) {
			int e = errno;

			map_error_set(err, e, "create %s: %s", path, strerror(e));
			free(dir);
			free(prefix);
			af_release(af);
			errno = e;
			return -1;
		}
	}
	free(dir);
	free(prefix);
	if (tries == 100) {
		map_error_set(err, EEXIST, "create temporary for %s: %s", target, strerror(EEXIST));
		af_release(af);
		errno = EEXIST;
		return -1;
	}
	return 0;
}

/* fsync_dir - fsync the directory holding PATH */
static int
fsync_dir(const char *path, struct map_error *err)
{
	const char *base;
	char *dir = split_path(path, &base);
	int fd, e;

	if (dir == NULL)
		return map_error_set(err, ENOMEM, "%s: %s", path, strerror(ENOMEM));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || fsync(fd) < 0) {
		e = errno;
		map_error_set(err, e, "fsync directory %s: %s", dir, strerror(e));
		if (fd >= 0)
			close(fd);
		free(dir);
		errno = e;
		return -1;
	}
	close(fd);
	free(dir);
	return 0;
}

/* atomic_commit - make the temporary the target */
int
atomic_commit(struct atomic_file *af, struct map_error *err)
{
	struct stat st, cur;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	mode_t mode = 0644;
	int e;

	if (af->fd < 0 && (af->fd = open(af->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		e = errno;
		map_error_set(err, e, "open %s: %s", af->tmp, strerror(e));
		goto fail;
	}
	/* Owner and mode come only from a regular file being replaced (lstat:
	 * a planted "x.db -> /dev/null" gives nothing), never with set-id or
	 * sticky bits; else postmap's rule from a regular source file, which
	 * is never group/world-writable; else root's 0644. */
	if (lstat(af->target, &st) == 0 && S_ISREG(st.st_mode)) {
		uid = st.st_uid;
		gid = st.st_gid;
		mode = st.st_mode & 0777;
	} else if (af->source != NULL && stat(af->source, &st) == 0 && S_ISREG(st.st_mode)) {
		uid = st.st_uid;
		gid = st.st_gid;
		mode = 0644 & ~(022 | (~st.st_mode & 077));
	}
	if (fstat(af->fd, &cur) < 0) {
		e = errno;
		map_error_set(err, e, "fstat %s: %s", af->tmp, strerror(e));
		goto fail;
	}
	/* Only root can give a file away; others keep their own ownership. */
	if ((uid != (uid_t)-1 && uid != cur.st_uid) || (gid != (gid_t)-1 && gid != cur.st_gid)) {
		if (fchown(af->fd, uid, gid) < 0 && errno != EPERM) {
			e = errno;
			map_error_set(err, e, "chown %s: %s", af->tmp, strerror(e));
			goto fail;
		}
	}
	if (fchmod(af->fd, mode) < 0) {
		e = errno;
		map_error_set(err, e, "chmod %s: %s", af->tmp, strerror(e));
		goto fail;
	}
	if (fsync(af->fd) < 0) {
		e = errno;
		map_error_set(err, e, "fsync %s: %s", af->tmp, strerror(e));
		goto fail;
	}
	if (close(af->fd) < 0) {
		af->fd = -1;
		e = errno;
		map_error_set(err, e, "close %s: %s", af->tmp, strerror(e));
		goto fail;
	}
	af->fd = -1;
	if (rename(af->tmp, af->target) < 0) {
		e = errno;
		map_error_set(err, e, "rename %s to %s: %s", af->tmp, af->target, strerror(e));
		goto fail;
	}
	if (af->tmpdir)
		rmdir(af->tmpdir);
	e = fsync_dir(af->target, err);
	af_release(af);
	return e;
fail:
	atomic_abort(af);
	errno = e;
	return -1;
}

/* atomic_abort - remove the temporary, never the target */
void
atomic_abort(struct atomic_file *af)
{
	if (af->fd >= 0)
		close(af->fd);
	af->fd = -1;
	if (af->tmp)
		unlink(af->tmp);
	if (af->tmpdir)
		remove_tree1(AT_FDCWD, af->tmpdir);
	af_release(af);
}
