/*
 * util/runcmd.h - the one way pfconsole runs another program.
 *
 * Every helper (postfix, postmap, journalctl, ...) is started here, so the
 * rules are kept in one place:
 *   - an argv array, never a shell; ARGV[0] must be an absolute path (no
 *     PATH search: the caller decides which program runs) to a program
 *     only root (or we) can change (runcmd_trusted);
 *   - a clean environment: PATH=RUNCMD_SAFE_PATH plus exactly the
 *     "NAME=value" strings the caller lists (e.g. MAIL_CONFIG), nothing
 *     inherited;
 *   - stdin is /dev/null (or the pty), descriptors other than 0-2 are not
 *     inherited (everything here is opened close-on-exec);
 *   - the child leads its own process group (its own session with
 *     RUNCMD_PTY), and a deadline or a stop kills the whole group: SIGTERM,
 *     then SIGKILL two seconds later;
 *   - output is capped (RUNCMD_OUTPUT_CAP unless the caller says): bytes
 *     past the cap are read and dropped, and the result says so.
 *
 * `postfix check` and `postfix reload` write their messages to stderr only
 * when stderr is a terminal (postfix-reference.md 9), so RUNCMD_PTY gives
 * the child a pseudo-terminal as stdin/stdout/stderr; the captured text
 * then has its "\r\n" turned back into "\n".  Otherwise stdout and stderr
 * go to one pipe, or to two with RUNCMD_SPLIT.
 *
 * Nothing prints.  Errors: -1 with errno and a reason ("fork: ...").
 */
#ifndef UTIL_RUNCMD_H
#define UTIL_RUNCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/strbuf.h"

#define RUNCMD_SAFE_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
#define RUNCMD_OUTPUT_CAP ((size_t)16 << 20)
#define RUNCMD_TIMEOUT_MS 60000

enum {
	RUNCMD_PTY = 1,             /* the child's stdio is a pseudo-terminal */
	RUNCMD_SPLIT = 2,           /* stderr into result.errout, not output (no pty) */
};

struct runcmd_opts {
	unsigned flags;             /* RUNCMD_* */
	int timeout_ms;             /* whole run, <= 0: RUNCMD_TIMEOUT_MS */
	size_t output_cap;          /* per stream, 0: RUNCMD_OUTPUT_CAP */
	const char *const *env;     /* extra "NAME=value", NULL-terminated; may be NULL */
};

struct runcmd_result {
	int status;                 /* exit status 0-255; 128+N for signal N; -1 not run */
	bool timed_out;             /* killed at the deadline */
	bool truncated;             /* output (or errout) reached the cap */
	struct strbuf output;       /* stdout (and stderr unless split), "\r\n" -> "\n" with a pty */
	struct strbuf errout;       /* stderr with RUNCMD_SPLIT */
};

void runcmd_result_init(struct runcmd_result *r);
void runcmd_result_fini(struct runcmd_result *r);

/*
 * runcmd_exec - run ARGV as OPTS say (OPTS may be NULL: defaults) and wait
 * for it.  0 when the child ran (see R->status), -1 when it could not be
 * started (REASON filled; R->status -1).  A relative ARGV[0] is refused
 * (EINVAL); an exec failure is status 127 with the reason in the output.
 * After the child exits, output still arriving from a grandchild that
 * kept the descriptor is read for at most 50 ms.
 */
int runcmd_exec(const char *const argv[], const struct runcmd_opts *opts,
		struct runcmd_result *r, char *reason, size_t size);

/* runcmd_run - runcmd_exec with FLAGS and TIMEOUT_MS and the other
 * options at their defaults */
int runcmd_run(const char *const argv[], unsigned flags, int timeout_ms,
	       struct runcmd_result *r, char *reason, size_t size);

/*
 * runcmd_spawn - start ARGV for the caller to read as it runs (journalctl
 * -f): same rules as runcmd_exec (OPTS->flags and timeout_ms are ignored;
 * stderr goes to /dev/null).  Sets *PID and *FD (its stdout, close-on-exec,
 * blocking); 0, or -1 with REASON.  Stop it with runcmd_stop, or reap it
 * with waitpid when FD reached EOF.
 */
int runcmd_spawn(const char *const argv[], const struct runcmd_opts *opts,
		 pid_t *pid, int *fd, char *reason, size_t size);

/* runcmd_stop - end PID's process group (SIGTERM, SIGKILL after
 * GRACE_MS) and reap PID; its wait status, or -1 */
int runcmd_stop(pid_t pid, int grace_ms);

/* runcmd_trusted - may PATH be run (as root)?  The program (symlinks
 * resolved) must be a regular file owned by root or by us and not
 * writable by group or others, and every directory above it (of the path
 * as given and of the resolved one) owned by root or us and not writable
 * by group/others unless sticky (/tmp).  A missing PATH passes (exec then
 * fails with status 127).  0, or -1 with REASON and errno (EPERM, EINVAL).
 * runcmd_exec and runcmd_spawn refuse an untrusted ARGV[0] this way. */
int runcmd_trusted(const char *path, char *reason, size_t size);

/* runcmd_format_argv - "postfix -c /x reload" (for display and the audit) */
int runcmd_format_argv(const char *const argv[], struct strbuf *out);

#endif
