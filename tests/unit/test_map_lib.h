/* tests/unit/test_map_lib.h - helpers shared by the test_map_*.c programs:
 * temporary directories, files, a private Postfix config for the real
 * postmap, and "no stray temporary" checks.  Static functions only. */
#ifndef TEST_MAP_LIB_H
#define TEST_MAP_LIB_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tl_dir[256];

/* tl_setup - a fresh temporary directory with a postfix config in DIR/pf */
static int __attribute__((unused))
tl_setup(void **state)
{
	char path[300];
	FILE *fp;

	(void)state;
	snprintf(tl_dir, sizeof(tl_dir), "/tmp/pfc-unit-XXXXXX");
	if (mkdtemp(tl_dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/pf", tl_dir);
	if (mkdir(path, 0755) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/pf/main.cf", tl_dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fprintf(fp, "compatibility_level = 3.6\nsmtputf8_enable = yes\n");
	return fclose(fp);
}

static int __attribute__((unused))
tl_teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tl_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* tl_path - DIR/NAME in a static rotating buffer */
static __attribute__((unused)) const char *
tl_path(const char *name)
{
	static char buf[4][400];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tl_dir, name);
	return buf[i];
}

static void __attribute__((unused))
tl_write(const char *name, const char *text, mode_t mode)
{
	const char *p = tl_path(name);
	FILE *fp = fopen(p, "w");

	if (fp == NULL || fwrite(text, 1, strlen(text), fp) != strlen(text) || fclose(fp) != 0) {
		fprintf(stderr, "write %s failed\n", p);
		exit(1);
	}
	chmod(p, mode);
}

/* tl_postmap - run the real postmap with our private config; exit status */
static int __attribute__((unused))
tl_postmap(const char *args)
{
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "postmap -c '%s/pf' %s 2>/dev/null", tl_dir, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* tl_postmap_q - postmap -q KEY TYPE:DIR/NAME; value (static) or NULL */
static __attribute__((unused)) const char *
tl_postmap_q(const char *type, const char *name, const char *key)
{
	static char out[1024];
	char cmd[1024];
	FILE *fp;
	size_t n;

	snprintf(cmd, sizeof(cmd), "postmap -c '%s/pf' -q '%s' %s:'%s/%s' 2>/dev/null", tl_dir, key,
		 type, tl_dir, name);
	if ((fp = popen(cmd, "r")) == NULL)
		return NULL;
	n = fread(out, 1, sizeof(out) - 1, fp);
	out[n] = 0;
	if (pclose(fp) != 0)
		return NULL;
	if (n && out[n - 1] == '\n')
		out[n - 1] = 0;
	return out;
}

/* tl_count_temps - entries of the directory whose name contains ".pfctmp-" */
static int __attribute__((unused))
tl_count_temps(void)
{
	DIR *d = opendir(tl_dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".pfctmp-"))
			n++;
	closedir(d);
	return n;
}

#endif
