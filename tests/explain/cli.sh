#!/bin/sh
# tests/explain/cli.sh - 'pfconsole explain': options, text/JSON output,
# --sources and a stale index, --batch with probes and feed events.
. "$top_srcdir/tests/lib/tap.sh"
[ -x "$PFCONSOLE" ] || bail "no pfconsole binary at $PFCONSOLE"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is missing"
T=$(mktemp -d "${TMPDIR:-/tmp}/pfc-explain-cli.XXXXXX") || bail "mktemp"
trap 'rm -rf "$T"' EXIT
cat >"$T/main.cf" <<CF
compatibility_level = 3.6
mydestination = bar.org
local_recipient_maps =
smtpd_recipient_restrictions =
        permit_mynetworks
        check_recipient_access hash:$T/protected_destinations
smtpd_restriction_classes = good_senders_only
good_senders_only = check_sender_access hash:$T/restricted_senders, permit
CF
printf '%s\n' '# not everyone can send to these destinations' 'foo@bar.org     good_senders_only' >"$T/protected_destinations"
printf '%s\n' '# We do not want mail from these folks' '' 'qq.com         REJECT  521' '163.com        REJECT  521' >"$T/restricted_senders"
if ! /usr/sbin/postmap -c "$T" "hash:$T/protected_destinations" "hash:$T/restricted_senders" 2>/dev/null; then
	skip_all "postmap cannot build hash tables here"
fi
E="$PFCONSOLE -c $T explain"

$E --client 203.0.113.82 --recipient foo@bar.org >/dev/null 2>&1
is "missing --sender is a usage error" "$?" 2
$E --bogus >/dev/null 2>&1
is "unknown option is a usage error" "$?" 2
out=$($E --client 203.0.113.82 --helo me.testing.example.com --sender 318787866@qq.com --recipient foo@bar.org)
is "exit 0" "$?" 0
is "text: the reply line first" "$(printf '%s\n' "$out" | head -1)" \
	"554 5.7.1 <318787866@qq.com>: Sender address rejected: 521"
like "text: the deciding entry as FILE:LINE" "$out" "^rule: $T/restricted_senders:3: qq.com REJECT  521"
like "text: the trail names the class" "$out" "run 'good_senders_only' as restrictions"
json=$($E --json --client 203.0.113.82,mx.example.com --sender x@163.com --recipient Foo@Bar.org)
got=$(printf '%s' "$json" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["decision"], o["code"], o["dsn"], o["text"], o["rule"]["line"], o["rule"]["key"], len(o["trail"]) > 3)')
is "json: decision code dsn text rule" "$got" "reject 554 5.7.1 <x@163.com>: Sender address rejected: 521 4 163.com True"
got=$($E --json --client 127.0.0.1 --sender '<>' --recipient foo@bar.org | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["decision"], o["code"], o["rule"])')
is "json: accept with no deciding entry" "$got" "accept 250 None"

# --sources: an edit not yet built
sleep 1
printf '%s\n' '163.com        OK' 'qq.com         REJECT  521' >"$T/restricted_senders"
got=$($E --json --client 203.0.113.82 --sender x@163.com --recipient foo@bar.org | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["decision"], "stale" in o)')
is "index answers as before the edit" "$got" "reject False"
got=$($E --sources --json --client 203.0.113.82 --sender x@163.com --recipient foo@bar.org | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["decision"], o["rule"]["line"], "stale" in o)')
is "--sources answers from the source and flags the stale index" "$got" "accept 1 True"

# --batch: probes and 'feed --json' events
cat >"$T/probes" <<'P'
{"client":"203.0.113.82","helo":"h.example","sender":"a@qq.com","recipient":"foo@bar.org"}
{"event":"reject","client_ip":"203.0.113.9","client_name":"mx.example.com","helo":"h.example","from":"b@163.com","to":"foo@bar.org","code":554}
{"client":"127.0.0.1","sender":"","recipient":"foo@bar.org"}
not json
{"client":"203.0.113.82"}
P
out=$($E --batch "$T/probes")
is "--batch exits 1 on bad lines" "$?" 1
is "--batch answers every line" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 5
got=$(printf '%s\n' "$out" | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    print(o.get("error", "")[:6] or "%s %s %s" % (o["decision"], o["code"], (o["rule"] or {}).get("key")))')
is "--batch answers" "$got" "reject 554 qq.com
reject 554 163.com
accept 250 None
line 4
line 5"
got=$(sed -n 2p "$T/probes" | $E --batch - | python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])')
is "--batch - reads stdin (feed event)" "$got" "<b@163.com>: Sender address rejected: 521"
# the issue's pipeline: which table line caused each reject in the log
printf '%s\n' 'Nov 23 10:00:01 mx postfix/smtpd[123]: NOQUEUE: reject: RCPT from mail.qq.com[203.0.113.9]: 554 5.7.1 <318787866@qq.com>: Sender address rejected: 521; from=<318787866@qq.com> to=<foo@bar.org> proto=ESMTP helo=<mail.qq.com>' >"$T/mail.log"
got=$("$PFCONSOLE" -c "$T" feed --log "$T/mail.log" --json 2>/dev/null | $E --batch - | python3 -c '
import json, sys
for l in sys.stdin:
    o = json.loads(l)
    r = o.get("rule") or {}
    print(("skipped" if "skipped" in o else "%s %s:%s" % (o["text"], r.get("file", "").split("/")[-1], r.get("line"))))')
# the index was built before the edit above, the line is the source's today
is "feed --json | explain --batch - names the table line" "$got" "<318787866@qq.com>: Sender address rejected: 521 restricted_senders:2"
# a pattern rule is named as written: delimiter, flags, negation (not the
# bare expression, which reads as another rule)
mkdir -p "$T/pat"
printf '%s\n' '/^confirm-return.*\@/i   REJECT no thanks' '!#^ok#   REJECT not ok' >"$T/pat/s.pcre"
printf '%s\n' '/^list-/!/^list-ok/   REJECT lists' >"$T/pat/s.regexp"
cat >"$T/pat/main.cf" <<CF
compatibility_level = 3.6
mydestination = local.test
local_recipient_maps =
smtpd_sender_restrictions = check_sender_access regexp:$T/pat/s.regexp, check_sender_access pcre:$T/pat/s.pcre
smtpd_recipient_restrictions = permit_auth_destination, reject
CF
P="$PFCONSOLE -c $T/pat explain --client 192.0.2.1 --recipient u@local.test --sender"
like "pattern rule: delimiters and flags" "$($P Confirm-Return-1@x.example)" \
	"^rule: $T/pat/s.pcre:1: /\\^confirm-return\\.\\*\\\\@/i REJECT no thanks"
like "pattern rule: a negated rule with its own delimiter" "$($P zz@x.example --json)" \
	'"key":"!#\^ok#"'
like "pattern rule: regexp's second pattern" "$($P list-a@x.example)" \
	"^rule: $T/pat/s.regexp:1: /\\^list-/!/\\^list-ok/ REJECT lists"
tap_done
