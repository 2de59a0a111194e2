#!/bin/sh
# tests/tui/review.sh - what a new user ran into on the demo (one section
# per finding): the event screen of a header_checks reject does not claim
# that smtpd's restrictions would accept it; on a refused Apply, g after
# fixing the first error goes to the next one, not back to the fixed line;
# at 80x24 the Explain dialog wraps the reply and scrolls the trail; Tab on
# an ambiguous action shows the candidates (the validation hid them);
# block-from-feed shows the existing line instead of prefilling a duplicate
# and warns when the chosen table is not used by main.cf (a typo); the Explain dialog takes a
# client name (ADDR,NAME) as explain --client does; -c with a relative
# directory remembers the block table under the absolute one; the null
# sender shows as <> in Live rejects, not as a blank; on a wide terminal
# the sender and recipient columns widen instead of cutting addresses.
. "$top_srcdir/tests/tui/lib.sh"

tui_fixture
log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }

# a cleanup header_checks reject: not decided by smtpd's restriction lists
printf '%s mx postfix/cleanup[4243]: 400AAA7C030: reject: header Content-Type: multipart/report; report-type=delivery-status; from mail.alpha.example[198.51.100.174]; from=<alpha@alpha.example> to=<foo@bar.org> proto=ESMTP helo=<mail.alpha.example>: 5.7.1 no third-party DSNs\n' \
	"$(stamp)" >>"$log"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "Live rejects shows the header reject" ' [0-9.]{3,5} +198\.51\.100\.174 +alpha@alpha\.example'
tui_keys Enter
tui_expect "Enter opens the event" 'service +postfix/cleanup'
tui_expect "explain says it covers smtpd only" 'not an smtpd event \(postfix/cleanup\)'
tui_expect "and names header_checks" 'the rule is in header_checks'
tui_expect_not "no smtpd answer is claimed for it" '^accept|decided by'
tui_keys q
tui_quit

# Apply refused with errors in two tables; fix the first, come back, g
rs="$TUI_DIR/etc/restricted_senders" pd="$TUI_DIR/etc/protected_destinations"
printf '163.com         REJEKT\n' >"$rs"
printf 'foo@bar.org     good_senders_only\nstaff@bar.org   insider_only\n' >"$pd"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys A
tui_expect "Apply refused on two tables" 'FAILED +validate'
tui_expect "with the protected_destinations error" 'protected_destinations:2:[0-9]+: error'
tui_expect "and the restricted_senders error" 'restricted_senders:1:[0-9]+: error'
tui_keys g
tui_expect "g opens the first error" 'Edit hash:.*/protected_destinations'
tui_keys e C-u; tui_type 'staff@bar.org good_senders_only'; tui_keys Enter s
tui_expect "fixed and saved" 'saved protected_destinations'
tui_keys q
tui_expect "back on the Apply screen" 'Apply: REFUSED'
tui_keys g
tui_expect "g now opens the error left, in restricted_senders" 'Edit hash:.*/restricted_senders'
tui_expect "on its line" '1!163\.com +REJEKT'
tui_keys q Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

# Explain at 80x24: the reply wraps, the trail scrolls to its end
TUI_W=80 TUI_H=24
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_expect "Maps at 80x24" 'pfconsole \| Maps'
tui_keys 3
tui_expect "Explain opens" 'client address'
tui_keys Enter; tui_expect "client prompt" '^client address:'
tui_type 198.51.100.7; tui_keys Enter
tui_keys Down Enter; tui_expect "sender prompt" '^sender:'
tui_type x@163.com; tui_keys Enter
tui_keys Enter; tui_expect "recipient prompt" '^recipient:'
tui_type foo@bar.org; tui_keys Enter
tui_expect "the reply" 'reply +reject +554 5\.7\.1 <x@163\.com>: Sender address rejected'
tui_expect "the end of the reply line is shown, wrapped" '^ +Access denied$|rejected: Access denied$'
tui_expect "the trail says there is more" 'PgDn/PgUp scroll'
tui_keys PgDn PgDn PgDn PgDn PgDn PgDn
tui_expect "PgDn reaches the end of the trail" '^  smtpd_recipient_restrictions: reject$'
tui_keys q Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

# Tab with several candidates: they stay on the note line
TUI_W=100 TUI_H=30
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys / ; tui_type restricted; tui_keys Enter Enter
tui_expect "the editor on restricted_senders" 'Edit hash:.*/restricted_senders'
tui_keys a
tui_expect "a new line prompt" 'new >'
tui_type 'qq.com RE'; tui_keys Tab
tui_expect "the action is completed as far as it is common" 'new >qq\.com RE'
tui_expect "the candidates are listed under the prompt" '^REJECT REDIRECT RELAY'
tui_keys Tab
tui_expect "a second Tab keeps them" '^REJECT REDIRECT RELAY'
tui_keys C-u; tui_type 'qq.com zzz'; tui_keys Tab
tui_expect "no candidate: said so" "^no completion for 'zzz'"
tui_keys Escape q Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

