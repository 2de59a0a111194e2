#!/bin/sh
# tests/tui/ambiguous.sh - feed events whose fields are not certain on the
# Live screen: a line with a forged field list the parser cannot read one
# way only (issue 12 section 1: a sender of 150 "; from=<>" makes too many
# readings) is marked ?ambiguous, and a line longer than 64 KiB, cut, is
# marked ?truncated; for both, b refuses to prefill a block key and says
# why, and nothing opens or is written.
. "$top_srcdir/tests/tui/lib.sh"

sh "$top_srcdir/demo/setup.sh" "$TUI_DIR/etc" >/dev/null 2>&1 || bail "demo/setup.sh failed"
log="$TUI_DIR/mail.log"
stamp=$(date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /')
python3 - "$log" "$stamp" <<'PY' || bail "python3 failed"
import sys
log, stamp = sys.argv[1], sys.argv[2]
pfx = stamp + " mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.66]: 554 5.7.1 "
# cut at 64 KiB: its field list is lost
cut = pfx + "<" + "x" * 70000 + ">: Sender address rejected: Access denied; from=<long@spam.example> to=<u@bar.org> proto=ESMTP helo=<evil.helo>\n"
s = '"' + "; from=<>" * 150 + '"@evil.example'
amb = pfx + "<%s>: Sender address rejected: Access denied; from=<%s> to=<u@bar.org> proto=ESMTP helo=<evil.helo>\n" % (s.replace('"', ''), s)
open(log, "w").write(cut + amb)
PY
sum_before=$(cat "$TUI_DIR"/etc/* 2>/dev/null | cksum)
tui_start -c "$TUI_DIR/etc" --log "$log"
tui_keys 2
tui_expect "the forged line shows ?ambiguous for its sender" '554 +203\.0\.113\.66 +\?ambiguous'
tui_expect "the cut line shows ?truncated for its sender" '554 +203\.0\.113\.66 +\?truncated'
tui_keys b
tui_expect "b refuses the ambiguous event and says why" \
	'reads more than one way \(a forged field list\?\)'
tui_expect_not "no table prompt" "block into table"
tui_keys j b
tui_expect "b refuses the truncated event and says why" \
	'longer than 64 KiB and was cut'
tui_keys Enter
tui_expect "the detail says the line was cut" 'TRUNCATED: this line was longer than 64 KiB'
tui_keys Escape
is "no file of the configuration changed" "$(cat "$TUI_DIR"/etc/* 2>/dev/null | cksum)" "$sum_before"
tui_quit
tap_done
