#!/bin/sh
# tests/tui/seed-521.sh - the 2019 configuration (seeds/002) unchanged, with
# its two "REJECT 521" lines, against a real throwaway Postfix: the 521 lines
# are warnings (Postfix does what they say), so under a spam flood the admin
# adds a block line, saves and applies it with the warnings listed, and the
# 521 lines are still there afterwards; real smtpd rejects the new sender.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
. "$top_srcdir/tests/tui/lib.sh"

pf_instance_create || bail "cannot create a Postfix instance"
cat >"$PF_CONF/restricted_senders" <<'EOF2'
# We do not want mail from these folks, generally

qq.com         REJECT  521
163.com        REJECT  521
EOF2
cat >"$PF_CONF/protected_destinations" <<'EOF2'
# not everyone can send to these destinations
# we restrict some of them

foo@bar.org     good_senders_only
EOF2
pf_postconf -e "mydestination = \$myhostname, localhost, bar.org" \
	"smtpd_restriction_classes = good_senders_only" \
	"good_senders_only = check_sender_access hash:$PF_CONF/restricted_senders, permit" \
	"smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:$PF_CONF/protected_destinations" ||
	bail "postconf -e failed"
out=$("$PFCONSOLE" -c "$PF_CONF" build 2>&1); rc=$?
is "build on the unchanged seed exits 0" "$rc" 0
like "with the 521 warnings printed" "$out" 'restricted_senders:3:24: warning: .*\[reject-text-looks-like-code\]'
pf_start || bail "the instance did not start"
pf_wait_log 'daemon started' >/dev/null || bail "no 'daemon started' in the log"

tui_start -c "$PF_CONF" console --log "$PF_LOG"
tui_expect "Maps lists restricted_senders under the class" 'good_senders_only +\(restriction class\)'
tui_keys / ; tui_type restricted_senders; tui_keys Enter Enter
tui_expect "the editor opens on restricted_senders" 'Edit hash:.*/restricted_senders'
tui_keys a
tui_type "spam.example REJECT"
tui_expect "the new line validates" '^ok$'
tui_keys Enter
tui_expect "added (unsaved)" '4 spam\.example REJECT'
tui_keys A
tui_expect "Apply saves the table despite the 521 warnings" 'saved +saved restricted_senders'
tui_expect "the warnings are listed, not refused" 'warning: "521" is reply text'
tui_expect "builds the index" "built hash:$PF_CONF/restricted_senders \\(3 entries\\)"
tui_expect "and says it is done" 'Applied\.'
tui_keys q q
src=$(cat "$PF_CONF/restricted_senders")
like "the new line is saved" "$src" '^spam\.example REJECT$'
like "the first 521 line is still there" "$src" '^qq\.com         REJECT  521$'
like "the second 521 line is still there" "$src" '^163\.com        REJECT  521$'
is "the real postmap finds the new key" "$(pf_postmap -q spam.example "hash:$PF_CONF/restricted_senders")" "REJECT"
out=$(pf_smtp --xclient 'ADDR=203.0.113.5 NAME=spam.example HELO=spam.example' \
	'MAIL FROM:<x@spam.example>' 'RCPT TO:<foo@bar.org>')
like "real smtpd rejects the new sender" "$out" 'RCPT TO:<foo@bar.org>
S: 554 5\.7\.1 <x@spam\.example>: Sender address rejected: Access denied'
out=$(pf_smtp --xclient 'ADDR=203.0.113.6 NAME=qq.example HELO=qq.example' \
	'MAIL FROM:<a@qq.com>' 'RCPT TO:<foo@bar.org>')
like "and still answers the 521 lines as written" "$out" 'S: 554 5\.7\.1 <a@qq\.com>: Sender address rejected: 521'
tui_quit
tap_done