# block a domain that the table has already; then a mistyped table path
printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 554 5.7.1 <bulk@163.com>: Sender address rejected: Access denied; from=<bulk@163.com> to=<foo@bar.org> proto=ESMTP helo=<spam.example>\n' \
	"$(stamp)" >>"$log"
printf '# We do not want mail from these folks, generally\n\n163.com         REJECT\n' >"$rs"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "Live rejects shows the 163.com reject" ' [0-9.]{3,5} +203\.0\.113\.9 +bulk@163\.com'
tui_keys Home B
tui_expect "B asks for the table" '^block into table: hash:.*/restricted_senders$'
tui_keys Enter
tui_expect "the editor opens on restricted_senders" 'Edit hash:.*/restricted_senders'
tui_expect "it says the domain is there already" '163\.com is already in this table'
tui_expect_not "no duplicate line is prefilled" 'new >163\.com'
tui_keys q
tui_expect "back on Live rejects" 'pfconsole \| Live rejects'
tui_keys Home B
tui_expect "B asks again" '^block into table: '
tui_keys C-u; tui_type "hash:$TUI_DIR/etc/restricted_sendres"; tui_keys Enter
tui_expect "a mistyped (new) table opens" 'Edit hash:.*restricted_sendres'
tui_expect "with a warning that main.cf does not use it" 'a NEW table, which main.cf does not use'
is "no file was created" "$(ls "$TUI_DIR/etc" | grep -c sendres)" 0
tui_keys Escape q Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

# Explain: the client field takes ADDR,NAME
printf '192.0.2.66      REJECT known bad client\nmail.spam.example REJECT bad name\n' >"$TUI_DIR/etc/access_client"
"$PFCONSOLE" -c "$TUI_DIR/etc" build >/dev/null 2>&1
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_expect "Maps" 'pfconsole \| Maps'
tui_keys 3
tui_expect "Explain opens" 'client address'
tui_keys Enter; tui_expect "client prompt" '^client address:'
tui_keys C-u; tui_type 198.51.100.7,mail.spam.example; tui_keys Enter
tui_keys Down Down Enter; tui_expect "recipient prompt" '^recipient:'
tui_keys C-u; tui_type foo@bar.org; tui_keys Enter
tui_expect "the client name is looked up" \
	'reject +554 5\.7\.1 <mail\.spam\.example\[198\.51\.100\.7\]>: Client host rejected: bad name'
tui_keys q Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

# -c etc (relative): the tables chosen for block are remembered per
# absolute configuration directory, not per "etc"
tui_start -c etc console --log "$log"
tui_expect "the title shows the absolute directory" "pfconsole \| Maps +$TUI_DIR/etc\$"
tui_keys 2
tui_expect "Live rejects" ' [0-9.]{3,5} +203\.0\.113\.9 +bulk@163\.com'
tui_keys Home b
tui_expect "b asks for the table" '^block into table: '
tui_keys C-u; tui_type "hash:$TUI_DIR/etc/restricted_senders"; tui_keys Enter
tui_expect "the editor opens" 'Edit hash:.*/restricted_senders'
state="$HOME/.local/state/pfconsole/tables"
like "the choice is remembered under the absolute directory" "$(cat "$state" 2>/dev/null)" "^$TUI_DIR/etc	"
unlike "and not under the relative name" "$(cat "$state" 2>/dev/null)" "^etc	"
tui_keys Escape q Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

# the null sender
printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[192.0.2.99]: 550 5.7.1 <>: Sender address rejected: no third-party DSNs; from=<> to=<foo@bar.org> proto=ESMTP helo=<dsn.example>\n' \
	"$(stamp)" >>"$log"
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "the null sender is shown as <>" ' [0-9.]{3,5} +192\.0\.2\.99 +<> +foo@bar\.org'
tui_keys Home Enter
tui_expect "and named in the event" '^sender +<> \(null sender\)'
tui_keys q Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

# 120 columns: a 29-character sender is shown whole
printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 554 5.7.1 <cedar-bounces@lists.cedar.org>: Sender address rejected: Access denied; from=<cedar-bounces@lists.cedar.org> to=<someone@sub.bar.org> proto=ESMTP helo=<x.example>\n' \
	"$(stamp)" >>"$log"
TUI_W=120 TUI_H=40
tui_start -c "$TUI_DIR/etc" console --log "$log"
tui_keys 2
tui_expect "the long sender and recipient are whole at 120 columns" \
	' 554 +192\.0\.2\.7 +cedar-bounces@lists\.cedar\.org +someone@sub\.bar\.org +Sender address rejected: Access denied$'
tui_resize 80 24
tui_expect "at 80 columns they are cut again" '^[0-9:]{5} +554 +192\.0\.2\.7 +cedar-bounces@l[a-z.]*…'
tui_expect "at 80 columns the reason's own words show (smtpd's prefix shortened)" ' 554 +192\.0\.2\.7 .*Sender: Access denied$'
tui_keys Q
st=$(tui_exited)
is "console exits with status 0" "$st" 0

tap_done
