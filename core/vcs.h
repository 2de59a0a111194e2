/*
 * core/vcs.h - commit what Apply put live when the configuration is in git.
 *
 * etckeeper keeps /etc in a git work tree; others keep /etc/postfix in a
 * repository of its own.  After a successful Apply, vcs_commit() commits
 * exactly the table sources (and main.cf/master.cf) Apply wrote or built
 * from, with the audit line as the message:
 *   - only FILES that git sees changed or new are committed
 *     (`git commit --only -- FILES`); everything else in the tree, staged
 *     or not, is left as it was, and NOTE says how many other changes stay
 *     and names the first three (untracked indexes and FILE~ backups, what
 *     pfconsole leaves next to the sources, are not counted);
 *   - indexes (.db .cdb .lmdb .dir .pag) are never committed;
 *   - files git ignores are left out;
 *   - not in a git work tree, or no git installed: nothing happens, NOTE
 *     stays empty.
 * git runs by absolute path through util/runcmd (clean environment + HOME),
 * and each call has a deadline.  Hooks (etckeeper's) run as usual.  When
 * no user.email is configured, the commit is made as "pfconsole
 * <root@HOSTNAME>" (the audit line names who applied).
 *
 * Nothing prints.
 */
#ifndef CORE_VCS_H
#define CORE_VCS_H

#include <stddef.h>

#include "util/strbuf.h"

/*
 * vcs_commit - commit FILES (N absolute or DIR-relative paths) in the git
 * work tree holding DIR, with MESSAGE.  1 committed (NOTE: "git: committed
 * 2 files in /etc (3f2a1c9); 2 other changes left uncommitted: postfix/NOTES,
 * aliases"), 0 nothing to commit or not in git, -1 git
 * failed (NOTE says why; nothing else is touched).
 */
int vcs_commit(const char *dir, const char *const *files, size_t n, const char *message,
	       struct strbuf *note);

/*
 * vcs_commit_apply - vcs_commit of what an Apply wrote: the files named by
 * CHANGES' header lines ("PATH:" lines of apply_opts.changes) and BUILT
 * (index sources, one a line), with the audit line MESSAGE.
 */
int vcs_commit_apply(const char *dir, const char *changes, const char *built, const char *message,
		     struct strbuf *note);

/* vcs_git - the git binary used (absolute path), NULL when none */
const char *vcs_git(void);

#endif
