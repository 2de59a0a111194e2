/*
 * core/tabledoc_io.c - a table document and its file: loading (through
 * util/safeopen: a regular file, bounded), noticing a change on disk
 * (identity, size, time and content hash), and the atomic save with its
 * FILE~ backup and the write through a symbolic link to its target.
 * The document itself is core/tabledoc.c; the shared state is in
 * core/tabledoc_int.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tabledoc.h"
#include "core/tabledoc_int.h"
#include "maps/atomic.h"
#include "util/safeopen.h"
#include "util/strbuf.h"

static int
read_file(const char *path, struct strbuf *sb, struct disk_state *ds, struct map_error *err)
{
	struct stat st;
	char tmp[65536], why[600];
	ssize_t n;
	int fd = safeopen_read(path, SAFEOPEN_TABLE_MAX, &st, why, sizeof(why));

	if (fd < 0)
		return err ? map_error_set(err, errno, "%s", why) : -1;
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			close(fd);
			return err ? map_error_set(err, e, "read %s: %s", path, strerror(e)) : -1;
		}
		if ((off_t)(sb->len + (size_t)n) > SAFEOPEN_TABLE_MAX) {
			close(fd);
			return err ? map_error_set(err, EFBIG, "read %s: grew past %lld bytes", path,
						   (long long)SAFEOPEN_TABLE_MAX) : -1;
		}
		if (strbuf_add(sb, tmp, (size_t)n) < 0) {
			close(fd);
			return err ? map_error_set(err, ENOMEM, "read %s: out of memory", path) : -1;
		}
	}
	close(fd);
	if (ds) {
		ds->exists = true;
		ds->dev = st.st_dev;
		ds->ino = st.st_ino;
		ds->size = (off_t)sb->len;
		ds->mtime = st.st_mtim;
		ds->hash = tabledoc_hash(sb->buf, sb->len);
	}
	return 0;
}

int
tabledoc_load(struct tabledoc **out, const char *path, enum tabledoc_syntax syntax,
	      struct diag_list *dl, struct map_error *err)
{
	struct tabledoc *d = tabledoc_new(path, syntax);

	*out = NULL;
	if (d == NULL)
		return map_error_set(err, ENOMEM, "load %s: out of memory", path);
	if (read_file(path, &d->text, &d->disk, err) < 0) {
		int e = err ? err->errnum : errno;

		tabledoc_free(d);
		errno = e;
		return -1;
	}
	if (td_reread(d) < 0) {
		tabledoc_free(d);
		return map_error_set(err, ENOMEM, "load %s: out of memory", path);
	}
	td_copy_diags(&d->diags, dl);
	*out = d;
	return 0;
}

/* ---- disk ---- */

int
tabledoc_changed_on_disk(const struct tabledoc *d)
{
	struct stat st;
	struct strbuf sb;
	struct disk_state now;
	int rc;

	if (d->path == NULL)
		return 0;
	if (stat(d->path, &st) < 0) {
		if (errno == ENOENT)
			return d->disk.exists ? 1 : 0;
		return -1;
	}
	if (!d->disk.exists)
		return 1;
	if (st.st_dev == d->disk.dev && st.st_ino == d->disk.ino && st.st_size == d->disk.size
	    && st.st_mtim.tv_sec == d->disk.mtime.tv_sec
	    && st.st_mtim.tv_nsec == d->disk.mtime.tv_nsec)
		return 0;
	/* metadata differ: the content decides */
	strbuf_init(&sb);
	memset(&now, 0, sizeof(now));
	if (read_file(d->path, &sb, &now, NULL) < 0) {
		strbuf_fini(&sb);
		return -1;
	}
	rc = (now.size != d->disk.size || now.hash != d->disk.hash) ? 1 : 0;
	strbuf_fini(&sb);
	return rc;
}

