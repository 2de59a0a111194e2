/*
 * util/runcmd.h - run postfix/postmap/postconf from an argv array (no
 * shell) and capture exit status and output.
 *
 * `postfix check` and `postfix reload` write their messages to stderr only
 * when stderr is a terminal (postfix-reference.md 9), so runcmd can give
 * the child a pseudo-terminal (RUNCMD_PTY) as stdin/stdout/stderr; the
 * captured text then has its "\r\n" turned back into "\n".  Otherwise
 * stdout and stderr go to one pipe.  A child still running at the deadline
 * is killed (SIGTERM, then SIGKILL) and reported as timed out.
 *
 * Nothing prints.  Errors: -1 with errno and a reason ("fork: ...").
 */
#ifndef UTIL_RUNCMD_H
#define UTIL_RUNCMD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/strbuf.h"

enum {
	RUNCMD_PTY = 1,             /* the child's stdio is a pseudo-terminal */
};

struct runcmd_result {
	int status;                 /* exit status 0-255; 128+N for signal N; -1 not run */
	bool timed_out;
	struct strbuf output;       /* stdout and stderr, in order, "\r\n" -> "\n" */
};

void runcmd_result_init(struct runcmd_result *r);
void runcmd_result_fini(struct runcmd_result *r);

/*
 * runcmd_run - run ARGV[0] (searched in PATH when it has no '/') with
 * ARGV, wait at most TIMEOUT_MS (<= 0: 60 s).  0 when the child ran (see
 * R->status), -1 when it could not be started (REASON filled; R->status
 * -1; exec failures are reported as status 127 with the reason in output).
 */
int runcmd_run(const char *const argv[], unsigned flags, int timeout_ms,
	       struct runcmd_result *r, char *reason, size_t size);

/* runcmd_format_argv - "postfix -c /x reload" (for display and the audit) */
int runcmd_format_argv(const char *const argv[], struct strbuf *out);

#endif
