/*
 * core/postconf.h - the installed Postfix's own defaults and table types.
 *
 * core/maincf keeps a built-in table of Postfix 3.7.11's defaults.  When a
 * postconf binary exists in command_directory, postconf_use() reads the
 * installed version's defaults (`postconf -d`) and table types
 * (`postconf -m`) instead, so that check and explain follow the Postfix the
 * machine runs (3.5 on RHEL 9, 3.8 on Ubuntu 24.04, 3.10 on Debian 13).
 *
 * The answers are cached in $XDG_CACHE_HOME/pfconsole (else
 * ~/.cache/pfconsole), keyed by the binary's identity (path, device, inode,
 * size, mtime), the host name (myhostname's default) and dynamicmaps.cf's
 * mtime (postconf -m), so a start costs one stat and one small read.
 * postconf runs by absolute path with an empty environment (MAIL_CONFIG
 * only) and a deadline.  Without postconf, or when it fails, nothing is
 * loaded and maincf uses its built-in table.
 *
 * PFCONSOLE_POSTCONF=builtin in the environment skips postconf (the
 * built-in table answers, and postconf_describe() returns NULL: output that
 * must not depend on the machine, such as the test suite's, stays quiet).
 *
 * One table per process; nothing prints.
 */
#ifndef CORE_POSTCONF_H
#define CORE_POSTCONF_H

#include <stdbool.h>

/* postconf_use - load the defaults of COMMAND_DIR/postconf (once per binary;
 * CONFIG_DIR is given to postconf -m as MAIL_CONFIG).  0 when loaded (or
 * already), -1 when the built-in table stays in use (no such postconf, it
 * failed, or PFCONSOLE_POSTCONF=builtin). */
int postconf_use(const char *command_dir, const char *config_dir);

/* postconf_default - the installed Postfix's default of NAME (unexpanded),
 * NULL when not loaded or NAME is not one of its parameters */
const char *postconf_default(const char *name);
/* postconf_is_param - 1 NAME is a parameter of the installed Postfix, 0 not,
 * -1 not loaded */
int postconf_is_param(const char *name);
/* postconf_has_type - 1 TYPE is in postconf -m, 0 not, -1 not loaded */
int postconf_has_type(const char *type);

/* postconf_version - "3.7.11": the version the answers follow (the
 * installed one when loaded, else the built-in table's) */
const char *postconf_version(void);
/* postconf_origin - "/usr/sbin/postconf -d" or "built-in table" */
const char *postconf_origin(void);
/* postconf_describe - "Postfix 3.10.1 (defaults from /usr/sbin/postconf -d)"
 * or "Postfix 3.7.11 (built-in defaults; postconf not usable)"; NULL with
 * PFCONSOLE_POSTCONF=builtin */
const char *postconf_describe(void);

/* postconf_reset - forget the loaded table (tests) */
void postconf_reset(void);

#endif
