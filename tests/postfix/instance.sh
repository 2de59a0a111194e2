#!/bin/sh
# The real-Postfix harness itself (tests/lib/postfix.sh, tests/lib/smtp.py):
# an instance starts, answers a session as configured (250, 554 from an access
# table, 521 + disconnect), logs to its own maillog_file, reloads, runs side by
# side with a second instance, and leaves no process, port or file behind.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require

not() { ! "$@"; }
port_free() { ! pf_port_busy "$1"; }
before=$(mktemp); pf_atexit "rm -f '$before'"
pf_instance_create || bail "cannot create an instance"
A_DIR=$PF_DIR A_PORT=$PF_PORT
cat >"$PF_CONF/restricted_senders" <<'EOF'
# seed 2019: the REJECT 521 mistake
qq.com         REJECT  521
163.com        521 go away
EOF
pf_postmap "hash:$PF_CONF/restricted_senders" || bail "postmap failed"
pf_postconf -e "mydestination = \$myhostname, localhost, bar.org" \
	"smtpd_recipient_restrictions = check_sender_access hash:$PF_CONF/restricted_senders, permit_mynetworks, reject_unauth_destination" ||
	bail "postconf -e failed"
like "pf_postconf -h reads the instance's main.cf" "$(pf_postconf -h mydestination)" 'bar\.org$'
like "the port is not 25 and reserved" "$PF_PORT" '^[0-9]{5}$'

pf_start; rc=$?
is "pf_start" "$rc" 0
[ "$rc" -eq 0 ] || bail "the instance did not start"
check "the master runs" pf_running
check "smtpd listens on 127.0.0.1:$PF_PORT" pf_port_busy "$PF_PORT"
like "the master logs to the instance's maillog_file" \
	"$(pf_wait_log 'master\[[0-9]+\]: daemon started')" \
	"^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} $PF_HOST postfix/master\\[[0-9]+\\]: daemon started -- version 3\\.[0-9.]+, configuration $PF_CONF\$"

pf_log_mark
out=$(pf_smtp --xclient 'ADDR=203.0.113.5 NAME=mail.example.com HELO=mail.example.com' \
	'MAIL FROM:<318787866@qq.com>' 'RCPT TO:<foo@bar.org>' RSET \
	'MAIL FROM:<friend@ok.example>' 'RCPT TO:<foo@bar.org>' 'DATA Subject: hi\n\n.dot line\nbody' \
	'MAIL FROM:<friend@ok.example>' 'RCPT TO:<x@elsewhere.example>'); rc=$?
is "smtp.py exits 0" "$rc" 0
like "banner from the instance" "$out" "^S: 220 $PF_HOST\\.test\\.example ESMTP Postfix\$"
like "XCLIENT is accepted (220)" "$out" '^C: XCLIENT ADDR=203\.0\.113\.5 NAME=mail\.example\.com HELO=mail\.example\.com PROTO=ESMTP
S: 220 '
like "REJECT 521 gives 554 with 521 as text" "$out" '^C: RCPT TO:<foo@bar.org>
S: 554 5\.7\.1 <318787866@qq\.com>: Sender address rejected: 521$'
like "a legitimate sender gets 250" "$out" '^C: MAIL FROM:<friend@ok.example>
S: 250 2\.1\.0 Ok
C: RCPT TO:<foo@bar.org>
S: 250 2\.1\.5 Ok$'
like "the message is queued" "$out" '^S: 250 2\.0\.0 Ok: queued as [0-9A-F]+$'
like "relaying is denied for an outside client" "$out" '^S: 454 4\.7\.1 <x@elsewhere\.example>: Relay access denied$'
like "session ends with 221" "$out" '^S: 221 2\.0\.0 Bye$'
line=$(pf_wait_log 'NOQUEUE: reject: RCPT from mail\.example\.com')
like "reject log line, as the feed will see it" "$line" \
	"^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} $PF_HOST "'postfix/smtpd\[[0-9]+\]: NOQUEUE: reject: RCPT from mail\.example\.com\[203\.0\.113\.5\]: 554 5\.7\.1 <318787866@qq\.com>: Sender address rejected: 521; from=<318787866@qq\.com> to=<foo@bar\.org> proto=ESMTP helo=<mail\.example\.com>$'
like "nothing is delivered: the discard transport takes the message" \
	"$(pf_wait_log 'postfix/discard\[[0-9]+\]: [0-9A-F]+: to=<foo@bar\.org>')" 'status=sent'

