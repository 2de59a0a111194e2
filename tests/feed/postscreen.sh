#!/bin/sh
# tests/feed/postscreen.sh - pfconsole feed on postscreen's reject lines,
# written by a real postscreen: a client on its deny list gets "550 5.3.2"
# for RCPT (postscreen_denylist_action = enforce); the event must carry what
# the client sent and the reply it received.  (postscreen logs its fields
# comma-separated, unlike smtpd.)
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"
# postscreen in front of smtpd
sed -i "s|^127.0.0.1:$PF_PORT inet n - n - - smtpd|127.0.0.1:$PF_PORT inet n - n - 1 postscreen\nsmtpd pass - - n - - smtpd\ndnsblog unix - - n - 0 dnsblog\ntlsproxy unix - - n - 0 tlsproxy|" "$PF_CONF/master.cf"
grep -q '^smtpd pass' "$PF_CONF/master.cf" || bail "could not edit master.cf"
pf_postconf -e "postscreen_access_list = cidr:{ { 127.0.0.1 reject } }" \
	"postscreen_denylist_action = enforce" "postscreen_greet_action = ignore" || bail "postconf failed"
pf_start || bail "postfix start failed"

reply=$(pf_smtp --helo spam.example 'MAIL FROM:<s@spam.example>' "RCPT TO:<x@$PF_HOST.test.example>" |
	awk '/^C: RCPT/ { getline; sub(/^S: /, ""); print; exit }')
like "the client was rejected by postscreen" "$reply" '^5[0-9][0-9] '
pf_wait_log 'postscreen\[[0-9]+\]: NOQUEUE: reject: RCPT' >/dev/null || bail "no postscreen reject logged"

json=$("$PFCONSOLE" feed --log "$PF_LOG" --json --grep postscreen)
is "one postscreen event" "$(printf '%s\n' "$json" | grep -c .)" 1
code=${reply%% *}
rest=${reply#* }
dsn=${rest%% *}
reason=${rest#* }
got=$(printf '%s\n' "$json" | python3 -c '
import json, sys
e = json.loads(sys.stdin.readline())
print("|".join(str(e[k]) for k in ("service", "action", "stage", "client_name", "client_ip", "code", "dsn", "reason", "from", "to", "proto", "helo", "queue_id")))')
is "fields match what the client sent and received" "$got" \
	"postfix/postscreen|reject|RCPT|None|127.0.0.1|$code|$dsn|$reason|s@spam.example|x@$PF_HOST.test.example|ESMTP|spam.example|None"
tap_done
