#!/bin/sh
# The bundled demo: `pfconsole check` reports the findings planted in demo/etc
# (and nothing in the tables that are right), and demo/run-demo.sh makes the
# demo log receive reject lines - from a real throwaway Postfix instance as
# root, from the synthetic writer otherwise - and leaves nothing behind.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/postfix.sh"

work=$(mktemp -d); pf_atexit "rm -rf '$work'"
demo=$top_srcdir/demo

# -- the configuration and what check finds in it ------------------------
sh "$demo/setup.sh" "$work/etc" "$work/maillog" >"$work/setup.out" 2>&1
is "demo/setup.sh installs the demo configuration" "$?" 0
like "main.cf paths point into the copy" "$(grep '^transport_maps' "$work/etc/main.cf")" \
	"^transport_maps = hash:$work/etc/transport\$"
if [ -f /usr/share/postfix/master.cf.dist ]; then
	# without one, Apply's postfix check failed ("no master.cf file found")
	check "a master.cf (Postfix's master.cf.dist) for postfix check" cmp -s "$work/etc/master.cf" /usr/share/postfix/master.cf.dist
else
	skip "no /usr/share/postfix/master.cf.dist"
fi

json=$("$PFCONSOLE" -c "$work/etc" check --json 2>"$work/check.err"); rc=$?
is "check exits 1: the demo has errors" "$rc" 1
# "FILE:LINE severity code" per finding, FILE without its directory
got=$(printf '%s\n' "$json" | python3 -c '
import json, os, sys
for l in sys.stdin:
    l = l.strip()
    if not l:
        continue
    try:
        d = json.loads(l)
    except ValueError:
        print("not-json: " + l); continue
    print("%s:%s %s %s" % (os.path.basename(d["file"]), d["line"], d["severity"], d["code"]))
' | sort -u)
printf '%s\n' "$got" | sed 's/^/# check: /'
for want in \
	'restricted_senders:3 warning reject-text-looks-like-code' \
	'restricted_senders:4 warning reject-text-looks-like-code' \
	'protected_destinations:5 error undefined-class' \
	'main\.cf:[0-9]+ warning unused-class' \
	'access_recipient:1 warning postmaster-rejected' \
	'access_sender:18 warning duplicate-key' \
	'access_sender\.pcre:3 error bad-regex' \
	'transport:2 error bad-nexthop' \
	'transport:3 error bad-nexthop' \
	'(main\.cf|transport):[0-9]+ warning stale-index'; do
	like "check finds: $want" "$got" "^$want\$"
done
unlike "the right tables have no findings" "$got" '^(header_checks|null_sender):'
unlike "every table is found" "$got" ' missing-map$'
unlike "only the stale transport index is reported stale" "$got" '^(restricted_senders|protected_destinations|access_recipient|access_sender|null_sender)[.:].* stale-index$'
unlike "every line is a JSON object" "$got" '^not-json: '
text=$("$PFCONSOLE" -c "$work/etc" check 2>&1)
like "text form: FILE:LINE:COL: error: message [code]" "$text" \
	"^$work/etc/protected_destinations:5:[0-9]+: error: .*451 4\\.3\\.5.* \\[undefined-class\\]\$"
like "text form of a warning: FILE:LINE:COL: warning: message [code]" "$text" \
	"^$work/etc/restricted_senders:3:[0-9]+: warning: .*521.* \\[reject-text-looks-like-code\\]\$"

# -- run-demo.sh: traffic reaches the log, everything stops ----------------
# probe.sh N [CMD] - DEMO_CMD: run CMD, wait up to 30 s for N reject lines in
# DEMO_LOG, write what the test looks at to RESULT
cat >"$work/probe.sh" <<'EOF'
[ -n "$2" ] && sh -c "$2" >"$RESULT.extra" 2>&1
n=0
while [ "$n" -lt 60 ]; do
	c=$(grep -c ': reject: ' "$DEMO_LOG" 2>/dev/null)
	[ "${c:-0}" -ge "$1" ] && break
	sleep 0.5; n=$((n + 1))
done
{
	echo "dir=$DEMO_DIR"
	echo "mode=$DEMO_MODE"
	echo "rejects=$(grep -c ': reject: ' "$DEMO_LOG")"
	grep -m1 'Sender address rejected: 521;' "$DEMO_LOG"
	grep -m1 'reject: header Content-Type: multipart/report' "$DEMO_LOG"
	grep -m1 '^maillog_file = ' "$DEMO_CONF/main.cf"
	cat "$RESULT.extra" 2>/dev/null
} >"$RESULT"
exit 0
EOF

run_demo() { # MODE-ENV EXTRA-CMD
	: >"$work/result"
	env $1 RESULT="$work/result" DEMO_DELAY=0.05 top_srcdir="$top_srcdir" \
		DEMO_CMD="sh '$work/probe.sh' 12 '$2'" \
		sh "$demo/run-demo.sh" "$PFCONSOLE" >"$work/demo.out" 2>&1
}

run_demo DEMO_SYNTHETIC=1 ""
is "run-demo.sh (synthetic) exits with DEMO_CMD's status" "$?" 0
res=$(cat "$work/result")
like "synthetic mode when asked" "$res" '^mode=synthetic$'
like "the synthetic log receives reject lines" "$res" '^rejects=(1[2-9]|[2-9][0-9]|[0-9]{3,})$'
like "synthetic: the REJECT 521 reply as Postfix sends it" "$res" \
	'^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} mx postfix/smtpd\[[0-9]+\]: NOQUEUE: reject: RCPT from unknown\[[0-9.]+\]: 554 5\.7\.1 <[0-9a-z]+@(qq|163)\.com>: Sender address rejected: 521; from=<[0-9a-z]+@(qq|163)\.com> to=<foo@bar\.org> proto=ESMTP helo=<[^>]+>$'
like "the console's main.cf names the demo log" "$res" "^maillog_file = /.*/maillog\$"
dir=$(sed -n 's/^dir=//p' "$work/result")
check "the synthetic scratch directory is removed" test ! -e "$dir"

if [ "$(id -u)" -ne 0 ] || [ ! -x "$PF_POSTFIX" ]; then
	ok "# SKIP real Postfix demo needs root"
	tap_done; exit
fi
run_demo "" 'python3 "$top_srcdir/demo/traffic.py" --port "$DEMO_PORT" --verify --count 24 --delay 0 && echo verify=ok'
is "run-demo.sh (real Postfix) exits with DEMO_CMD's status" "$?" 0
res=$(cat "$work/result")
like "real mode as root" "$res" '^mode=real$'
like "the instance's log receives reject lines" "$res" '^rejects=(1[2-9]|[2-9][0-9]|[0-9]{3,})$'
like "real: smtpd's REJECT 521 reply" "$res" \
	'^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} mx postfix/smtpd\[[0-9]+\]: NOQUEUE: reject: RCPT from unknown\[[0-9.]+\]: 554 5\.7\.1 <[0-9a-z]+@(qq|163)\.com>: Sender address rejected: 521; '
like "real: cleanup's header_checks reject" "$res" \
	'postfix/cleanup\[[0-9]+\]: [0-9A-F]+: reject: header Content-Type: multipart/report; .*: 5\.7\.1 no third-party DSNs$'
like "the synthetic writer says what real Postfix says (traffic.py --verify)" "$res" '^verify=ok$'
dir=$(sed -n 's/^dir=//p' "$work/result")
check "the real scratch directory is removed" test ! -e "$dir"
left=$(ls -l /proc/[0-9]*/cwd 2>/dev/null | grep -F -- "$dir" || :)
is "no process of the demo is left" "$left" ""
unlike "nothing went wrong on the way" "$(cat "$work/demo.out")" 'run-demo\.sh:|postfix\.sh:|Traceback'
tap_done
