/*
 * core/build_config.c - the tables `build` rebuilds when given no
 * TYPE:PATH: every indexed table DIR/main.cf references whose index is
 * absent or older than its source (see build_job_add_config in build.h).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/build.h"
#include "core/maincf.h"

/* is_stale - the index of SRC is absent or older than SRC */
static bool
is_stale(const char *src, const char *index)
{
	struct stat s, i;

	if (stat(src, &s) < 0)
		return false;           /* no source: nothing to build from */
	if (stat(index, &i) < 0)
		return true;
	if (i.st_mtim.tv_sec != s.st_mtim.tv_sec)
		return i.st_mtim.tv_sec < s.st_mtim.tv_sec;
	return i.st_mtim.tv_nsec < s.st_mtim.tv_nsec;
}

/* build_job_add_config - add the stale indexed tables of DIR/main.cf */
int
build_job_add_config(struct build_job *job, const char *dir)
{
	struct maincf *cf = NULL;
	size_t i, n;
	int ret = 0;

	if (maincf_load(&cf, dir, &job->diags) < 0) {
		if (errno == ENOMEM)
			return -1;
		return diag_add(&job->diags, DIAG_MISSING_MAP, dir, 0, 0,
				"cannot read %s/main.cf: %s", dir, strerror(errno));
	}
	n = maincf_ref_count(cf);
	for (i = 0; i < n && ret == 0; i++) {
		const struct maincf_ref *ref = maincf_ref_at(cf, i);
		const struct map_ops *ops = map_find_type(ref->type);
		char *path, *index, *text;
		size_t plen;

		if (ops == NULL || !(ops->flags & MAP_INDEXED))
			continue;
		plen = strlen(dir) + strlen(ref->name) + 2;
		if ((path = malloc(plen)) == NULL)
			return -1;
		if (ref->name[0] == '/')
			snprintf(path, plen, "%s", ref->name);
		else
			snprintf(path, plen, "%s/%s", dir, ref->name);
		index = map_index_path(ops, path);
		if (index == NULL) {
			free(path);
			ret = -1;
			break;
		}
		if (is_stale(path, index)) {
			plen = strlen(ref->type) + strlen(path) + 2;
			if ((text = malloc(plen)) == NULL) {
				ret = -1;
			} else {
				snprintf(text, plen, "%s:%s", ref->type, path);
				ret = build_job_add_ref(job, text);
				free(text);
			}
		}
		free(path);
		free(index);
	}
	maincf_free(cf);
	return ret;
}
