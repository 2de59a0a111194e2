#!/bin/sh
# tests/tui/newclient.sh - c (block client) on a configuration without a
# client table, at 80x24 against a real throwaway Postfix: the prompt
# proposes a new table (the indexed type the configuration uses, in its
# directory); Enter shows the new table with its line and the main.cf line
# that makes smtpd use it (check_client_access put before the permit that
# would end the list first), nothing written; y makes both edits (unsaved);
# Apply saves both atomically (main.cf~ kept), builds the table, reloads
# Postfix (the audit line counts both), and real smtpd then rejects that
# client.
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
. "$top_srcdir/tests/tui/lib.sh"

pf_instance_create || bail "cannot create a Postfix instance"
printf '163.com         REJECT\n' >"$PF_CONF/restricted_senders"
pf_postconf -e "mydestination = \$myhostname, localhost, bar.org" "local_recipient_maps =" \
	"smtpd_client_restrictions = permit_mynetworks" \
	"smtpd_sender_restrictions = check_sender_access hash:$PF_CONF/restricted_senders" \
	"smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination" ||
	bail "postconf -e failed"
"$PFCONSOLE" -c "$PF_CONF" build >/dev/null 2>&1 || bail "pfconsole build failed"
pf_start || bail "the instance did not start"
pf_wait_log 'daemon started' >/dev/null || bail "no 'daemon started' in the log"
send() {
	pf_smtp --xclient 'ADDR=203.0.113.9 NAME=spam.example HELO=spam.example' \
		'MAIL FROM:<bulk@spam.example>' 'RCPT TO:<foo@bar.org>' | sed -n '/^C: RCPT/{n;s/^S: //p}'
}
like "before: the client's mail is accepted" "$(send)" '^250 '

log="$TUI_DIR/mail.log"
stamp() { date -u '+%b %d %H:%M:%S' | sed 's/ 0/  /'; }
printf '%s mx postfix/smtpd[4242]: NOQUEUE: reject: RCPT from unknown[203.0.113.9]: 550 5.1.1 <x@bar.org>: Recipient address rejected: no such user; from=<bulk@spam.example> to=<x@bar.org> proto=ESMTP helo=<spam.example>\n' \
	"$(stamp)" >"$log"
cp "$PF_CONF/main.cf" "$TUI_DIR/main.cf.before"
tui_start -c "$PF_CONF" console --log "$log"
tui_keys 2
tui_expect "the event in Live" '550 +203\.0\.113\.9'
tui_keys c
tui_expect "c proposes a new table of the type the configuration uses" \
	"block into table: hash:$PF_CONF/access_client\$"
tui_expect "and says what Enter does" 'no table checks the client address: Enter shows this new'
tui_keys Enter
tui_expect "Enter shows the new table" "Block client: a new client table"
tui_expect "its path" "new table hash:$PF_CONF/access_client \\(a new file\\)"
tui_expect "its line" '^  \+ 203\.0\.113\.9 REJECT$'
tui_expect "the main.cf line as it is" '^  - smtpd_client_restrictions = permit_mynetworks$'
tui_expect "and as it would be: check_client_access first" \
	'^  \+ smtpd_client_restrictions = check_client_access$'
tui_expect "(wrapped at 80 columns) with the new table, then the permit" \
	"^ +hash:$PF_CONF/access_client, permit_mynetworks\$"
tui_expect "before the permit, and why" 'before permit_mynetworks: a permit ends the list'
is "nothing is written before y: main.cf" "$(cmp "$PF_CONF/main.cf" "$TUI_DIR/main.cf.before" && echo same)" same
check "nothing is written before y: no table file" test ! -e "$PF_CONF/access_client"
tui_keys y
tui_expect "y opens the new table in the editor" "Edit hash:$PF_CONF/access_client"
tui_expect "with the line in it" '203\.0\.113\.9 +REJECT'
tui_expect "both edits unsaved" 'main\.cf line added \(unsaved\): A saves both, builds, reloads'
check "still nothing written: no table file" test ! -e "$PF_CONF/access_client"
pf_log_mark
tui_keys A
tui_expect "the log's event would now be decided otherwise" \
	"access_client:1: 203\\.0\\.113\\.9 REJECT"
tui_keys y
tui_expect "Apply saves main.cf" 'saved +saved main\.cf'
tui_expect "and the new table (a new file: no previous version)" 'saved +saved access_client \(a new file\)'
tui_expect "builds it" "built hash:$PF_CONF/access_client \\(1 entry\\)"
tui_expect "and reloads Postfix" 'ok +reload'
tui_expect "done" 'Apply: done, Postfix reloaded'
tui_expect "the audit line: the new table's entry against no index, main.cf's net edit" \
	'access_client \+1, main\.cf \+1 -1; built 1 table; postfix reload ok'
like "main.cf holds the new restriction before the permit" "$(cat "$PF_CONF/main.cf")" \
	"^smtpd_client_restrictions = check_client_access hash:$PF_CONF/access_client, permit_mynetworks\$"
check "the previous main.cf is kept as main.cf~" cmp -s "$PF_CONF/main.cf~" "$TUI_DIR/main.cf.before"
is "the table source" "$(cat "$PF_CONF/access_client")" "203.0.113.9 REJECT"
like "the master reloaded" "$(pf_wait_log 'reload -- version')" 'reload -- version'
like "after: real smtpd rejects that client" "$(send)" \
	'^554 5\.7\.1 <spam\.example\[203\.0\.113\.9\]>: Client host rejected: Access denied'
tui_keys q q
tui_quit
tap_done