/* backup - keep the current PATH as PATH~ (hard link, else copy) */
static int
backup(const char *path, struct map_error *err)
{
	char *bak;
	struct strbuf sb;
	int fd, rc = 0;

	if (access(path, F_OK) < 0)
		return 0;
	if (asprintf(&bak, "%s~", path) < 0)
		return map_error_set(err, ENOMEM, "backup %s: out of memory", path);
	if (unlink(bak) < 0 && errno != ENOENT) {
		rc = map_error_set(err, errno, "unlink %s: %s", bak, strerror(errno));
		free(bak);
		return rc;
	}
	if (link(path, bak) == 0) {
		free(bak);
		return 0;
	}
	strbuf_init(&sb);
	if (read_file(path, &sb, NULL, err) < 0) {
		strbuf_fini(&sb);
		free(bak);
		return -1;
	}
	fd = open(bak, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, sb.buf, sb.len) != (ssize_t)sb.len || fsync(fd) < 0) {
		rc = map_error_set(err, errno, "write %s: %s", bak, strerror(errno));
		if (fd >= 0)
			unlink(bak);
	}
	if (fd >= 0)
		close(fd);
	strbuf_fini(&sb);
	free(bak);
	return rc;
}

/* save_target - the file a save replaces: PATH itself, or, when PATH is a
 * symbolic link, the regular file it resolves to, so the link (often put
 * there by configuration management) stays the file Postfix reads and the
 * file behind it gets the new text, atomically in its own directory.  A
 * link to anything but a regular file, a dangling link, and a PATH that is
 * no regular file are refused.  malloc'd, or NULL with ERR filled. */
static char *
save_target(const char *path, struct map_error *err)
{
	struct stat st;
	char *real;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return strdup(path);
		map_error_set(err, errno, "stat %s: %s", path, strerror(errno));
		return NULL;
	}
	if (S_ISREG(st.st_mode))
		return strdup(path);
	if (!S_ISLNK(st.st_mode)) {
		map_error_set(err, EINVAL, "%s is %s, not a regular file; nothing written", path,
			      safeopen_type_name(st.st_mode));
		return NULL;
	}
	if ((real = realpath(path, NULL)) == NULL) {
		map_error_set(err, errno, "%s is a symbolic link that cannot be followed (%s); "
			      "nothing written", path, strerror(errno));
		return NULL;
	}
	if (lstat(real, &st) < 0 || !S_ISREG(st.st_mode)) {
		map_error_set(err, EINVAL, "%s is a symbolic link to %s, which is %s, not a regular "
			      "file; nothing written", path, real,
			      errno == ENOENT ? "missing" : safeopen_type_name(st.st_mode));
		free(real);
		return NULL;
	}
	return real;
}

int
tabledoc_save(struct tabledoc *d, unsigned flags, struct map_error *err)
{
	struct atomic_file af;
	size_t done = 0;
	struct stat st;
	char *target;
	int c;

	if (d->path == NULL)
		return map_error_set(err, EINVAL, "save: the document has no file name");
	if (!(flags & TABLEDOC_FORCE)) {
		c = tabledoc_changed_on_disk(d);
		if (c < 0)
			return map_error_set(err, errno, "stat %s: %s", d->path, strerror(errno));
		if (c == 1)
			return 1;
	}
	td_gap_close(d);
	if ((target = save_target(d->path, err)) == NULL)
		return -1;
	c = atomic_begin(&af, target, NULL, 0, err);
	if (c < 0) {
		free(target);
		return -1;
	}
	while (done < d->text.len) {
		ssize_t n = write(af.fd, d->text.buf + done, d->text.len - done);

		if (n < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			atomic_abort(&af);
			free(target);
			return map_error_set(err, e, "write %s: %s", d->path, strerror(e));
		}
		done += (size_t)n;
	}
	if (!(flags & TABLEDOC_NO_BACKUP) && backup(target, err) < 0) {
		atomic_abort(&af);
		free(target);
		return -1;
	}
	c = atomic_commit(&af, err);
	free(target);
	if (c < 0)
		return -1;
	d->dirty = false;
	if (stat(d->path, &st) == 0) {
		d->disk.exists = true;
		d->disk.dev = st.st_dev;
		d->disk.ino = st.st_ino;
		d->disk.size = st.st_size;
		d->disk.mtime = st.st_mtim;
		d->disk.hash = tabledoc_hash(d->text.buf, d->text.len);
	}
	return 0;
}

int
tabledoc_save_as(struct tabledoc *d, const char *path, unsigned flags, struct map_error *err)
{
	char *p = strdup(path);

	if (p == NULL)
		return map_error_set(err, ENOMEM, "save %s: out of memory", path);
	free(d->path);
	d->path = p;
	memset(&d->disk, 0, sizeof(d->disk));
	{
		struct stat st;

		/* saving over an existing other file: that is a deliberate choice */
		if (stat(path, &st) == 0)
			flags |= TABLEDOC_FORCE;
	}
	return tabledoc_save(d, flags, err);
}
