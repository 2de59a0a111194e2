#!/bin/sh
# The Live screen on a directory of per-host logs (rsyslog forwarding): the
# events of both hosts, merged in time order, with a HOST column; a line
# appended to one host's file arrives with that host.
. "$top_srcdir/tests/tui/lib.sh"
tui_fixture
logs=$TUI_DIR/remote
mkdir -p "$logs"
mk() {
	echo "$1 $2 postfix/smtpd[$3]: NOQUEUE: reject: RCPT from c$3.example[192.0.2.$3]: 554 5.7.1 <u$3@spam.example>: Sender address rejected: no; from=<u$3@spam.example> to=<foo@bar.org> proto=ESMTP helo=<c$3.example>"
}
now=$(date -u +%Y-%m-%dT%H:%M)
{ mk "$now:01.000000+00:00" mx1 11; mk "$now:03.000000+00:00" mx1 13; } >"$logs/mx1.log"
mk "$now:02.000000+00:00" mx2 22 >"$logs/mx2.log"
tui_start -c "$TUI_DIR/etc" console --log "$logs"
tui_wait_for 'Maps' || bail "the console did not start"
tui_keys 2
tui_expect "Live names the log directory and its sources" "$logs \(2 sources\)"
tui_expect "a HOST column" 'TIME +HOST +CODE'
# newest first: 13 (mx1), 22 (mx2), 11 (mx1)
got=$(tui_screen | grep -E '192\.0\.2\.(11|13|22)' | awk '{print $2, $4}')
is "each event with its host, merged in time order (newest first)" "$got" "mx1 192.0.2.13
mx2 192.0.2.22
mx1 192.0.2.11"
mk "$now:04.000000+00:00" mx2 24 >>"$logs/mx2.log"
tui_expect "a new line of mx2 arrives with its host" 'mx2 +554 +192\.0\.2\.24'
tui_keys Q
tui_exited >/dev/null
tap_done
