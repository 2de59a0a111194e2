#!/bin/sh
# tests/postfix/seed2008-e2e.sh - the false green of the 2008 configuration
# (seeds/000) is gone, end to end with a real Postfix 3.7:
#  1. as published (check_policy_service inet:, an absent pcre table, a
#     nexthop without host): pfconsole check exits 1, and real smtpd dies at
#     every connection ("fatal: need service transport:endpoint");
#  2. the log shows it: feed --json has the fatal event (action "fatal"),
#     the Maps screen says "smtpd is failing: ...", the Live screen lists
#     the fatal row;
#  3. fixed as the console's messages say (a real policy endpoint is not
#     running here, so the check_policy_service entry goes; the pcre table
#     is created; the nexthop gets its host; the relay guard is added):
#     check exits 0, Apply (reload) runs, and real Postfix accepts mail.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
. "$top_srcdir/tests/tui/lib.sh"

seed=$top_srcdir/tests/data/check/seed2008
pf_instance_create || bail "cannot create a Postfix instance"
for f in access_recipient access_sender access_sender.pcre header_checks null_sender transport; do
	cp "$seed/$f" "$PF_CONF/$f" || bail "copy $f"
done
C=$PF_CONF
pf_postconf -e "relay_domains = domain.ie" \
	"smtpd_sender_restrictions = check_sender_access hash:$C/access_sender, check_sender_access pcre:$C/access_sender.pcre" \
	"header_checks = regexp:$C/header_checks" \
	"smtpd_recipient_restrictions = permit_sasl_authenticated, permit_mynetworks, check_recipient_access hash:$C/access_recipient, check_recipient_access pcre:$C/access_recipient.pcre, check_policy_service inet:" \
	"transport_maps = hash:$C/transport" \
	"service_throttle_time = 2s" || bail "postconf -e failed"
# (service_throttle_time: the master retries the dead smtpd after 2 s instead
# of 60 s once the configuration is fixed)
for t in access_recipient access_sender transport; do pf_postmap "hash:$C/$t" || bail "postmap $t"; done

# 1. as published
out=$("$PFCONSOLE" -c "$C" check 2>&1); rc=$?
is "as published: check exits 1" "$rc" 1
like "the absent pcre table is an error at its reference" "$out" "main.cf:[0-9]+:[0-9]+: error: pcre:$C/access_recipient\\.pcre .*\\[missing-map\\]"
like "the nexthop without host is an error at its line" "$out" "transport:2:16: error: .*\\[bad-nexthop\\]"
pf_start || bail "the instance did not start"
pf_wait_log 'daemon started' >/dev/null || bail "no 'daemon started'"
pf_log_mark
smtp=$(pf_smtp --timeout 10 --xclient 'ADDR=198.51.100.7 NAME=sender.example HELO=sender.example' \
	'MAIL FROM:<a@sender.example>' 'RCPT TO:<user@domain.ie>' 2>&1)
unlike "real smtpd does not accept the mail" "$smtp" 'S: 250 2\.1\.5'
fatal=$(pf_wait_log 'smtpd\[[0-9]+\]: fatal: ')
like "real smtpd dies: fatal in the log" "$fatal" 'fatal: .*inet:'

# 2. the log shows it
json=$("$PFCONSOLE" feed --log "$PF_LOG" --json)
like "feed --json: a fatal event" "$json" '"service":"postfix/smtpd".*"action":"fatal".*"reason":"need service transport:endpoint.*inet:'
like "feed --json: the master's throttling as a warning event" "$json" '"service":"postfix/master".*"action":"warning".*"reason":"[^"]*bad command startup -- throttling'
tui_start -c "$C" console --log "$PF_LOG"
tui_expect "Maps says smtpd is failing (the latest such line)" 'smtpd is failing: postfix/(smtpd fatal: .*inet:|master warning: .*smtpd: bad command startup)'
tui_expect "Maps shows main.cf's own findings with counts" 'main\.cf [0-9]+ errors?, [0-9]+ warnings?'
tui_keys 2
tui_expect "Live lists the fatal event" 'fatal +postf.* +need service transport:endpoint'
tui_quit

# 3. fixed as the console says
pf_postconf -e "smtpd_recipient_restrictions = permit_sasl_authenticated, permit_mynetworks, check_recipient_access hash:$C/access_recipient, check_recipient_access pcre:$C/access_recipient.pcre, reject_unauth_destination" ||
	bail "postconf -e failed"
printf '/^spam@/ REJECT\n' >"$C/access_recipient.pcre"
sed -i 's/:\[\]:1767/:[192.0.2.1]:1767/' "$C/transport"
out=$("$PFCONSOLE" -c "$C" check 2>&1); rc=$?
is "fixed: check exits 0" "$rc" 0
unlike "fixed: no error left" "$out" ': error: '
out=$("$PFCONSOLE" -c "$C" reload --no-audit 2>&1); rc=$?
is "fixed: Apply (reload) succeeds" "$rc" 0
like "and reloads Postfix" "$out" 'ok +reload'
pf_log_mark
smtp=$(pf_smtp --timeout 10 --xclient 'ADDR=198.51.100.7 NAME=sender.example HELO=sender.example' \
	'MAIL FROM:<a@sender.example>' 'RCPT TO:<user@domain.ie>' 'DATA Subject: hello\n\nhi' 2>&1)
like "fixed: real Postfix accepts the recipient" "$smtp" 'RCPT TO:<user@domain\.ie>
S: 250 2\.1\.5'
like "and the message" "$smtp" 'S: 250 2\.0\.0 Ok: queued'
unlike "no fatal since" "$(pf_log_since_mark)" 'fatal:'
tap_done
