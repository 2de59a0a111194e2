#!/bin/sh
# tests/security/feed-signals.sh - `feed` on a stream it does not follow
# (--log -, --stats) whose writer never closes it must stop on SIGINT,
# SIGTERM and SIGHUP (it kept reading for ever; only SIGKILL stopped it),
# saying so on stderr and reporting what it read (exit status 1).
. "$top_srcdir/tests/lib/tap.sh"
tmp=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT
line='Nov 22 12:30:27 mx postfix/smtpd[4711]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 554 5.7.1 <a@b.example>: Sender address rejected: Access denied; from=<a@b.example> to=<c@d.example> proto=ESMTP helo=<h.example>'

# one SIG MODE... - feed reading a FIFO whose writer stays; SIG after the
# first event; the feed must be gone within 5 s
one() {
	sig=$1; shift
	rm -f "$tmp/fifo" "$tmp/out" "$tmp/err"
	mkfifo "$tmp/fifo"
	# the writer: one line, then holds the FIFO open for 60 s
	( printf '%s\n' "$line"; sleep 60 ) >"$tmp/fifo" &
	wpid=$!; pids="$pids $wpid"
	"$PFCONSOLE" feed --log - "$@" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
	fpid=$!; pids="$pids $fpid"
	sleep 0.5
	kill -"$sig" "$fpid"
	n=0
	while kill -0 "$fpid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	if kill -0 "$fpid" 2>/dev/null; then
		fail "SIG$sig $*: feed stops" "still running 5 s after the signal"
		kill -9 "$fpid"
		st=killed
	else
		ok "SIG$sig $*: feed stops"
		wait "$fpid"; st=$?
	fi
	kill "$wpid" 2>/dev/null
	is "SIG$sig $*: exit status 1" "$st" 1
	like "SIG$sig $*: says it was interrupted" "$(cat "$tmp/err")" 'interrupted'
}

one INT
like "the event before the signal is printed" "$(cat "$tmp/out")" 'a@b\.example'
one TERM --stats
like "--stats reports what was read" "$(cat "$tmp/out")" '^1 events'
one HUP --json
tap_done
