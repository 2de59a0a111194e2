#!/bin/sh
# tests/replay/real-postfix.sh - 'pfconsole impact' predicts what a real
# smtpd will answer after Apply.
#
# A traffic mix (own users sending out from mynetworks, a partner the users
# write to, bulk mail, a blocked client, a recipient behind a restriction
# class, a recipient behind a policy service) goes through a running
# Postfix; the tables are edited (a block that hits the partner, an allow
# for one bulk sender, a class change for one recipient); 'impact' on the
# first log is the prediction; 'pfconsole reload' applies; the same traffic
# again; the second log must show, for every decidable transaction, exactly
# the predicted decision, code and text; the policy-service ones are listed
# as not decidable with their reason.  The logs are read here by a parser of
# the test's own (replay_check.py), not by pfconsole.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"
pf_require
pf_instance_create || bail "cannot create a Postfix instance"
C=$PF_CONF
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-replay.XXXXXX")
pf_atexit "rm -rf '$T'"

cat >"$C/sender_access" <<'EOT'
bulk.example      REJECT bulk mail is not wanted here
shady.example     REJECT shady sender
EOT
cat >"$C/client_access" <<'EOT'
203.0.113.66      REJECT client blocked for abuse
EOT
cat >"$C/rcpt_access" <<'EOT'
sales@bar.test    good_only
policy@bar.test   policy_only
EOT
cat >"$C/good_senders" <<'EOT'
friend.example    OK
EOT
pf_postmap "hash:$C/sender_access" "hash:$C/client_access" "hash:$C/rcpt_access" \
	"hash:$C/good_senders" 2>/dev/null || bail "postmap failed"
# the one addition that logs HELO and sender of accepted mail (pfconsole(1),
# LOGGING ACCEPTED MAIL)
pf_postconf -e "mydestination = \$myhostname, localhost, bar.test" \
	"smtpd_restriction_classes = good_only, strict_only, policy_only" \
	"good_only = check_sender_access hash:$C/good_senders, permit" \
	"strict_only = check_sender_access hash:$C/good_senders, reject" \
	"policy_only = check_policy_service inet:127.0.0.1:9" \
	"smtpd_policy_service_try_limit = 1" \
	"smtpd_policy_service_timeout = 5s" \
	"smtpd_client_restrictions = check_client_access hash:$C/client_access" \
	"smtpd_sender_restrictions = check_sender_access hash:$C/sender_access" \
	"smtpd_recipient_restrictions = permit_mynetworks, check_recipient_access hash:$C/rcpt_access, reject_unauth_destination" \
	"smtpd_end_of_data_restrictions = check_client_access static:{INFO pfconsole replay}" ||
	bail "postconf failed"
pf_start || bail "postfix start failed"

# traffic - the same sessions in the same order each time; one message each
traffic() {
	n=0
	while read -r addr name helo sender rcpt; do
		n=$((n + 1))
		pf_smtp --xclient "ADDR=$addr NAME=$name HELO=$helo" \
			"MAIL FROM:<$sender>" "RCPT TO:<$rcpt>" "DATA Subject: t$n\n\nhello" RSET \
			>/dev/null || return 1
	done <<'EOT'
127.0.0.9 ws1.bar.test ws1.bar.test me@bar.test alice@partner.example
127.0.0.9 ws1.bar.test ws1.bar.test me@bar.test bob@partner.example
127.0.0.10 ws2.bar.test ws2.bar.test you@bar.test carol@partner.example
127.0.0.10 ws2.bar.test ws2.bar.test you@bar.test dave@elsewhere.example
198.51.100.10 mail.partner.example mail.partner.example alice@partner.example foo@bar.test
198.51.100.10 mail.partner.example mail.partner.example bob@partner.example info@bar.test
198.51.100.20 mx.bulk.example mx.bulk.example news@bulk.example foo@bar.test
198.51.100.20 mx.bulk.example mx.bulk.example offers@bulk.example foo@bar.test
198.51.100.30 unknown shady.host eve@shady.example foo@bar.test
203.0.113.66 unknown bad.host x@random.example foo@bar.test
198.51.100.40 mail.friend.example mail.friend.example pal@friend.example sales@bar.test
198.51.100.50 mail.random.example mail.random.example rnd@random.example sales@bar.test
198.51.100.60 mail.other.example mail.other.example o@other.example policy@bar.test
198.51.100.70 mail.other.example mail.other.example o@other.example nobody@elsewhere.example
EOT
}

pf_log_mark
traffic || bail "traffic (first round) failed"
pf_wait_log 'to=<dave@elsewhere\.example>' >/dev/null || bail "first round not logged"
pf_wait_log 'to=<sales@bar\.test>.*status=sent' >/dev/null || bail "first round not logged"
pf_log_since_mark >"$T/log1"
# let the last deliveries and "removed" lines arrive
sleep 1
pf_log_since_mark >"$T/log1"

# nothing pending yet: no change predicted
out=$("$PFCONSOLE" -c "$C" impact --log "$T/log1"); rc=$?
printf '%s\n' "$out" | sed 's/^/# before edits: /'
is "impact with no pending edits exits 0" "$rc" 0
like "and finds no change" "$out" '; 0 would change$'

# the edits: a block that hits a correspondent, an allow, a class change
cat >>"$C/sender_access" <<'EOT'
partner.example   REJECT partner mail refused
news@bulk.example OK
EOT
sed -i 's/^sales@bar.test    good_only/sales@bar.test    strict_only/' "$C/rcpt_access"
touch -d '+2 seconds' "$C/sender_access" "$C/rcpt_access"

"$PFCONSOLE" -c "$C" impact --log "$T/log1" --json >"$T/pred.json"; rc=$?
sed 's/^/# prediction: /' "$T/pred.json"
is "impact exits 1 when decisions change" "$rc" 1
"$PFCONSOLE" -c "$C" impact --log "$T/log1" >"$T/pred.txt"
sed 's/^/# text: /' "$T/pred.txt"
like "the partner block is flagged as likely legitimate" "$(cat "$T/pred.txt")" \
	'likely legitimate: would reject 2 messages from partner\.example, to whom your users sent 3 messages'
like "changes are grouped by the pending line" "$(cat "$T/pred.txt")" \
	'sender_access:3: partner\.example REJECT partner mail refused'

# Apply
out=$("$PFCONSOLE" -c "$C" reload 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# apply: /'
is "apply (pfconsole reload) succeeds" "$rc" 0

pf_log_mark
traffic || bail "traffic (second round) failed"
pf_wait_log 'to=<dave@elsewhere\.example>' >/dev/null || bail "second round not logged"
pf_wait_log 'from=<o@other\.example> to=<nobody@elsewhere\.example>' >/dev/null ||
	bail "second round not logged"
sleep 1
pf_log_since_mark >"$T/log2"

out=$(python3 "$top_srcdir/tests/replay/replay_check.py" "$T/log1" "$T/log2" "$T/pred.json" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# compare: /'
is "every decidable transaction predicted exactly" "$rc" 0
like "changes were predicted" "$out" '^changed predicted: [1-9]'
like "the policy-service transaction is not decidable, with its reason" "$out" \
	'^not decidable: o@other\.example -> policy@bar\.test: .*policy'
tap_done
