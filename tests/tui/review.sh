#!/bin/sh
# tests/tui/review.sh - what a new user ran into on the demo (one section
# per finding): the event screen of a header_checks reject does not claim
# that smtpd's restrictions would accept it.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }

# a cleanup header_checks reject: not decided by smtpd's restriction lists
printf '%s mx postfix/cleanup[4243]: 400AAA7C030: reject: header Content-Type: multipart/report; report-type=delivery-status; from mail.alpha.example[198.51.100.174]; from=<alpha@alpha.example> to=<foo@bar.org> proto=ESMTP helo=<mail.alpha.example>: 5.7.1 no third-party DSNs\n' \
	"$(stamp)" >>"$log"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "Live rejects shows the header reject" 'reject +198\.51\.100\.174 +alpha@alpha\.example'
tui_keys Enter
tui_expect "Enter opens the event" 'service +postfix/cleanup'
tui_expect "explain says it covers smtpd only" 'not an smtpd event \(postfix/cleanup\)'
tui_expect "and names header_checks" 'the rule is in header_checks'
tui_expect_not "no smtpd answer is claimed for it" '^accept|decided by'
tui_keys q
tui_quit

tap_done
