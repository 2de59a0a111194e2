#!/bin/sh
# tests/tui/from_event.sh - at 80x24: one key (e) opens Explain with the
# selected event's client, HELO, sender and recipient, from the Live list
# and from the event detail; q comes back; the console also starts with
# global and console options mixed (pfconsole -c DIR --log FILE).
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
rs="$TUI_DIR/etc/restricted_senders"
printf 'spam.example    521 5.7.1 go away\n' >>"$rs"
"$PFCONSOLE" -c "$TUI_DIR/etc" build >/dev/null || bail "build failed"
# the source edited after the build: the built index is stale
sleep 0.01
sed -i 's/^163\.com .*/163.com         REJECT edited, not built/' "$rs"
log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }
printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from mail.spam.example[203.0.113.9]: 554 5.7.1 <bulk@163.com>: Sender address rejected: Access denied; from=<bulk@163.com> to=<foo@bar.org> proto=ESMTP helo=<spam.example>\n' \
	"$(stamp)" >>"$log"
# no 'console' command word: the console's --log after the global -c
tui_start -c "$TUI_DIR/etc" --log "$log"
tui_expect "pfconsole -c DIR --log FILE opens the console" 'pfconsole \| Maps'
tui_expect "on that log (its reject under the tables)" '203\.0\.113\.9 +bulk@163\.com'
tui_keys 2
tui_expect "Live lists the reject at 80 columns with its code" '554 +203\.0\.113\.9 +bulk@163\.com'
tui_expect "the key line offers Explain" 'e Explain'
tui_keys e
tui_expect "e opens Explain" 'pfconsole \| Explain'
tui_expect "the client (address and name) is filled in" 'client address +203\.0\.113\.9,mail\.spam\.example'
tui_expect "the HELO name is filled in" 'HELO name +spam\.example'
tui_expect "the sender is filled in" 'sender +bulk@163\.com'
tui_expect "the recipient is filled in" 'recipient +foo@bar\.org'
tui_expect "and it is explained at once: the same reject" '^reply +reject +554 5\.7\.1 <bulk@163\.com>: Sender address rejected'
tui_expect "the stale index is noted, with Apply as the way to build it" \
	'stale +the index of hash:.*/restricted_senders is older'
tui_expect "Apply is named" 'Apply \(A\) builds it'
tui_expect_not "not postmap" 'postmap'
# a 521 answer: smtpd hangs up after it
tui_keys j j Enter C-u; tui_type "x@spam.example"; tui_keys Enter
tui_expect "521 from the table" '^reply +reject +521 5\.7\.1'
tui_expect "the console says the connection is closed" 'smtpd closes the connection after this 521 reply'
tui_keys q
tui_expect "q comes back to Live" 'pfconsole \| Live rejects'
tui_keys Enter
tui_expect "the event detail" 'pfconsole \| Event'
tui_keys e
tui_expect "e in the detail opens Explain too" 'pfconsole \| Explain'
tui_expect "with the same probe" 'sender +bulk@163\.com'
tui_keys q
tui_expect "q comes back to the event" 'pfconsole \| Event'
tui_keys q q
tui_quit
tap_done
