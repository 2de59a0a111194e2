/*
 * util/safeopen.c - open a user-named file for reading without blocking on
 * a FIFO or device and without reading unbounded input.  See safeopen.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/safeopen.h"

/* the reason of this thread's last type/size refusal, with its errno */
static __thread char last_reason[160];
static __thread int last_errno;

const char *
safeopen_strerror(int errnum)
{
	if (last_reason[0] && errnum == last_errno)
		return last_reason;
	return strerror(errnum);
}

/* refuse - LAST_REASON is set: keep E with it, fill WHY */
static void
refuse(int e, char *why, size_t whylen, const char *path)
{
	last_errno = e;
	if (why)
		snprintf(why, whylen, "%s: %s", path, last_reason);
	errno = e;
}

const char *
safeopen_type_name(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISLNK(mode))
		return "a symbolic link";
	return "not a regular file";
}

int
safeopen_check_fd(int fd, const char *path, off_t max, struct stat *st, char *why, size_t whylen)
{
	struct stat sb;
	int e, fl;

	if (fstat(fd, &sb) < 0) {
		e = errno;
		if (why)
			snprintf(why, whylen, "stat %s: %s", path, strerror(e));
		last_reason[0] = 0;
		errno = e;
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(last_reason, sizeof(last_reason), "is %s, not a regular file",
			 safeopen_type_name(sb.st_mode));
		refuse(EINVAL, why, whylen, path);
		return -1;
	}
	if (max > 0 && sb.st_size > max) {
		snprintf(last_reason, sizeof(last_reason), "too large (%lld bytes; the limit is %lld)",
			 (long long)sb.st_size, (long long)max);
		refuse(EFBIG, why, whylen, path);
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) >= 0 && (fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (st)
		*st = sb;
	last_reason[0] = 0;
	return 0;
}

int
safeopen_read(const char *path, off_t max, struct stat *st, char *why, size_t whylen)
{
	int fd, e;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
		e = errno;
		if (why)
			snprintf(why, whylen, "open %s: %s", path, strerror(e));
		last_reason[0] = 0;
		errno = e;
		return -1;
	}
	if (safeopen_check_fd(fd, path, max, st, why, whylen) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
safeopen_create_new(const char *base, char *name, size_t namelen)
{
	int i, fd;

	for (i = 0; i < 100; i++) {
		int n = i ? snprintf(name, namelen, "%s.%d", base, i) : snprintf(name, namelen, "%s", base);

		if (n < 0 || (size_t)n >= namelen) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		/* EEXIST: a file or a (possibly dangling) link is there; ELOOP
		 * cannot happen with O_EXCL but is treated the same */
		if (errno != EEXIST && errno != ELOOP)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

FILE *
safeopen_fopen(const char *path, off_t max, char *why, size_t whylen)
{
	int fd = safeopen_read(path, max, NULL, why, whylen), e;
	FILE *fp;

	if (fd < 0)
		return NULL;
	if ((fp = fdopen(fd, "r")) == NULL) {
		e = errno;
		if (why)
			snprintf(why, whylen, "open %s: %s", path, strerror(e));
		last_reason[0] = 0;
		close(fd);
		errno = e;
	}
	return fp;
}
