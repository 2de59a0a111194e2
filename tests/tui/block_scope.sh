#!/bin/sh
# tests/tui/block_scope.sh - at 80x24 on the demo: block from a Live event
# offers first the sender table that all mail passes (access_sender), not
# restricted_senders, which only the restriction class good_senders_only
# uses; choosing that class-only table says which mail it affects (only
# mail to foo@bar.org), while typing and again in the editor, where, before
# anything is saved, explain runs the event's own probe with the pending
# line in the table and shows the reply that mail would now get (wrapped
# under the prompt at 80 columns).
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

sh "$top_srcdir/demo/setup.sh" "$TUI_DIR/etc" >/dev/null 2>&1 || bail "demo/setup.sh failed"
log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }
printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <bulk@spam.example>: Recipient address rejected: go away; from=<bulk@spam.example> to=<foo@bar.org> proto=ESMTP helo=<spam.example>\n' \
	"$(stamp)" >"$log"
tui_start -c "$TUI_DIR/etc" --log "$log"
tui_keys 2
tui_expect "the event in Live" '554 +203\.0\.113\.9 +bulk@spam\.example'
tui_keys b
tui_expect "b offers the table all mail passes" "block into table: hash:$TUI_DIR/etc/access_sender\$"
tui_expect "and says so" 'applies to all mail that reaches smtpd_sender_restrictions'
tui_keys C-u; tui_type "hash:$TUI_DIR/etc/restricted_senders"
tui_expect "the class-only table: which mail it affects" 'only mail to foo@bar\.org \(in restriction'
tui_keys Enter
tui_expect "the editor opens with the line prefilled" 'bulk@spam\.example REJECT'
tui_expect "and says again what the line blocks" 'this line blocks only mail to foo@bar\.org'
tui_expect "with the reply explain gives the event's mail with the pending line" \
	'this mail would now get: 554 5\.7\.1$'
tui_expect "the reply's text, on the next row" \
	'^<bulk@spam\.example>: Sender address rejected: Access denied$'
is "nothing was saved yet" "$(grep -c 'bulk@spam' "$TUI_DIR/etc/restricted_senders")" 0
tui_keys Escape q q
tui_quit
tap_done
