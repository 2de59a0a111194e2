#!/bin/sh
# tests/replay/multihost.sh - impact and hits over several MX hosts' logs
# (issue 15 section 5): --log more than once or a directory of per-host
# files (core/logmux, as feed reads them), each host's log rebuilt on its
# own (the same queue ID on two hosts is two messages), transactions merged
# in time order with their host, --host keeps some hosts.
. "$top_srcdir/tests/lib/tap.sh"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
d=$work/etc
mkdir -p "$d"
cat >"$d/senders" <<'EOT'
spam.example   REJECT no spam
EOT
cat >"$d/main.cf" <<EOT
compatibility_level = 3.6
mydestination = bar.test
local_recipient_maps =
mynetworks = 127.0.0.0/8
smtpd_sender_restrictions = check_sender_access cdb:$d/senders
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
EOT
"$PFCONSOLE" -c "$d" build >/dev/null 2>&1
[ -f "$d/senders.cdb" ] || bail "cannot build senders.cdb"
sleep 1
# pending: good.example is blocked too
echo 'good.example   REJECT blocked now' >>"$d/senders"

# acc STAMP HOST QID SENDER RCPT - an accepted message (client=, the INFO
# line, qmgr from=, local to=, removed); rej STAMP HOST SENDER - a reject
acc() {
	echo "$1 $2 postfix/smtpd[10]: $3: client=mail.$2.example[192.0.2.$4]"
	echo "$1 $2 postfix/qmgr[11]: $3: from=<$5>, size=10, nrcpt=1 (queue active)"
	echo "$1 $2 postfix/local[12]: $3: to=<$6>, relay=local, delay=0, status=sent (delivered)"
	echo "$1 $2 postfix/qmgr[11]: $3: removed"
}
rej() {
	echo "$1 $2 postfix/smtpd[10]: NOQUEUE: reject: RCPT from c.$2.example[192.0.2.$3]: 554 5.7.1 <$4>: Sender address rejected: no spam; from=<$4> to=<u@bar.test> proto=ESMTP helo=<c.$2.example>"
}
mkdir -p "$work/remote/mx2"
# the same queue ID 1A2B3C4D5E on both hosts: two different messages
{ acc 2026-11-02T10:00:01.000000+00:00 mx1 1A2B3C4D5E 11 a1@good.example u1@bar.test
  rej 2026-11-02T10:00:03.000000+00:00 mx1 13 x1@spam.example
  acc 2026-11-02T10:00:05.000000+00:00 mx1 3C4D5E6F7A 15 a3@good.example u3@bar.test
} >"$work/remote/mx1.log"
# mx2 logs in another zone: 11:00:02+01:00 is 10:00:02 UTC
{ acc 2026-11-02T11:00:02.000000+01:00 mx2 1A2B3C4D5E 22 a2@good.example u2@bar.test
  rej 2026-11-02T11:00:04.000000+01:00 mx2 24 x2@spam.example
} >"$work/remote/mx2/mail.log"

# host and recipient of each changed transaction, in output order
changes() { python3 -c '
import json, sys
for l in sys.stdin:
    d = json.loads(l)
    if "change" in d: print(d["host"], d["recipient"])'; }
summary() { python3 -c '
import json, sys
s = json.loads(sys.stdin.readline())["summary"]
print(s["replayed"], s["decidable"], s["changed"])'; }

out=$("$PFCONSOLE" -c "$d" impact --log "$work/remote/mx1.log" --log "$work/remote/mx2/mail.log" --json)
printf '%s\n' "$out" | sed 's/^/# /'
is "two --log files: every transaction of both hosts replayed" "$(printf '%s\n' "$out" | summary)" "5 5 3"
is "the changes in time order, each with its host (the same queue ID on both hosts: two messages)" \
	"$(printf '%s\n' "$out" | changes)" "mx1 u1@bar.test
mx2 u2@bar.test
mx1 u3@bar.test"
out2=$("$PFCONSOLE" -c "$d" impact --log "$work/remote/mx2/mail.log" --log "$work/remote/mx1.log" --json)
is "... whatever the order of the --log options" "$(printf '%s\n' "$out2" | changes)" \
	"$(printf '%s\n' "$out" | changes)"
out=$("$PFCONSOLE" -c "$d" impact --log "$work/remote" --json)
is "a directory of per-host files (and subdirectories): the same" \
	"$(printf '%s\n' "$out" | changes)" "mx1 u1@bar.test
mx2 u2@bar.test
mx1 u3@bar.test"
out=$("$PFCONSOLE" -c "$d" impact --log "$work/remote" --host MX2 --json)
is "--host mx2 (any case): only mx2's transactions" "$(printf '%s\n' "$out" | summary)" "2 2 1"
is "... and its change" "$(printf '%s\n' "$out" | changes)" "mx2 u2@bar.test"
out=$("$PFCONSOLE" -c "$d" impact --log "$work/remote" --examples 5)
printf '%s\n' "$out" | sed 's/^/# /'
like "text: each example names its host after the time" "$out" \
	'^    2026-[^ ]* mx2 mail\.mx2\.example\[192\.0\.2\.22\] <a2@good\.example> -> <u2@bar\.test>$'
out=$("$PFCONSOLE" -c "$d" impact --log "$work/remote/mx1.log" --json)
is "one file: no host field (the output as before)" \
	"$(printf '%s\n' "$out" | grep -c '"host"')" 0

# hits over both hosts: the spam.example line decided both rejects
out=$("$PFCONSOLE" -c "$d" hits --log "$work/remote")
printf '%s\n' "$out" | sed 's/^/# /'
like "hits over two hosts: spam.example decided both rejects" "$out" \
	"^       2  [^ ]*  $d/senders:1: spam\\.example REJECT no spam\$"
out=$("$PFCONSOLE" -c "$d" hits --log "$work/remote" --host mx1)
like "hits --host mx1: only mx1's reject" "$out" \
	"^       1  [^ ]*  $d/senders:1: spam\\.example REJECT no spam\$"
"$PFCONSOLE" -c "$d" impact --log "$work/nonexistent" >/dev/null 2>&1
is "an unreadable source exits 1" "$?" 1
tap_done
