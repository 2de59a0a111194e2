/*
 * core/watch_common.c - helpers of the core/watch.h backends (see
 * watch_common.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/watch_common.h"

void *
watch_common_alloc(size_t n, char *reason, size_t size)
{
	void *p = malloc(n);

	if (p == NULL) {
		if (reason)
			snprintf(reason, size, "watch: out of memory");
		errno = ENOMEM;
	}
	return p;
}

char *
watch_common_parent(const char *path, char *reason, size_t size)
{
	char *dir = watch_common_alloc(strlen(path) + 2, reason, size), *slash;

	if (dir == NULL)
		return NULL;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	return dir;
}