# JSON output, and a 521 that disconnects
json=$(pf_smtp --json --xclient 'ADDR=198.51.100.7 NAME=unknown HELO=spam.example' \
	'MAIL FROM:<a@163.com>' 'RCPT TO:<foo@bar.org>' 'RCPT TO:<never@bar.org>')
like "--json: one object per command" "$json" \
	'^\{"cmd": "RCPT TO:<foo@bar.org>", "code": 521, "reply": \["521 5\.7\.1 <a@163\.com>: Sender address rejected: go away"\]\}$'
like "--json: the connection closed after 521" "$json" \
	'^\{"cmd": "RCPT TO:<never@bar.org>", "code": null, "reply": \[\]\}$'

# commands from stdin, many probes in one session
probes=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do
	probes="$probes
MAIL FROM:<spam$i@qq.com>
RCPT TO:<foo@bar.org>
RSET"
done
out=$(printf '%s\n' "# comment" "$probes" | pf_smtp --xclient 'ADDR=203.0.113.9 NAME=unknown HELO=x.example')
is "25 probes in one session: 25 rejects, no error limit hit" \
	"$(printf '%s\n' "$out" | grep -c '^S: 554 5\.7\.1 <spam[0-9]*@qq\.com>: Sender address rejected: 521$')" 25

# reload: main.cf changes reach new smtpd processes
pf_postconf -e 'smtpd_banner = $myhostname ESMTP pfconsole-test'
pf_reload; rc=$?
is "pf_reload" "$rc" 0
like "the master logged the reload" "$(pf_log_since_mark | grep 'master\[' | tail -1)" ': reload -- version 3\.'
like "the new banner after reload" "$(pf_smtp)" '^S: 220 [^ ]+ ESMTP pfconsole-test$'

# a second instance side by side
pf_instance_create || bail "cannot create a second instance"
B_DIR=$PF_DIR B_PORT=$PF_PORT
isnt_same=$([ "$A_PORT" != "$B_PORT" ] && [ "$A_DIR" != "$B_DIR" ] && echo yes)
is "the second instance has its own port and directory" "$isnt_same" yes
pf_start; rc=$?
is "the second instance starts" "$rc" 0
like "it answers on its own port" "$(pf_smtp)" "^S: 220 pfc$B_PORT\\.test\\.example ESMTP Postfix\$"
pids=$(pf_pids)
pf_stop; rc=$?
is "pf_stop" "$rc" 0
is "no process of the second instance is left" "$(for p in $pids; do pf_alive "$p" && echo "$p"; done)" ""
check "its port is free again" port_free "$B_PORT"
pf_use "$A_DIR"
check "the first instance still runs" pf_running
like "and still answers" "$(pf_smtp)" '^S: 220 [^ ]+ ESMTP pfconsole-test$'

# stop: nothing left
pids=$(pf_pids)
like "the instance has processes while running" "$pids" '^[0-9]+'
pf_stop; rc=$?
is "pf_stop of the first instance" "$rc" 0
is "no process of the first instance is left" "$(for p in $pids; do pf_alive "$p" && echo "$p"; done)" ""
check "pf_running is false after pf_stop" not pf_running
check "its port is free" port_free "$A_PORT"

# a test killed with SIGKILL cannot run its trap: the next pf_instance_create
# stops the master it left and removes its directory
info=$(mktemp); pf_atexit "rm -f '$info'"
sh -c ". '$top_srcdir/tests/lib/tap.sh'; . '$top_srcdir/tests/lib/postfix.sh'
	pf_instance_create && pf_start && { echo \"\$PF_DIR\"; pf_pids; } >'$info'; kill -9 \$\$" 2>/dev/null
orphan=$(sed -n 1p "$info") opids=$(sed 1d "$info")
pf_atexit "( pf_use '$orphan' && pf_stop ) 2>/dev/null; rm -rf '$orphan'"
like "a test killed by SIGKILL left a running instance" "$opids" '^[0-9]+'
pf_instance_create || bail "cannot create a third instance"
is "the next pf_instance_create stopped it" "$(for p in $opids; do pf_alive "$p" && echo "$p"; done)" ""
check "and removed its directory" test ! -e "$orphan"

is "/etc/postfix was not touched" "$(find /etc/postfix -newer "$before" 2>/dev/null)" ""
tap_done
