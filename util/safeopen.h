/*
 * util/safeopen.h - the one way a file named by the user or by main.cf is
 * opened for reading (table sources, indexes, main.cf/master.cf, check
 * FILE, explain --batch FILE).
 *
 * The file is opened O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC, so a FIFO
 * without a writer or a terminal cannot block open(); fstat() then requires
 * a regular file (a FIFO, device, directory or socket is refused with a
 * message naming its type) no larger than MAX bytes, and O_NONBLOCK is
 * cleared again.  Readers must still bound what they read by MAX (a regular
 * file may grow while it is read).
 * Errors: -1 with errno (open's errno, EINVAL for the file type, EFBIG for
 * the size) and WHY (may be NULL) filled with a whole message naming PATH.
 * Callers that report "cannot read PATH: strerror(errno)" use
 * safeopen_strerror(errno) instead, which gives the type or size reason
 * ("is a FIFO, not a regular file") when the last safeopen call of this
 * thread failed with that errno, else strerror().
 */
#ifndef UTIL_SAFEOPEN_H
#define UTIL_SAFEOPEN_H

#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

/* far above any real table (Postfix tables of 10M entries are ~500 MB) */
#define SAFEOPEN_TABLE_MAX ((off_t)2 << 30)
/* main.cf, master.cf, check FILE, rescue copies, the console's state file
 * (explain --batch FILE is read line by line, each line bounded: the
 * table bound) */
#define SAFEOPEN_CONFIG_MAX ((off_t)64 << 20)

/* safeopen_read - open PATH for reading as above; the descriptor or -1.
 * ST (may be NULL) receives the fstat() result. */
int safeopen_read(const char *path, off_t max, struct stat *st, char *why, size_t whylen);
/* safeopen_fopen - the same as a stdio stream ("r") */
FILE *safeopen_fopen(const char *path, off_t max, char *why, size_t whylen);
/* safeopen_check_fd - the same checks on an open descriptor named PATH */
int safeopen_check_fd(int fd, const char *path, off_t max, struct stat *st, char *why, size_t whylen);
/* safeopen_create_new - create a new file for writing, never through a
 * link and never over an existing file: BASE, else BASE.1 ... BASE.99, each
 * tried with O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW (mode 0600).  The name
 * used goes to NAME (NAMELEN bytes).  The descriptor, or -1 with errno. */
int safeopen_create_new(const char *base, char *name, size_t namelen);
/* safeopen_strerror - see above */
const char *safeopen_strerror(int errnum);
/* safeopen_type_name - "a FIFO", "a directory", "a character device" ... */
const char *safeopen_type_name(mode_t mode);

#endif
