#!/bin/sh
# tests/tui/maincf.sh - main.cf in the console's editor at 80x24 against a
# real throwaway Postfix: m on Maps opens it, a line is validated as it is
# typed with check's main.cf findings, Apply saves it (FILE~ kept), runs
# postfix check and reloads because main.cf changed; real smtpd then
# applies the new restriction.
TUI_W=80 TUI_H=24
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
. "$top_srcdir/tests/tui/lib.sh"

pf_instance_create || bail "cannot create a Postfix instance"
printf '163.com         REJECT\n' >"$PF_CONF/restricted_senders"
pf_postconf -e "mydestination = \$myhostname, localhost, bar.org" "local_recipient_maps =" \
	"smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination" ||
	bail "postconf -e failed"
"$PFCONSOLE" -c "$PF_CONF" build >/dev/null 2>&1 || bail "pfconsole build failed"
pf_start || bail "the instance did not start"
pf_wait_log 'daemon started' >/dev/null || bail "no 'daemon started' in the log"
send163() {
	pf_smtp --xclient 'ADDR=203.0.113.5 NAME=spam.example HELO=spam.example' \
		'MAIL FROM:<1@163.com>' 'RCPT TO:<other@bar.org>' | sed -n '/^C: RCPT/{n;s/^S: //p}'
}
like "before: a 163.com sender is accepted" "$(send163)" '^250 '

tui_start -c "$PF_CONF" console --log "$PF_LOG"
tui_expect "Maps" 'pfconsole \| Maps'
tui_expect "the key line offers main.cf" 'm main\.cf'
tui_keys m
tui_expect "m opens main.cf in the editor" "Edit maincf:$PF_CONF/main\\.cf"
tui_keys G a
tui_type "smtpd_sender_restrictions = check_sender_access hash:$PF_CONF/restricted_senders, reject_bogus_thing"
tui_expect "an unknown restriction is an error while typing" 'main\.cf:[0-9]+:[0-9]+: error: unknown restriction'
tui_keys C-u
tui_type "smtpd_sender_restrictions = check_sender_access hash:$PF_CONF/restricted_senders"
tui_expect "the corrected line validates" '^ok$'
tui_keys Enter
tui_expect "the line is in the buffer (unsaved)" 'smtpd_sender_restrictions = check_sender_access'
unlike "main.cf is not written yet" "$(cat "$PF_CONF/main.cf")" '^smtpd_sender_restrictions'
pf_log_mark
tui_keys A
tui_expect "Apply saves main.cf" 'saved +saved main\.cf'
tui_expect "runs postfix check" 'ok +postfix check'
tui_expect "and reloads because main.cf changed" 'ok +reload'
tui_expect "the title says so" 'Apply: done, Postfix reloaded'
like "main.cf holds the line" "$(cat "$PF_CONF/main.cf")" '^smtpd_sender_restrictions = check_sender_access'
check "the previous main.cf is kept as main.cf~" test -f "$PF_CONF/main.cf~"
unlike "and it has no such line" "$(cat "$PF_CONF/main.cf~")" '^smtpd_sender_restrictions'
like "the master reloaded" "$(pf_wait_log 'reload -- version')" 'reload -- version'
like "after: real smtpd rejects the 163.com sender for any recipient" "$(send163)" \
	'^554 5\.7\.1 <1@163\.com>: Sender address rejected'
tui_keys q q
tui_quit
tap_done
